/* Block device semantics checked inside Keel by tests/disk.sh: sizes from
 * lseek and the BLK* ioctls, pread/pwrite at unaligned offsets, the end of
 * the device, fsync, and a read-only disk. Usage:
 *   blkio rw DEV SIZE      (a writable disk of SIZE bytes)
 *   blkio ro DEV           (a read-only disk)
 * Prints one line per check and exits non-zero if any failed. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define BLKROGET 0x125e
#define BLKGETSIZE 0x1260
#define BLKSSZGET 0x1268
#define BLKGETSIZE64 0x80081272

static int failed;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failed = 1;
}

static int rw(const char *dev, unsigned long long size)
{
	int fd = open(dev, O_RDWR);
	check(fd >= 0, "open O_RDWR");
	unsigned long long s64 = 0;
	unsigned long sectors = 0;
	int ssz = 0, ro = -1;
	check(ioctl(fd, BLKGETSIZE64, &s64) == 0 && s64 == size, "BLKGETSIZE64");
	check(ioctl(fd, BLKGETSIZE, &sectors) == 0 && sectors == size / 512, "BLKGETSIZE");
	check(ioctl(fd, BLKSSZGET, &ssz) == 0 && ssz == 512, "BLKSSZGET");
	check(ioctl(fd, BLKROGET, &ro) == 0 && ro == 0, "BLKROGET");
	check(ioctl(fd, 0x4321, 0) == -1 && errno == ENOTTY, "unknown ioctl is ENOTTY");
	check(ioctl(fd, BLKGETSIZE64, (void *)8) == -1 && errno == EFAULT, "bad ioctl pointer is EFAULT");
	check(lseek(fd, 0, SEEK_END) == (off_t)size, "lseek SEEK_END is the size");
	char buf[3000], back[3000];
	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)(i * 13 + 7);
	check(pwrite(fd, buf, sizeof(buf), 12345) == (ssize_t)sizeof(buf), "pwrite unaligned");
	check(pread(fd, back, sizeof(back), 12345) == (ssize_t)sizeof(back) && memcmp(buf, back, sizeof(buf)) == 0,
	      "pread reads it back");
	check(lseek(fd, 0, SEEK_CUR) == (off_t)size, "pread/pwrite leave the offset");
	check(read(fd, back, 10) == 0, "read at the end is 0");
	errno = 0;
	check(write(fd, buf, 10) == -1 && errno == ENOSPC, "write at the end is ENOSPC");
	check(pwrite(fd, buf, 1000, size - 300) == 300, "write across the end is shortened");
	check(pread(fd, back, 1000, size - 300) == 300 && memcmp(buf, back, 300) == 0, "read across the end too");
	check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync");
	errno = 0;
	check(pread(fd, back, 10, -1) == -1 && errno == EINVAL, "negative offset is EINVAL");
	check(lseek(fd, 0, SEEK_SET) == 0, "lseek SEEK_SET");
	errno = 0;
	check(read(fd, (void *)8, 512) == -1 && errno == EFAULT, "bad buffer is EFAULT");
	close(fd);
	return failed;
}

static int rdonly(const char *dev)
{
	int ro = -1;
	int fd = open(dev, O_RDWR);
	check(fd >= 0, "open O_RDWR");
	check(ioctl(fd, BLKROGET, &ro) == 0 && ro == 1, "BLKROGET says read-only");
	errno = 0;
	check(write(fd, "x", 1) == -1 && errno == EPERM, "write is EPERM");
	char b[512];
	check(read(fd, b, sizeof(b)) == (ssize_t)sizeof(b), "read works");
	close(fd);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "rw") == 0)
		return rw(argv[2], strtoull(argv[3], NULL, 0));
	if (argc == 3 && strcmp(argv[1], "ro") == 0)
		return rdonly(argv[2]);
	fprintf(stderr, "usage: blkio rw DEV SIZE | blkio ro DEV\n");
	return 2;
}
