/* e2copy: system calls whose user buffers are file pages not yet read
 * from the disk. The kernel's user copies cannot sleep, so such a fault
 * fails the copy and the call is rerun after the page is read
 * (services/init/upcalls.c); the result must be as if the page had been
 * there. Usage: e2copy FILE (on a freshly mounted ext2: a cold cache).
 * Prints "e2copy ok" or what differed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int bad;
static void check(int cond, const char *what)
{
	if (!cond) {
		printf("FAIL %s\n", what);
		bad = 1;
	}
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int fd = open(argv[1], O_RDWR);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || st.st_size < 16 * 4096) {
		printf("FAIL open %s\n", argv[1]);
		return 1;
	}
	size_t n = (size_t)st.st_size & ~4095UL;
	char *want = malloc(n), *got = malloc(n);
	/* What the file holds, read through a second open file later (the
	 * maps below come first, so their pages are still cold). */
	unsigned char *priv = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	unsigned char *shr = mmap(0, n, PROT_READ, MAP_SHARED, fd, 0);
	check(priv != MAP_FAILED && shr != MAP_FAILED, "mmap");
	/* write(2) from cold shared file pages into a pipe, one page per
	 * call from the back (each call faults once in its copy). */
	int p[2];
	check(pipe(p) == 0, "pipe");
	for (size_t off = n; off > n - 8 * 4096; off -= 4096) {
		check(write(p[1], shr + off - 4096, 4096) == 4096, "write from a cold shared page");
		check(read(p[0], got + off - 4096, 4096) == 4096, "read back from the pipe");
	}
	/* read(2) into cold private file pages (a write fault: the page is
	 * copied from the file first). */
	int z = open("/dev/zero", O_RDONLY);
	check(read(z, priv + 4096, 100) == 100, "read into a cold private page");
	/* a path name in a cold file page (stat reads it with a user copy) */
	memcpy(priv + 2 * 4096 + 4000, "/dev/null", 10);
	struct stat ns;
	check(stat((char *)priv + 2 * 4096 + 4000, &ns) == 0 && S_ISCHR(ns.st_mode), "stat of a name in a private page");
	int fd2 = open(argv[1], O_RDONLY);
	check(pread(fd2, want, n, 0) == (ssize_t)n, "pread");
	check(memcmp(got + n - 8 * 4096, want + n - 8 * 4096, 8 * 4096) == 0, "pipe data = file data");
	for (int i = 0; i < 100; i++)
		check(priv[4096 + i] == 0, "zeros read into the private page");
	check(memcmp(priv + 4096 + 100, want + 4096 + 100, 4096 - 100) == 0, "rest of the private page = file");
	check(memcmp(shr, want, n) == 0, "shared map = file");
	if (!bad)
		printf("e2copy ok\n");
	return bad;
}
