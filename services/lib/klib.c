/* Small helpers shared by services. Layer: services (safe C). */
#include "lib/klib.h"
#include <fw/user.h>

FW_POOL_DEFINE(kpath, struct kpath);

struct kts {
	int64_t sec, nsec;
};

int timespec_from_user(uint64_t uaddr, uint64_t *ns)
{
	struct kts ts;
	if (fw_copy_from_user(&ts, fw_uaddr(uaddr)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	uint64_t max_sec = (UINT64_MAX - 999999999ULL) / 1000000000ULL;
	*ns = (uint64_t)ts.sec > max_sec ? UINT64_MAX : (uint64_t)ts.sec * 1000000000ULL + (uint64_t)ts.nsec;
	return 0;
}

bool kname_eq(const struct kname *a, const struct kname *b)
{
	if (a->len != b->len)
		return false;
	for (uint32_t i = 0; i < a->len && i < NAME_MAX; i++)
		if (a->s[i] != b->s[i])
			return false;
	return true;
}

void kname_set(struct kname *n, const struct kpath *p, uint32_t start, uint32_t len)
{
	if (len > NAME_MAX)
		len = NAME_MAX;
	for (uint32_t i = 0; i < len; i++)
		n->s[i] = p->s[start + i];
	n->s[len] = 0;
	n->len = len;
}

int kpath_from_user(struct kpath *p, uint64_t uaddr)
{
	long r = fw_strncpy_from_user(&p->s, fw_uaddr(uaddr));
	if (r < 0)
		return (int)r;
	p->len = (uint32_t)r;
	return 0;
}

struct kchunk {
	char s[128];
};

/* Linux takes names up to 4095 bytes; a kpath holds 4087. A longer one
 * that still fits once runs of '/' are folded into one (they mean the
 * same to a lookup; a trailing '/' stays) is taken in that form. */
static int kpath_fold_from_user(struct kpath *p, uint64_t uaddr)
{
	struct kchunk c;
	uint32_t raw = 0;
	p->len = 0;
	for (;;) {
		long r = fw_strncpy_from_user(&c.s, fw_uaddr(uaddr + raw));
		if (r < 0 && r != -ENAMETOOLONG)
			return (int)r;
		uint32_t n = r < 0 ? (uint32_t)sizeof(c.s) - 1 : (uint32_t)r;
		for (uint32_t i = 0; i < n; i++) {
			if (c.s[i] == '/' && p->len > 0 && p->s[p->len - 1] == '/')
				continue;
			if (p->len + 1 >= PATH_MAX)
				return -ENAMETOOLONG;
			p->s[p->len++] = c.s[i];
		}
		raw += n;
		if (raw >= LINUX_PATH_MAX)
			return -ENAMETOOLONG;
		if (r >= 0)
			break;
	}
	p->s[p->len] = 0;
	return 0;
}

int kpath_lookup_from_user(struct kpath *p, uint64_t uaddr)
{
	int e = kpath_from_user(p, uaddr);
	return e == -ENAMETOOLONG ? kpath_fold_from_user(p, uaddr) : e;
}

bool kpath_append(struct kpath *p, const struct kname *n)
{
	if (p->len + n->len + 2 > PATH_MAX)
		return false;
	if (p->len == 0 || p->s[p->len - 1] != '/')
		p->s[p->len++] = '/';
	for (uint32_t i = 0; i < n->len; i++)
		p->s[p->len++] = n->s[i];
	p->s[p->len] = 0;
	return true;
}
