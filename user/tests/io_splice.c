/* io_splice: splice between pipes and regular files (with and without
 * offsets, which offset moves), pipe to pipe, tee leaving its input,
 * vmsplice both ways, the blocking rules (SPLICE_F_NONBLOCK and
 * O_NONBLOCK, EOF, EPIPE) and the errors, in Linux's order. */
#include "t.h"
#include <sys/ioctl.h>
#include <sys/uio.h>

static const char *rc(long r) { return r < 0 ? t_errname(errno) : "ok"; }
static char out[128];
static const char *n_or_err(long r)
{
	if (r < 0)
		return t_errname(errno);
	snprintf(out, sizeof out, "%ld", r);
	return out;
}

static int avail(int fd)
{
	int n = -1;
	ioctl(fd, FIONREAD, &n);
	return n;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	signal(SIGPIPE, SIG_IGN);
	int f = open(t_path("data"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	char big[100000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	write(f, big, sizeof big);
	lseek(f, 0, SEEK_SET);

	int p[2], q[2];
	pipe(p);
	pipe(q);
	/* file -> pipe */
	loff_t off = 10;
	SAY("file->pipe 5 at offset 10: %s", n_or_err(splice(f, &off, p[1], NULL, 5, 0)));
	SAY(", offset now %lld, file offset %lld\n", (long long)off, (long long)lseek(f, 0, SEEK_CUR));
	SAY("file->pipe 7 at the file offset: %s", n_or_err(splice(f, NULL, p[1], NULL, 7, 0)));
	SAY(", file offset %lld, in pipe %d\n", (long long)lseek(f, 0, SEEK_CUR), avail(p[0]));
	char b[64] = {0};
	read(p[0], b, sizeof b - 1);
	SAY("pipe holds '%s'\n", b);
	off = 99990;
	SAY("file->pipe near the end: %s\n", n_or_err(splice(f, &off, p[1], NULL, 100, 0)));
	read(p[0], b, sizeof b);
	off = 100000;
	SAY("file->pipe at the end: %s\n", n_or_err(splice(f, &off, p[1], NULL, 100, 0)));
	/* page-aligned file positions and buffers: Linux fills a pipe by page
	 * slots, Keel by bytes; the two agree when the pages are whole */
	lseek(f, 0, SEEK_SET);
	SAY("file->pipe 100000 into an empty pipe: %s\n", n_or_err(splice(f, NULL, p[1], NULL, 100000, 0)));
	SAY("  then into the full pipe, SPLICE_F_NONBLOCK: %s\n",
	    n_or_err(splice(f, NULL, p[1], NULL, 10, SPLICE_F_NONBLOCK)));
	/* pipe -> file */
	int g = open(t_path("out"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	off = 3;
	SAY("pipe->file 1000 at offset 3: %s", n_or_err(splice(p[0], NULL, g, &off, 1000, 0)));
	SAY(", offset %lld, file offset %lld, size %lld\n", (long long)off, (long long)lseek(g, 0, SEEK_CUR),
	    (long long)lseek(g, 0, SEEK_END));
	lseek(g, 0, SEEK_SET);
	SAY("pipe->file 200000 at the file offset: %s", n_or_err(splice(p[0], NULL, g, NULL, 200000, 0)));
	SAY(", file offset %lld, pipe left %d\n", (long long)lseek(g, 0, SEEK_CUR), avail(p[0]));
	SAY("pipe->file, empty pipe, SPLICE_F_NONBLOCK: %s\n",
	    n_or_err(splice(p[0], NULL, g, NULL, 10, SPLICE_F_NONBLOCK)));
	/* pipe -> pipe, tee */
	write(p[1], "hello world", 11);
	SAY("tee 5: %s", n_or_err(tee(p[0], q[1], 5, 0)));
	SAY(", left in the input %d, in the output %d\n", avail(p[0]), avail(q[0]));
	SAY("pipe->pipe 100: %s", n_or_err(splice(p[0], NULL, q[1], NULL, 100, 0)));
	SAY(", input %d, output %d\n", avail(p[0]), avail(q[0]));
	memset(b, 0, sizeof b);
	read(q[0], b, sizeof b - 1);
	SAY("output pipe holds '%s'\n", b);
	SAY("tee from an empty pipe, SPLICE_F_NONBLOCK: %s\n", n_or_err(tee(p[0], q[1], 5, SPLICE_F_NONBLOCK)));
	SAY("pipe->pipe from an empty pipe, SPLICE_F_NONBLOCK: %s\n",
	    n_or_err(splice(p[0], NULL, q[1], NULL, 5, SPLICE_F_NONBLOCK)));
	/* errors */
	SAY("len 0 with a bad fd: %s\n", n_or_err(splice(99, NULL, 98, NULL, 0, 0)));
	SAY("bad flags: %s\n", rc(splice(p[0], NULL, q[1], NULL, 5, 0x10)));
	SAY("bad fd: %s, %s\n", rc(splice(99, NULL, q[1], NULL, 5, 0)), rc(splice(p[0], NULL, 99, NULL, 5, 0)));
	off = 0;
	SAY("offset on a pipe: %s, %s\n", rc(splice(p[0], &off, g, NULL, 5, 0)), rc(splice(f, NULL, q[1], &off, 5, 0)));
	SAY("neither is a pipe: %s\n", rc(splice(f, NULL, g, NULL, 5, 0)));
	SAY("same pipe: %s\n", rc(splice(p[0], NULL, p[1], NULL, 5, 0)));
	SAY("bad offset pointer: %s\n", rc(splice(f, (loff_t *)8, q[1], NULL, 5, 0)));
	off = -1;
	SAY("negative offset: %s\n", rc(splice(f, &off, q[1], NULL, 5, 0)));
	int ap = open(t_path("out"), O_WRONLY | O_APPEND);
	write(p[1], "xy", 2);
	SAY("into an O_APPEND file: %s\n", rc(splice(p[0], NULL, ap, NULL, 2, 0)));
	SAY("from the write end: %s\n", rc(splice(p[1], NULL, g, NULL, 2, 0)));
	SAY("into the read end: %s\n", rc(splice(f, NULL, p[0], NULL, 2, 0)));
	int wo = open(t_path("data"), O_WRONLY);
	SAY("from a write-only file: %s\n", rc(splice(wo, NULL, q[1], NULL, 2, 0)));
	int d = open(t_dir, O_RDONLY);
	SAY("from a directory: %s\n", rc(splice(d, NULL, q[1], NULL, 2, 0)));
	read(p[0], b, 2);
	SAY("tee bad flags: %s, len 0: %s\n", rc(tee(p[0], q[1], 5, 0x10)), n_or_err(tee(p[0], q[1], 0, 0)));
	SAY("tee with a file: %s, same pipe: %s, bad fd: %s\n", rc(tee(f, q[1], 5, 0)), rc(tee(p[0], p[1], 5, 0)),
	    rc(tee(99, q[1], 5, 0)));
	/* O_NONBLOCK on a pipe end counts as SPLICE_F_NONBLOCK */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	SAY("O_NONBLOCK empty input: %s\n", rc(splice(p[0], NULL, g, NULL, 5, 0)));
	fcntl(p[0], F_SETFL, 0);
	/* no writers: end of file; no readers: EPIPE */
	int r2[2];
	pipe(r2);
	close(r2[1]);
	SAY("from a pipe without writers: %s\n", n_or_err(splice(r2[0], NULL, g, NULL, 5, 0)));
	SAY("tee from a pipe without writers: %s\n", n_or_err(tee(r2[0], q[1], 5, 0)));
	int w2[2];
	pipe(w2);
	close(w2[0]);
	SAY("into a pipe without readers: %s\n", rc(splice(f, NULL, w2[1], NULL, 5, 0)));
	/* vmsplice */
	char x1[] = "abc", x2[] = "defgh";
	struct iovec iv[2] = {{x1, 3}, {x2, 5}};
	SAY("vmsplice 2 segments into a pipe: %s", n_or_err(vmsplice(q[1], iv, 2, 0)));
	SAY(", pipe has %d\n", avail(q[0]));
	char y1[4] = {0}, y2[8] = {0};
	struct iovec ov[2] = {{y1, 2}, {y2, 7}};
	SAY("vmsplice out of the pipe: %s", n_or_err(vmsplice(q[0], ov, 2, 0)));
	SAY(", got '%s' '%s'\n", y1, y2);
	SAY("vmsplice from an empty pipe, SPLICE_F_NONBLOCK: %s\n", rc(vmsplice(q[0], ov, 2, SPLICE_F_NONBLOCK)));
	SAY("vmsplice no segments: %s\n", n_or_err(vmsplice(q[1], iv, 0, 0)));
	SAY("vmsplice 1025 segments: %s\n", rc(vmsplice(q[1], iv, 1025, 0)));
	SAY("vmsplice to a file: %s\n", rc(vmsplice(g, iv, 2, 0)));
	SAY("vmsplice bad flags: %s, bad fd: %s\n", rc(vmsplice(q[1], iv, 2, 0x10)), rc(vmsplice(99, iv, 2, 0)));
	SAY("vmsplice bad iovec: %s\n", rc(vmsplice(q[1], (struct iovec *)8, 2, 0)));
	struct iovec bad[1] = {{(void *)8, 4}};
	SAY("vmsplice bad buffer: %s\n", rc(vmsplice(q[1], bad, 1, 0)));
	SAY("vmsplice into a pipe without readers: %s\n", rc(vmsplice(w2[1], iv, 2, 0)));
	/* fill the pipe: vmsplice takes what fits */
	static char chunk[70000] __attribute__((aligned(4096)));
	struct iovec cv = {chunk, sizeof chunk};
	SAY("vmsplice 70000 into an empty pipe: %s\n", n_or_err(vmsplice(q[1], &cv, 1, 0)));
	SAY("  then more, SPLICE_F_NONBLOCK: %s\n", rc(vmsplice(q[1], iv, 1, SPLICE_F_NONBLOCK)));
	t_cleanup();
	return t_done();
}
