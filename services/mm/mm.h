/* Per-process memory: virtual memory areas, brk, mmap and page faults.
 * Layer: services (safe C). The page tables belong to the framework
 * (<fw/vm.h>); this layer decides what each address means.
 *
 * A vma is [start, end) with a protection and a backing: anonymous (zero
 * fill), or a file whose bytes fill the first `file_len` bytes from
 * `file_off` (the rest zero-filled), private (copied) or shared.
 * Every file-backed area counts as one opener of its inode (open_count),
 * so an unlinked file lives while it is mapped.
 */
#ifndef SVC_MM_MM_H
#define SVC_MM_MM_H

#include "vfs/vfs.h"
#include <fw/task.h>
#include <fw/vm.h>

#define USER_STACK_TOP (FW_USER_TOP - FW_PAGE_SIZE) /* the top page stays unmapped */
#define USER_STACK_MAX (8ULL << 20)
#define MMAP_BASE 0x7f0000000000ULL

#define VMA_SHARED 1
#define VMA_GROWSDOWN 2
#define VMA_FILE 4
#define VMA_ANON_SHARED 8 /* MAP_SHARED|MAP_ANONYMOUS: file is a hidden inode */
#define VMA_EOF_BUS 16    /* mmap of a file: a page wholly past EOF is SIGBUS */
#define VMA_VDSO 32       /* the vDSO image or its data page (exec/vdso.c) */

struct vma;
struct mm;
FW_POOL_DECLARE(vma, struct vma);
FW_POOL_DECLARE(mm, struct mm);

struct vma {
	uint64_t start, end;
	uint32_t prot;  /* FW_PROT_* */
	uint32_t flags; /* VMA_* */
	struct inode_ref file;
	uint64_t file_off, file_len;
	struct vma_ref next; /* sorted by start */
};

struct mm {
	struct fw_vm_ref vm;
	struct vma_ref vmas;
	struct vma_ref last_found;         /* the area the last fault was in (a hint: checked on use) */
	uint64_t brk_start, brk;
	uint64_t mmap_hint;
	uint32_t refs;
	uint64_t exe_ino;
	struct inode_ref exe;              /* the executable (/proc/<pid>/exe) */
	uint64_t arg_start, arg_end, env_end; /* argument and environment strings (/proc) */
	uint64_t vdso_base;                /* where the vDSO is mapped (0: none) */
};

int mm_new(struct mm_ref *out);
void mm_hold(struct mm_ref m);
void mm_put(struct mm_ref m);
int mm_fork(struct mm_ref src, struct mm_ref *out);
/* Map [start, start+len) (page-aligned) replacing what was there. */
int mm_map(struct mm_ref m, uint64_t start, uint64_t len, uint32_t prot, uint32_t flags, struct inode_ref file,
	   uint64_t file_off, uint64_t file_len);
int mm_unmap(struct mm_ref m, uint64_t start, uint64_t len);
int mm_protect(struct mm_ref m, uint64_t start, uint64_t len, uint32_t prot);
/* Find a free range of len bytes (top-down below the mmap base). */
uint64_t mm_find_free(struct mm_ref m, uint64_t len);
bool mm_range_free(struct mm_ref m, uint64_t start, uint64_t len);
/* Every page of the range lies in some area. */
bool mm_range_mapped(struct mm_ref m, uint64_t start, uint64_t len);
/* madvise(MADV_DONTNEED): drop the pages (-ENOMEM if not all mapped). */
int mm_discard(struct mm_ref m, uint64_t start, uint64_t len);
/* mremap: new address or negative errno. fixed: MREMAP_FIXED target. */
int64_t mm_remap(struct mm_ref m, uint64_t old, uint64_t olen, uint64_t nlen, bool maymove, uint64_t fixed);
/* A file shrank to size: drop the pages of its mmap areas that now lie
 * wholly past EOF, so the next touch faults (SIGBUS) as on Linux. */
void mm_file_truncated(struct mm_ref m, struct inode_ref file, uint64_t size);
/* msync(MS_SYNC): write back the files of the shared areas in the range. */
int mm_sync_range(struct mm_ref m, uint64_t start, uint64_t len);
/* addr lies in a MAP_SHARED area. */
bool mm_addr_shared(struct mm_ref m, uint64_t addr);
/* Resolve a fault at addr; 0, -EFAULT (SIGSEGV: *si_code set), -EIO (SIGBUS:
 * a file page wholly past end of file, or the file could not be read) or
 * -ENOMEM (no frame). May sleep (a file page read from the disk). */
int mm_fault(struct mm_ref m, uint64_t addr, bool write, bool exec, int32_t *si_code);
/* The same inside a kernel user copy, which cannot sleep: -EAGAIN when a
 * file page must first be read from the disk (mm_fault does that). */
int mm_fault_nowait(struct mm_ref m, uint64_t addr, bool write, int32_t *si_code);
/* The frame behind the user page at addr, faulted in (and, for write,
 * made private and writable) first, with one more reference the caller
 * drops with fw_frame_put: for I/O straight into user memory (a disk
 * reading into a process's buffer). 0 or -EFAULT. */
int mm_pin_page(struct mm_ref m, uint64_t addr, bool write, struct fw_frame_ref *out);

#endif
