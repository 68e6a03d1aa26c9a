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
#define VMA_LOCKED 64     /* mlock: counted for RLIMIT_MEMLOCK and VmLck */
#define VMA_LOCKONFAULT 128 /* MLOCK_ONFAULT/MCL_ONFAULT: not populated up front */
#define VMA_NOWRITE 256   /* shared file mapping that may never be writable (Linux: no VM_MAYWRITE) */
#define VMA_NOREAD 512    /* asked for without PROT_READ: readable (x86 cannot refuse), shown as '-' */
#define VMA_WIPEONFORK 1024 /* MADV_WIPEONFORK: a child gets the area zero-filled */
#define VMA_DONTFORK 2048 /* MADV_DONTFORK: a child does not get the area */

struct vma;
struct mm;

/* /proc/sys/vm/max_map_count: a new mapping fails with -ENOMEM while a
 * process has more areas than this, and so does an munmap that would
 * split an area when it has this many. Setting it takes 0..INT_MAX. */
int64_t mm_max_map_count(void);
int mm_set_max_map_count(int64_t v);
FW_POOL_DECLARE(vma, struct vma);
FW_POOL_DECLARE(mm, struct mm);

struct vma {
	uint64_t start, end;
	uint32_t prot;  /* FW_PROT_* */
	uint32_t flags; /* VMA_* */
	struct inode_ref file;
	uint64_t file_off, file_len;
	uint32_t mpol;       /* mbind's memory policy, encoded by the syscall layer (0: none) */
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
	bool exe_denied;
	uint64_t stack_limit;              /* RLIMIT_STACK when below USER_STACK_MAX (0: USER_STACK_MAX) */                   /* holds exe's write denial (ETXTBSY) until the last reference goes */
	uint64_t arg_start, arg_end, env_end; /* argument and environment strings (/proc) */
	uint64_t vdso_base;                /* where the vDSO is mapped (0: none) */
	uint32_t lock_future;              /* mlockall(MCL_FUTURE): VMA_LOCKED... for new areas */
	uint32_t membarrier;               /* membarrier(2) registrations (MEMBARRIER_CMD_REGISTER_* bits) */
	bool pkey_spent;                   /* pkey_alloc took key 0 and could not program it (no PKU) */
	uint32_t nvmas;                    /* areas on the list (max_map_count) */
};

int mm_new(struct mm_ref *out);
void mm_hold(struct mm_ref m);
void mm_put(struct mm_ref m);
int mm_fork(struct mm_ref src, struct mm_ref *out);
/* Map [start, start+len) (page-aligned) replacing what was there. */
int mm_map(struct mm_ref m, uint64_t start, uint64_t len, uint32_t prot, uint32_t flags, struct inode_ref file,
	   uint64_t file_off, uint64_t file_len);
int mm_unmap(struct mm_ref m, uint64_t start, uint64_t len);
/* noread: the caller left out PROT_READ (VMA_NOREAD) */
int mm_protect(struct mm_ref m, uint64_t start, uint64_t len, uint32_t prot, bool noread);
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
/* Some shared writable area maps file (F_SEAL_WRITE needs none). */
bool mm_file_mapped_writable(struct mm_ref m, struct inode_ref file);
/* A hole was punched in file at [off, off+len): unmap its pages there. */
void mm_file_hole(struct mm_ref m, struct inode_ref file, uint64_t off, uint64_t len);
/* The first file-backed area ending above `from`: its range, file and
 * the file offset of its start (shmdt walks a segment's areas); -ENOENT
 * if none. */
struct mm_area {
	uint64_t start, end;
	struct inode_ref file;
	uint64_t file_off;
};
int mm_next_file_area(struct mm_ref m, uint64_t from, struct mm_area *out);
/* mlock/munlock (lock 0): set the lock flags on [start, start+len), every
 * page of which must be mapped (-ENOMEM). */
int mm_lock(struct mm_ref m, uint64_t start, uint64_t len, uint32_t lock);
/* madvise's checks over [start, start+len): -EINVAL if an area there has
 * a flag of `forbid` or lacks one of `need`, then -ENOMEM if part of the
 * range is not mapped. */
int mm_areas_check(struct mm_ref m, uint64_t start, uint64_t len, uint32_t need, uint32_t forbid);
/* Set `set` and clear `clear` in the flags of the areas over the range
 * (splitting them at its ends); the range must be mapped. */
int mm_set_flags(struct mm_ref m, uint64_t start, uint64_t len, uint32_t set, uint32_t clear);
/* mlockall/munlockall: every area (current) and/or new areas (future). */
int mm_lock_all(struct mm_ref m, uint32_t lock, bool current, bool future);
/* /proc/<pid>/pagemap's entry for the page at addr: bit 63 present,
 * 61 a file or shared page, 56 mapped by this space alone, bits 0-54
 * the frame number when with_pfn. 0 for an unmapped address. */
uint64_t mm_pagemap_entry(struct mm_ref m, uint64_t addr, bool with_pfn);
/* mbind: set the areas' memory policy over [start, start+len) (page
 * aligned; the range must be mapped: -EFAULT, as Linux's mbind); the
 * policy of the area holding addr (-EFAULT if none); set_mempolicy_home_node
 * rewrites the policies `match` accepts (-EOPNOTSUPP for any other set one). */
int mm_set_policy(struct mm_ref m, uint64_t start, uint64_t len, uint32_t pol);
int mm_policy_at(struct mm_ref m, uint64_t addr, uint32_t *pol);
/* Bytes of locked areas within the range (the whole space: VmLck). */
uint64_t mm_locked_in(struct mm_ref m, uint64_t start, uint64_t len);
/* Bytes of all areas (mlockall(MCL_CURRENT) against RLIMIT_MEMLOCK). */
uint64_t mm_total_bytes(struct mm_ref m);
/* Fault in the locked areas' pages in the range (mlock without ONFAULT). */
int mm_populate(struct mm_ref m, uint64_t start, uint64_t len);
/* Copy n bytes (one page at most) between another address space's page
 * at raddr and the caller's memory at laddr (write: into the remote). */
int mm_copy_remote(struct mm_ref m, uint64_t raddr, uint64_t laddr, uint32_t n, bool write);
/* ptrace's PEEK/POKE of another space (mm/access.c): 8 bytes at addr,
 * which may cross a page. A poke into a private area without PROT_WRITE
 * breaks copy-on-write into the space's own copy (never a file's page or
 * a shared mapping). 0 or -EFAULT. */
int mm_peek_word(struct mm_ref m, uint64_t addr, uint64_t *out);
int mm_poke_word(struct mm_ref m, uint64_t addr, uint64_t val);
/* mincore: is the page at addr resident? -ENOMEM if addr is unmapped. */
int mm_page_resident(struct mm_ref m, uint64_t addr, bool *res);
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
