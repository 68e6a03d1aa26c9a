/* fs_pipe_size: pipe capacities (pipe(7), fcntl(2) F_GETPIPE_SZ and
 * F_SETPIPE_SZ): 64 KiB to begin with, sizes rounded up to a power of two
 * of at least a page, EINVAL past 2^31, EBUSY below the bytes held, the
 * bytes kept across a resize (also when the ring has wrapped), the new
 * capacity is what a non-blocking write fills, an unprivileged user
 * cannot grow a pipe past /proc/sys/fs/pipe-max-size (EPERM), and the
 * knobs read as Linux's defaults and refuse bad values (only values
 * Linux refuses are written: the knobs are global on the host; their
 * effects are checked on Keel alone, tests/limits.sh). */
#include "t.h"
#include <signal.h>

static int fill(int fd)
{
	static char buf[1 << 16];
	memset(buf, 'z', sizeof buf);
	int total = 0;
	for (;;) {
		ssize_t n = write(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		total += (int)n;
	}
	return total;
}

static const char *knob_write(const char *name, const char *v)
{
	char path[96];
	snprintf(path, sizeof path, "/proc/sys/fs/%s", name);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return t_errname(errno);
	ssize_t r = write(fd, v, strlen(v));
	int e = errno;
	close(fd);
	return r < 0 ? t_errname(e) : "ok";
}

static void knob_show(const char *name)
{
	char path[96], buf[64] = "";
	snprintf(path, sizeof path, "/proc/sys/fs/%s", name);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	SAY("%s: %s", name, n > 0 ? buf : "missing\n");
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	SAY("new pipe: %d\n", fcntl(p[1], F_GETPIPE_SZ));
	int s0 = fcntl(p[1], F_SETPIPE_SZ, 0);
	int s1 = fcntl(p[1], F_SETPIPE_SZ, 5000);
	int s2 = fcntl(p[1], F_SETPIPE_SZ, 65536);
	SAY("set 0: %d, 5000: %d, 65536: %d\n", s0, s1, s2);
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, (1u << 31) + 1), EINVAL, "past 2^31");
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, -1), EINVAL, "-1");
	SAY("read end sees the same: %d\n", fcntl(p[0], F_GETPIPE_SZ));

	/* wrap the ring, then shrink and grow it with bytes inside */
	char w[40000], r[40000];
	for (int i = 0; i < (int)sizeof w; i++)
		w[i] = (char)(i * 7 + 3);
	CHECK(write(p[1], w, 30000) == 30000, "write 30000");
	CHECK(read(p[0], r, 30000) == 30000, "read them");
	CHECK(write(p[1], w, 40000) == 40000, "write 40000 across the end of the ring");
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 32768), EBUSY, "shrink below the bytes held");
	SAY("grow to 131072: %d\n", fcntl(p[1], F_SETPIPE_SZ, 131072));
	memset(r, 0, sizeof r);
	CHECK(read(p[0], r, sizeof r) == 40000 && memcmp(r, w, 40000) == 0, "bytes kept");
	SAY("non-blocking fill of 131072: %d\n", fill(p[1]));
	while (read(p[0], r, sizeof r) > 0)
		;
	SAY("shrink to 4096: %d\n", fcntl(p[1], F_SETPIPE_SZ, 4096));
	SAY("non-blocking fill of 4096: %d\n", fill(p[1]));
	while (read(p[0], r, sizeof r) > 0)
		;
	SAY("grow to 1 MiB: %d\n", fcntl(p[1], F_SETPIPE_SZ, 1 << 20));
	SAY("non-blocking fill of 1 MiB: %d\n", fill(p[1]));
	long sum = 0, n;
	while ((n = read(p[0], r, sizeof r)) > 0)
		sum += n;
	SAY("read back: %ld\n", sum);
	close(p[0]);
	close(p[1]);

	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(4545) || setuid(4545))
			_exit(3);
		int q[2];
		pipe(q);
		int e1 = fcntl(q[1], F_SETPIPE_SZ, 1 << 20) == 1 << 20;
		errno = 0;
		int e2 = fcntl(q[1], F_SETPIPE_SZ, 2 << 20) == -1 && errno == EPERM;
		int e3 = fcntl(q[1], F_SETPIPE_SZ, 4096) == 4096;
		_exit(e1 && e2 && e3 ? 0 : 1);
	}
	SAY("user: up to pipe-max-size, EPERM past it, shrinking allowed: %s\n", t_wait_desc(pid));

	knob_show("pipe-max-size");
	knob_show("pipe-user-pages-soft");
	knob_show("pipe-user-pages-hard");
	/* only values Linux refuses: these knobs are global on the host */
	SAY("pipe-max-size -1: %s\n", knob_write("pipe-max-size", "-1"));
	SAY("pipe-max-size 2147483649: %s\n", knob_write("pipe-max-size", "2147483649"));
	SAY("pipe-user-pages-soft -1: %s\n", knob_write("pipe-user-pages-soft", "-1"));
	SAY("pipe-user-pages-soft abc: %s\n", knob_write("pipe-user-pages-soft", "abc"));
	knob_show("pipe-max-size");
	return t_done();
}
