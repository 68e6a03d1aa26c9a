/* ELF64 loader: ET_EXEC, PIE and static-pie (ET_DYN), and PT_INTERP
 * (the dynamic loader is loaded beside the program by exec.c).
 * Layer: services (safe C). Every header field is checked before use: a
 * malformed image gives -ENOEXEC and touches nothing. Segments are mapped
 * as file-backed areas, so their pages are the file's own (shared
 * copy-on-write, see mm/fault.c), never copied at exec. */
#include "exec/elf.h"
#include <abi/elf.h>

#define MAX_PHDRS 64

static bool ident_ok(const struct elf64_ehdr *eh)
{
	return eh->ident[0] == 0x7f && eh->ident[1] == 'E' && eh->ident[2] == 'L' && eh->ident[3] == 'F' &&
	       eh->ident[4] == 2 /* 64-bit */ && eh->ident[5] == 1 /* little endian */ && eh->ident[6] == 1;
}

static uint32_t prot_of(uint32_t pf)
{
	uint32_t p = 0;
	if (pf & PF_R)
		p |= FW_PROT_READ;
	if (pf & PF_W)
		p |= FW_PROT_WRITE;
	if (pf & PF_X)
		p |= FW_PROT_EXEC;
	return p;
}

static int check_phdr(const struct elf64_phdr *ph, uint64_t fsize)
{
	if (ph->filesz > ph->memsz)
		return -ENOEXEC;
	if (ph->offset > fsize || ph->filesz > fsize - ph->offset)
		return -ENOEXEC;
	if (ph->vaddr >= FW_USER_TOP || ph->memsz > FW_USER_TOP - ph->vaddr)
		return -ENOEXEC;
	if ((ph->vaddr & 4095) != (ph->offset & 4095))
		return -ENOEXEC;
	return 0;
}

/* One program header: fold it into info. */
static int take_phdr(const struct elf64_phdr *ph, const struct elf64_ehdr *eh, uint64_t fsize,
		     struct elf_info *info)
{
	if (ph->type == PT_INTERP) {
		if (info->interp_len)
			return 0; /* the first one counts */
		if (ph->filesz < 2 || ph->filesz > PATH_MAX || ph->offset > fsize || ph->filesz > fsize - ph->offset)
			return -ENOEXEC;
		info->interp_off = ph->offset;
		info->interp_len = ph->filesz;
		return 0;
	}
	if (ph->type == PT_PHDR) {
		info->phdr_addr = ph->vaddr;
		return 0;
	}
	if (ph->type != PT_LOAD)
		return 0;
	if (check_phdr(ph, fsize))
		return -ENOEXEC;
	info->lo = FW_MIN(info->lo, ph->vaddr & ~4095ULL);
	info->hi = FW_MAX(info->hi, FW_ALIGN_UP(ph->vaddr + ph->memsz, 4096));
	if (!info->phdr_addr && ph->offset <= eh->phoff && eh->phoff - ph->offset < ph->filesz)
		info->phdr_addr = ph->vaddr + (eh->phoff - ph->offset);
	info->nload++;
	return 0;
}

int elf_read_header(struct inode_ref ino, struct elf_info *info)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOEXEC;
	uint64_t fsize = ip->size;
	struct elf64_ehdr eh;
	int rc;
	INODE_READ_OBJ(rc, ino, 0, &eh);
	if (rc || !ident_ok(&eh) || eh.machine != EM_X86_64 || (eh.type != ET_EXEC && eh.type != ET_DYN))
		return -ENOEXEC;
	if (eh.phentsize != sizeof(struct elf64_phdr) || eh.phnum == 0 || eh.phnum > MAX_PHDRS)
		return -ENOEXEC;
	if (eh.phoff > fsize || (uint64_t)eh.phnum * sizeof(struct elf64_phdr) > fsize - eh.phoff)
		return -ENOEXEC;
	*info = (struct elf_info){0};
	info->dyn = eh.type == ET_DYN;
	info->phnum = eh.phnum;
	info->phoff = eh.phoff;
	info->lo = UINT64_MAX;
	for (uint32_t i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		INODE_READ_OBJ(rc, ino, eh.phoff + (uint64_t)i * sizeof(ph), &ph);
		if (rc || take_phdr(&ph, &eh, fsize, info))
			return -ENOEXEC;
	}
	if (info->nload == 0 || (!info->dyn && info->lo < FW_USER_MIN))
		return -ENOEXEC;
	if (eh.entry < info->lo || eh.entry >= info->hi)
		return -ENOEXEC;
	info->entry = eh.entry;
	return 0;
}

int elf_place(struct elf_info *info, uint64_t bias)
{
	if (!info->dyn)
		bias = 0;
	if (bias > FW_USER_TOP || info->hi > FW_USER_TOP - bias || info->lo + bias < FW_USER_MIN)
		return -ENOEXEC;
	info->bias = bias;
	info->entry += bias;
	info->end = info->hi + bias;
	if (info->phdr_addr)
		info->phdr_addr += bias;
	return 0;
}

int elf_interp_path(struct inode_ref ino, const struct elf_info *info, struct kpath *out)
{
	/* As Linux: the segment's last byte must be NUL; the path is the
	 * string up to the first NUL. */
	struct kchunk c;
	bool ended = false;
	uint8_t last = 1;
	out->len = 0;
	for (uint64_t done = 0; done < info->interp_len;) {
		uint32_t k = (uint32_t)FW_MIN(sizeof(c.b), info->interp_len - done);
		if (inode_read_chunk(ino, info->interp_off + done, &c, k))
			return -ENOEXEC;
		for (uint32_t j = 0; j < k && !ended; j++) {
			if (c.b[j] == 0)
				ended = true;
			else if (out->len < PATH_MAX - 1)
				out->s[out->len++] = (char)c.b[j];
		}
		last = c.b[k - 1];
		done += k;
	}
	out->s[out->len] = 0;
	return last == 0 && out->len > 0 ? 0 : -ENOEXEC;
}

int elf_map(struct inode_ref ino, const struct elf_info *info, struct mm_ref mm)
{
	for (uint32_t i = 0; i < info->phnum; i++) {
		struct elf64_phdr ph;
		int rc;
		INODE_READ_OBJ(rc, ino, info->phoff + (uint64_t)i * sizeof(ph), &ph);
		if (rc)
			return -ENOEXEC;
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		uint64_t va = ph.vaddr + info->bias;
		uint64_t start = va & ~4095ULL;
		uint64_t lead = va - start;
		uint64_t end = FW_ALIGN_UP(va + ph.memsz, 4096);
		rc = mm_map(mm, start, end - start, prot_of(ph.flags), VMA_FILE, ino, ph.offset - lead, ph.filesz + lead);
		if (rc)
			return rc;
	}
	return 0;
}
