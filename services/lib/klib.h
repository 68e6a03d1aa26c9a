/* Small helpers shared by services. Layer: services (safe C).
 * Fixed-size name and path buffers: lengths travel with the type, so every
 * index is checked by the bounds sanitizer. */
#ifndef SVC_LIB_KLIB_H
#define SVC_LIB_KLIB_H

#include <abi/errno.h>
#include <fw/pool.h>
#include <fw/types.h>

#define NAME_MAX 255
#define PATH_MAX 4088 /* bytes with the NUL; a kpath must fit one pool page */
#define LINUX_PATH_MAX 4096 /* what Linux takes from user space, with the NUL */

/* One path component, NUL-terminated. */
struct kname {
	char s[NAME_MAX + 1];
	uint32_t len;
};

/* A whole path as copied from user space (lives in a pool, not on the stack). */
struct kpath {
	char s[PATH_MAX];
	uint32_t len;
};
FW_POOL_DECLARE(kpath, struct kpath);

bool kname_eq(const struct kname *a, const struct kname *b);
void kname_set(struct kname *n, const struct kpath *p, uint32_t start, uint32_t len);
int kpath_from_user(struct kpath *p, uint64_t uaddr);
/* A path to look up: as kpath_from_user, but a name of up to 4095 bytes
 * (Linux's limit) is also taken when it fits with its runs of '/' folded. */
int kpath_lookup_from_user(struct kpath *p, uint64_t uaddr);
bool kpath_append(struct kpath *p, const struct kname *n);

/* A struct timespec from user memory as nanoseconds (saturating at about
 * 584 years): 0, -EFAULT, or -EINVAL for a negative or non-normalised
 * value. */
int timespec_from_user(uint64_t uaddr, uint64_t *ns);

static inline int64_t err(int e) { return -(int64_t)e; }

#endif
