/* Small helpers shared by services. Layer: services (safe C). */
#include "lib/klib.h"
#include <fw/user.h>

FW_POOL_DEFINE(kpath, struct kpath);

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
