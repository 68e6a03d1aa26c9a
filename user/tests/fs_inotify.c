/* fs_inotify: inotify_init1 flags, inotify_add_watch masks and errors,
 * watch descriptors, the events of file and directory operations (names,
 * IN_ISDIR, rename cookies, self events, IN_IGNORED), merging of
 * identical events, short buffers, FIONREAD, poll and epoll readiness,
 * IN_ONESHOT, IN_MASK_ADD/IN_MASK_CREATE, IN_EXCL_UNLINK. */
#include "t.h"
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>

static const char *evname(uint32_t m)
{
	static char buf[256];
	static const struct { uint32_t bit; const char *n; } names[] = {
		{IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"},
		{IN_CLOSE_WRITE, "CLOSE_WRITE"}, {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
		{IN_OPEN, "OPEN"}, {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"},
		{IN_CREATE, "CREATE"}, {IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"},
		{IN_MOVE_SELF, "MOVE_SELF"}, {IN_UNMOUNT, "UNMOUNT"}, {IN_Q_OVERFLOW, "Q_OVERFLOW"},
		{IN_IGNORED, "IGNORED"}, {IN_ISDIR, "ISDIR"},
	};
	buf[0] = 0;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (m & names[i].bit) {
			if (buf[0])
				strcat(buf, "|");
			strcat(buf, names[i].n);
		}
	return buf;
}

static uint32_t last_cookie;

/* Print every queued event (the fd is non-blocking). */
static int drain(int fd, const char *what)
{
	char buf[4096] __attribute__((aligned(8)));
	int n = 0;
	SAY("-- %s\n", what);
	for (;;) {
		long r = read(fd, buf, sizeof buf);
		if (r <= 0)
			break;
		for (long off = 0; off < r;) {
			struct inotify_event *ev = (struct inotify_event *)(buf + off);
			const char *cookie = "";
			if (ev->cookie) {
				cookie = ev->cookie == last_cookie ? " cookie=same" : " cookie=new";
				last_cookie = ev->cookie;
			}
			SAY("wd=%d %s len=%u name=%s%s\n", ev->wd, evname(ev->mask), ev->len, ev->len ? ev->name : "",
			    cookie);
			off += sizeof *ev + ev->len;
			n++;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *d = t_path("d");
	mkdir(d, 0755);

	CHECK_ERR(inotify_init1(0x4), EINVAL, "init1 bad flags");
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK(fd >= 0, "inotify_init1");
	SAY("cloexec: %d nonblock: %s\n", fcntl(fd, F_GETFD), (fcntl(fd, F_GETFL) & O_NONBLOCK) ? "yes" : "no");
	int fd0 = inotify_init();
	CHECK(fd0 >= 0, "inotify_init");
	SAY("init flags: %d %s\n", fcntl(fd0, F_GETFD), (fcntl(fd0, F_GETFL) & O_NONBLOCK) ? "nonblock" : "block");

	/* errors */
	CHECK_ERR(inotify_add_watch(fd, d, 0), EINVAL, "empty mask");
	CHECK_ERR(inotify_add_watch(fd, d, IN_MASK_ADD | IN_MASK_CREATE | IN_OPEN), EINVAL, "MASK_ADD|MASK_CREATE");
	CHECK_ERR(inotify_add_watch(fd, d, IN_OPEN | 0x100000), EINVAL, "unknown bit");
	CHECK_ERR(inotify_add_watch(99, d, IN_OPEN), EBADF, "bad fd");
	int pfd[2];
	pipe(pfd);
	CHECK_ERR(inotify_add_watch(pfd[0], d, IN_OPEN), EINVAL, "not inotify fd");
	CHECK_ERR(inotify_add_watch(fd, t_path("nope"), IN_OPEN), ENOENT, "missing path");
	int f = open(t_path("file"), O_CREAT | O_WRONLY, 0644);
	close(f);
	CHECK_ERR(inotify_add_watch(fd, t_path("file"), IN_OPEN | IN_ONLYDIR), ENOTDIR, "ONLYDIR on a file");
	CHECK_ERR(inotify_rm_watch(fd, 12345), EINVAL, "rm unknown wd");
	CHECK_ERR(inotify_rm_watch(pfd[0], 1), EINVAL, "rm on a pipe");
	CHECK_ERR(inotify_rm_watch(99, 1), EBADF, "rm bad fd");
	char small[8];
	CHECK_ERR(read(fd, small, sizeof small), EAGAIN, "read empty nonblocking");

	/* a directory watch: entries and files in it */
	int wd = inotify_add_watch(fd, d, IN_ALL_EVENTS);
	SAY("dir wd: %d\n", wd);
	SAY("same inode again: %d\n", inotify_add_watch(fd, d, IN_ALL_EVENTS));
	CHECK_ERR(inotify_add_watch(fd, d, IN_ALL_EVENTS | IN_MASK_CREATE), EEXIST, "MASK_CREATE on watched");
	char p[256];
	snprintf(p, sizeof p, "%s/a", d);
	f = open(p, O_CREAT | O_RDWR, 0644);
	write(f, "hello", 5);
	write(f, "hello", 5);
	lseek(f, 0, SEEK_SET);
	read(f, small, 4);
	close(f);
	drain(fd, "create, 2 writes, read, close");

	int nr = -1;
	f = open(p, O_RDONLY);
	ioctl(fd, FIONREAD, &nr);
	SAY("FIONREAD after open: %d\n", nr);
	struct pollfd pf = {fd, POLLIN, 0};
	SAY("poll: %d revents=0x%x\n", poll(&pf, 1, 0), pf.revents);
	int ep = epoll_create1(0);
	struct epoll_event ee = {EPOLLIN, {0}}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee);
	SAY("epoll: %d\n", epoll_wait(ep, &out, 1, 0));
	CHECK_ERR(read(fd, small, sizeof small), EINVAL, "read with 8-byte buffer");
	close(f);
	drain(fd, "open, close");
	SAY("poll empty: %d\n", poll(&pf, 1, 0));

	char q[256];
	snprintf(q, sizeof q, "%s/b", d);
	rename(p, q);
	chmod(q, 0600);
	snprintf(p, sizeof p, "%s/sub", d);
	mkdir(p, 0755);
	rmdir(p);
	snprintf(p, sizeof p, "%s/ln", d);
	symlink("b", p);
	unlink(p);
	link(q, p);
	unlink(p);
	drain(fd, "rename, chmod, mkdir, rmdir, symlink, unlink, link, unlink");

	/* a file watch: self events, ATTRIB, DELETE_SELF, IGNORED */
	int fw = inotify_add_watch(fd, q, IN_ALL_EVENTS);
	SAY("file wd: %d\n", fw);
	truncate(q, 2);
	setxattr(q, "user.k", "v", 1, 0);
	f = open(q, O_WRONLY | O_TRUNC);
	close(f);
	snprintf(p, sizeof p, "%s/c", t_dir);
	rename(q, p);
	drain(fd, "truncate, setxattr, O_TRUNC open, rename out");
	unlink(p);
	drain(fd, "unlink watched file");

	/* rm_watch */
	SAY("rm_watch: %d\n", inotify_rm_watch(fd, wd));
	CHECK_ERR(inotify_rm_watch(fd, wd), EINVAL, "rm twice");
	drain(fd, "rm_watch");
	snprintf(p, sizeof p, "%s/x", d);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	drain(fd, "after rm_watch (none)");

	/* oneshot, mask add, new wd numbers */
	int w2 = inotify_add_watch(fd, d, IN_CREATE | IN_ONESHOT);
	SAY("new wd after rm: %d\n", w2);
	snprintf(p, sizeof p, "%s/y", d);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof p, "%s/z", d);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	drain(fd, "oneshot: two creates");
	int w3 = inotify_add_watch(fd, d, IN_DELETE);
	SAY("mask add same wd: %d\n", inotify_add_watch(fd, d, IN_CREATE | IN_MASK_ADD) == w3);
	unlink(p);
	snprintf(p, sizeof p, "%s/w", d);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	SAY("replace mask: %d\n", inotify_add_watch(fd, d, IN_DELETE) == w3);
	snprintf(q, sizeof q, "%s/v", d);
	close(open(q, O_CREAT | O_WRONLY, 0644));
	unlink(q);
	drain(fd, "delete, mask add create, create, replace, create+delete");

	/* IN_EXCL_UNLINK: no events from an unlinked open file */
	int w4 = inotify_add_watch(fd, d, IN_MODIFY | IN_EXCL_UNLINK);
	f = open(p, O_WRONLY);
	write(f, "a", 1);
	unlink(p);
	write(f, "b", 1);
	close(f);
	drain(fd, "EXCL_UNLINK: write, unlink, write");

	/* the watched directory goes: IN_DELETE_SELF without IN_ISDIR */
	inotify_rm_watch(fd, w4);
	drain(fd, "rm_watch");
	int w6 = inotify_add_watch(fd, d, IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB);
	(void)w6;
	chmod(d, 0700);
	snprintf(p, sizeof p, "%s/d2", t_dir);
	rename(d, p);
	rename(p, d);
	t_rmtree(d);
	drain(fd, "remove the watched directory");

	/* short buffer for an event with a name: EINVAL */
	int w5 = inotify_add_watch(fd, t_dir, IN_CREATE);
	(void)w5;
	snprintf(p, sizeof p, "%s/a-longer-name", t_dir);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	char hdr[sizeof(struct inotify_event) + 4];
	CHECK_ERR(read(fd, hdr, sizeof hdr), EINVAL, "buffer shorter than the padded name");
	ioctl(fd, FIONREAD, &nr);
	SAY("FIONREAD: %d\n", nr);
	drain(fd, "create with name");

	/* a bounded queue: max_queued_events applies to instances made after */
	FILE *mq = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	int oldmax = 0;
	if (mq) {
		fscanf(mq, "%d", &oldmax);
		fclose(mq);
	}
	SAY("max_queued_events read: %s\n", oldmax > 0 ? "yes" : "no");
	mq = fopen("/proc/sys/fs/inotify/max_queued_events", "w");
	if (mq) {
		fprintf(mq, "4\n");
		fclose(mq);
	}
	int fq = inotify_init1(IN_NONBLOCK);
	mq = fopen("/proc/sys/fs/inotify/max_queued_events", "w");
	if (mq) {
		fprintf(mq, "%d\n", oldmax);
		fclose(mq);
	}
	mq = fopen("/proc/sys/fs/inotify/max_queued_events", "w");
	SAY("negative max rejected: %s\n", mq && fprintf(mq, "-1\n") > 0 && fflush(mq) != 0 ? "yes" : "no");
	if (mq)
		fclose(mq);
	inotify_add_watch(fq, t_dir, IN_CREATE | IN_DELETE);
	for (int i = 0; i < 8; i++) {
		snprintf(p, sizeof p, "%s/q%d", t_dir, i);
		close(open(p, O_CREAT | O_WRONLY, 0644));
	}
	ioctl(fq, FIONREAD, &nr);
	SAY("FIONREAD with overflow: %d\n", nr);
	drain(fq, "8 creates into a queue of 4");
	close(fq);
	struct { const char *n; } knobs[] = {{"max_user_instances"}, {"max_user_watches"}};
	for (int i = 0; i < 2; i++) {
		char kp[128];
		int v = 0;
		snprintf(kp, sizeof kp, "/proc/sys/fs/inotify/%s", knobs[i].n);
		FILE *kf = fopen(kp, "r");
		SAY("%s: %s\n", knobs[i].n, kf && fscanf(kf, "%d", &v) == 1 && v > 0 ? "positive" : "missing");
		if (kf)
			fclose(kf);
	}

	/* blocking read woken by a child */
	int wb = inotify_add_watch(fd0, t_dir, IN_CREATE);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		snprintf(p, sizeof p, "%s/child", t_dir);
		close(open(p, O_CREAT | O_WRONLY, 0644));
		_exit(0);
	}
	char big[512] __attribute__((aligned(8)));
	long r = read(fd0, big, sizeof big);
	struct inotify_event *ev = (struct inotify_event *)big;
	SAY("blocking read: %ld wd=%d %s %s\n", r, ev->wd == wb, evname(ev->mask), ev->name);
	waitpid(c, NULL, 0);
	close(fd0);
	close(fd);
	t_cleanup();
	return t_done();
}
