/* mm_mmap: anonymous private/shared mappings, munmap, mprotect, mremap,
 * MAP_FIXED, MAP_FIXED_NOREPLACE, madvise(MADV_DONTNEED) and error cases. */
#include "t.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static long pg;

/* Run fn in a child; report how it ended. */
static const char *in_child(void (*fn)(char *), char *arg)
{
	pid_t c = fork();
	if (c == 0) { fn(arg); _exit(0); }
	return t_wait_desc(c);
}
static void touch_write(char *p) { *(volatile char *)p = 1; }
static void touch_read(char *p) { (void)*(volatile char *)p; }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	pg = sysconf(_SC_PAGESIZE);
	size_t len = 16 * pg;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap private anonymous");
	CHECK(((unsigned long)p & (pg - 1)) == 0, "page aligned");
	int zero = 1;
	for (size_t i = 0; i < len; i++) if (p[i]) zero = 0;
	CHECK(zero, "zero filled");
	memset(p, 'a', len);

	/* munmap a middle page: neighbours survive, the hole faults */
	CHECK(munmap(p + 4 * pg, pg) == 0, "munmap middle page");
	CHECK(p[3 * pg] == 'a' && p[5 * pg] == 'a', "neighbours intact");
	SAY("read of hole: %s\n", in_child(touch_read, p + 4 * pg));

	/* mprotect */
	CHECK(mprotect(p, pg, PROT_READ) == 0, "mprotect read-only");
	SAY("write to read-only: %s\n", in_child(touch_write, p));
	CHECK(p[0] == 'a', "still readable");
	mprotect(p, pg, PROT_NONE);
	SAY("read of PROT_NONE: %s\n", in_child(touch_read, p));
	mprotect(p, pg, PROT_READ | PROT_WRITE);
	p[0] = 'b';
	CHECK(p[0] == 'b', "writable again");
	CHECK_ERR(syscall(SYS_mprotect, p + 1, pg, PROT_READ), EINVAL, "mprotect unaligned (raw: musl rounds)");

	/* MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses */
	char *f = mmap(p + 8 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == p + 8 * pg, "MAP_FIXED at requested address");
	CHECK(f[0] == 0 && p[7 * pg] == 'a' && p[9 * pg] == 'a', "MAP_FIXED page is fresh, neighbours kept");
	errno = 0;
	char *nr = mmap(p + 9 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	SAY("MAP_FIXED_NOREPLACE over mapping: %s\n",
	    nr == MAP_FAILED ? t_errname(errno) : "succeeded");
	nr = mmap(p + 4 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(nr == p + 4 * pg, "MAP_FIXED_NOREPLACE into the hole");

	/* madvise DONTNEED zero-fills private anonymous memory */
	CHECK(madvise(p + 10 * pg, 2 * pg, MADV_DONTNEED) == 0, "madvise DONTNEED");
	CHECK(p[10 * pg] == 0 && p[12 * pg - 1] == 0 && p[12 * pg] == 'a', "DONTNEED range reads zero");

	/* mremap: grow (may move) keeps contents, shrink */
	char *g = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(g, 'g', 2 * pg);
	char *g2 = mremap(g, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
	CHECK(g2 != MAP_FAILED, "mremap grow MAYMOVE");
	CHECK(g2[0] == 'g' && g2[2 * pg - 1] == 'g' && g2[2 * pg] == 0 && g2[64 * pg - 1] == 0,
	      "contents kept, new part zero");
	char *g3 = mremap(g2, 64 * pg, pg, 0);
	CHECK(g3 == g2 && g3[0] == 'g', "mremap shrink in place");
	SAY("read past shrunk end: %s\n", in_child(touch_read, g3 + pg));
	/* grow without MAYMOVE into an occupied neighbour fails */
	char *blk = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(blk + pg, 2 * pg);
	mmap(blk + 2 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK_ERR(mremap(blk, pg, 3 * pg, 0), ENOMEM, "mremap grow into neighbour without MAYMOVE");

	/* shared anonymous memory is shared with children; private is not */
	int *sh = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *pr = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*sh = 1; *pr = 1;
	pid_t c = fork();
	if (c == 0) { *sh = 42; *pr = 42; _exit(0); }
	waitpid(c, NULL, 0);
	SAY("after child write: shared=%d private=%d\n", *sh, *pr);

	/* error cases */
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL, "mmap length 0");
	CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL, "neither PRIVATE nor SHARED");
	CHECK_ERR(mmap((void *)(p + 1), pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL, "MAP_FIXED unaligned");
	CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, -1, 0), EBADF, "file mapping with fd -1");
	CHECK_ERR(munmap(p + 1, pg), EINVAL, "munmap unaligned");
	CHECK_ERR(munmap(p, 0), EINVAL, "munmap length 0");
	CHECK(munmap(p, len) == 0, "munmap whole range including hole");
	CHECK(munmap(p, len) == 0, "munmap again is not an error");
	return t_done();
}
