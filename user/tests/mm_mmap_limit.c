/* mm_mmap_limit: map 256 MiB anonymous chunks (touching one page each)
 * until ENOMEM or 64 GiB, unmap them all, and memory is usable again. */
#include "t.h"
#include <sys/mman.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	enum { CHUNK = 256 << 20, MAX = 256 };
	static char *maps[MAX];
	int n = 0, err = 0;
	while (n < MAX) {
		char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) { err = errno; break; }
		p[n * 4096 % CHUNK] = (char)n;
		maps[n++] = p;
	}
	SAY("got ENOMEM or limit: %s\n", (n == MAX || err == ENOMEM) ? "yes" : "no");
	int ok = 1;
	for (int i = 0; i < n; i++) if (maps[i][i * 4096 % CHUNK] != (char)i) ok = 0;
	CHECK(ok, "touched pages kept their values");
	int un = 0;
	for (int i = 0; i < n; i++) un += munmap(maps[i], CHUNK) == 0;
	SAY("all unmapped: %s\n", un == n ? "yes" : "no");
	char *q = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(q != MAP_FAILED, "16 MiB map afterwards");
	memset(q, 1, 16 << 20);
	CHECK(q[(16 << 20) - 1] == 1, "and it is usable");
	pid_t c = fork();
	if (c == 0) _exit(0);
	SAY("fork afterwards: %s\n", t_wait_desc(c));
	return t_done();
}
