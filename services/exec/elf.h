/* ELF64 loading. Layer: services (safe C). */
#ifndef SVC_EXEC_ELF_H
#define SVC_EXEC_ELF_H

#include "mm/mm.h"

struct elf_info {
	uint64_t entry, bias, end, phdr_addr, phoff;
	uint32_t phnum, nload;
};

int elf_read_header(struct inode_ref ino, struct elf_info *info);
int elf_map(struct inode_ref ino, const struct elf_info *info, struct mm_ref mm);

#endif
