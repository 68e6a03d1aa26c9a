/* io_eventfd: counter semantics, EFD_SEMAPHORE, EFD_NONBLOCK, overflow,
 * short buffers, poll readiness, and sharing across fork. */
#include "t.h"
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int e = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(e >= 0, "eventfd");
	SAY("cloexec: %d nonblock: %s\n", fcntl(e, F_GETFD), (fcntl(e, F_GETFL) & O_NONBLOCK) ? "yes" : "no");
	uint64_t v = 5;
	SAY("write 5: %ld\n", (long)write(e, &v, 8));
	v = 0;
	long rn = read(e, &v, 8);
	SAY("read: %ld value %llu\n", rn, (unsigned long long)v);
	CHECK_ERR(read(e, &v, 8), EAGAIN, "read empty counter");
	char small[4];
	CHECK_ERR(read(e, small, 4), EINVAL, "read with 4-byte buffer");
	v = ~0ULL;
	CHECK_ERR(write(e, &v, 8), EINVAL, "write 0xffffffffffffffff");
	v = 0xfffffffffffffffeULL;
	SAY("write max: %ld\n", (long)write(e, &v, 8));
	v = 1;
	CHECK_ERR(write(e, &v, 8), EAGAIN, "overflow would block");
	read(e, &v, 8);

	struct pollfd pf = { e, POLLIN | POLLOUT, 0 };
	poll(&pf, 1, 0);
	SAY("empty: revents=0x%x\n", pf.revents);
	v = 1;
	write(e, &v, 8);
	poll(&pf, 1, 0);
	SAY("non-zero: revents=0x%x\n", pf.revents);
	close(e);

	int s = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK);
	v = 3;
	write(s, &v, 8);
	int reads = 0;
	while (read(s, &v, 8) == 8) { reads++; if (v != 1) reads += 100; }
	SAY("semaphore reads of 1: %d\n", reads);
	close(s);

	/* blocking read woken by a child */
	int b = eventfd(0, 0);
	pid_t c = fork();
	if (c == 0) { uint64_t one = 7; usleep(100000); write(b, &one, 8); _exit(0); }
	v = 0;
	read(b, &v, 8);
	SAY("blocking read woken by child: %llu\n", (unsigned long long)v);
	waitpid(c, NULL, 0);
	CHECK_ERR(eventfd(0, 0x1234), EINVAL, "bad flags");
	return t_done();
}
