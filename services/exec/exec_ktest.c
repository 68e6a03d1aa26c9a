/* ktests of exec's header parsers: the ELF header and program header
 * checks (elf_read_header, elf_place) and the "#!" line (script_parse),
 * fed hostile images written into private memory inodes. Layer: services
 * (safe C). They trust the page cache and memory inodes (tested in
 * vfs/pagecache_ktest.c) to hand back the bytes written; everything else
 * is what is under test. */
#include "exec/elf.h"
#include "exec/exec.h"
#include <abi/elf.h>
#include <fw/ktest.h>

static void put_le(struct kchunk *c, uint32_t off, uint64_t v, uint32_t n)
{
	for (uint32_t i = 0; i < n && off + i < sizeof(c->b); i++)
		c->b[off + i] = (uint8_t)(v >> (8 * i));
}

/* A well-formed static ET_EXEC of 512 bytes: one PT_LOAD of the whole
 * file at 0x400000 (memsz 0x2000), entry 0x401000, headers at 64. */
static void good_exec(struct kchunk *c)
{
	*c = (struct kchunk){0};
	c->b[0] = 0x7f;
	c->b[1] = 'E';
	c->b[2] = 'L';
	c->b[3] = 'F';
	c->b[4] = 2;
	c->b[5] = 1;
	c->b[6] = 1;
	put_le(c, 16, ET_EXEC, 2);
	put_le(c, 18, EM_X86_64, 2);
	put_le(c, 20, 1, 4);
	put_le(c, 24, 0x401000, 8); /* e_entry */
	put_le(c, 32, 64, 8);       /* e_phoff */
	put_le(c, 52, 64, 2);       /* e_ehsize */
	put_le(c, 54, 56, 2);       /* e_phentsize */
	put_le(c, 56, 1, 2);        /* e_phnum */
	put_le(c, 64, PT_LOAD, 4);
	put_le(c, 68, PF_R | PF_X, 4);
	put_le(c, 72, 0, 8);          /* p_offset */
	put_le(c, 80, 0x400000, 8);   /* p_vaddr */
	put_le(c, 96, 512, 8);        /* p_filesz */
	put_le(c, 104, 0x2000, 8);    /* p_memsz */
	put_le(c, 112, 0x1000, 8);    /* p_align */
}

/* Program header i's field at offset `at` (from the header's start). */
static void phdr_set(struct kchunk *c, uint32_t i, uint32_t at, uint64_t v, uint32_t n)
{
	put_le(c, 64 + 56 * i + at, v, n);
}

/* elf_read_header of the first `size` bytes of c, in a fresh file. */
static int parse(const struct kchunk *c, uint32_t size, struct elf_info *info)
{
	struct inode_ref r = {0};
	if (inode_new(S_IFREG | 0755, &r))
		return -ENOMEM;
	int e = inode_write_chunk(r, 0, c, size);
	if (e == 0)
		e = elf_read_header(r, info);
	inode_put_if_unused(r);
	return e;
}

FW_KTEST(svc_exec_elf_header_accepts_good_image)
{
	struct kchunk c;
	struct elf_info in;
	good_exec(&c);
	FW_EXPECT(t, parse(&c, 512, &in) == 0);
	FW_EXPECT(t, in.lo == 0x400000 && in.hi == 0x402000 && in.entry == 0x401000 && in.nload == 1);
	FW_EXPECT(t, in.phdr_addr == 0x400040 && in.phnum == 1 && !in.dyn && in.interp_len == 0);
	/* overlapping PT_LOADs are allowed (as Linux): the span is their union */
	put_le(&c, 56, 2, 2);
	phdr_set(&c, 1, 0, PT_LOAD, 4);
	phdr_set(&c, 1, 8, 0, 8);
	phdr_set(&c, 1, 16, 0x401000, 8);
	phdr_set(&c, 1, 32, 100, 8);
	phdr_set(&c, 1, 40, 0x3001, 8);
	FW_EXPECT(t, parse(&c, 512, &in) == 0 && in.lo == 0x400000 && in.hi == 0x405000 && in.nload == 2);
}

