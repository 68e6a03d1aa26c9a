/* Descriptor tables: a process's descriptors (shared under CLONE_FILES),
 * close-on-exec, and dropping record locks on close. Layer: services
 * (safe C). */
#include "vfs/vfs.h"

FW_POOL_DEFINE(fdtable, struct fdtable);

int fdtable_new(struct fdtable_ref *out)
{
	if (fdtable_alloc(out))
		return -ENOMEM;
	fdtable_get(*out)->refs = 1;
	return 0;
}

/* Linux's dup_fd: the copy's table is sized in words of 64 descriptors
 * up to the last one open, and may not grow past nr_open (rounded up to
 * a word): -EMFILE, for fork and unshare(CLONE_FILES) alike. */
static int copy_fits(const struct fdtable *s)
{
	uint32_t words = 0;
	for (uint32_t i = 0; s && i < FD_MAX; i++)
		if (file_ref_valid(s->fd[i]))
			words = i / 64 + 1;
	int64_t cap = (vfs_nr_open() + 63) / 64 * 64;
	return (int64_t)words * 64 > cap ? -EMFILE : 0;
}

int fdtable_clone(struct fdtable_ref src, struct fdtable_ref *out)
{
	int e = copy_fits(fdtable_get(src));
	if (e)
		return e;
	int r = fdtable_new(out);
	if (r)
		return r;
	struct fdtable *s = fdtable_get(src), *d = fdtable_get(*out);
	for (uint32_t i = 0; s && i < FD_MAX; i++) {
		if (file_ref_valid(s->fd[i])) {
			d->fd[i] = s->fd[i];
			d->cloexec[i] = s->cloexec[i];
			file_hold(s->fd[i]);
		}
	}
	return 0;
}

/* Closing any descriptor of a file drops the table's record locks on it. */
static void release_locks(struct file_ref f, struct fdtable_ref t)
{
	struct file *fp = file_get(f);
	if (fp && file_is_regular(fp))
		lock_release(fp->inode, t);
}

void fdtable_put(struct fdtable_ref t)
{
	struct fdtable *tp = fdtable_get(t);
	if (!tp || --tp->refs > 0)
		return;
	for (uint32_t i = 0; i < FD_MAX; i++) {
		tp = fdtable_get(t);
		if (file_ref_valid(tp->fd[i])) {
			struct file_ref f = tp->fd[i];
			tp->fd[i] = (struct file_ref){0};
			release_locks(f, t);
			file_drop(f);
		}
	}
	fdtable_free(t);
}

int fd_install(struct fdtable_ref t, struct file_ref f, uint32_t min_fd, bool cloexec)
{
	struct fdtable *tp = fdtable_get(t);
	if (!tp)
		return -EBADF;
	for (uint32_t i = min_fd; i < FD_MAX; i++) {
		if (!file_ref_valid(tp->fd[i])) {
			tp->fd[i] = f;
			tp->cloexec[i] = cloexec;
			return (int)i;
		}
	}
	return -EMFILE;
}

int fd_get(struct fdtable_ref t, int64_t fd, struct file_ref *out)
{
	struct fdtable *tp = fdtable_get(t);
	if (!tp || fd < 0 || fd >= FD_MAX || !file_ref_valid(tp->fd[fd]))
		return -EBADF;
	*out = tp->fd[fd];
	return 0;
}

int fd_close(struct fdtable_ref t, int64_t fd)
{
	struct file_ref f;
	int r = fd_get(t, fd, &f);
	if (r)
		return r;
	fdtable_get(t)->fd[fd] = (struct file_ref){0};
	release_locks(f, t);
	file_drop(f);
	return 0;
}

void fd_close_on_exec(struct fdtable_ref t)
{
	for (int64_t i = 0; i < FD_MAX; i++) {
		struct fdtable *tp = fdtable_get(t);
		if (tp && tp->cloexec[i] && file_ref_valid(tp->fd[i]))
			(void)fd_close(t, i);
	}
}

/* /proc/sys/fs/nr_open: the ceiling of RLIMIT_NOFILE. Keel's default is
 * its descriptor table's size (FD_MAX); root may set 64..2147483584 as
 * on Linux, though no table grows past FD_MAX. */
struct nr_open_knob {
	int64_t v; /* 0: never set */
};
FW_GLOBAL(struct nr_open_knob, nr_open_knob);

int64_t vfs_nr_open(void) { return nr_open_knob()->v ? nr_open_knob()->v : FD_MAX; }

int vfs_set_nr_open(int64_t v)
{
	if (v < 64 || v > 2147483584LL)
		return -EINVAL;
	nr_open_knob()->v = v;
	return 0;
}
