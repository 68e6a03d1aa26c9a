/* fs_lease: file leases (fcntl F_SETLEASE/F_GETLEASE). The rules for
 * taking one (the type, regular files only, the file's owner or root, no
 * writer for a read lease, no other opener for a write lease, no write
 * lease beside another lease, F_UNLCK without a lease); breaking one: an
 * O_NONBLOCK open that conflicts gets EWOULDBLOCK and signals the holder
 * (plain SIGIO, or the F_SETSIG signal with si_code POLL_MSG and si_fd),
 * F_GETLEASE then shows where the break goes, a blocking open waits until
 * the holder downgrades or unlocks, or until lease-break-time passes
 * (/proc/sys/fs/lease-break-time, set to 1 s here and put back); truncate
 * breaks as an open for writing; the last close drops the lease. */
#include "t.h"
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

static volatile int got, got_sig, got_code, got_fd;
static volatile long got_band;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got++;
	got_sig = sig;
	got_code = si->si_code;
	got_fd = si->si_fd;
	got_band = si->si_band;
}

static const char *lname(int t)
{
	return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?";
}

static const char *rc(long r) { return r == -1 ? t_errname(errno) : "ok"; }

/* Wait (up to 5 s) for the holder's signal. */
static void await_signal(const char *what, int fd)
{
	for (int i = 0; i < 500 && !got; i++)
		usleep(10000);
	if (!got) {
		SAY("%s: no signal\n", what);
		return;
	}
	SAY("%s: %s code %s", what, got_sig == SIGIO ? "SIGIO" : got_sig == SIGRTMIN ? "SIGRTMIN" : "other",
	    got_code == SI_KERNEL ? "SI_KERNEL" : got_code == POLL_MSG ? "POLL_MSG" : "other");
	if (got_code == POLL_MSG)
		SAY(" fd %s band %#lx", got_fd == fd ? "right" : "wrong", got_band);
	SAY("\n");
	got = 0;
}

/* A child opens p with flags and reports; it exits 0 if the open worked. */
static pid_t opener(const char *p, int flags, const char *what)
{
	pid_t c = fork();
	if (c == 0) {
		int fd = open(p, flags);
		SAY("%s: %s\n", what, rc(fd));
		_exit(fd >= 0 ? 0 : 1);
	}
	return c;
}

