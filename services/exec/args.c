/* Gathering argv/envp for exec. Layer: services (safe C).
 * Strings are copied in 512-byte chunks into an unlinked inode, so their
 * total size is bounded by ARG_MAX_BYTES, not by a kernel stack. */
#include "exec/exec.h"

int exec_args_new(struct exec_args *a)
{
	*a = (struct exec_args){0};
	return inode_new(S_IFREG | 0600, &a->buf);
}

void exec_args_free(struct exec_args *a)
{
	inode_put_if_unused(a->buf);
	a->buf = (struct inode_ref){0};
}

int exec_args_add_user(struct exec_args *a, uint64_t uaddr)
{
	struct kchunk c;
	uint64_t len = 0;
	for (;;) {
		uint64_t src = uaddr + len;
		/* Read up to the end of the page only: the string may end right
		 * before unmapped memory. */
		uint32_t n = (uint32_t)FW_MIN(sizeof(c.b), 4096 - (src & 4095));
		if (fw_copy_from_user_n(&c.b, fw_uaddr(src), n))
			return -EFAULT;
		uint32_t used = n;
		bool end = false;
		for (uint32_t i = 0; i < n; i++) {
			if (c.b[i] == 0) {
				used = i + 1;
				end = true;
				break;
			}
		}
		if (len + used > ARG_STRLEN_MAX || a->bytes + used > ARG_MAX_BYTES)
			return -E2BIG;
		int e = inode_write_chunk(a->buf, a->bytes, &c, used);
		if (e)
			return e == -ENOSPC ? -ENOMEM : e;
		a->bytes += used;
		len += used;
		if (end)
			return 0;
	}
}

int exec_args_add_kname(struct exec_args *a, const struct kname *s)
{
	struct kchunk c = {0};
	uint32_t n = s->len;
	for (uint32_t i = 0; i < n && i < sizeof(c.b) - 1; i++)
		c.b[i] = (uint8_t)s->s[i];
	if (n > sizeof(c.b) - 1)
		n = sizeof(c.b) - 1;
	c.b[n] = 0;
	if (a->bytes + n + 1 > ARG_MAX_BYTES)
		return -E2BIG;
	int e = inode_write_chunk(a->buf, a->bytes, &c, n + 1);
	if (e)
		return e;
	a->bytes += n + 1;
	return 0;
}
