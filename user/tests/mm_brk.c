/* mm_brk: the raw brk system call: query, grow, use, shrink, refuse. */
#include "t.h"
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	char *cur = (char *)syscall(SYS_brk, 0);
	CHECK(cur != NULL, "brk(0) returns the current break");
	CHECK((char *)syscall(SYS_brk, 0) == cur, "brk(0) is stable");
	char *want = cur + (1 << 20);
	char *got = (char *)syscall(SYS_brk, want);
	CHECK(got == want, "grow by 1 MiB");
	int zero = 1;
	for (char *q = cur; q < want; q += 4096) if (*q) zero = 0;
	CHECK(zero, "new heap reads zero");
	memset(cur, 'x', 1 << 20);
	CHECK(cur[(1 << 20) - 1] == 'x', "new heap writable");
	got = (char *)syscall(SYS_brk, cur + 4096 + 10);
	CHECK(got == cur + 4096 + 10, "shrink to 4 KiB + 10 returns exact value");
	CHECK(cur[4095] == 'x', "kept part keeps contents");
	got = (char *)syscall(SYS_brk, cur + (1 << 20));
	CHECK(got == cur + (1 << 20), "grow again");
	CHECK(cur[3 * 4096] == 0, "re-grown pages are zero again");
	/* a child inherits the heap copy-on-write */
	cur[0] = 'p';
	pid_t c = fork();
	if (c == 0) { int ok = cur[0] == 'p'; cur[0] = 'c'; _exit(ok && (char *)syscall(SYS_brk, 0) == cur + (1 << 20) ? 0 : 1); }
	SAY("child sees heap: %s\n", t_wait_desc(c));
	CHECK(cur[0] == 'p', "child's write is private");
	/* shrinking below the start is refused: the break stays put */
	got = (char *)syscall(SYS_brk, (char *)4096);
	CHECK(got == cur + (1 << 20), "brk below start refused");
	/* absurd growth is refused the same way */
	got = (char *)syscall(SYS_brk, cur + (1ULL << 46));
	CHECK(got == cur + (1 << 20), "brk +64 TiB refused");
	syscall(SYS_brk, cur);
	/* malloc still works */
	char *m = malloc(100000);
	CHECK(m != NULL, "malloc after brk games");
	memset(m, 1, 100000);
	free(m);
	return t_done();
}
