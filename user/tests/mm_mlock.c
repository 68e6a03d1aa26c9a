/* mm_mlock: mlock(2), mlock2(2), munlock(2), mlockall(2), munlockall(2)
 * with RLIMIT_MEMLOCK for an ordinary user, and mincore(2) (pages become
 * resident when locked, MLOCK_ONFAULT leaves them alone). */
#include "t.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

static const char *rc(long r) { return r == -1 ? t_errname(errno) : "ok"; }

/* Resident pages of the first n as a string of 0/1. */
static const char *core(void *p, size_t n)
{
	static char s[64];
	unsigned char v[64];
	if (mincore(p, n * 4096, v) != 0)
		return t_errname(errno);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('0' + (v[i] & 1));
	s[n] = 0;
	return s;
}

static void basics(void)
{
	char *a = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SAY("fresh area: %s\n", core(a, 8));
	a[4096] = 1;
	SAY("after touching page 1: %s\n", core(a, 8));
	SAY("mlock pages 2-3: %s\n", rc(mlock(a + 2 * 4096 + 100, 4096)));
	SAY("resident now: %s\n", core(a, 8));
	SAY("mlock2 ONFAULT pages 5-6: %s\n", rc(syscall(SYS_mlock2, a + 5 * 4096, 2 * 4096, MLOCK_ONFAULT)));
	SAY("ONFAULT does not populate: %s\n", core(a, 8));
	SAY("munlock all of it: %s\n", rc(munlock(a, 8 * 4096)));
	SAY("mlock2 bad flag: %s\n", rc(syscall(SYS_mlock2, a, 4096, 2)));
	SAY("mlock length 0: %s\n", rc(mlock(a, 0)));
	munmap(a + 4 * 4096, 4096);
	SAY("mlock over a hole: %s\n", rc(mlock(a, 8 * 4096)));
	SAY("munlock over a hole: %s\n", rc(munlock(a, 8 * 4096)));
	SAY("mincore over a hole: %s\n", core(a, 8));
	SAY("mincore unaligned: %s\n", rc(mincore(a + 1, 4096, (unsigned char[1]){0})));
	SAY("mincore bad vector: %s\n", rc(mincore(a, 4096, (unsigned char *)8)));
	munmap(a, 8 * 4096);

	/* a file's pages are resident if the file holds them */
	t_scratch();
	int fd = open(t_path("f"), O_CREAT | O_RDWR, 0600);
	char page[4096] = {1};
	write(fd, page, sizeof page);
	ftruncate(fd, 3 * 4096);
	char *m = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	SAY("file mapping before any access: %s\n", core(m, 3));
	munmap(m, 3 * 4096);
	close(fd);
	t_cleanup();

	SAY("mlockall(0): %s\n", rc(mlockall(0)));
	SAY("mlockall(MCL_ONFAULT): %s\n", rc(mlockall(MCL_ONFAULT)));
	SAY("mlockall(8): %s\n", rc(mlockall(8)));
	SAY("mlockall(MCL_CURRENT): %s\n", rc(mlockall(MCL_CURRENT)));
	char *b = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SAY("new area after MCL_CURRENT only: %s\n", core(b, 2));
	SAY("munlockall: %s\n", rc(munlockall()));
	munmap(b, 2 * 4096);
}

static void limits(void)
{
	pid_t c = fork();
	if (c == 0) {
		setgid(1000);
		setuid(1000);
		struct rlimit rl;
		getrlimit(RLIMIT_MEMLOCK, &rl);
		SAY("user RLIMIT_MEMLOCK: %lu KiB\n", (unsigned long)(rl.rlim_cur / 1024));
		size_t big = 6UL << 20;
		char *a = mmap(NULL, 2 * big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		SAY("user mlock 6 MiB: %s\n", rc(mlock(a, big)));
		SAY("user mlock 6 MiB more: %s\n", rc(mlock(a + big, big)));
		SAY("user mlock the same 6 MiB again: %s\n", rc(mlock(a, big)));
		SAY("user munlock, then the other 6: %s", rc(munlock(a, big)));
		SAY(" %s\n", rc(mlock(a + big, big)));
		munlockall();
		SAY("user mlockall(MCL_CURRENT) over 12 MiB of areas: %s\n", rc(mlockall(MCL_CURRENT)));
		munmap(a, 2 * big);
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_MEMLOCK, &rl);
		char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		SAY("user mlock with a zero limit: %s\n", rc(mlock(p, 4096)));
		SAY("user mlockall with a zero limit: %s\n", rc(mlockall(MCL_FUTURE)));
		SAY("user munlock with a zero limit: %s\n", rc(munlock(p, 4096)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	basics();
	limits();
	return t_done();
}
