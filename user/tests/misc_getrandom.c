/* misc_getrandom: getrandom(2) fills buffers with differing, non-zero data. */
#include "t.h"
#include <sys/syscall.h>
#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#endif

static long gr(void *b, size_t n, unsigned f) { return syscall(SYS_getrandom, b, n, f); }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	unsigned char a[64], b[64];
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	SAY("getrandom(64): %ld\n", gr(a, 64, 0));
	SAY("getrandom(64, NONBLOCK): %ld\n", gr(b, 64, GRND_NONBLOCK));
	int nz = 0;
	for (int i = 0; i < 64; i++) nz += a[i] != 0;
	CHECK(nz > 32, "mostly non-zero bytes");
	CHECK(memcmp(a, b, 64) != 0, "two calls differ");
	SAY("getrandom(0): %ld\n", gr(a, 0, 0));
	SAY("getrandom(256, RANDOM): %ld\n", gr(a, 16, GRND_RANDOM));
	CHECK_ERR(gr(a, 16, 0x100), EINVAL, "unknown flag");
	CHECK_ERR(gr((void *)8, 16, 0), EFAULT, "bad buffer");
	static unsigned char big[1 << 16];
	long n = gr(big, sizeof big, 0);
	CHECK(n > 0, "64 KiB request returns data");
	/* a child gets a different stream */
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) { unsigned char x[32]; gr(x, 32, 0); write(p[1], x, 32); _exit(0); }
	unsigned char x[32], y[32];
	read(p[0], x, 32);
	gr(y, 32, 0);
	waitpid(c, NULL, 0);
	CHECK(memcmp(x, y, 32) != 0, "child and parent differ");
	return t_done();
}
