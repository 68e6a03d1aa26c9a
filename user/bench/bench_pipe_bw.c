/*
 * pipe bandwidth: a child writes 64 KiB chunks into a pipe as fast as it
 * can, the parent reads them.  Reports MB/s (10^6 bytes).  User space.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define CHUNK (64 * 1024)

static int p[2];
static pid_t child = -1;
static char buf[CHUNK];

static int setup(void)
{
	if (pipe(p))
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		for (;;) {
			long off = 0;

			while (off < CHUNK) {
				long r = write(p[1], buf + off, CHUNK - off);

				if (r <= 0)
					_exit(0);
				off += r;
			}
		}
	}
	close(p[1]);
	return 0;
}

static int op(long n)
{
	for (long i = 0; i < n; i++) {
		long off = 0;

		while (off < CHUNK) {
			long r = read(p[0], buf + off, CHUNK - off);

			if (r <= 0)
				return -1;
			off += r;
		}
	}
	return 0;
}

static void teardown(void)
{
	close(p[0]);
	if (child > 0)
		waitpid(child, NULL, 0);
}

const struct bench BENCH = { .name = "pipe_bw", .unit = "MB/s",
	.bytes_per_op = CHUNK, .setup = setup, .op = op, .teardown = teardown };
