/* "#!" interpreter scripts (Linux binfmt_script). Layer: services (safe C).
 * The first line (at most 256 bytes) names the interpreter and at most one
 * argument (the rest of the line, trimmed). The new argument list is
 * [interpreter, (argument), script path, argv[1]...], envp unchanged. */
#include "exec/exec.h"

#define BUF_MAX 256

static bool blank(uint8_t ch) { return ch == ' ' || ch == '\t'; }

int script_parse(struct inode_ref ino, struct kpath *interp, struct kname *arg, bool *has_arg, bool *is_script)
{
	*is_script = false;
	*has_arg = false;
	struct inode *ip = inode_get(ino);
	if (!ip || ip->size < 2)
		return 0;
	uint32_t n = (uint32_t)FW_MIN(ip->size, BUF_MAX);
	struct kchunk c = {0};
	int e = inode_read_chunk(ino, 0, &c, n);
	if (e)
		return e;
	if (c.b[0] != '#' || c.b[1] != '!')
		return 0;
	*is_script = true;
	uint32_t end = 2;
	while (end < n && c.b[end] != '\n')
		end++;
	uint32_t i = 2;
	while (i < end && blank(c.b[i]))
		i++;
	uint32_t start = i;
	while (i < end && !blank(c.b[i]) && c.b[i] != 0)
		i++;
	if (i == start)
		return -ENOEXEC;
	if (i == n && end == n && n == BUF_MAX)
		return -ENOEXEC; /* interpreter name cut off */
	interp->len = 0;
	for (uint32_t k = start; k < i && k - start < PATH_MAX - 1; k++)
		interp->s[interp->len++] = (char)c.b[k];
	interp->s[interp->len] = 0;
	/* The argument is a C string, as on Linux: a NUL right after the
	 * name means none, and it ends at its first NUL (bytes past one
	 * would become a second string that argc does not count). */
	if (i < end && c.b[i] == 0)
		return 0;
	while (i < end && blank(c.b[i]))
		i++;
	uint32_t aend = end;
	while (aend > i && (blank(c.b[aend - 1]) || c.b[aend - 1] == 0))
		aend--;
	if (aend > i) {
		*has_arg = true;
		arg->len = 0;
		for (uint32_t k = i; k < aend && arg->len < NAME_MAX && c.b[k] != 0; k++)
			arg->s[arg->len++] = (char)c.b[k];
		arg->s[arg->len] = 0;
	}
	return 0;
}

/* Append a path (up to PATH_MAX) as one NUL-terminated argument. */
static int add_path(struct exec_args *a, const struct kpath *p)
{
	uint32_t len = FW_MIN(p->len, PATH_MAX - 1);
	if (a->bytes + len + 1 > ARG_MAX_BYTES)
		return -E2BIG;
	struct kchunk c;
	for (uint32_t done = 0; done <= len;) {
		uint32_t k = 0;
		while (k < sizeof(c.b) && done + k <= len) {
			c.b[k] = done + k < len ? (uint8_t)p->s[done + k] : 0;
			k++;
		}
		int e = inode_write_chunk(a->buf, a->bytes, &c, k);
		if (e)
			return e;
		a->bytes += k;
		done += k;
	}
	return 0;
}

/* Offset just past argv[0] in the old buffer (0 if argc == 0). */
static int skip_first(const struct exec_args *in, uint64_t *off)
{
	*off = 0;
	if (in->argc == 0)
		return 0;
	struct kchunk c;
	for (uint64_t pos = 0; pos < in->bytes;) {
		uint32_t k = (uint32_t)FW_MIN(sizeof(c.b), in->bytes - pos);
		int e = inode_read_chunk(in->buf, pos, &c, k);
		if (e)
			return e;
		for (uint32_t j = 0; j < k; j++) {
			if (c.b[j] == 0) {
				*off = pos + j + 1;
				return 0;
			}
		}
		pos += k;
	}
	return -EFAULT;
}

static int copy_tail(struct exec_args *out, const struct exec_args *in, uint64_t from)
{
	struct kchunk c;
	for (uint64_t pos = from; pos < in->bytes;) {
		uint32_t k = (uint32_t)FW_MIN(sizeof(c.b), in->bytes - pos);
		if (out->bytes + k > ARG_MAX_BYTES)
			return -E2BIG;
		int e = inode_read_chunk(in->buf, pos, &c, k);
		if (e == 0)
			e = inode_write_chunk(out->buf, out->bytes, &c, k);
		if (e)
			return e;
		out->bytes += k;
		pos += k;
	}
	return 0;
}

int script_args(struct exec_args *out, const struct exec_args *in, const struct kpath *interp,
		const struct kname *arg, bool has_arg, const struct kpath *script)
{
	int e = exec_args_new(out);
	if (e)
		return e;
	uint64_t from;
	e = skip_first(in, &from);
	if (e == 0)
		e = add_path(out, interp);
	if (e == 0 && has_arg)
		e = exec_args_add_kname(out, arg);
	if (e == 0)
		e = add_path(out, script);
	if (e == 0)
		e = copy_tail(out, in, from);
	if (e) {
		exec_args_free(out);
		return e;
	}
	out->argc = (in->argc ? in->argc - 1 : 0) + 2 + (has_arg ? 1 : 0);
	out->envc = in->envc;
	return 0;
}
