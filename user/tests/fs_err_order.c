/* fs_err_order: which error wins when several apply, and the limits of
 * path arguments, as Linux orders them. A read-only mount refuses chmod
 * and chown with EROFS before the ownership check (EPERM); a sticky
 * directory lets only the owner of the entry or of the directory (or root)
 * remove or rename it away (EPERM); readlink of an empty path is ENOENT
 * and a zero buffer EINVAL before the path is looked at; statx refuses a
 * reserved mask bit and both sync types at once; a path of up to 4095
 * bytes (here: slashes) is taken and 4096 is ENAMETOOLONG. */
#include "t.h"
#include <sys/mount.h>
#include <sys/syscall.h>

#define NOBODY 4242

static int in_child_as(uid_t uid)
{
	pid_t c = fork();
	if (c == 0) {
		if (setgid(uid) || setuid(uid))
			_exit(99);
		return 1;
	}
	SAY("child as %d: %s\n", (int)uid, t_wait_desc(c));
	return 0;
}

static void readonly_mount(void)
{
	mkdir(t_path("ro"), 0755);
	if (mount("none", t_path("ro"), "tmpfs", 0, NULL) != 0) {
		SAY("tmpfs mount: %s\n", t_errname(errno));
		return;
	}
	int fd = open(t_path("ro/f"), O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0, "create file before remount");
	close(fd);
	CHECK(mount("none", t_path("ro"), NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "remount read-only");
	fd = open(t_path("ro/f"), O_RDONLY);
	if (in_child_as(NOBODY)) {
		CHECK_ERR(chmod(t_path("ro/f"), 0600), EROFS, "ro chmod by non-owner");
		CHECK_ERR(fchmod(fd, 0600), EROFS, "ro fchmod by non-owner");
		CHECK_ERR(chown(t_path("ro/f"), NOBODY, NOBODY), EROFS, "ro chown by non-owner");
		CHECK_ERR(fchown(fd, NOBODY, -1), EROFS, "ro fchown by non-owner");
		CHECK_ERR(lchown(t_path("ro/f"), -1, NOBODY), EROFS, "ro lchown by non-owner");
		_exit(t_failures ? 1 : 0);
	}
	CHECK_ERR(chmod(t_path("ro/f"), 0600), EROFS, "ro chmod by root");
	CHECK_ERR(fchown(fd, 1, 1), EROFS, "ro fchown by root");
	close(fd);
	umount(t_path("ro"));
}

static void sticky_dir(void)
{
	/* root's sticky directory, world-writable; entries of root and of
	 * NOBODY */
	mkdir(t_path("st"), 01777);
	chmod(t_path("st"), 01777);
	mkdir(t_path("st/rootdir"), 0777);
	close(open(t_path("st/rootfile"), O_CREAT | O_WRONLY, 0666));
	close(open(t_path("st/rootfile2"), O_CREAT | O_WRONLY, 0666));
	mkdir(t_path("st/mydir"), 0777);
	chown(t_path("st/mydir"), NOBODY, NOBODY);
	close(open(t_path("st/myfile"), O_CREAT | O_WRONLY, 0666));
	chown(t_path("st/myfile"), NOBODY, NOBODY);
	/* NOBODY's own sticky directory with root's file in it */
	mkdir(t_path("mine"), 01777);
	chmod(t_path("mine"), 01777);
	chown(t_path("mine"), NOBODY, NOBODY);
	close(open(t_path("mine/rootfile"), O_CREAT | O_WRONLY, 0666));
	/* a non-sticky world-writable directory */
	mkdir(t_path("open"), 0777);
	chmod(t_path("open"), 0777);
	close(open(t_path("open/rootfile"), O_CREAT | O_WRONLY, 0666));
	if (in_child_as(NOBODY)) {
		CHECK_ERR(rmdir(t_path("st/rootdir")), EPERM, "sticky: rmdir of another's directory");
		CHECK_ERR(unlink(t_path("st/rootfile")), EPERM, "sticky: unlink of another's file");
		CHECK_ERR(rename(t_path("st/rootfile"), t_path("st/x")), EPERM, "sticky: rename another's file away");
		CHECK_ERR(rename(t_path("st/myfile"), t_path("st/rootfile2")), EPERM,
			  "sticky: rename over another's file");
		CHECK_ERR(rmdir(t_path("st/nothere")), ENOENT, "sticky: rmdir of a missing name");
		CHECK(rename(t_path("st/myfile"), t_path("st/myfile2")) == 0, "sticky: rename of my own file");
		CHECK(unlink(t_path("st/myfile2")) == 0, "sticky: unlink of my own file");
		CHECK(rmdir(t_path("st/mydir")) == 0, "sticky: rmdir of my own directory");
		CHECK(unlink(t_path("mine/rootfile")) == 0, "sticky: the directory's owner removes another's file");
		CHECK(unlink(t_path("open/rootfile")) == 0, "not sticky: unlink of another's file");
		_exit(t_failures ? 1 : 0);
	}
	CHECK(unlink(t_path("st/rootfile")) == 0, "sticky: root removes its file");
}

static void readlink_statx(void)
{
	char buf[64];
	symlink("target", t_path("lnk"));
	CHECK_ERR(readlink("", buf, sizeof buf), ENOENT, "readlink of an empty path");
	CHECK_ERR(readlinkat(AT_FDCWD, "", buf, sizeof buf), ENOENT, "readlinkat(AT_FDCWD) of an empty path");
	int dfd = open(t_dir, O_RDONLY | O_DIRECTORY);
	CHECK_ERR(readlinkat(dfd, "", buf, sizeof buf), ENOENT, "readlinkat(dirfd) of an empty path");
	close(dfd);
	int lfd = open(t_path("lnk"), O_PATH | O_NOFOLLOW);
	long n = readlinkat(lfd, "", buf, sizeof buf);
	SAY("readlinkat(O_PATH link fd, \"\"): %ld %.*s\n", n, n > 0 ? (int)n : 0, buf);
	close(lfd);
	CHECK_ERR(readlink(t_dir, buf, sizeof buf), EINVAL, "readlink of a directory");
	CHECK_ERR(syscall(SYS_readlink, t_path("lnk"), buf, 0), EINVAL, "readlink with a zero buffer");
	CHECK_ERR(syscall(SYS_readlink, t_path("nothere"), buf, 0), EINVAL, "readlink with a zero buffer, missing path");
	char sx[256];
	close(open(t_path("f"), O_CREAT | O_WRONLY, 0644));
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, t_path("f"), 0, 0x80000000u, sx), EINVAL, "statx reserved mask bit");
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, t_path("nothere"), 0, 0xffffffffu, sx), EINVAL,
		  "statx mask -1 on a missing path");
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, t_path("f"), 0x6000, 0x7ff, sx), EINVAL, "statx both sync types");
	CHECK(syscall(SYS_statx, AT_FDCWD, t_path("f"), 0x2000, 0x7ff, sx) == 0, "statx AT_STATX_FORCE_SYNC");
	CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "", 0, 0x7ff, sx), ENOENT, "statx of an empty path");
}

