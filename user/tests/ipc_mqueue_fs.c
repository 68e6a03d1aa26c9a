/* ipc_mqueue_fs: the mqueue file system (mq_overview(7)): mounted, every
 * queue is a file of its root (readdir, stat with the queue's mode,
 * owner and size 80, the same inode as the descriptor), chmod and chown
 * change who may mq_open it, reading the file gives the QSIZE line,
 * open(2) of the file is a queue descriptor (poll, mq_receive), creating
 * a file makes a queue with the default attributes, unlink(2) is
 * mq_unlink, and what the file system does not have (directories, links,
 * renames) fails as Linux's. Runs in its own IPC namespace where it can
 * (the host), so the root shows only this test's queues. */
#include "t.h"
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#define MQUEUE_MAGIC 0x19800202

static char dir[256];
static int mounted_here;

static void find_mount(void)
{
	struct statfs sf;
	if (statfs("/dev/mqueue", &sf) == 0 && sf.f_type == MQUEUE_MAGIC) {
		snprintf(dir, sizeof dir, "/dev/mqueue");
	} else {
		snprintf(dir, sizeof dir, "%s", t_path("mq"));
		mkdir(dir, 0755);
		if (mount("none", dir, "mqueue", 0, NULL) != 0)
			CHECK(0, "mount -t mqueue");
		mounted_here = 1;
	}
	CHECK(statfs(dir, &sf) == 0 && sf.f_type == MQUEUE_MAGIC, "statfs type is mqueue");
	SAY("f_bsize %ld f_namelen %ld\n", (long)sf.f_bsize, (long)sf.f_namelen);
	struct stat st;
	CHECK(stat(dir, &st) == 0, "stat root");
	SAY("root mode %o uid %u gid %u\n", st.st_mode, st.st_uid, st.st_gid);
}

static const char *at(const char *leaf)
{
	static char buf[4][300];
	static int i;
	char *p = buf[i++ & 3];
	snprintf(p, 300, "%s/%s", dir, leaf);
	return p;
}

/* The root's entries starting with "kt", sorted, on one line. */
static void list(const char *label)
{
	char names[16][300];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	int dots = 0;
	while (d && (de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			dots++;
		else if (!strncmp(de->d_name, "kt", 2) && n < 16) {
			snprintf(names[n], 300, "%s(%s)", de->d_name, de->d_type == DT_REG ? "reg" : "?");
			n++;
		}
	}
	if (d)
		closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char tmp[300];
			memcpy(tmp, names[j], 300);
			memcpy(names[j], names[j - 1], 300);
			memcpy(names[j - 1], tmp, 300);
		}
	SAY("%s: dots %d,", label, dots);
	for (int i = 0; i < n; i++)
		SAY(" %s", names[i]);
	SAY("\n");
}

static void show_file(const char *label, const char *path)
{
	char buf[200] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *pid = strstr(buf, "NOTIFY_PID:");
	int mine = pid && atoi(pid + 11) == (int)getpid();
	if (pid)
		*pid = 0;
	SAY("%s: [%s] pid is mine: %s (len %zd)\n", label, buf, mine ? "yes" : "no", n);
}