FW_KTEST(svc_exec_elf_header_rejects_hostile_ehdr)
{
	struct kchunk c;
	struct elf_info in;
	good_exec(&c);
	FW_EXPECT(t, parse(&c, 63, &in) == -ENOEXEC); /* truncated inside the ELF header */
	FW_EXPECT(t, parse(&c, 100, &in) == -ENOEXEC); /* program header cut off */
	c.b[4] = 1;                                    /* 32-bit */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	put_le(&c, 18, 3, 2); /* i386 */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	put_le(&c, 16, 1, 2); /* ET_REL */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	put_le(&c, 56, 0, 2); /* e_phnum 0 */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	put_le(&c, 56, 65, 2); /* more than the loader takes */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	put_le(&c, 56, 0xffff, 2);
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	put_le(&c, 54, 55, 2); /* e_phentsize not 56 */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	put_le(&c, 32, 512 - 55, 8); /* the table runs one byte past the file */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	put_le(&c, 32, UINT64_MAX - 8, 8); /* phoff + phnum * 56 wraps */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	put_le(&c, 24, 0x402000, 8); /* entry at hi: outside */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	put_le(&c, 24, 0x3fffff, 8); /* below lo */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
}

FW_KTEST(svc_exec_elf_header_rejects_hostile_phdr)
{
	struct kchunk c;
	struct elf_info in;
	good_exec(&c);
	phdr_set(&c, 0, 32, 0x2001, 8); /* p_filesz > p_memsz */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 32, UINT64_MAX, 8); /* huge p_filesz */
	phdr_set(&c, 0, 40, UINT64_MAX, 8);
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 32, 513, 8); /* one byte past the file */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 8, 0x1000, 8); /* p_offset past the file */
	phdr_set(&c, 0, 32, 0, 8);
	phdr_set(&c, 0, 16, 0x401000, 8);
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 8, UINT64_MAX - 100, 8); /* p_offset near 2^64 */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 40, UINT64_MAX - 0x1000, 8); /* p_vaddr + p_memsz wraps */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 16, FW_USER_TOP - 0x1000, 8); /* runs past the user half */
	put_le(&c, 24, FW_USER_TOP - 0x1000, 8);
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 16, 0x400100, 8); /* vaddr and offset disagree modulo the page */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 16, 0, 8); /* ET_EXEC at page 0 */
	put_le(&c, 24, 0x1000, 8);
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	good_exec(&c);
	phdr_set(&c, 0, 0, PT_PHDR, 4); /* no PT_LOAD at all */
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	/* PT_INTERP: at least a byte and its NUL, inside the file */
	good_exec(&c);
	put_le(&c, 56, 2, 2);
	phdr_set(&c, 1, 0, PT_INTERP, 4);
	phdr_set(&c, 1, 8, 200, 8);
	phdr_set(&c, 1, 32, 1, 8);
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	phdr_set(&c, 1, 32, 313, 8);
	FW_EXPECT(t, parse(&c, 512, &in) == -ENOEXEC);
	phdr_set(&c, 1, 32, 312, 8);
	FW_EXPECT(t, parse(&c, 512, &in) == 0 && in.interp_off == 200 && in.interp_len == 312);
}

FW_KTEST(svc_exec_elf_place_keeps_image_in_user_half)
{
	struct elf_info in = {.dyn = true, .lo = 0, .hi = 0x3000, .entry = 0x1000, .phdr_addr = 0x40};
	struct elf_info a = in;
	FW_EXPECT(t, elf_place(&a, 0) == -ENOEXEC); /* page 0 */
	a = in;
	FW_EXPECT(t, elf_place(&a, 0x555555554000ULL) == 0);
	FW_EXPECT(t, a.entry == 0x555555555000ULL && a.end == 0x555555557000ULL && a.phdr_addr == 0x555555554040ULL);
	a = in;
	FW_EXPECT(t, elf_place(&a, FW_USER_TOP - 0x3000) == 0 && a.end == FW_USER_TOP); /* the last pages */
	a = in;
	FW_EXPECT(t, elf_place(&a, FW_USER_TOP - 0x2000) == -ENOEXEC);
	a = in;
	FW_EXPECT(t, elf_place(&a, UINT64_MAX - 0xfff) == -ENOEXEC); /* past the user half, wrapping */
	a = in;
	FW_EXPECT(t, elf_place(&a, FW_USER_TOP) == -ENOEXEC);
	/* ET_EXEC ignores the bias */
	struct elf_info x = {.lo = 0x400000, .hi = 0x402000, .entry = 0x401000};
	FW_EXPECT(t, elf_place(&x, 0x10000000) == 0 && x.bias == 0 && x.entry == 0x401000 && x.end == 0x402000);
}

/* script_parse of a first line given as bytes (n of them). */
static int script(const uint8_t (*s)[64], uint32_t n, struct kpath *interp, struct kname *arg, bool *has_arg,
		  bool *is_script)
{
	struct kchunk c = {0};
	for (uint32_t i = 0; i < n && i < 64; i++)
		c.b[i] = (*s)[i];
	struct inode_ref r = {0};
	if (inode_new(S_IFREG | 0755, &r))
		return -ENOMEM;
	int e = inode_write_chunk(r, 0, &c, n);
	if (e == 0)
		e = script_parse(r, interp, arg, has_arg, is_script);
	inode_put_if_unused(r);
	return e;
}