static void long_paths(void)
{
	static char p[8192];
	int bad = 0;
	for (int n = 4080; n < 4096; n++) {
		memset(p, '/', (size_t)n);
		p[n] = 0;
		if (chdir(p) != 0) {
			SAY("chdir of %d slashes: %s\n", n, t_errname(errno));
			bad++;
		}
	}
	CHECK(bad == 0, "chdir of 4080..4095 slashes");
	memset(p, '/', 4096);
	p[4096] = 0;
	CHECK_ERR(chdir(p), ENAMETOOLONG, "chdir of 4096 slashes");
	memset(p, '/', 6000);
	p[6000] = 0;
	CHECK_ERR(access(p, F_OK), ENAMETOOLONG, "access of 6000 slashes");
	/* 4000 slashes then a real name: still one path of < 4096 bytes */
	memset(p, '/', 4000);
	snprintf(p + 4000, 200, "%s/f", t_dir + 1);
	CHECK(access(p, F_OK) == 0, "access of 4000 slashes and a name");
	/* a trailing run of slashes still means "a directory" */
	snprintf(p, 200, "%s/f", t_dir);
	size_t l = strlen(p);
	memset(p + l, '/', 4090 - l);
	p[4090] = 0;
	CHECK_ERR(access(p, F_OK), ENOTDIR, "file with 4000 trailing slashes");
	snprintf(p, 200, "%s/f/", t_dir);
	CHECK_ERR(access(p, F_OK), ENOTDIR, "access of file/");
	CHECK_ERR(open(p, O_RDONLY), ENOTDIR, "open of file/");
	snprintf(p, 200, "%s/lnk/", t_dir);
	CHECK_ERR(access(p, F_OK), ENOENT, "access of dangling-link/");
	symlink("f", t_path("flnk"));
	snprintf(p, 200, "%s/flnk/", t_dir);
	CHECK_ERR(access(p, F_OK), ENOTDIR, "access of link-to-file/");
	symlink(".", t_path("dlnk"));
	snprintf(p, 200, "%s/dlnk/", t_dir);
	CHECK(access(p, F_OK) == 0, "access of link-to-dir/");
	struct stat st;
	CHECK(lstat(p, &st) == 0 && S_ISDIR(st.st_mode), "lstat of link-to-dir/ follows it");
	chdir("/");
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	umask(0);
	chmod(t_dir, 0755);
	readonly_mount();
	sticky_dir();
	readlink_statx();
	long_paths();
	t_cleanup();
	return t_done();
}
