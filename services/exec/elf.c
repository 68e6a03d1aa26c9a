/* ELF64 loader for static executables (ET_EXEC and static-pie ET_DYN).
 * Layer: services (safe C). Every header field is checked before use: a
 * malformed image gives -ENOEXEC and touches nothing. */
#include "exec/elf.h"
#include <abi/elf.h>

#define MAX_PHDRS 64
#define PIE_BASE 0x555555554000ULL

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
	info->bias = eh.type == ET_DYN ? PIE_BASE : 0;
	info->phnum = eh.phnum;
	info->phoff = eh.phoff;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (uint32_t i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		INODE_READ_OBJ(rc, ino, eh.phoff + (uint64_t)i * sizeof(ph), &ph);
		if (rc)
			return -ENOEXEC;
		if (ph.type == PT_INTERP)
			return -ENOEXEC; /* dynamic executables are not supported yet */
		if (ph.type != PT_LOAD)
			continue;
		if (check_phdr(&ph, fsize))
			return -ENOEXEC;
		lo = FW_MIN(lo, ph.vaddr);
		hi = FW_MAX(hi, ph.vaddr + ph.memsz);
		if (ph.offset <= eh.phoff && eh.phoff - ph.offset < ph.filesz)
			info->phdr_addr = ph.vaddr + (eh.phoff - ph.offset);
		info->nload++;
	}
	if (info->nload == 0 || hi > FW_USER_TOP - info->bias || (lo < FW_USER_MIN && info->bias == 0))
		return -ENOEXEC;
	if (eh.entry < lo || eh.entry >= hi)
		return -ENOEXEC;
	info->entry = eh.entry + info->bias;
	info->end = FW_ALIGN_UP(hi + info->bias, 4096);
	if (info->phdr_addr)
		info->phdr_addr += info->bias;
	return 0;
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
