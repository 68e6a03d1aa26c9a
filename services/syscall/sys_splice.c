/* splice(2), tee(2), vmsplice(2). Layer: services (safe C). Decodes and
 * checks the arguments in Linux 6.18's order; the bytes go through the
 * pipe service's kernel interface (pipe/pipe.h) a chunk at a time.
 * Keel copies where Linux moves page references: the results (counts,
 * blocking, errors) are Linux's, SPLICE_F_MOVE and SPLICE_F_GIFT are
 * hints that change nothing, and a vmsplice'd buffer may be reused at
 * once. The file side of a splice is a regular file (or generated /proc
 * text for reading); other files are EINVAL, as files without
 * splice_read/splice_write are on Linux. A pipe holds bytes, not page
 * slots: splice into a pipe is bounded by its free bytes. */
#include "pipe/pipe.h"
#include "syscall/fs.h"

#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#define SPLICE_F_GIFT 8
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)
#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000ULL

static bool readable(const struct file *fp) { return (fp->flags & O_ACCMODE) != O_WRONLY && !(fp->flags & O_PATH); }
static bool writable(const struct file *fp) { return (fp->flags & O_ACCMODE) != O_RDONLY && !(fp->flags & O_PATH); }

static bool same_pipe(struct pipe_ref a, struct pipe_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* Pipe to pipe (splice) or a copy that leaves the input (tee). */
static int64_t pipe_to_pipe(struct pipe_ref in, struct pipe_ref out, uint64_t len, bool nonblock, bool keep)
{
	int64_t have = pipe_wait_data(in, nonblock);
	if (have <= 0)
		return have;
	int64_t room = pipe_wait_room(out, nonblock);
	if (room < 0)
		return room;
	struct kchunk_ref cr;
	if (kchunk_alloc(&cr))
		return -ENOMEM;
	uint64_t n = FW_MIN(len, (uint64_t)FW_MIN(have, room)), done = 0;
	int e = 0;
	while (done < n && e == 0) {
		uint32_t k = (uint32_t)FW_MIN(n - done, sizeof(kchunk_get(cr)->b));
		e = pipe_peek(in, keep ? (uint32_t)done : 0, kchunk_get(cr), k);
		if (e == 0)
			e = pipe_append(out, kchunk_get(cr), k);
		if (e == 0 && !keep)
			pipe_consume(in, k);
		if (e == 0)
			done += k;
	}
	kchunk_free(cr);
	return done ? (int64_t)done : e;
}

/* Pipe to a file at *pos (NULL: the file offset). */
static int64_t pipe_to_file(struct pipe_ref in, struct file_ref out, uint64_t *pos, uint64_t len, bool nonblock)
{
	int64_t have = pipe_wait_data(in, nonblock);
	if (have <= 0)
		return have;
	struct kchunk_ref cr;
	if (kchunk_alloc(&cr))
		return -ENOMEM;
	uint64_t n = FW_MIN(len, (uint64_t)have), done = 0;
	int64_t e = 0;
	while (done < n) {
		uint32_t k = (uint32_t)FW_MIN(n - done, sizeof(kchunk_get(cr)->b));
		e = pipe_peek(in, 0, kchunk_get(cr), k);
		if (e == 0)
			e = file_write_kernel_at(out, kchunk_get(cr), k, pos);
		if (e <= 0)
			break;
		pipe_consume(in, (uint32_t)e); /* only what the file took */
		done += (uint64_t)e;
		if ((uint64_t)e < k)
			break;
		e = 0;
	}
	kchunk_free(cr);
	return done ? (int64_t)done : e;
}

/* A regular file from *pos into a pipe. */
static int64_t file_to_pipe(struct file_ref in, uint64_t *pos, struct pipe_ref out, uint64_t len, bool nonblock)
{
	struct file *fp = file_get(in);
	if (!file_is_regular(fp))
		return -EINVAL;
	int64_t room = pipe_wait_room(out, nonblock);
	if (room < 0)
		return room;
	struct inode_ref src = file_data_inode(file_get(in));
	struct inode *ip = inode_get(src);
	uint64_t size = ip ? ip->size : 0;
	if (*pos >= size)
		return 0;
	uint64_t n = FW_MIN(FW_MIN(len, (uint64_t)room), size - *pos), done = 0;
	struct kchunk_ref cr;
	if (kchunk_alloc(&cr))
		return -ENOMEM;
	int e = 0;
	while (done < n && e == 0) {
		uint32_t k = (uint32_t)FW_MIN(n - done, sizeof(kchunk_get(cr)->b));
		e = inode_read_chunk(src, *pos + done, kchunk_get(cr), k);
		if (e == 0)
			e = pipe_append(out, kchunk_get(cr), k);
		if (e == 0)
			done += k;
	}
	kchunk_free(cr);
	*pos += done;
	return done ? (int64_t)done : e;
}

static int read_off(uint64_t uoff, uint64_t *out) { return fw_copy_from_user(out, fw_uaddr(uoff)) ? -EFAULT : 0; }

int64_t sys_splice(struct fw_uregs *r)
{
	uint64_t uoff_in = a1(r), uoff_out = a3(r), len = a4(r);
	uint32_t flags = (uint32_t)a5(r);
	if (len == 0)
		return 0;
	if (a5(r) & ~(uint64_t)SPLICE_F_ALL)
		return -EINVAL;
	struct file_ref in, out;
	if (fd_get(cur_proc()->files, (int32_t)a0(r), &in) || fd_get(cur_proc()->files, (int32_t)a2(r), &out))
		return -EBADF;
	struct pipe_ref ip = {0}, op = {0};
	bool in_pipe = pipe_of_file(in, &ip) == 0, out_pipe = pipe_of_file(out, &op) == 0;
	if ((in_pipe && uoff_in) || (out_pipe && uoff_out))
		return -ESPIPE;
	uint64_t off_in = 0, off_out = 0;
	if (uoff_out && read_off(uoff_out, &off_out))
		return -EFAULT;
	if (uoff_in && read_off(uoff_in, &off_in))
		return -EFAULT;
	struct file *fi = file_get(in), *fo = file_get(out);
	if (!readable(fi) || !writable(fo))
		return -EBADF;
	len = FW_MIN(len, MAX_RW_COUNT);
	bool nonblock = (flags & SPLICE_F_NONBLOCK) != 0;
	if (in_pipe && out_pipe) {
		if (same_pipe(ip, op))
			return -EINVAL;
		nonblock = nonblock || ((fi->flags | fo->flags) & O_NONBLOCK);
		return pipe_to_pipe(ip, op, len, nonblock, false);
	}
	if (in_pipe) {
		if (uoff_out && !file_has_positions(fo))
			return -EINVAL;
		if (fo->flags & O_APPEND)
			return -EINVAL;
		if (uoff_out && (int64_t)off_out < 0)
			return -EINVAL;
		nonblock = nonblock || (fi->flags & O_NONBLOCK);
		struct inode *node = inode_get(fo->inode);
		if (!node || (node->mode & S_IFMT) != S_IFREG)
			return -EINVAL;
		uint64_t pos = uoff_out ? off_out : fo->off;
		int64_t n = pipe_to_file(ip, out, &pos, len, nonblock);
		if (n > 0 && uoff_out && fw_copy_to_user(fw_uaddr(uoff_out), &pos))
			return -EFAULT;
		if (n > 0 && !uoff_out)
			file_get(out)->off = pos;
		return n;
	}
	if (out_pipe) {
		if (uoff_in && !file_has_positions(fi))
			return -EINVAL;
		if (uoff_in && (int64_t)off_in < 0)
			return -EINVAL;
		nonblock = nonblock || (fo->flags & O_NONBLOCK);
		uint64_t pos = uoff_in ? off_in : fi->off;
		int64_t n = file_to_pipe(in, &pos, op, len, nonblock);
		if (n > 0 && uoff_in && fw_copy_to_user(fw_uaddr(uoff_in), &pos))
			return -EFAULT;
		if (n > 0 && !uoff_in)
			file_get(in)->off = pos;
		return n;
	}
	return -EINVAL;
}

int64_t sys_tee(struct fw_uregs *r)
{
	uint64_t len = a2(r);
	if (a3(r) & ~(uint64_t)SPLICE_F_ALL)
		return -EINVAL;
	if (len == 0)
		return 0;
	struct file_ref in, out;
	if (fd_get(cur_proc()->files, (int32_t)a0(r), &in) || fd_get(cur_proc()->files, (int32_t)a1(r), &out))
		return -EBADF;
	struct file *fi = file_get(in), *fo = file_get(out);
	if (!readable(fi) || !writable(fo))
		return -EBADF;
	struct pipe_ref ip, op;
	if (pipe_of_file(in, &ip) || pipe_of_file(out, &op) || same_pipe(ip, op))
		return -EINVAL;
	bool nonblock = (a3(r) & SPLICE_F_NONBLOCK) || ((fi->flags | fo->flags) & O_NONBLOCK);
	return pipe_to_pipe(ip, op, FW_MIN(len, MAX_RW_COUNT), nonblock, true);
}

struct iovec_k {
	uint64_t base, len;
};

int64_t sys_vmsplice(struct fw_uregs *r)
{
	uint64_t uiov = a1(r), nr = a2(r);
	if (a3(r) & ~(uint64_t)SPLICE_F_ALL)
		return -EINVAL;
	struct file_ref f;
	if (fd_get(cur_proc()->files, (int32_t)a0(r), &f))
		return -EBADF;
	struct file *fp = file_get(f);
	bool to_pipe = writable(fp);
	if (!to_pipe && !readable(fp))
		return -EBADF;
	/* import_iovec: the count, each segment, the total */
	if (nr > UIO_MAXIOV)
		return -EINVAL;
	uint64_t total = 0;
	for (uint64_t i = 0; i < nr; i++) {
		struct iovec_k v;
		if (fw_copy_from_user(&v, fw_uaddr(uiov + i * sizeof v)))
			return -EFAULT;
		if ((int64_t)v.len < 0)
			return -EINVAL;
		if (v.len && !fw_user_range_ok(v.base, v.len))
			return -EFAULT;
		total += FW_MIN(v.len, MAX_RW_COUNT - total);
	}
	if (total == 0)
		return 0;
	struct pipe_ref p;
	if (pipe_of_file(f, &p))
		return -EBADF;
	bool nonblock = (a3(r) & SPLICE_F_NONBLOCK) || (file_get(f)->flags & O_NONBLOCK);
	int64_t ready = to_pipe ? pipe_wait_room(p, nonblock) : pipe_wait_data(p, nonblock);
	if (ready <= 0)
		return ready;
	uint64_t done = 0;
	for (uint64_t i = 0; i < nr && done < total; i++) {
		struct iovec_k v;
		if (fw_copy_from_user(&v, fw_uaddr(uiov + i * sizeof v)))
			break;
		uint64_t want = FW_MIN(v.len, total - done);
		if (want == 0)
			continue;
		int64_t k = to_pipe ? pipe_put_user(p, fw_uaddr(v.base), want) : pipe_get_user(p, fw_uaddr(v.base), want);
		if (k < 0) {
			if (done == 0)
				return k;
			break;
		}
		done += (uint64_t)k;
		if ((uint64_t)k < want)
			break; /* the pipe is full (or empty) */
	}
	return (int64_t)done;
}
