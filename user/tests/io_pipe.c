/* io_pipe: pipe semantics: EOF, EPIPE/SIGPIPE, O_NONBLOCK EAGAIN, capacity,
 * PIPE_BUF atomicity with concurrent writers, pipe2 flags. */
#include "t.h"
#include <limits.h>
#include <signal.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	SAY("fds in order: %s\n", p[1] > p[0] ? "yes" : "no");
	write(p[1], "abc", 3);
	char buf[8192];
	SAY("read 100 from 3 available: %ld\n", (long)read(p[0], buf, 100));
	close(p[1]);
	SAY("read after writer closed: %ld\n", (long)read(p[0], buf, 100));
	CHECK_ERR(write(p[0], "x", 1), EBADF, "write to read end");
	close(p[0]);

	/* no readers: SIGPIPE kills by default, EPIPE when ignored */
	pipe(p);
	close(p[0]);
	pid_t c = fork();
	if (c == 0) { write(p[1], "x", 1); _exit(0); }
	SAY("writer without readers: %s\n", t_wait_desc(c));
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(p[1], "x", 1), EPIPE, "EPIPE with SIGPIPE ignored");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	/* O_NONBLOCK */
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2 O_NONBLOCK");
	SAY("O_NONBLOCK in F_GETFL: %s\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) ? "yes" : "no");
	CHECK_ERR(read(p[0], buf, 1), EAGAIN, "empty non-blocking read");
	long total = 0, n;
	memset(buf, 'f', sizeof buf);
	while ((n = write(p[1], buf, 1000)) > 0) total += n;
	SAY("fill ends with EAGAIN: %s\n", errno == EAGAIN ? "yes" : "no");
	SAY("capacity>=4096: %s\n", total >= 4096 ? "yes" : "no");
	CHECK(total <= 1 << 20, "capacity<=1MiB");
	long drained = 0;
	while ((n = read(p[0], buf, sizeof buf)) > 0) drained += n;
	CHECK(drained == total, "drained what was written");
	close(p[0]);
	close(p[1]);

	/* PIPE_BUF atomicity: 4 writers x 200 records of PIPE_BUF bytes */
	SAY("PIPE_BUF: %d\n", PIPE_BUF);
	pipe(p);
	pid_t w[4];
	for (int i = 0; i < 4; i++) {
		if ((w[i] = fork()) == 0) {
			char rec[PIPE_BUF];
			memset(rec, 'A' + i, sizeof rec);
			close(p[0]);
			for (int k = 0; k < 200; k++)
				if (write(p[1], rec, sizeof rec) != sizeof rec) _exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	static char rec[PIPE_BUF];
	int counts[4] = { 0 }, torn = 0;
	long fill = 0;
	while ((n = read(p[0], rec + fill, PIPE_BUF - fill)) > 0) {
		fill += n;
		if (fill < PIPE_BUF) continue;
		fill = 0;
		for (int k = 1; k < PIPE_BUF; k++) if (rec[k] != rec[0]) { torn++; break; }
		if (rec[0] >= 'A' && rec[0] <= 'D') counts[rec[0] - 'A']++;
	}
	for (int i = 0; i < 4; i++) waitpid(w[i], NULL, 0);
	SAY("records per writer: %d %d %d %d, torn: %d\n", counts[0], counts[1], counts[2], counts[3], torn);
	close(p[0]);

	/* a blocked reader wakes when data arrives from another process */
	pipe(p);
	c = fork();
	if (c == 0) { usleep(100000); write(p[1], "late", 4); _exit(0); }
	close(p[1]);
	n = read(p[0], buf, 100);
	SAY("blocking read got: %ld\n", (long)n);
	waitpid(c, NULL, 0);
	close(p[0]);
	CHECK_ERR(pipe2(p, 0x1234), EINVAL, "pipe2 bad flags");
	/* writes larger than the capacity complete with a concurrent reader */
	pipe(p);
	c = fork();
	if (c == 0) {
		close(p[1]);
		long got = 0;
		while ((n = read(p[0], buf, sizeof buf)) > 0) got += n;
		_exit(got == 1 << 20 ? 0 : 1);
	}
	close(p[0]);
	static char mb[1 << 20];
	SAY("1 MiB write: %ld\n", (long)write(p[1], mb, sizeof mb));
	close(p[1]);
	SAY("reader got 1 MiB: %s\n", t_wait_desc(c));
	return t_done();
}
