/* mm_pkey: memory protection keys on a machine without them (Keel never
 * enables PKU; the host CPU in CI has none). Linux then has no key at all:
 * pkey_mprotect takes only -1 (plain mprotect), pkey_free nothing, and
 * pkey_alloc fails with EINVAL the first time (it takes key 0 and cannot
 * program it) and ENOSPC ever after in that address space (fork keeps
 * the state, exec starts afresh). */
#include "t.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char *rc(long r)
{
	static char b[24];
	if (r < 0)
		return t_errname(errno);
	snprintf(b, sizeof b, "%ld", r);
	return b;
}
static long alloc_(unsigned long f, unsigned long v) { return syscall(330, f, v); }
static long free_(int k) { return syscall(331, k); }
static long mprot_(void *a, size_t l, int p, int k) { return syscall(329, a, l, p, k); }

int main(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "mm_pkey-child") == 0) {
		printf("after exec pkey_alloc: %s\n", rc(alloc_(0, 0)));
		return 0;
	}
	t_init(argc, argv);
	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SAY("pkey_alloc: %s\n", rc(alloc_(0, 0)));
	SAY("pkey_alloc flags 1: %s\n", rc(alloc_(1, 0)));
	SAY("pkey_alloc access rights 4: %s\n", rc(alloc_(0, 4)));
	SAY("pkey_alloc PKEY_DISABLE_WRITE: %s\n", rc(alloc_(0, 2)));
	SAY("pkey_mprotect key -1: %s\n", rc(mprot_(m, 4096, PROT_READ, -1)));
	SAY("pkey_mprotect key 0: %s\n", rc(mprot_(m, 4096, PROT_READ | PROT_WRITE, 0)));
	SAY("pkey_mprotect key 1: %s, key 15: %s, key 16: %s, key -2: %s\n", rc(mprot_(m, 4096, PROT_READ, 1)),
	    rc(mprot_(m, 4096, PROT_READ, 15)), rc(mprot_(m, 4096, PROT_READ, 16)), rc(mprot_(m, 4096, PROT_READ, -2)));
	SAY("pkey_mprotect unaligned: %s, length 0: %s\n", rc(mprot_(m + 1, 4096, PROT_READ, 0)),
	    rc(mprot_(m, 0, PROT_READ, 7)));
	SAY("pkey_mprotect unmapped: %s\n", rc(mprot_(m + 2 * 4096, 2 * 4096 + 0x100000, PROT_READ, 0)));
	SAY("pkey_mprotect bad prot: %s\n", rc(mprot_(m, 4096, 0x100, 0)));
	mprot_(m, 4096, PROT_READ | PROT_WRITE, -1);
	m[0] = 1;
	SAY("pkey_free 1: %s, 16: %s, -1: %s\n", rc(free_(1)), rc(free_(16)), rc(free_(-1)));
	SAY("pkey_free 0: %s\n", rc(free_(0)));
	pid_t c = fork();
	if (c == 0) {
		SAY("child pkey_alloc: %s\n", rc(alloc_(0, 0)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	c = fork();
	if (c == 0) {
		/* exec: a new address space */
		execl("/proc/self/exe", "mm_pkey-child", (char *)NULL);
		_exit(99);
	}
	waitpid(c, NULL, 0);
	return t_done();
}
