/* Keel framework public API — user memory.
 *
 * Layer: framework (trusted). User memory is named by struct fw_uaddr, an
 * address that services cannot dereference; the only way to reach it is the
 * copy functions below. They check that the whole range lies in the user
 * half (a kernel address gives -EFAULT, never a kernel access), resolve
 * demand-paging and copy-on-write faults through the resolve_user_fault
 * upcall (<fw/upcall.h>), and turn an unresolvable fault into -EFAULT.
 * SMAP stays on outside them.
 *
 * Safety contract: the kernel-side object is given as a pointer and its
 * size is taken from its type (the macros use sizeof(*p)), so a service
 * cannot state a length larger than the object. Destinations filled from
 * user memory must be plain data (FW_POD_DST; checked by the checker).
 */
#ifndef FW_USER_H
#define FW_USER_H

#include <fw/types.h>

struct fw_uaddr {
	uint64_t a;
};

/* The user half is [0, FW_USER_TOP). No user page is ever mapped below
 * FW_USER_MIN (fw_vm_map refuses it), so NULL plus any offset below it —
 * a field of a pool object (at most 4 KiB), a zeroed function pointer —
 * never reaches user memory, with or without SMAP and SMEP. */
#define FW_USER_TOP 0x0000800000000000ULL
#define FW_USER_MIN 0x10000ULL

FW_API static inline struct fw_uaddr fw_uaddr(uint64_t a) { return (struct fw_uaddr){a}; }
FW_API static inline struct fw_uaddr fw_uaddr_add(struct fw_uaddr u, uint64_t off) { return (struct fw_uaddr){u.a + off}; }

/* Implementation functions: reached only through the macros below. */
FW_MACRO_API FW_MUST_CHECK int fw_user_read(void *FW_POD_DST dst, size_t cap, size_t n, struct fw_uaddr src);
FW_MACRO_API FW_MUST_CHECK int fw_user_write(struct fw_uaddr dst, const void *FW_POD_SRC src, size_t cap, size_t n);
FW_MACRO_API FW_MUST_CHECK long fw_user_strcpy(void *FW_POD_DST dst, size_t cap, struct fw_uaddr src);

/* Copy the whole object *dstp from user memory. 0 or -EFAULT. */
#define fw_copy_from_user(dstp, src) fw_user_read((void *)(dstp), sizeof(*(dstp)), sizeof(*(dstp)), (src))
/* Copy the first n bytes of *dstp (n <= sizeof(*dstp), else -EINVAL). */
#define fw_copy_from_user_n(dstp, src, n) fw_user_read((void *)(dstp), sizeof(*(dstp)), (n), (src))
#define fw_copy_to_user(dst, srcp) fw_user_write((dst), (const void *)(srcp), sizeof(*(srcp)), sizeof(*(srcp)))
#define fw_copy_to_user_n(dst, srcp, n) fw_user_write((dst), (const void *)(srcp), sizeof(*(srcp)), (n))
/* Copy a NUL-terminated string into the char array *dstp. Returns its
 * length, -EFAULT, or -ENAMETOOLONG if it does not fit with its NUL (then
 * the last byte of *dstp is set to NUL; a zero-size *dstp is not touched
 * at all: ktest strncpy_from_user_zero_capacity). */
#define fw_strncpy_from_user(dstp, src) fw_user_strcpy((void *)(dstp), sizeof(*(dstp)), (src))

/* Zero n bytes of user memory. -EFAULT, writing nothing, if [dst, dst+n)
 * is not entirely below FW_USER_TOP; -EFAULT after a partial write if a page
 * in it cannot be made present. */
FW_API FW_MUST_CHECK int fw_clear_user(struct fw_uaddr dst, size_t n);
/* Is [a, a+n) inside the user half (no wrap)? */
FW_API bool fw_user_range_ok(uint64_t a, uint64_t n);

#endif
