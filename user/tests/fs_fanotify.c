/* fs_fanotify: fanotify_init and fanotify_mark argument checks; inode,
 * directory (FAN_EVENT_ON_CHILD, FAN_ONDIR), mount and file-system marks;
 * events carrying a descriptor of the object (opened for the listener,
 * read-only here, causing no events itself) and the pid, unread events of
 * one process on one file merged; ignore masks and their clearing by a
 * modification; FIONREAD; FAN_MARK_REMOVE and FAN_MARK_FLUSH; permission
 * events (FAN_OPEN_PERM, FAN_ACCESS_PERM) allowed, denied (EPERM) or
 * released by the listener's close; the response's checks. */
#include "t.h"
#include <signal.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifndef FAN_REPORT_PIDFD
#define FAN_REPORT_PIDFD 0x80
#endif

static int fan;
static struct stat st_f, st_g, st_dir;

static const char *obj(int fd)
{
	struct stat s;
	if (fd < 0)
		return "no fd";
	if (fstat(fd, &s) != 0)
		return "bad fd";
	int acc = fcntl(fd, F_GETFL) & O_ACCMODE;
	const char *a = acc == O_RDONLY ? "" : " (not read-only)";
	static char buf[64];
	const char *n = s.st_ino == st_f.st_ino ? "f" : s.st_ino == st_g.st_ino ? "g" : s.st_ino == st_dir.st_ino ? "dir" : "other";
	snprintf(buf, sizeof buf, "%s%s", n, a);
	return buf;
}

/* Print and close every queued event. */
static void drain(const char *when, pid_t who)
{
	char buf[4096];
	SAY("%s:", when);
	int n = read(fan, buf, sizeof buf), k = 0;
	if (n < 0) {
		SAY(" %s\n", t_errname(errno));
		return;
	}
	for (struct fanotify_event_metadata *m = (void *)buf; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
		SAY(" [mask %#llx %s pid %s vers %d len %d]", (unsigned long long)m->mask, obj(m->fd),
		    m->pid == who ? "right" : "wrong", m->vers, m->event_len);
		if (m->fd >= 0)
			close(m->fd);
		k++;
	}
	SAY(" (%d)\n", k);
}