static int break_time(int v)
{
	char buf[32];
	int fd = open("/proc/sys/fs/lease-break-time", O_RDWR);
	if (fd < 0)
		return -1;
	int n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	if (v >= 0) {
		char w[16];
		int k = snprintf(w, sizeof w, "%d\n", v);
		pwrite(fd, w, k, 0);
	}
	close(fd);
	return atoi(buf);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigaction(SIGIO, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	const char *p = t_path("f");
	close(open(p, O_CREAT | O_WRONLY, 0644));

	/* taking one */
	int r = open(p, O_RDONLY);
	SAY("F_GETLEASE without a lease: %s\n", lname(fcntl(r, F_GETLEASE)));
	CHECK_ERR(fcntl(r, F_SETLEASE, 7), EINVAL, "F_SETLEASE type 7");
	CHECK_ERR(fcntl(r, F_SETLEASE, F_UNLCK), EAGAIN, "F_UNLCK without a lease");
	int pp[2];
	pipe(pp);
	CHECK_ERR(fcntl(pp[0], F_SETLEASE, F_RDLCK), EINVAL, "a lease on a pipe");
	int d = open(t_dir, O_RDONLY | O_DIRECTORY);
	CHECK_ERR(fcntl(d, F_SETLEASE, F_RDLCK), EINVAL, "a lease on a directory");
	close(d);
	CHECK_ERR(fcntl(99, F_SETLEASE, F_RDLCK), EBADF, "a lease on a bad fd");
	SAY("F_RDLCK on the only (read-only) open: %s\n", rc(fcntl(r, F_SETLEASE, F_RDLCK)));
	SAY("F_GETLEASE: %s\n", lname(fcntl(r, F_GETLEASE)));
	SAY("F_GETOWN is now the setter: %s\n", fcntl(r, F_GETOWN) == getpid() ? "yes" : "no");
	SAY("upgrade to F_WRLCK (sole opener): %s\n", rc(fcntl(r, F_SETLEASE, F_WRLCK)));
	SAY("F_GETLEASE: %s\n", lname(fcntl(r, F_GETLEASE)));
	int r2 = open(p, O_RDONLY | O_NONBLOCK);
	SAY("another read-only open against the write lease: %s\n", rc(r2));
	await_signal("  the holder hears", r);
	SAY("  F_GETLEASE while broken: %s\n", lname(fcntl(r, F_GETLEASE)));
	SAY("  downgrade to F_RDLCK: %s\n", rc(fcntl(r, F_SETLEASE, F_RDLCK)));
	SAY("  F_GETLEASE: %s\n", lname(fcntl(r, F_GETLEASE)));
	r2 = open(p, O_RDONLY | O_NONBLOCK);
	SAY("a read-only open beside the read lease: %s\n", rc(r2));
	SAY("a second read lease on that open: %s\n", rc(fcntl(r2, F_SETLEASE, F_RDLCK)));
	CHECK_ERR(fcntl(r, F_SETLEASE, F_WRLCK), EAGAIN, "a write lease with another opener");
	SAY("unlock one: %s\n", rc(fcntl(r2, F_SETLEASE, F_UNLCK)));
	SAY("unlock it again: %s\n", rc(fcntl(r2, F_SETLEASE, F_UNLCK)));
	close(r2);
	int w = open(p, O_RDWR | O_NONBLOCK);
	SAY("an open for writing against the read lease: %s\n", rc(w));
	await_signal("  the holder hears", r);
	SAY("  F_GETLEASE while broken: %s\n", lname(fcntl(r, F_GETLEASE)));
	SAY("  unlock: %s\n", rc(fcntl(r, F_SETLEASE, F_UNLCK)));
	w = open(p, O_RDWR);
	SAY("then the open for writing: %s\n", rc(w));
	CHECK_ERR(fcntl(r, F_SETLEASE, F_RDLCK), EAGAIN, "a read lease while someone writes");
	CHECK_ERR(fcntl(w, F_SETLEASE, F_RDLCK), EAGAIN, "a read lease on the writer's own open");
	close(r);
	SAY("a write lease on an O_RDWR sole opener: %s\n", rc(fcntl(w, F_SETLEASE, F_WRLCK)));
	fcntl(w, F_SETLEASE, F_UNLCK);
	close(w);

	/* not the owner */
	pid_t c = fork();
	if (c == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(3);
		int fd = open(p, O_RDONLY);
		SAY("another user's file: %s\n", rc(fcntl(fd, F_SETLEASE, F_RDLCK)));
		_exit(0);
	}
	waitpid(c, NULL, 0);

	/* a blocking breaker waits for the holder (F_SETSIG: siginfo) */
	r = open(p, O_RDONLY);
	fcntl(r, F_SETSIG, SIGRTMIN);
	fcntl(r, F_SETLEASE, F_WRLCK);
	c = opener(p, O_RDONLY, "child: blocking read-only open");
	await_signal("the holder hears", r);
	SAY("F_GETLEASE: %s\n", lname(fcntl(r, F_GETLEASE)));
	fcntl(r, F_SETLEASE, F_RDLCK);
	int st;
	waitpid(c, &st, 0);
	SAY("child done after the downgrade: %s\n", t_wait_desc(c) ? "yes" : "no");
	c = opener(p, O_WRONLY, "child: blocking open for writing");
	await_signal("the holder hears", r);
	fcntl(r, F_SETLEASE, F_UNLCK);
	waitpid(c, &st, 0);
	SAY("F_GETLEASE after the unlock: %s\n", lname(fcntl(r, F_GETLEASE)));
	SAY("the unlock cleared F_SETSIG and the owner: %d %d\n", fcntl(r, F_GETSIG), fcntl(r, F_GETOWN));

	/* nobody answers: lease-break-time (a global knob: runs of this test
	 * on one host take turns with a lock on the knob's file) */
	int knob = open("/proc/sys/fs/lease-break-time", O_RDONLY);
	SAY("lock the knob: %s\n", rc(flock(knob, LOCK_EX)));
	int old = break_time(1);
	SAY("lease-break-time was 45: %s\n", old == 45 ? "yes" : "no");
	SAY("now reads 1: %s\n", break_time(-1) == 1 ? "yes" : "no");
	fcntl(r, F_SETLEASE, F_RDLCK);
	c = opener(p, O_WRONLY, "child: open for writing, holder silent");
	await_signal("the holder hears", r);
	waitpid(c, &st, 0);
	SAY("F_GETLEASE after the break time: %s\n", lname(fcntl(r, F_GETLEASE)));
	fcntl(r, F_SETLEASE, F_RDLCK);
	c = fork();
	if (c == 0) {
		SAY("child: truncate: %s\n", rc(truncate(p, 0)));
		_exit(0);
	}
	await_signal("truncate: the holder hears", r);
	waitpid(c, &st, 0);
	SAY("F_GETLEASE after the truncate: %s\n", lname(fcntl(r, F_GETLEASE)));
	break_time(old);
	flock(knob, LOCK_UN);
	close(knob);
	int fd = open("/proc/sys/fs/lease-break-time", O_WRONLY);
	CHECK_ERR(write(fd, "x\n", 2), EINVAL, "lease-break-time: not a number");
	close(fd);

	/* the last close drops it */
	fcntl(r, F_SETLEASE, F_RDLCK);
	int r3 = dup(r);
	close(r);
	SAY("after closing one of two descriptors: %s\n", lname(fcntl(r3, F_GETLEASE)));
	close(r3);
	w = open(p, O_WRONLY | O_NONBLOCK);
	SAY("after the last close, an open for writing: %s\n", rc(w));
	close(w);
	SAY("no stray signal: %s\n", got ? "no" : "yes");
	return t_done();
}
