/* fs_openat2: openat2(2)'s strict argument checks (struct size and tail,
 * flags, mode, resolve flags) and the RESOLVE_* restrictions
 * (NO_SYMLINKS, NO_MAGICLINKS, BENEATH, IN_ROOT, NO_XDEV, CACHED); ".."
 * at a chroot's root stays there; open(2)'s own rules (unknown flags
 * dropped, O_CREAT|O_DIRECTORY refused). */
#include "t.h"
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct how {
	uint64_t flags, mode, resolve;
};
#define NO_XDEV 0x01
#define NO_MAGICLINKS 0x02
#define NO_SYMLINKS 0x04
#define BENEATH 0x08
#define IN_ROOT 0x10
#define CACHED 0x20

static const char *rc(long r) { return r < 0 ? t_errname(errno) : "ok"; }
static long o2(int dfd, const char *p, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct how h = {flags, mode, resolve};
	long fd = syscall(437, dfd, p, &h, sizeof h);
	if (fd >= 0)
		close((int)fd);
	return fd;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	mkdir(t_path("a"), 0755);
	mkdir(t_path("a/b"), 0755);
	mkdir(t_path("a/mnt"), 0755);
	close(open(t_path("a/b/f"), O_CREAT | O_WRONLY, 0644));
	symlink("b/f", t_path("a/lnk"));
	symlink(t_path("a/b/f"), t_path("a/abslnk"));
	symlink("/b/f", t_path("a/rootlnk"));
	int mounted = mount("tmpfs", t_path("a/mnt"), "tmpfs", 0, NULL) == 0;
	close(open(t_path("a/mnt/x"), O_CREAT | O_WRONLY, 0644));
	int a = open(t_path("a"), O_RDONLY | O_DIRECTORY);

	SAY("plain: %s\n", rc(o2(a, "b/f", O_RDONLY, 0, 0)));
	struct how h = {O_RDONLY, 0, 0};
	SAY("size 23: %s\n", rc(syscall(437, a, "b/f", &h, 23)));
	SAY("size 4097: %s\n", rc(syscall(437, a, "b/f", &h, 4097)));
	uint64_t bigger[5] = {O_RDONLY, 0, 0, 0, 0};
	SAY("size 40, zero tail: %s\n", rc(syscall(437, a, "b/f", bigger, 40)));
	bigger[4] = 1;
	SAY("size 40, non-zero tail: %s\n", rc(syscall(437, a, "b/f", bigger, 40)));
	SAY("bad struct pointer: %s\n", rc(syscall(437, a, "b/f", (void *)8, 24)));
	SAY("unknown flag: %s\n", rc(o2(a, "b/f", O_RDONLY | 0x4000000, 0, 0)));
	SAY("unknown resolve flag: %s\n", rc(o2(a, "b/f", O_RDONLY, 0, 0x40)));
	SAY("BENEATH|IN_ROOT: %s\n", rc(o2(a, "b/f", O_RDONLY, 0, BENEATH | IN_ROOT)));
	SAY("mode without O_CREAT: %s\n", rc(o2(a, "b/f", O_RDONLY, 0644, 0)));
	SAY("mode beyond 07777: %s\n", rc(o2(a, "b/g", O_CREAT | O_WRONLY, 010000, 0)));
	SAY("O_CREAT with mode: %s\n", rc(o2(a, "b/g", O_CREAT | O_WRONLY, 0600, 0)));
	SAY("O_PATH|O_RDWR: %s\n", rc(o2(a, "b/f", O_PATH | O_RDWR, 0, 0)));
	SAY("O_PATH|O_NOFOLLOW|O_CLOEXEC: %s\n", rc(o2(a, "b/f", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, 0)));
	SAY("O_CREAT|O_DIRECTORY: %s\n", rc(o2(a, "b/h", O_CREAT | O_DIRECTORY | O_RDONLY, 0600, 0)));
	SAY("O_TMPFILE read-only: %s\n", rc(o2(a, "b", O_TMPFILE | O_RDONLY, 0600, 0)));
	SAY("CACHED: %s, with O_CREAT: %s, with O_TRUNC: %s\n", rc(o2(a, "b/f", O_RDONLY, 0, CACHED)),
	    rc(o2(a, "b/f", O_CREAT | O_WRONLY, 0600, CACHED)), rc(o2(a, "b/f", O_WRONLY | O_TRUNC, 0, CACHED)));

	SAY("NO_SYMLINKS through a link: %s\n", rc(o2(a, "lnk", O_RDONLY, 0, NO_SYMLINKS)));
	SAY("NO_SYMLINKS, O_PATH|O_NOFOLLOW on the link: %s\n", rc(o2(a, "lnk", O_PATH | O_NOFOLLOW, 0, NO_SYMLINKS)));
	SAY("NO_SYMLINKS, no link on the way: %s\n", rc(o2(a, "b/f", O_RDONLY, 0, NO_SYMLINKS)));
	SAY("NO_MAGICLINKS /proc/self/exe: %s\n", rc(o2(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, NO_MAGICLINKS)));
	SAY("NO_MAGICLINKS /proc/self/status: %s\n", rc(o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, NO_MAGICLINKS)));
	SAY("NO_SYMLINKS /proc/self/status: %s\n", rc(o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, NO_SYMLINKS)));
	SAY("BENEATH b/f: %s, b/../b/f: %s, relative link: %s\n", rc(o2(a, "b/f", O_RDONLY, 0, BENEATH)),
	    rc(o2(a, "b/../b/f", O_RDONLY, 0, BENEATH)), rc(o2(a, "lnk", O_RDONLY, 0, BENEATH)));
	SAY("BENEATH ../a/b/f: %s\n", rc(o2(a, "../a/b/f", O_RDONLY, 0, BENEATH)));
	SAY("BENEATH absolute: %s\n", rc(o2(a, t_path("a/b/f"), O_RDONLY, 0, BENEATH)));
	SAY("BENEATH absolute link: %s\n", rc(o2(a, "abslnk", O_RDONLY, 0, BENEATH)));
	SAY("BENEATH magic link: %s\n", rc(o2(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, 0)));
	int proc = open("/proc/self", O_RDONLY | O_DIRECTORY);
	SAY("BENEATH /proc/self + exe: %s\n", rc(o2(proc, "exe", O_RDONLY, 0, BENEATH)));
	SAY("IN_ROOT /b/f: %s, ../../b/f: %s, /rootlnk: %s\n", rc(o2(a, "/b/f", O_RDONLY, 0, IN_ROOT)),
	    rc(o2(a, "../../b/f", O_RDONLY, 0, IN_ROOT)), rc(o2(a, "rootlnk", O_RDONLY, 0, IN_ROOT)));
	SAY("IN_ROOT absolute link outside: %s\n", rc(o2(a, "abslnk", O_RDONLY, 0, IN_ROOT)));
	if (mounted) {
		SAY("NO_XDEV into a mount: %s\n", rc(o2(a, "mnt/x", O_RDONLY, 0, NO_XDEV)));
		int mfd = open(t_path("a/mnt"), O_RDONLY | O_DIRECTORY);
		SAY("NO_XDEV out of a mount: %s\n", rc(o2(mfd, "../b/f", O_RDONLY, 0, NO_XDEV)));
		SAY("NO_XDEV inside it: %s\n", rc(o2(mfd, "x", O_RDONLY, 0, NO_XDEV)));
		close(mfd);
	}
	SAY("NO_XDEV same file system: %s\n", rc(o2(a, "b/f", O_RDONLY, 0, NO_XDEV)));

	/* open(2)'s own rules */
	SAY("open with an unknown flag: %s\n", rc(close(open(t_path("a/b/f"), O_RDONLY | 0x4000000))));
	SAY("open O_CREAT|O_DIRECTORY: %s\n", rc(open(t_path("a/b/newdir"), O_CREAT | O_DIRECTORY | O_RDONLY, 0755)));

	/* chroot: ".." at the root stays */
	pid_t c = fork();
	if (c == 0) {
		if (chroot(t_path("a")) || chdir("/"))
			_exit(1);
		SAY("chroot: ../../b/f: %s, /../../b/f: %s\n", rc(close(open("../../b/f", O_RDONLY))),
		    rc(close(open("/../../b/f", O_RDONLY))));
		char cwd[64];
		chdir("../..");
		SAY("chroot: cwd after chdir(\"../..\"): %s\n", getcwd(cwd, sizeof cwd));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	if (mounted)
		umount(t_path("a/mnt"));
	t_cleanup();
	return t_done();
}