static bool path_is(const struct kpath *p, const uint8_t (*want)[64], uint32_t n)
{
	if (p->len != n)
		return false;
	for (uint32_t i = 0; i < n && i < 64; i++)
		if ((uint8_t)p->s[i] != (*want)[i])
			return false;
	return p->s[n] == 0;
}

static bool name_is(const struct kname *a, const uint8_t (*want)[64], uint32_t n)
{
	if (a->len != n)
		return false;
	for (uint32_t i = 0; i < n && i < 64; i++)
		if ((uint8_t)a->s[i] != (*want)[i])
			return false;
	return a->s[n] == 0;
}

FW_KTEST(svc_exec_script_line_parsing)
{
	struct kpath_ref pr = {0};
	FW_EXPECT(t, kpath_alloc(&pr) == 0);
	struct kpath *ip = kpath_get(pr);
	struct kname arg;
	bool has = false, is = false;
	uint8_t sh[64] = "/bin/sh", opt[64] = "-x -y", e[64] = "-e", a[64] = "-a";
	uint8_t l1[64] = "#!/bin/sh\n";
	FW_EXPECT(t, script(&l1, 10, ip, &arg, &has, &is) == 0 && is && !has && path_is(ip, &sh, 7));
	uint8_t l2[64] = "#! \t/bin/sh  -x -y \t\n";
	FW_EXPECT(t, script(&l2, 21, ip, &arg, &has, &is) == 0 && has && name_is(&arg, &opt, 5));
	FW_EXPECT(t, path_is(ip, &sh, 7));
	uint8_t l3[64] = "#!/bin/sh -e"; /* no newline: the file ends */
	FW_EXPECT(t, script(&l3, 12, ip, &arg, &has, &is) == 0 && has && name_is(&arg, &e, 2));
	uint8_t l4[64] = "#!  \t\nsh";
	FW_EXPECT(t, script(&l4, 8, ip, &arg, &has, &is) == -ENOEXEC && is);
	uint8_t l5[64] = "#!";
	FW_EXPECT(t, script(&l5, 2, ip, &arg, &has, &is) == -ENOEXEC);
	uint8_t l6[64] = "\177ELF";
	FW_EXPECT(t, script(&l6, 4, ip, &arg, &has, &is) == 0 && !is);
	uint8_t l7[64] = "#";
	FW_EXPECT(t, script(&l7, 1, ip, &arg, &has, &is) == 0 && !is);
	/* The argument is a C string (Linux copies it as one): it ends at
	 * a NUL, and a NUL right after the interpreter means no argument.
	 * Otherwise the bytes after the NUL would become an extra string
	 * in argv that argc does not count. */
	uint8_t l8[64] = "#!/bin/sh -a\0b c\n";
	FW_EXPECT(t, script(&l8, 17, ip, &arg, &has, &is) == 0 && has && name_is(&arg, &a, 2));
	uint8_t l9[64] = "#!/bin/sh\0 junk\n";
	FW_EXPECT(t, script(&l9, 16, ip, &arg, &has, &is) == 0 && !has && path_is(ip, &sh, 7));
	kpath_free(pr);
}

FW_KTEST(svc_exec_script_long_interpreter_is_refused)
{
	/* 256 bytes without a newline or a blank: the name may be cut off */
	struct kchunk c = {0};
	c.b[0] = '#';
	c.b[1] = '!';
	for (uint32_t i = 2; i < 300; i++)
		c.b[i] = 'a';
	struct kpath_ref pr = {0};
	FW_EXPECT(t, kpath_alloc(&pr) == 0);
	struct kname arg;
	bool has, is;
	struct inode_ref r = {0};
	FW_EXPECT(t, inode_new(S_IFREG | 0755, &r) == 0);
	FW_EXPECT(t, inode_write_chunk(r, 0, &c, 300) == 0);
	FW_EXPECT(t, script_parse(r, kpath_get(pr), &arg, &has, &is) == -ENOEXEC);
	/* a blank inside the first 256 bytes: the name is whole, the
	 * argument is cut at the buffer's end (as Linux) */
	c.b[100] = ' ';
	FW_EXPECT(t, inode_write_chunk(r, 0, &c, 300) == 0);
	FW_EXPECT(t, script_parse(r, kpath_get(pr), &arg, &has, &is) == 0 && has && kpath_get(pr)->len == 98);
	FW_EXPECT(t, arg.len == 155);
	inode_put_if_unused(r);
	kpath_free(pr);
}