static void files(void)
{
	struct mq_attr a = {0};
	a.mq_maxmsg = 4;
	a.mq_msgsize = 64;
	umask(022);
	mqd_t q = mq_open("/kt_a", O_CREAT | O_EXCL | O_RDWR, 0664, &a);
	CHECK(q >= 0, "mq_open creates kt_a");
	list("after mq_open");
	struct stat st, fst;
	CHECK(stat(at("kt_a"), &st) == 0, "stat kt_a");
	SAY("kt_a: mode %o nlink %lu uid %u gid %u size %ld\n", st.st_mode, (unsigned long)st.st_nlink, st.st_uid,
	    st.st_gid, (long)st.st_size);
	CHECK(fstat(q, &fst) == 0 && fst.st_ino == st.st_ino && fst.st_dev == st.st_dev, "descriptor is that inode");
	CHECK_ERR(mq_open("/kt_a", O_CREAT | O_EXCL | O_RDWR, 0600, NULL), EEXIST, "O_EXCL sees the file");

	mq_send(q, "hello", 5, 1);
	mq_send(q, "goodbye", 7, 3);
	show_file("two messages", at("kt_a"));
	struct sigevent ev = {0};
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	signal(SIGUSR1, SIG_IGN);
	CHECK(mq_notify(q, &ev) == 0, "mq_notify");
	show_file("registered", at("kt_a"));
	mq_notify(q, NULL);

	int fd = open(at("kt_a"), O_RDWR);
	CHECK(fd >= 0, "open(2) the queue file");
	struct pollfd p = {fd, POLLIN | POLLOUT, 0};
	int pr = poll(&p, 1, 0);
	SAY("poll: %d revents %#x\n", pr, p.revents);
	char buf[64];
	static char big[8192];
	unsigned prio = 0;
	ssize_t n = mq_receive(fd, buf, sizeof buf, &prio);
	SAY("mq_receive on it: %zd prio %u %.*s\n", n, prio, (int)(n > 0 ? n : 0), buf);
	n = mq_receive(fd, buf, sizeof buf, &prio);
	p.revents = 0;
	pr = poll(&p, 1, 0);
	SAY("drained: poll %d revents %#x\n", pr, p.revents);
	CHECK_ERR(write(fd, "x", 1), EINVAL, "write(2) on a queue file");
	close(fd);
	show_file("empty", at("kt_a"));

	CHECK(chmod(at("kt_a"), 0600) == 0, "chmod 0600");
	CHECK(chown(at("kt_a"), 4321, 4321) == 0, "chown 4321");
	CHECK(stat(at("kt_a"), &st) == 0, "stat again");
	SAY("now mode %o uid %u gid %u\n", st.st_mode, st.st_uid, st.st_gid);
	CHECK(fstat(q, &fst) == 0 && fst.st_mode == st.st_mode && fst.st_uid == 4321, "descriptor sees it");
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(1234) || setuid(1234))
			_exit(3);
		mqd_t r = mq_open("/kt_a", O_RDONLY);
		int e = errno;
		_exit(r == (mqd_t)-1 && e == EACCES ? 0 : 1);
	}
	SAY("other user refused: %s\n", t_wait_desc(pid));
	pid = fork();
	if (pid == 0) {
		if (setgid(4321) || setuid(4321))
			_exit(3);
		mqd_t r = mq_open("/kt_a", O_RDONLY);
		_exit(r == (mqd_t)-1 ? 1 : 0);
	}
	SAY("new owner may open: %s\n", t_wait_desc(pid));

	/* a file made in the file system is a queue with the defaults */
	fd = open(at("kt_b"), O_CREAT | O_EXCL | O_RDWR, 0640);
	CHECK(fd >= 0, "open(O_CREAT) in the file system");
	struct mq_attr ga;
	CHECK(mq_getattr(fd, &ga) == 0, "mq_getattr on it");
	SAY("kt_b attr maxmsg %ld msgsize %ld\n", ga.mq_maxmsg, ga.mq_msgsize);
	mqd_t qb = mq_open("/kt_b", O_WRONLY);
	CHECK(qb >= 0, "mq_open finds kt_b");
	CHECK(mq_send(qb, "via", 3, 0) == 0 && mq_receive(fd, big, sizeof big, NULL) == 3, "the same queue");
	list("both");
	CHECK(unlink(at("kt_b")) == 0, "unlink(2) kt_b");
	CHECK_ERR(mq_open("/kt_b", O_RDWR), ENOENT, "mq_open after unlink");
	CHECK(mq_send(qb, "x", 1, 0) == 0, "open descriptor still works");
	close(fd);
	mq_close(qb);

	CHECK_ERR(mkdir(at("kt_d"), 0755), EPERM, "mkdir");
	CHECK_ERR(link(at("kt_a"), at("kt_l")), EPERM, "link");
	CHECK_ERR(symlink("kt_a", at("kt_s")), EPERM, "symlink");
	CHECK_ERR(rename(at("kt_a"), at("kt_r")), EPERM, "rename");
	CHECK_ERR(open(at("kt_missing"), O_RDONLY), ENOENT, "open missing");

	CHECK(mq_unlink("/kt_a") == 0, "mq_unlink kt_a");
	CHECK_ERR(stat(at("kt_a"), &st), ENOENT, "file gone");
	list("after unlink");
	CHECK(mq_send(q, "still", 5, 0) == 0 && mq_receive(q, buf, sizeof buf, NULL) == 5, "queue lives while open");
	mq_close(q);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	(void)unshare(CLONE_NEWIPC); /* the host: a private queue name space */
	mq_unlink("/kt_a");
	mq_unlink("/kt_b");
	find_mount();
	files();
	if (mounted_here && umount(dir) != 0)
		CHECK(0, "umount");
	t_cleanup();
	return t_done();
}
