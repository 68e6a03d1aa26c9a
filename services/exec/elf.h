/* ELF64 loading. Layer: services (safe C). */
#ifndef SVC_EXEC_ELF_H
#define SVC_EXEC_ELF_H

#include "mm/mm.h"

/* What exec needs from an image's headers. Addresses are the file's own
 * (unbiased) until elf_place fixes the load bias. */
struct elf_info {
	uint64_t entry;     /* e_entry (+ bias after elf_place) */
	uint64_t bias;      /* added to every p_vaddr */
	uint64_t lo, hi;    /* page-aligned span of the PT_LOAD segments */
	uint64_t end;       /* hi + bias: where brk starts */
	uint64_t phdr_addr; /* the program headers in memory (0: not loaded) */
	uint64_t phoff;
	uint64_t interp_off, interp_len; /* PT_INTERP path in the file (len 0: none) */
	uint32_t phnum, nload;
	bool dyn;           /* ET_DYN: position independent, bias chosen by exec */
};

/* Read and check the ELF header and program headers: -ENOEXEC for
 * anything malformed, before anything is mapped. */
int elf_read_header(struct inode_ref ino, struct elf_info *info);
/* Fix the load bias (0 for ET_EXEC): -ENOEXEC/-ENOMEM if the image would
 * not fit in the user half there. */
int elf_place(struct elf_info *info, uint64_t bias);
/* The PT_INTERP path (NUL-terminated in the file, checked). */
int elf_interp_path(struct inode_ref ino, const struct elf_info *info, struct kpath *out);
int elf_map(struct inode_ref ino, const struct elf_info *info, struct mm_ref mm);

#endif
