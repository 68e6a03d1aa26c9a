/* fs_stat: stat/fstat/lstat/newfstatat/statx fields that are deterministic:
 * type and mode bits, size, nlink, and inode identity between names. */
#include "t.h"
#include <sys/syscall.h>

/* struct statx as the Linux ABI defines it (only the fields we use named). */
struct kstatx {
	unsigned int mask, blksize;
	unsigned long long attributes;
	unsigned int nlink, uid, gid;
	unsigned short mode, pad1;
	unsigned long long ino, size, blocks, attributes_mask;
	struct { long long sec; unsigned int nsec; int pad; } atime, btime, ctime, mtime;
	unsigned int rdev_major, rdev_minor, dev_major, dev_minor;
	unsigned long long spare[14];
};
#define KSTATX_TYPE 0x1U
#define KSTATX_MODE 0x2U
#define KSTATX_NLINK 0x4U
#define KSTATX_SIZE 0x200U
#define KSTATX_BASIC 0x7ffU

static void show(const char *what, struct stat *st)
{
	const char *type = S_ISREG(st->st_mode) ? "reg" : S_ISDIR(st->st_mode) ? "dir" :
			   S_ISLNK(st->st_mode) ? "lnk" : S_ISFIFO(st->st_mode) ? "fifo" : "other";
	SAY("%-10s type=%s perm=%04o nlink=%ld", what, type, st->st_mode & 07777, (long)st->st_nlink);
	if (!S_ISDIR(st->st_mode)) SAY(" size=%ld", (long)st->st_size);
	SAY("\n");
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	umask(022);
	t_scratch();
	chmod(t_dir, 0755);
	int fd = open(t_path("f"), O_RDWR | O_CREAT, 0666);
	write(fd, "twelve bytes", 12);
	struct stat st, st2;
	CHECK(stat(t_path("f"), &st) == 0, "stat");
	show("stat f", &st);
	CHECK(fstat(fd, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev, "fstat same inode");
	CHECK(st.st_mtime > 1577836800, "mtime after 2020");
	CHECK(st.st_uid == getuid() && st.st_gid == getgid(), "owner is creator");
	CHECK(st.st_blksize > 0, "st_blksize>0");
	link(t_path("f"), t_path("hard"));
	stat(t_path("f"), &st);
	show("after link", &st);
	stat(t_path("hard"), &st2);
	CHECK(st2.st_ino == st.st_ino, "hard link shares inode");
	symlink("f", t_path("sym"));
	lstat(t_path("sym"), &st);
	show("lstat sym", &st);
	stat(t_path("sym"), &st);
	show("stat sym", &st);
	CHECK(fstatat(AT_FDCWD, t_path("sym"), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode), "fstatat NOFOLLOW");
	int dfd = open(t_dir, O_RDONLY | O_DIRECTORY);
	CHECK(fstatat(dfd, "f", &st, 0) == 0 && st.st_size == 12, "fstatat relative to dirfd");
	CHECK(fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && st.st_size == 12, "fstatat AT_EMPTY_PATH");
	CHECK_ERR(fstatat(fd, "f", &st, 0), ENOTDIR, "fstatat relative to a file fd");
	CHECK_ERR(fstatat(dfd, "f", &st, 0x12345), EINVAL, "fstatat bad flags");
	mkdir(t_path("d"), 0777);
	stat(t_path("d"), &st);
	show("dir d", &st);
	mkdir(t_path("d/sub"), 0700);
	stat(t_path("d"), &st);
	show("dir d+sub", &st);
	mkfifo(t_path("fifo"), 0600);
	stat(t_path("fifo"), &st);
	show("fifo", &st);

	struct kstatx sx;
	memset(&sx, 0, sizeof sx);
	long r = syscall(SYS_statx, dfd, "f", 0, KSTATX_BASIC, &sx);
	CHECK(r == 0, "statx");
	SAY("statx mask has TYPE|MODE|NLINK|SIZE: %s\n",
	    (sx.mask & (KSTATX_TYPE | KSTATX_MODE | KSTATX_NLINK | KSTATX_SIZE)) ==
	    (KSTATX_TYPE | KSTATX_MODE | KSTATX_NLINK | KSTATX_SIZE) ? "yes" : "no");
	SAY("statx mode=%o nlink=%u size=%llu\n", sx.mode, sx.nlink, sx.size);
	stat(t_path("f"), &st);
	CHECK(sx.ino == st.st_ino, "statx ino matches stat");
	memset(&sx, 0, sizeof sx);
	syscall(SYS_statx, AT_FDCWD, t_path("sym"), AT_SYMLINK_NOFOLLOW, KSTATX_BASIC, &sx);
	SAY("statx sym mode=%o size=%llu\n", sx.mode, sx.size);
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, t_path("nope"), 0, KSTATX_BASIC, &sx), ENOENT, "statx missing");
	CHECK_ERR(stat("", &st), ENOENT, "stat empty path");
	CHECK_ERR(stat(t_path("f/x"), &st), ENOTDIR, "stat through a file");
	ftruncate(fd, 5000);
	fstat(fd, &st);
	SAY("after ftruncate size=%ld\n", (long)st.st_size);
	close(fd);
	close(dfd);
	/* stdin is /dev/null: a character device */
	CHECK(fstat(0, &st) == 0 && S_ISCHR(st.st_mode), "fd 0 is a character device");
	t_cleanup();
	return t_done();
}
