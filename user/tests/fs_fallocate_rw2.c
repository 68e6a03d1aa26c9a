/* fs_fallocate_rw2: fallocate(2) on tmpfs (allocation, KEEP_SIZE, hole
 * punching seen through a shared mapping, the mode rules), posix_fadvise,
 * readahead(2), sync_file_range(2), and preadv2/pwritev2 with their
 * flags. Raw syscalls where the C libraries return error numbers. */
#include "t.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <stdbool.h>
#include <sys/uio.h>

#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 8
#define FALLOC_FL_ZERO_RANGE 16
#define FALLOC_FL_INSERT_RANGE 32
#endif
#ifndef RWF_HIPRI
#define RWF_HIPRI 1
#define RWF_NOWAIT 8
#define RWF_APPEND 16
#endif

static const char *rc(long r)
{
	static char b[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(b, sizeof b, "%ld", r);
	return b;
}

static long fal(int fd, int mode, long off, long len) { return syscall(SYS_fallocate, fd, mode, off, len); }

static long size_of(int fd)
{
	struct stat st;
	fstat(fd, &st);
	return (long)st.st_size;
}

static void fallocate_checks(void)
{
	int fd = open(t_path("f"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	{
		const char *r_ = rc(fal(fd, 0, 0, 8192));
		SAY("allocate 8 KiB: %s, size %ld\n", r_, size_of(fd));
	}
	char buf[16384];
	SAY("reads zeros: %s\n", pread(fd, buf, 8192, 0) == 8192 && buf[100] == 0 && buf[8191] == 0 ? "yes" : "no");
	{
		const char *r_ = rc(fal(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
		SAY("KEEP_SIZE past the end: %s, size %ld\n", r_, size_of(fd));
	}
	{
		const char *r_ = rc(fal(fd, 0, 100, 100));
		SAY("allocate inside: %s, size %ld\n", r_, size_of(fd));
	}
	memset(buf, 'x', sizeof buf);
	pwrite(fd, buf, 12288, 0);
	char *m = mmap(NULL, 12288, PROT_READ, MAP_SHARED, fd, 0);
	SAY("mapped before the punch: %c%c%c\n", m[0], m[5000], m[10000]);
	{
		const char *r_ = rc(fal(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000, 8000));
		SAY("punch [1000, 9000): %s, size %ld\n", r_, size_of(fd));
	}
	memset(buf, '?', sizeof buf);
	pread(fd, buf, 12288, 0);
	SAY("read back: [999]=%c [1000]=%d [5000]=%d [8999]=%d [9000]=%c\n", buf[999], buf[1000], buf[5000], buf[8999], buf[9000]);
	SAY("through the mapping: [999]=%c [1000]=%d [5000]=%d [9000]=%c\n", m[999], m[1000], m[5000], m[9000]);
	munmap(m, 12288);
	SAY("punch without KEEP_SIZE: %s\n", rc(fal(fd, FALLOC_FL_PUNCH_HOLE, 0, 10)));
	SAY("ZERO_RANGE on tmpfs: %s\n", rc(fal(fd, FALLOC_FL_ZERO_RANGE, 0, 10)));
	SAY("PUNCH_HOLE|ZERO_RANGE: %s\n", rc(fal(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | 1, 0, 10)));
	SAY("COLLAPSE_RANGE on tmpfs: %s\n", rc(fal(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096)));
	SAY("COLLAPSE_RANGE|KEEP_SIZE: %s\n", rc(fal(fd, FALLOC_FL_COLLAPSE_RANGE | 1, 0, 4096)));
	SAY("INSERT_RANGE|KEEP_SIZE: %s\n", rc(fal(fd, FALLOC_FL_INSERT_RANGE | 1, 0, 4096)));
	SAY("COLLAPSE_RANGE|INSERT_RANGE: %s\n", rc(fal(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE, 0, 4096)));
	SAY("NO_HIDE_STALE: %s\n", rc(fal(fd, 4, 0, 4096)));
	SAY("unknown mode bit: %s\n", rc(fal(fd, 0x1000, 0, 10)));
	SAY("length 0: %s\n", rc(fal(fd, 0, 0, 0)));
	SAY("offset -1: %s\n", rc(fal(fd, 0, -1, 10)));
	SAY("past the largest size: %s\n", rc(fal(fd, 0, 1L << 62, 1L << 62)));
	SAY("bad fd: %s\n", rc(fal(999, 0, 0, 10)));
	int ro = open(t_path("f"), O_RDONLY);
	SAY("read-only fd: %s\n", rc(fal(ro, 0, 0, 10)));
	int p[2];
	pipe(p);
	SAY("pipe: %s\n", rc(fal(p[1], 0, 0, 10)));
	int null = open("/dev/null", O_RDWR);
	SAY("/dev/null: %s\n", rc(fal(null, 0, 0, 10)));

	/* advice */
	SAY("fadvise WILLNEED: %s\n", rc(syscall(SYS_fadvise64, fd, 0, 4096, POSIX_FADV_WILLNEED)));
	SAY("fadvise advice 6: %s\n", rc(syscall(SYS_fadvise64, fd, 0, 4096, 6)));
	SAY("fadvise on a pipe: %s\n", rc(syscall(SYS_fadvise64, p[0], 0, 10, 0)));
	SAY("fadvise bad fd: %s\n", rc(syscall(SYS_fadvise64, 999, 0, 10, 0)));
	SAY("fadvise on /dev/null: %s\n", rc(syscall(SYS_fadvise64, null, 0, 10, 0)));
	SAY("readahead: %s\n", rc(syscall(SYS_readahead, fd, 0, 8192)));
	SAY("readahead on a pipe: %s\n", rc(syscall(SYS_readahead, p[0], 0, 10)));
	int wo = open(t_path("f"), O_WRONLY);
	SAY("readahead write-only: %s\n", rc(syscall(SYS_readahead, wo, 0, 10)));
	SAY("sync_file_range: %s\n", rc(syscall(SYS_sync_file_range, fd, 0, 4096, 7)));
	SAY("sync_file_range flag 8: %s\n", rc(syscall(SYS_sync_file_range, fd, 0, 4096, 8)));
	SAY("sync_file_range pipe: %s\n", rc(syscall(SYS_sync_file_range, p[0], 0, 10, 0)));
	close(wo);
	close(ro);
	close(null);
	close(p[0]);
	close(p[1]);
	close(fd);
}

static long rw2(bool write, int fd, struct iovec *v, int n, long off, int flags)
{
	return syscall(write ? SYS_pwritev2 : SYS_preadv2, fd, v, n, off, 0, flags);
}

static void rw2_checks(void)
{
	int fd = open(t_path("g"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	char a[] = "hello ", b[] = "world";
	struct iovec w[2] = {{a, 6}, {b, 5}};
	{
		const char *r_ = rc(rw2(true, fd, w, 2, -1, 0));
		SAY("pwritev2 at the position (-1): %s, position now %ld\n", r_, (long)lseek(fd, 0, SEEK_CUR));
	}
	{
		const char *r_ = rc(rw2(true, fd, w, 1, 20, RWF_HIPRI));
		SAY("pwritev2 at 20 with RWF_HIPRI: %s, position %ld\n", r_, (long)lseek(fd, 0, SEEK_CUR));
	}
	{
		const char *r_ = rc(rw2(true, fd, w + 1, 1, 0, RWF_APPEND));
		SAY("pwritev2 RWF_APPEND at 0: %s, size %ld\n", r_, size_of(fd));
	}
	char r1[6] = {0}, r2[32] = {0};
	struct iovec rv[2] = {{r1, 5}, {r2, 26}};
	lseek(fd, 0, SEEK_SET);
	long n = rw2(false, fd, rv, 2, -1, 0);
	SAY("preadv2 at the position: %s -> '%s' + %d more, position %ld\n", rc(n), r1, (int)strlen(r2 + 1),
	    (long)lseek(fd, 0, SEEK_CUR));
	memset(r1, 0, sizeof r1);
	{
		const char *r_ = rc(rw2(false, fd, rv, 1, 6, 0));
		SAY("preadv2 at 6: %s -> '%.5s'\n", r_, r1);
	}
	SAY("unknown flag: %s\n", rc(rw2(false, fd, rv, 1, 0, 0x40000000)));
	struct iovec empty = {r1, 0};
	SAY("unknown flag, nothing to read: %s\n", rc(rw2(false, fd, &empty, 1, 0, 0x40000000)));
	SAY("offset -2: %s\n", rc(rw2(false, fd, rv, 1, -2, 0)));
	SAY("1025 vectors: %s\n", rc(rw2(false, fd, rv, 1025, 0, 0)));
	SAY("bad fd: %s\n", rc(rw2(false, 999, rv, 1, 0, 0)));
	int p[2];
	pipe(p);
	SAY("pipe with an offset: %s\n", rc(rw2(false, p[0], rv, 1, 0, 0)));
	SAY("empty pipe, RWF_NOWAIT: %s\n", rc(rw2(false, p[0], rv, 1, -1, RWF_NOWAIT)));
	write(p[1], "abc", 3);
	memset(r1, 0, sizeof r1);
	{
		const char *r_ = rc(rw2(false, p[0], rv, 1, -1, RWF_NOWAIT));
		SAY("pipe with data, RWF_NOWAIT: %s '%s'\n", r_, r1);
	}
	SAY("the pipe is still blocking: %s\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) ? "no" : "yes");
	close(p[0]);
	close(p[1]);
	close(fd);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	fallocate_checks();
	rw2_checks();
	t_cleanup();
	return t_done();
}
