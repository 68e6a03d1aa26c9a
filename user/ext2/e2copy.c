/* e2copy: system calls whose user buffers are file pages not yet read
 * from the disk. The kernel's user copies cannot sleep, so such a fault
 * fails the copy and the call is rerun after the page is read
 * (services/init/upcalls.c); the result must be as if the page had been
 * there. Usage: e2copy FILE (on a freshly mounted ext2: a cold cache).
 * Prints "e2copy ok" or what differed.
 * e2copy --mprotect FILE: makes FILE (two pages of 'a'), maps it shared
 * read-only, reads it, makes the mapping writable with mprotect, writes
 * 16 'b' at the start of page 0 and 16 'c' at the start of page 1, and
 * msyncs: the host's debugfs must then see them on the disk. */
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

static int mprotect_mode(const char *path)
{
	char a[8192];
	memset(a, 'a', sizeof a);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0 && write(fd, a, sizeof a) == (ssize_t)sizeof a && fsync(fd) == 0, "make the file");
	unsigned char *m = mmap(0, sizeof a, PROT_READ, MAP_SHARED, fd, 0);
	check(m != MAP_FAILED, "mmap read-only shared");
	if (m == MAP_FAILED)
		return 1;
	check(m[0] == 'a' && m[4096] == 'a', "read through the mapping");
	check(mprotect(m, sizeof a, PROT_READ | PROT_WRITE) == 0, "mprotect to writable");
	memset(m, 'b', 16);
	memset(m + 4096, 'c', 16);
	check(msync(m, sizeof a, MS_SYNC) == 0, "msync");
	check(munmap(m, sizeof a) == 0 && close(fd) == 0, "unmap and close");
	if (!bad)
		printf("e2copy mprotect ok\n");
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--mprotect") == 0)
		return mprotect_mode(argv[2]);
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
