/* fs_ofd_locks: open-file-description locks (F_OFD_SETLK/SETLKW/GETLK)
 * belong to the open file, not the process: two opens in one process
 * conflict, a dup or a forked child shares the owner, closing another
 * descriptor of the inode keeps them, the last close drops them; they
 * conflict with POSIX locks both ways and report l_pid -1. F_SETLKW
 * refuses with EDEADLK to wait for an owner that waits for the caller. */
#include "t.h"

static int ofd(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl);
}

static void show_getlk(const char *label, int fd, int cmd, short type, off_t start, off_t len, int self)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	if (fcntl(fd, cmd, &fl) != 0) {
		SAY("%s: %s\n", label, t_errname(errno));
		return;
	}
	const char *pid = fl.l_pid == -1 ? "-1" : fl.l_pid == self ? "me" : fl.l_pid == 0 ? "0" : "other";
	SAY("%s: type %s start %ld len %ld pid %s\n", label,
	    fl.l_type == F_UNLCK ? "UNLCK" : fl.l_type == F_WRLCK ? "WRLCK" : "RDLCK", (long)fl.l_start,
	    (long)fl.l_len, fl.l_type == F_UNLCK ? "-" : pid);
}

static void ofd_basics(void)
{
	const char *f = t_path("f");
	int a = open(f, O_RDWR | O_CREAT, 0644);
	int b = open(f, O_RDWR);
	CHECK(ofd(a, F_OFD_SETLK, F_WRLCK, 0, 10) == 0, "OFD write lock on open a");
	CHECK_ERR(ofd(b, F_OFD_SETLK, F_WRLCK, 5, 10), EAGAIN, "open b of the same process conflicts");
	CHECK_ERR(ofd(b, F_OFD_SETLK, F_RDLCK, 0, 1), EAGAIN, "a read lock too");
	CHECK(ofd(b, F_OFD_SETLK, F_WRLCK, 10, 5) == 0, "b next to it");
	show_getlk("OFD_GETLK from b", b, F_OFD_GETLK, F_RDLCK, 0, 0, getpid());
	show_getlk("OFD_GETLK from a", a, F_OFD_GETLK, F_WRLCK, 0, 0, getpid());
	show_getlk("POSIX GETLK", a, F_GETLK, F_WRLCK, 0, 0, getpid());
	struct flock bad = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1};
	CHECK_ERR(fcntl(a, F_OFD_SETLK, &bad), EINVAL, "OFD lock with l_pid set");
	CHECK_ERR(fcntl(a, F_OFD_GETLK, &bad), EINVAL, "OFD_GETLK with l_pid set");
	/* POSIX locks of this process conflict with OFD locks */
	int c = open(f, O_RDWR);
	CHECK_ERR(ofd(c, F_SETLK, F_WRLCK, 0, 1), EAGAIN, "POSIX lock against an OFD lock");
	CHECK(ofd(c, F_SETLK, F_WRLCK, 20, 5) == 0, "POSIX lock beside them");
	CHECK_ERR(ofd(a, F_OFD_SETLK, F_RDLCK, 22, 1), EAGAIN, "OFD lock against a POSIX lock");
	show_getlk("OFD_GETLK of a POSIX lock", a, F_OFD_GETLK, F_WRLCK, 20, 1, getpid());
	/* a dup is the same open file: converting and relocking work */
	int d = dup(a);
	CHECK(ofd(d, F_OFD_SETLK, F_RDLCK, 0, 10) == 0, "dup converts the lock to a read lock");
	CHECK(ofd(b, F_OFD_SETLK, F_RDLCK, 0, 1) == 0, "now b can share it");
	ofd(b, F_OFD_SETLK, F_UNLCK, 0, 1);
	close(d);
	CHECK_ERR(ofd(b, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN, "closing the dup keeps the lock");
	/* closing another descriptor of the inode drops POSIX locks only */
	close(c);
	CHECK_ERR(ofd(b, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN, "closing c keeps a's OFD lock");
	CHECK(ofd(b, F_OFD_SETLK, F_WRLCK, 20, 5) == 0, "closing c dropped its POSIX lock");
	/* a forked child shares the open file a */
	pid_t k = fork();
	if (k == 0) {
		CHECK(ofd(a, F_OFD_SETLK, F_WRLCK, 0, 10) == 0, "child: the inherited open file owns the lock");
		int e = open(f, O_RDWR);
		CHECK_ERR(ofd(e, F_OFD_SETLK, F_RDLCK, 0, 1), EAGAIN, "child: its own open conflicts");
		_exit(t_failures ? 1 : 0);
	}
	SAY("child: %s\n", t_wait_desc(k));
	close(a);
	CHECK(ofd(b, F_OFD_SETLK, F_WRLCK, 0, 10) == 0, "the last close of a dropped its lock");
	close(b);
	int e = open(f, O_RDWR);
	CHECK(ofd(e, F_OFD_SETLK, F_WRLCK, 0, 0) == 0, "and b's went with b");
	close(e);
}

static void ofd_wait(void)
{
	const char *f = t_path("w");
	int a = open(f, O_RDWR | O_CREAT, 0644);
	ofd(a, F_OFD_SETLK, F_WRLCK, 0, 1);
	int sync[2];
	pipe(sync);
	pid_t k = fork();
	if (k == 0) {
		int b = open(f, O_RDWR);
		write(sync[1], "s", 1);
		int r = ofd(b, F_OFD_SETLKW, F_WRLCK, 0, 1);
		SAY("child: OFD_SETLKW returned %d after the parent unlocked\n", r);
		_exit(0);
	}
	char c;
	read(sync[0], &c, 1);
	usleep(100000); /* the child is (most likely) waiting; either way the result is the same */
	ofd(a, F_OFD_SETLK, F_UNLCK, 0, 1);
	SAY("waiter: %s\n", t_wait_desc(k));
	close(a);
}

static void deadlock(void)
{
	const char *f = t_path("d");
	int fd = open(f, O_RDWR | O_CREAT, 0644);
	CHECK(ofd(fd, F_SETLK, F_WRLCK, 0, 1) == 0, "parent locks byte 0");
	int go[2], back[2];
	pipe(go);
	pipe(back);
	pid_t k = fork();
	if (k == 0) {
		int cfd = open(f, O_RDWR);
		ofd(cfd, F_SETLK, F_WRLCK, 1, 1);
		write(back[1], "l", 1);
		/* wait for byte 0, which the parent holds */
		int r = ofd(cfd, F_SETLKW, F_WRLCK, 0, 1);
		SAY("child: got byte 0: %s\n", r == 0 ? "yes" : t_errname(errno));
		_exit(0);
	}
	char c;
	read(back[0], &c, 1);
	/* the child is about to wait for byte 0 (or waits already) */
	char path[64], st[512];
	snprintf(path, sizeof path, "/proc/%d/stat", k);
	for (int tries = 0; tries < 3000; tries++) {
		int sfd = open(path, O_RDONLY);
		ssize_t n = sfd >= 0 ? read(sfd, st, sizeof st - 1) : -1;
		close(sfd);
		st[n > 0 ? n : 0] = 0;
		char *rp = strrchr(st, ')');
		if (rp && rp[2] == 'S')
			break;
		usleep(1000);
	}
	CHECK_ERR(ofd(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK, "parent waiting for the child's byte 1: EDEADLK");
	CHECK_ERR(ofd(fd, F_SETLK, F_WRLCK, 1, 1), EAGAIN, "F_SETLK of it: EAGAIN");
	ofd(fd, F_SETLK, F_UNLCK, 0, 1);
	SAY("child: %s\n", t_wait_desc(k));
	/* OFD locks take no part in deadlock detection: a non-blocking probe */
	int o = open(f, O_RDWR);
	CHECK(ofd(o, F_OFD_SETLK, F_WRLCK, 5, 1) == 0, "OFD lock after the cycle is gone");
	close(o);
	close(fd);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	ofd_basics();
	ofd_wait();
	deadlock();
	t_cleanup();
	return t_done();
}
