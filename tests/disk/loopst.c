/* tests/disk/loopst.c — loop-device status ioctls as LTP's device helper
 * and losetup use them: the old LOOP_SET_STATUS/LOOP_GET_STATUS (struct
 * loop_info) and the 64-bit forms must agree, a free device answers ENXIO.
 * Runs inside Keel (tests/disk.sh); prints "ok ..." or "FAIL ..." lines
 * with the values Linux gives. */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int fails;
static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "ok" : "FAIL", what);
	fails += !cond;
}

int main(void)
{
	int back = open("/tmp/loopst.img", O_RDWR | O_CREAT | O_TRUNC, 0600);
	check(back >= 0 && ftruncate(back, 1 << 20) == 0, "backing file");
	int ctl = open("/dev/loop-control", O_RDWR);
	int n = ioctl(ctl, LOOP_CTL_GET_FREE);
	check(n >= 0, "LOOP_CTL_GET_FREE");
	char dev[32];
	snprintf(dev, sizeof dev, "/dev/loop%d", n);
	int fd = open(dev, O_RDWR);
	struct loop_info li;
	memset(&li, 0, sizeof li);
	check(ioctl(fd, LOOP_GET_STATUS, &li) == -1 && errno == ENXIO, "LOOP_GET_STATUS on a free device: ENXIO");
	check(ioctl(fd, LOOP_SET_STATUS, &li) == -1 && errno == ENXIO, "LOOP_SET_STATUS on a free device: ENXIO");
	check(ioctl(fd, LOOP_SET_FD, back) == 0, "LOOP_SET_FD");
	strcpy(li.lo_name, "/tmp/loopst.img");
	li.lo_flags = LO_FLAGS_AUTOCLEAR;
	check(ioctl(fd, LOOP_SET_STATUS, &li) == 0, "LOOP_SET_STATUS");
	struct loop_info got;
	memset(&got, 0x55, sizeof got);
	check(ioctl(fd, LOOP_GET_STATUS, &got) == 0, "LOOP_GET_STATUS");
	check(strcmp(got.lo_name, "/tmp/loopst.img") == 0, "the old form gives the name back");
	check((got.lo_flags & LO_FLAGS_AUTOCLEAR) != 0, "and the autoclear flag");
	check(got.lo_number == n && got.lo_offset == 0, "and the device number, offset 0");
	struct loop_info64 g64;
	memset(&g64, 0, sizeof g64);
	check(ioctl(fd, LOOP_GET_STATUS64, &g64) == 0, "LOOP_GET_STATUS64");
	check(strcmp((char *)g64.lo_file_name, "/tmp/loopst.img") == 0, "the 64-bit form agrees on the name");
	check(g64.lo_inode == got.lo_inode, "and on the inode");
	check(ioctl(fd, LOOP_SET_STATUS, (void *)8) == -1 && errno == EFAULT, "a bad pointer: EFAULT");
	check(ioctl(fd, LOOP_CLR_FD, 0) == 0, "LOOP_CLR_FD");
	check(ioctl(fd, LOOP_GET_STATUS, &got) == -1 && errno == ENXIO, "free again: ENXIO");
	printf("loopst fails=%d\n", fails);
	return fails != 0;
}