static void touch(const char *p, int flags)
{
	char c = 'x';
	int fd = open(p, flags);
	if (fd < 0)
		return;
	if ((flags & O_ACCMODE) == O_RDONLY)
		read(fd, &c, 1);
	else
		write(fd, &c, 1);
	close(fd);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *f = t_path("f"), *g = t_path("g"), *sub = t_path("sub");
	close(open(f, O_CREAT | O_WRONLY, 0644));
	close(open(g, O_CREAT | O_WRONLY, 0644));
	mkdir(sub, 0755);
	stat(f, &st_f);
	stat(g, &st_g);
	stat(t_dir, &st_dir);

	CHECK_ERR(fanotify_init(0x40000000, O_RDONLY), EINVAL, "init: unknown flag");
	CHECK_ERR(fanotify_init(FAN_CLASS_NOTIF, 3), EINVAL, "init: event flags O_ACCMODE");
	CHECK_ERR(fanotify_init(FAN_CLASS_NOTIF, O_RDONLY | O_DIRECTORY), EINVAL, "init: event flag O_DIRECTORY");
	CHECK_ERR(fanotify_init(FAN_REPORT_TID | FAN_REPORT_PIDFD, O_RDONLY), EINVAL, "init: TID with PIDFD");
	pid_t c = fork();
	if (c == 0) {
		setresuid(1000, 1000, 1000);
		CHECK_ERR(fanotify_init(FAN_CLASS_NOTIF, O_RDONLY), EPERM, "init: not root");
		_exit(0);
	}
	waitpid(c, NULL, 0);
	fan = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK | FAN_CLOEXEC, O_RDONLY | O_LARGEFILE);
	CHECK(fan >= 0, "init");
	SAY("close-on-exec: %s\n", fcntl(fan, F_GETFD) == FD_CLOEXEC ? "yes" : "no");
	drain("empty queue", 0);

	int pp[2];
	pipe(pp);
	CHECK_ERR(fanotify_mark(fan, 0x800000, FAN_OPEN, AT_FDCWD, f), EINVAL, "mark: unknown flag");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_ADD, 0, AT_FDCWD, f), EINVAL, "mark: empty mask");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, f), EINVAL, "mark: add and remove");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_FLUSH | FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, f), EINVAL, "mark: flush with add");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, f), EINVAL,
		  "mark: mount and filesystem");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_ADD, 1ULL << 32, AT_FDCWD, f), EINVAL, "mark: bits above 32");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, f), EINVAL, "mark: permission event, notif class");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_ADD, FAN_ATTRIB, AT_FDCWD, f), EINVAL, "mark: FAN_ATTRIB without fid");
	CHECK_ERR(fanotify_mark(99, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, f), EBADF, "mark: bad fd");
	CHECK_ERR(fanotify_mark(pp[0], FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, f), EINVAL, "mark: not a fanotify fd");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_ONLYDIR, FAN_OPEN, AT_FDCWD, f), ENOTDIR, "mark: ONLYDIR on a file");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, t_path("none")), ENOENT, "mark: no such file");
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, f), ENOENT, "mark: remove without a mark");

	/* an inode mark */
	uint64_t all = FAN_OPEN | FAN_ACCESS | FAN_MODIFY | FAN_CLOSE_WRITE | FAN_CLOSE_NOWRITE;
	CHECK(fanotify_mark(fan, FAN_MARK_ADD, all, AT_FDCWD, f) == 0, "mark f");
	touch(f, O_RDONLY);
	drain("open, read, close f (merged)", getpid());
	touch(f, O_WRONLY);
	drain("open, write, close f", getpid());
	touch(g, O_RDONLY);
	drain("g is not marked", 0);
	int ff = open(f, O_RDONLY);
	char buf[16];
	read(ff, buf, 1);
	int ev[2];
	struct fanotify_event_metadata m;
	read(fan, &m, sizeof m);
	ev[0] = m.fd;
	read(ev[0], buf, 1);
	close(ev[0]);
	SAY("the event's own fd made no events: %s\n", read(fan, &m, sizeof m) < 0 && errno == EAGAIN ? "yes" : "no");
	close(ff);
	drain("close f", getpid());
	CHECK_ERR(read(fan, buf, 8), EAGAIN, "read: empty again");
	touch(f, O_RDONLY);
	CHECK_ERR(read(fan, buf, 8), EINVAL, "read: buffer smaller than an event");
	drain("after the short read", getpid());
	c = fork();
	if (c == 0) {
		touch(f, O_RDONLY);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	drain("a child's access", c);
	touch(f, O_RDONLY);
	touch(g, O_RDONLY);
	CHECK(fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, g) == 0, "mark g too");
	touch(g, O_RDONLY);
	int q = -1;
	ioctl(fan, FIONREAD, &q);
	SAY("FIONREAD with two events: %d\n", q);
	drain("f then g", getpid());
	CHECK(fanotify_mark(fan, FAN_MARK_REMOVE, all, AT_FDCWD, f) == 0, "remove f's mark");
	touch(f, O_RDONLY);
	drain("after the removal", 0);

	/* a directory: its children, and itself with FAN_ONDIR */
	CHECK(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_ONLYDIR, FAN_OPEN | FAN_EVENT_ON_CHILD, AT_FDCWD, t_dir) == 0,
	      "mark the directory for its children");
	touch(f, O_RDONLY);
	close(open(t_dir, O_RDONLY | O_DIRECTORY));
	drain("a child opened, then the directory", getpid());
	CHECK(fanotify_mark(fan, FAN_MARK_ADD, FAN_ONDIR | FAN_OPEN, AT_FDCWD, t_dir) == 0, "add FAN_ONDIR");
	close(open(t_dir, O_RDONLY | O_DIRECTORY));
	drain("the directory opened", getpid());
	/* ignore masks */
	CHECK(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK, FAN_OPEN, AT_FDCWD, f) == 0, "ignore f's opens");
	touch(f, O_RDONLY);
	drain("f opened (ignored)", 0);
	touch(f, O_WRONLY);
	touch(f, O_RDONLY);
	drain("f modified, then opened (the ignore mask went)", getpid());
	CHECK(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY, FAN_OPEN, AT_FDCWD, f) == 0,
	      "ignore f's opens, surviving modification");
	touch(f, O_WRONLY);
	touch(f, O_RDONLY);
	drain("f modified, then opened (still ignored)", getpid());
	CHECK(fanotify_mark(fan, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL) == 0, "flush inode marks");
	touch(f, O_RDONLY);
	touch(g, O_RDONLY);
	drain("after the flush", 0);

	/* mount and file-system marks */
	CHECK(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_CLOSE_WRITE, AT_FDCWD, t_dir) == 0, "mount mark");
	touch(g, O_WRONLY);
	touch(f, O_RDONLY);
	drain("g written, f read (mount mark)", getpid());
	CHECK(fanotify_mark(fan, FAN_MARK_FLUSH | FAN_MARK_MOUNT, 0, AT_FDCWD, NULL) == 0, "flush mount marks");
	CHECK(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, t_dir) == 0, "filesystem mark");
	touch(g, O_RDONLY);
	drain("g opened (filesystem mark)", getpid());
	CHECK_ERR(fanotify_mark(fan, FAN_MARK_REMOVE | FAN_MARK_MOUNT, FAN_OPEN, AT_FDCWD, t_dir), ENOENT,
		  "remove a mount mark that is not there");
	CHECK(fanotify_mark(fan, FAN_MARK_REMOVE | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, t_dir) == 0,
	      "remove the filesystem mark");
	close(fan);

	/* permission events */
	fan = fanotify_init(FAN_CLASS_CONTENT, O_RDONLY);
	CHECK(fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_ACCESS_PERM, AT_FDCWD, f) == 0, "permission mark");
	const char *wrote[2] = {"", ""};
	for (int round = 0; round < 3; round++) {
		c = fork();
		if (c == 0) {
			int fd = open(f, O_RDONLY);
			SAY("  child: open %s\n", fd < 0 ? t_errname(errno) : "ok");
			if (fd >= 0) {
				long r = read(fd, buf, 1);
				SAY("  child: read %s\n", r < 0 ? t_errname(errno) : "ok");
			}
			_exit(0);
		}
		for (int k = 0; k < (round == 0 ? 1 : 2); k++) {
			read(fan, &m, sizeof m);
			uint32_t verdict = round == 0 ? FAN_DENY : round == 1 ? FAN_ALLOW : k == 0 ? FAN_ALLOW : FAN_DENY;
			SAY("round %d: event %#llx from the child: %s, answer %s\n", round, (unsigned long long)m.mask,
			    m.pid == c ? "yes" : "no", verdict == FAN_ALLOW ? "allow" : "deny");
			struct fanotify_response bad = {m.fd, 3};
			if (round == 0) {
				CHECK_ERR(write(fan, &bad, sizeof bad), EINVAL, "response 3");
				bad.response = FAN_ALLOW;
				CHECK_ERR(write(fan, &bad, 4), EINVAL, "a short response");
				bad.fd = m.fd + 50;
				CHECK_ERR(write(fan, &bad, sizeof bad), ENOENT, "a response for another fd");
			}
			struct fanotify_response resp = {m.fd, verdict};
			wrote[k] = write(fan, &resp, sizeof resp) == sizeof resp ? "ok" : t_errname(errno);
			close(m.fd);
		}
		waitpid(c, NULL, 0);
		/* after the child: its lines and these would race */
		SAY("round %d: writes %s %s\n", round, wrote[0], round ? wrote[1] : "");
	}
	c = fork();
	if (c == 0) {
		close(fan); /* else this child keeps the group alive */
		int fd = open(f, O_RDONLY);
		SAY("  child: open with the listener gone: %s\n", fd < 0 ? t_errname(errno) : "ok");
		_exit(0);
	}
	read(fan, &m, sizeof m);
	close(m.fd);
	close(fan);
	waitpid(c, NULL, 0);
	return t_done();
}
