/* mm_growsdown: a MAP_GROWSDOWN mapping grows down when a page below it
 * is touched, but never into the guard gap (256 pages) above an
 * accessible mapping below it (SIGSEGV); a PROT_NONE mapping below sets
 * no gap. Only private anonymous memory may be MAP_GROWSDOWN. */
#include "t.h"
#include <signal.h>
#include <sys/mman.h>

#define PG 4096L
#define GAP (256 * PG)

/* A reservation of gap + size bytes, unmapped again; the top `mapped`
 * bytes become the MAP_GROWSDOWN area. Returns the reservation's start. */
static char *reserve(long size, long mapped)
{
	char *start = mmap(NULL, GAP + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(start, GAP + size);
	char *top = start + GAP + size;
	char *m = mmap(top - mapped, mapped, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN,
		       -1, 0);
	if (m == MAP_FAILED)
		_exit(90);
	return start;
}

static void touch_down(char *from, char *to)
{
	for (char *p = from; p >= to; p -= PG)
		*(volatile char *)p = 1;
}

static const char *in_child(int which)
{
	pid_t c = fork();
	if (c == 0) {
		long size = 64 * PG, mapped = 4 * PG;
		char *start = reserve(size, mapped);
		char *top = start + GAP + size;
		if (which == 1) {
			/* grow all the way down to the stack's bottom */
			touch_down(top - mapped - 1, start + GAP);
			FILE *f = fopen("/proc/self/maps", "r");
			char line[256];
			int found = 0, labelled = 0;
			while (f && fgets(line, sizeof line, f)) {
				unsigned long lo, hi;
				if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && hi == (unsigned long)top) {
					found = lo == (unsigned long)(start + GAP);
					labelled = strstr(line, "[stack]") != NULL;
				}
			}
			printf("grown to the bottom: %s, shown as [stack]: %s\n", found ? "yes" : "no",
			       labelled ? "yes" : "no");
			fflush(stdout);
			_exit(0);
		}
		if (which == 2) {
			/* an accessible page just below where it must grow */
			mmap(start + GAP + size - mapped - 8 * PG, PG, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
			touch_down(top - mapped - 1, top - mapped - 2 * PG);
			_exit(0);
		}
		/* a PROT_NONE page below sets no gap */
		mmap(start + GAP + size - mapped - 8 * PG, PG, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		touch_down(top - mapped - 1, top - mapped - 7 * PG);
		_exit(0);
	}
	return t_wait_desc(c);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	SAY("grow into free space: %s\n", in_child(1));
	SAY("grow within the guard gap of a readable page: %s\n", in_child(2));
	SAY("grow toward a PROT_NONE page: %s\n", in_child(3));
	void *p = mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	SAY("MAP_GROWSDOWN shared: %s\n", p == MAP_FAILED ? t_errname(errno) : "ok");
	int fd = open(t_path("f"), O_CREAT | O_RDWR, 0644);
	ftruncate(fd, PG);
	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0);
	SAY("MAP_GROWSDOWN file: %s\n", p == MAP_FAILED ? t_errname(errno) : "ok");
	close(fd);
	t_cleanup();
	return t_done();
}
