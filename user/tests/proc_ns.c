/* proc_ns: mount and UTS namespaces. unshare(2) and clone(2) with
 * CLONE_NEWNS / CLONE_NEWUTS, mounts private to a namespace, propagation
 * flags, /proc/self/ns links and /proc/self/mounts per namespace, setns(2)
 * with /proc/<pid>/ns descriptors and pidfds and its errors, pivot_root(2)
 * and its errors.
 *
 * Safety on the host: the first thing main does is enter a new mount and
 * UTS namespace and make / private (recursively), so no mount or host name
 * change here ever reaches the host's own. Nothing prints inode numbers or
 * host names: only relations. */
#include "t.h"
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>

static char stack[65536];

static const char *rc(long r)
{
	static char buf[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(buf, sizeof buf, "%ld", r);
	return buf;
}

static unsigned long long ns_ino(const char *kind)
{
	char p[64];
	struct stat st;
	snprintf(p, sizeof p, "/proc/self/ns/%s", kind);
	return stat(p, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* "mnt:[N]" with N the inode stat gives? */
static const char *link_matches(const char *kind)
{
	char p[64], buf[64], want[64];
	snprintf(p, sizeof p, "/proc/self/ns/%s", kind);
	ssize_t n = readlink(p, buf, sizeof buf - 1);
	if (n < 0)
		return t_errname(errno);
	buf[n] = 0;
	snprintf(want, sizeof want, "%s:[%llu]", kind, ns_ino(kind));
	return strcmp(buf, want) ? "no" : "yes";
}

/* Does /proc/self/mounts list a mount on path? */
static const char *listed(const char *path)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char line[512];
	int found = 0;
	size_t n = strlen(path);
	while (f && fgets(line, sizeof line, f)) {
		char *sp = strchr(line, ' ');
		if (sp && !strncmp(sp + 1, path, n) && sp[1 + n] == ' ')
			found = 1;
	}
	if (f)
		fclose(f);
	return found ? "listed" : "not listed";
}

static const char *exists(const char *path) { return access(path, F_OK) == 0 ? "yes" : "no"; }

static int pipe_go[2], pipe_back[2];
static void wait_go(void)
{
	char c;
	(void)read(pipe_go[0], &c, 1);
}
static void tell_go(void) { (void)write(pipe_go[1], "x", 1); }
static void wait_back(void)
{
	char c;
	(void)read(pipe_back[0], &c, 1);
}
static void say_back(void) { (void)write(pipe_back[1], "x", 1); }

static void basics(void)
{
	SAY("-- unshare(CLONE_NEWNS)\n");
	SAY("ns links match their inodes: mnt %s, uts %s\n", link_matches("mnt"), link_matches("uts"));
	mkdir(t_path("m"), 0755);
	pid_t c = fork();
	if (c == 0) {
		unsigned long long before = ns_ino("mnt");
		SAY("  child: unshare(CLONE_NEWNS): %s\n", rc(unshare(CLONE_NEWNS)));
		SAY("  child: new mnt inode: %s, link matches: %s\n", ns_ino("mnt") != before ? "yes" : "no",
		    link_matches("mnt"));
		SAY("  child: mount tmpfs: %s\n", rc(mount("none", t_path("m"), "tmpfs", 0, NULL)));
		int fd = open(t_path("m/inside"), O_CREAT | O_WRONLY, 0644);
		close(fd);
		SAY("  child: m/inside exists: %s, /proc/self/mounts: %s\n", exists(t_path("m/inside")), listed(t_path("m")));
		say_back();
		wait_go();
		SAY("  child: m/parent-file (the parent's, under our mount): %s\n", exists(t_path("m/parent-file")));
		SAY("  child: umount: %s,", rc(umount(t_path("m"))));
		SAY(" then m/inside: %s\n", exists(t_path("m/inside")));
		SAY("  child: now sees m/parent-file: %s\n", exists(t_path("m/parent-file")));
		_exit(t_failures ? 1 : 0);
	}
	wait_back();
	SAY("parent: m/inside: %s, /proc/self/mounts: %s\n", exists(t_path("m/inside")), listed(t_path("m")));
	int fd = open(t_path("m/parent-file"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	tell_go();
	SAY("child %s\n", t_wait_desc(c));
	unlink(t_path("m/parent-file"));
	SAY("parent: mount tmpfs on m: %s\n", rc(mount("none", t_path("m"), "tmpfs", 0, NULL)));
	c = fork();
	if (c == 0) {
		SAY("  child after: unshare(CLONE_NEWNS): %s,", rc(unshare(CLONE_NEWNS)));
		SAY(" copy has the mount: %s\n", listed(t_path("m")));
		SAY("  child after: umount in the copy: %s,", rc(umount(t_path("m"))));
		SAY(" listed now: %s\n", listed(t_path("m")));
		_exit(0);
	}
	SAY("child %s\n", t_wait_desc(c));
	SAY("parent: still mounted: %s;", listed(t_path("m")));
	SAY(" umount: %s\n", rc(umount(t_path("m"))));
	CHECK_ERR(umount(t_path("m")), EINVAL, "umount of a plain directory");
	mount("none", t_path("m"), "tmpfs", 0, NULL);
	for (int other = 0; other < 2; other++) {
		c = fork();
		if (c == 0) {
			if (other)
				unshare(CLONE_NEWNS);
			chdir(t_path("m"));
			say_back();
			wait_go();
			_exit(0);
		}
		wait_back();
		errno = 0;
		int r = umount(t_path("m"));
		SAY("parent: umount while a process of %s namespace works in it: %s\n", other ? "another" : "the same",
		    r ? t_errname(errno) : "0");
		tell_go();
		waitpid(c, NULL, 0);
	}
}

static void propagation(void)
{
	SAY("-- propagation flags\n");
	mount("none", t_path("m"), "tmpfs", 0, NULL);
	SAY("MS_SHARED on a mount: %s\n", rc(mount(NULL, t_path("m"), NULL, MS_SHARED, NULL)));
	SAY("MS_SLAVE: %s\n", rc(mount(NULL, t_path("m"), NULL, MS_SLAVE, NULL)));
	SAY("MS_UNBINDABLE: %s\n", rc(mount(NULL, t_path("m"), NULL, MS_UNBINDABLE, NULL)));
	SAY("MS_PRIVATE|MS_REC: %s\n", rc(mount(NULL, t_path("m"), NULL, MS_PRIVATE | MS_REC, NULL)));
	CHECK_ERR(mount(NULL, t_path("m"), NULL, MS_SHARED | MS_PRIVATE, NULL), EINVAL, "two propagation types");
	mkdir(t_path("m/d"), 0755);
	CHECK_ERR(mount(NULL, t_path("m/d"), NULL, MS_PRIVATE, NULL), EINVAL, "MS_PRIVATE on a plain directory");
	umount(t_path("m"));
}

/* A read-only mount refuses metadata changes with EROFS before any
 * permission check. */
static void readonly(void)
{
	SAY("-- read-only mount\n");
	mkdir(t_path("ro"), 0755);
	mount("none", t_path("ro"), "tmpfs", 0, NULL);
	int fd = open(t_path("ro/f"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	SAY("remount read-only: %s\n", rc(mount(NULL, t_path("ro"), NULL, MS_REMOUNT | MS_RDONLY, NULL)));
	CHECK_ERR(chmod(t_path("ro/f"), 0600), EROFS, "root chmod");
	CHECK_ERR(chown(t_path("ro/f"), 1, 1), EROFS, "root chown");
	pid_t c = fork();
	if (c == 0) {
		setuid(1000);
		CHECK_ERR(chmod(t_path("ro/f"), 0600), EROFS, "  uid 1000 chmod of root's file");
		CHECK_ERR(chown(t_path("ro/f"), 1000, -1), EROFS, "  uid 1000 chown of root's file");
		_exit(t_failures ? 1 : 0);
	}
	SAY("unprivileged child %s\n", t_wait_desc(c));
	umount(t_path("ro"));
}

static int newns_child(void *arg)
{
	(void)arg;
	SAY("  clone child: mount: %s,", rc(mount("none", t_path("m"), "tmpfs", 0, NULL)));
	SAY(" listed: %s\n", listed(t_path("m")));
	SAY("  clone child: sethostname: %s\n", rc(sethostname("keel-ns-clone", 13)));
	return 0;
}

static void clone_flags(void)
{
	SAY("-- clone(CLONE_NEWNS|CLONE_NEWUTS)\n");
	char before[65], after[65];
	gethostname(before, sizeof before);
	pid_t c = clone(newns_child, stack + sizeof stack, CLONE_NEWNS | CLONE_NEWUTS | SIGCHLD, NULL);
	SAY("child %s\n", c > 0 ? t_wait_desc(c) : t_errname(errno));
	gethostname(after, sizeof after);
	SAY("parent: m listed: %s, host name unchanged: %s\n", listed(t_path("m")), strcmp(before, after) ? "no" : "yes");
	errno = 0;
	c = clone(newns_child, stack + sizeof stack, CLONE_NEWNS | CLONE_FS | SIGCHLD, NULL);
	SAY("clone(CLONE_NEWNS|CLONE_FS): %s\n", c > 0 ? "made" : t_errname(errno));
	if (c > 0)
		waitpid(c, NULL, 0);
	c = fork();
	if (c == 0) {
		setuid(1000);
		errno = 0;
		pid_t d = clone(newns_child, stack + sizeof stack, CLONE_NEWNS | SIGCHLD, NULL);
		SAY("  uid 1000 clone(CLONE_NEWNS): %s\n", d > 0 ? "made" : t_errname(errno));
		SAY("  uid 1000 unshare(CLONE_NEWUTS): %s\n", rc(unshare(CLONE_NEWUTS)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void uts(void)
{
	SAY("-- UTS namespaces and setns\n");
	char mine[65], buf[65];
	gethostname(mine, sizeof mine);
	pid_t a = fork();
	if (a == 0) {
		unshare(CLONE_NEWUTS | CLONE_NEWNS);
		sethostname("keel-ns-a", 9);
		mount("none", t_path("m"), "tmpfs", 0, NULL);
		int fd = open(t_path("m/in-a"), O_CREAT | O_WRONLY, 0644);
		close(fd);
		say_back();
		wait_go();
		_exit(0);
	}
	wait_back();
	gethostname(buf, sizeof buf);
	SAY("parent's name unchanged: %s\n", strcmp(buf, mine) ? "no" : "yes");
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/ns/uts", (int)a);
	int ufd = open(p, O_RDONLY);
	snprintf(p, sizeof p, "/proc/%d/ns/mnt", (int)a);
	int mfd = open(p, O_RDONLY);
	SAY("open the child's ns files: %s %s\n", ufd >= 0 ? "yes" : t_errname(errno), mfd >= 0 ? "yes" : t_errname(errno));
	struct stat st1, st2;
	fstat(mfd, &st1);
	stat(p, &st2);
	SAY("fstat of the fd and stat of the link agree: %s\n", st1.st_ino == st2.st_ino ? "yes" : "no");
	int pfd = (int)syscall(SYS_pidfd_open, a, 0);
	int reg = open(t_path("reg"), O_CREAT | O_RDWR, 0644);
	CHECK_ERR(setns(-1, 0), EBADF, "setns(-1)");
	CHECK_ERR(setns(reg, 0), EINVAL, "setns(regular file)");
	CHECK_ERR(setns(ufd, CLONE_NEWNS), EINVAL, "setns(uts fd, CLONE_NEWNS)");
	CHECK_ERR(setns(mfd, -1), EINVAL, "setns(mnt fd, -1)");
	CHECK_ERR(setns(pfd, 0), EINVAL, "setns(pidfd, 0)");
	CHECK_ERR(setns(pfd, CLONE_NEWNS | 1), EINVAL, "setns(pidfd, bad bit)");
	CHECK_ERR(setns(pfd, CLONE_NEWUSER), EINVAL, "setns(pidfd, own user ns)");
	pid_t c = fork();
	if (c == 0) {
		setuid(1000);
		CHECK_ERR(setns(ufd, CLONE_NEWUTS), EPERM, "  uid 1000 setns(uts)");
		CHECK_ERR(setns(pfd, CLONE_NEWNS), EPERM, "  uid 1000 setns(pidfd, CLONE_NEWNS)");
		_exit(t_failures ? 1 : 0);
	}
	SAY("unprivileged child %s\n", t_wait_desc(c));
	c = fork();
	if (c == 0) {
		SAY("  setns(uts fd, CLONE_NEWUTS): %s,", rc(setns(ufd, CLONE_NEWUTS)));
		gethostname(buf, sizeof buf);
		SAY(" name now %s\n", buf);
		SAY("  before setns(mnt): in-a %s;", exists(t_path("m/in-a")));
		SAY(" setns(mnt fd, 0): %s;", rc(setns(mfd, 0)));
		SAY(" in-a %s\n", exists(t_path("m/in-a")));
		char cwd[256];
		SAY("  cwd after setns(mnt) is /: %s\n", getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/") ? "yes" : "no");
		_exit(t_failures ? 1 : 0);
	}
	SAY("setns child %s\n", t_wait_desc(c));
	c = fork();
	if (c == 0) {
		SAY("  setns(pidfd, CLONE_NEWNS|CLONE_NEWUTS): %s,", rc(setns(pfd, CLONE_NEWNS | CLONE_NEWUTS)));
		gethostname(buf, sizeof buf);
		SAY(" name %s, in-a %s\n", buf, exists(t_path("m/in-a")));
		SAY("  mnt link now names the child's: %s\n", ns_ino("mnt") == st1.st_ino ? "yes" : "no");
		_exit(t_failures ? 1 : 0);
	}
	SAY("pidfd child %s\n", t_wait_desc(c));
	tell_go();
	SAY("namespace owner %s\n", t_wait_desc(a));
	c = fork();
	if (c == 0) { /* the descriptors keep the namespaces alive */
		SAY("  after its last process: setns(uts): %s,", rc(setns(ufd, CLONE_NEWUTS)));
		gethostname(buf, sizeof buf);
		SAY(" name %s;", buf);
		SAY(" setns(mnt): %s,", rc(setns(mfd, CLONE_NEWNS)));
		SAY(" in-a %s\n", exists(t_path("m/in-a")));
		_exit(t_failures ? 1 : 0);
	}
	SAY("late setns child %s\n", t_wait_desc(c));
	close(ufd);
	close(mfd);
	close(pfd);
	close(reg);
}

static int fs_sharer(void *arg)
{
	int fd = *(int *)arg;
	errno = 0;
	SAY("  CLONE_FS child setns(mnt): %s\n", setns(fd, CLONE_NEWNS) ? t_errname(errno) : "0");
	return 0;
}

static void setns_shared_fs(void)
{
	int fd = open("/proc/self/ns/mnt", O_RDONLY);
	pid_t c = clone(fs_sharer, stack + sizeof stack, CLONE_FS | SIGCHLD, &fd);
	SAY("CLONE_FS child %s\n", t_wait_desc(c));
	close(fd);
}

static void pivot(void)
{
	SAY("-- pivot_root\n");
	pid_t c = fork();
	if (c == 0) {
		unshare(CLONE_NEWNS);
		mkdir(t_path("base"), 0755);
		mount("none", t_path("base"), "tmpfs", 0, NULL);
		mkdir(t_path("base/plain"), 0755);
		mkdir(t_path("base/old"), 0755);
		mkdir(t_path("other"), 0755);
		mount("none", t_path("other"), "tmpfs", 0, NULL); /* put_old on neither root nor new_root */
		mkdir(t_path("other/outside"), 0755);
		int fd = open(t_path("base/marker"), O_CREAT | O_WRONLY, 0644);
		close(fd);
		CHECK_ERR(syscall(SYS_pivot_root, t_path("base/plain"), t_path("base/plain")), EINVAL,
			  "  new_root not a mount point");
		CHECK_ERR(syscall(SYS_pivot_root, t_path("base"), t_path("other/outside")), EINVAL, "  put_old outside new_root");
		CHECK_ERR(syscall(SYS_pivot_root, t_path("base/marker"), t_path("base/old")), ENOTDIR, "  new_root a file");
		CHECK_ERR(syscall(SYS_pivot_root, t_path("nothing"), t_path("base/old")), ENOENT, "  new_root missing");
		CHECK_ERR(syscall(SYS_pivot_root, "/", t_path("base/old")), EBUSY, "  new_root the current root");
		pid_t u = fork();
		if (u == 0) {
			setuid(1000);
			CHECK_ERR(syscall(SYS_pivot_root, t_path("base"), t_path("base/old")), EPERM, "  uid 1000");
			_exit(0);
		}
		waitpid(u, NULL, 0);
		chdir("/");
		SAY("  pivot_root(base, base/old): %s\n", rc(syscall(SYS_pivot_root, t_path("base"), t_path("base/old"))));
		char cwd[256];
		SAY("  cwd is the new root: %s\n", getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/") ? "yes" : "no");
		SAY("  /marker: %s, /old/proc: %s\n", exists("/marker"), exists("/old/proc"));
		SAY("  umount2(/old, MNT_DETACH): %s,", rc(umount2("/old", MNT_DETACH)));
		SAY(" /old/proc now: %s\n", exists("/old/proc"));
		_exit(t_failures ? 1 : 0);
	}
	SAY("pivot child %s\n", t_wait_desc(c));
	SAY("parent unaffected: base/marker %s\n", exists(t_path("base/marker")));
	c = fork();
	if (c == 0) { /* from inside a chroot whose root is a mount */
		unshare(CLONE_NEWNS);
		mkdir(t_path("jail"), 0755);
		mount("none", t_path("jail"), "tmpfs", 0, NULL);
		SAY("  chroot into a mount: %s\n", rc(chroot(t_path("jail"))));
		chdir("/");
		mkdir("/nr", 0755);
		mkdir("/sub", 0755);
		CHECK_ERR(syscall(SYS_pivot_root, "/sub", "/sub"), EBUSY, "  new_root on the chroot's mount");
		mount("none", "/nr", "tmpfs", 0, NULL);
		mkdir("/nr/old", 0755);
		int fd = open("/nr/mark2", O_CREAT | O_WRONLY, 0644);
		close(fd);
		SAY("  pivot_root(/nr, /nr/old): %s\n", rc(syscall(SYS_pivot_root, "/nr", "/nr/old")));
		SAY("  /mark2: %s, /old/nr: %s, /old/sub: %s\n", exists("/mark2"), exists("/old/nr"), exists("/old/sub"));
		_exit(t_failures ? 1 : 0);
	}
	SAY("chroot pivot child %s\n", t_wait_desc(c));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	/* never touch the host's mounts or names */
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		SAY("cannot make a private namespace: %s\n", t_errname(errno));
		return 1;
	}
	sethostname("keel-ns-test", 12);
	t_scratch();
	if (pipe(pipe_go) || pipe(pipe_back))
		return 1;
	basics();
	propagation();
	readonly();
	clone_flags();
	uts();
	setns_shared_fs();
	pivot();
	t_cleanup();
	return t_done();
}
