/* proc_cow: memory is private after fork (globals, heap, stack, private
 * anonymous mmap), including pages written before the fork. */
#include "t.h"
#include <sys/mman.h>

static int global = 1;
static char bss[8192];

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int local = 2;
	char *heap = malloc(1 << 20);
	memset(heap, 'h', 1 << 20);
	char *anon = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	anon[0] = 'm';
	bss[4096] = 'b';
	int p[2], q[2];
	pipe(p);
	pipe(q);
	pid_t c = fork();
	if (c == 0) {
		int ok = global == 1 && local == 2 && heap[12345] == 'h' && anon[0] == 'm' &&
			 bss[4096] == 'b' && anon[100] == 0;
		global = 10; local = 20; heap[12345] = 'H'; anon[0] = 'M'; bss[4096] = 'B';
		anon[100] = 'n'; /* a page never touched by the parent */
		ok = ok && global == 10 && heap[12345] == 'H' && anon[0] == 'M';
		write(q[1], "x", 1); /* tell the parent we wrote */
		char ch;
		read(p[0], &ch, 1); /* parent has written too: our view must not change */
		ok = ok && global == 10 && local == 20 && heap[12345] == 'H' && heap[0] == 'h' &&
		     bss[4096] == 'B' && anon[0] == 'M';
		_exit(ok ? 0 : 1);
	}
	char ch;
	read(q[0], &ch, 1);
	CHECK(global == 1 && local == 2, "parent globals/stack unchanged");
	CHECK(heap[12345] == 'h', "parent heap unchanged");
	CHECK(anon[0] == 'm' && anon[100] == 0, "parent private mmap unchanged");
	CHECK(bss[4096] == 'b', "parent bss unchanged");
	global = 100; heap[12345] = 'P'; anon[0] = 'p';
	write(p[1], "y", 1);
	SAY("child: %s\n", t_wait_desc(c));
	/* many forks of a large heap do not leak each other's writes */
	for (int i = 0; i < 8; i++) {
		c = fork();
		if (c == 0) {
			int ok = heap[i * 4096] == 'h';
			heap[i * 4096] = 'z';
			_exit(ok ? 0 : 1);
		}
		if (strcmp(t_wait_desc(c), "exited 0")) CHECK(0, "fork round");
	}
	int clean = 1;
	for (int i = 0; i < 8; i++) if (heap[i * 4096] != 'h') clean = 0;
	CHECK(clean, "8 children's writes invisible to parent");
	return t_done();
}
