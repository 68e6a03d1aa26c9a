/* fs_locks: POSIX record locks between processes: F_GETLK reports the
 * conflicting lock (type, range, pid), F_SETLK fails with EAGAIN on a
 * conflict, read locks share, a process's own locks split and merge,
 * closing any descriptor of the file drops them, exit drops them, F_SETLKW
 * waits for the holder and is interrupted by a signal (EINTR). */
#include "t.h"
#include <signal.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

static const char *tname(short t) { return t == F_RDLCK ? "RD" : t == F_WRLCK ? "WR" : t == F_UNLCK ? "UN" : "?"; }

/* F_GETLK for a write lock on [start, start+len) as seen from this process. */
static void show(int fd, const char *label, off_t start, off_t len, pid_t holder)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	int r = fcntl(fd, F_GETLK, &fl);
	if (fl.l_type == F_UNLCK)
		SAY("%s: r=%d unlocked\n", label, r);
	else
		SAY("%s: r=%d %s start=%ld len=%ld pid %s\n", label, r, tname(fl.l_type), (long)fl.l_start, (long)fl.l_len,
		    fl.l_pid == holder ? "holder" : "other");
}

static void on_alarm(int s) { (void)s; }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *path = t_path("f");
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	write(fd, "0123456789", 10);
	int go[2], done[2];
	pipe(go);
	pipe(done);
	char c;
	/* the parent holds WR [0,10) and RD [20,30) */
	CHECK(lk(fd, F_SETLK, F_WRLCK, 0, 10) == 0, "parent write lock 0-9");
	CHECK(lk(fd, F_SETLK, F_RDLCK, 20, 10) == 0, "parent read lock 20-29");
	show(fd, "own locks never conflict", 0, 100, getpid());
	pid_t parent = getpid();
	pid_t ch = fork();
	if (ch == 0) {
		int f2 = open(path, O_RDWR);
		show(f2, "child sees", 0, 0, parent);
		show(f2, "child sees at 5", 5, 1, parent);
		show(f2, "child sees 10-19", 10, 10, parent);
		show(f2, "child sees 25", 25, 1, parent);
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 25, .l_len = 1 };
		fcntl(f2, F_GETLK, &fl);
		SAY("child read lock test at 25: %s\n", tname(fl.l_type));
		CHECK_ERR(lk(f2, F_SETLK, F_WRLCK, 5, 1), EAGAIN, "child write 5");
		CHECK_ERR(lk(f2, F_SETLK, F_RDLCK, 9, 2), EAGAIN, "child read 9-10");
		CHECK(lk(f2, F_SETLK, F_RDLCK, 20, 5) == 0, "child read 20-24 shares");
		CHECK_ERR(lk(f2, F_SETLK, F_WRLCK, 28, 5), EAGAIN, "child write 28-32");
		CHECK(lk(f2, F_SETLK, F_WRLCK, 40, 0) == 0, "child write 40-EOF");
		write(done[1], "x", 1);
		read(go[0], &c, 1);
		/* the parent unlocked 3-5 and closed a dup: now all gone */
		show(f2, "child after parent close", 0, 40, parent);
		/* blocking: the parent holds WR 0-9 again; it releases in 100ms */
		write(done[1], "y", 1);
		read(go[0], &c, 1);
		long long t0 = t_now_ms();
		int r = lk(f2, F_SETLKW, F_WRLCK, 0, 1);
		SAY("child F_SETLKW waited: r=%d waited=%s\n", r, t_now_ms() - t0 >= 50 ? "yes" : "no");
		write(done[1], "z", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	read(done[0], &c, 1);
	show(fd, "parent sees child 40-EOF", 40, 5, ch);
	show(fd, "parent sees child read 20-24", 20, 5, ch);
	/* split own lock: unlock 3-5 */
	CHECK(lk(fd, F_SETLK, F_UNLCK, 3, 3) == 0, "parent unlock 3-5");
	int d = dup(fd);
	close(d); /* closing any descriptor drops all the process's locks */
	write(go[1], "g", 1);
	read(done[0], &c, 1);
	CHECK(lk(fd, F_SETLK, F_WRLCK, 0, 10) == 0, "parent write lock 0-9 again");
	write(go[1], "g", 1);
	usleep(100000);
	show(fd, "parent while child waits", 0, 1, ch);
	lk(fd, F_SETLK, F_UNLCK, 0, 10);
	read(done[0], &c, 1);
	show(fd, "parent sees child's waited lock", 0, 1, ch);
	CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, 0, 1), EAGAIN, "parent blocked by child");
	/* F_SETLKW interrupted by a signal */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	CHECK_ERR(lk(fd, F_SETLKW, F_WRLCK, 0, 1), EINTR, "F_SETLKW interrupted");
	write(go[1], "g", 1);
	waitpid(ch, NULL, 0);
	show(fd, "after child exit", 0, 0, ch);
	/* merging: two adjacent own read locks are one for others */
	lk(fd, F_SETLK, F_RDLCK, 0, 5);
	lk(fd, F_SETLK, F_RDLCK, 5, 5);
	ch = fork();
	if (ch == 0) {
		int f2 = open(path, O_RDWR);
		show(f2, "merged", 0, 100, parent);
		lk(f2, F_SETLK, F_UNLCK, 0, 0);
		_exit(0);
	}
	waitpid(ch, NULL, 0);
	/* wrong mode and bad arguments */
	int ro = open(path, O_RDONLY);
	CHECK_ERR(lk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF, "write lock on O_RDONLY");
	CHECK_ERR(lk(fd, F_SETLK, 7, 0, 1), EINVAL, "bad type");
	struct flock bad = { .l_type = F_WRLCK, .l_whence = 9 };
	CHECK_ERR(fcntl(fd, F_SETLK, &bad), EINVAL, "bad whence");
	CHECK_ERR(lk(fd, F_SETLK, F_WRLCK, -5, 1), EINVAL, "negative start");
	struct flock ul = { .l_type = F_UNLCK };
	CHECK_ERR(fcntl(fd, F_GETLK, &ul), EINVAL, "F_GETLK with F_UNLCK");
	t_cleanup();
	return t_done();
}
