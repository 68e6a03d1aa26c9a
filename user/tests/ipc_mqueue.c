/* ipc_mqueue: POSIX message queues (mq_overview(7)): name rules,
 * O_CREAT/O_EXCL, attribute limits, permissions, priority order (FIFO
 * within a priority), EMSGSIZE, EAGAIN, ETIMEDOUT, EINTR, a receiver
 * woken by another process, mq_notify (SIGEV_SIGNAL with SI_MESGQ and the
 * value, SIGEV_NONE, EBUSY, removal), mq_getsetattr, and the descriptor
 * as a file: read() status line, poll readiness, fork inheritance. */
#include "t.h"
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>

static char qname[64], qname2[64];

static const char *rc(long r) { return r == -1 ? t_errname(errno) : "ok"; }

static struct mq_attr attr(long maxmsg, long msgsize)
{
	struct mq_attr a;
	memset(&a, 0, sizeof a);
	a.mq_maxmsg = maxmsg;
	a.mq_msgsize = msgsize;
	return a;
}

/* The raw system call, to see the kernel's name rules past libc's. */
static long raw_open(const char *name, int flags)
{
	return syscall(SYS_mq_open, name, flags, 0600, NULL);
}

static void names(void)
{
	mq_unlink(qname);
	CHECK_ERR(mq_open(qname, O_RDWR), ENOENT, "missing queue");
	CHECK_ERR(mq_unlink(qname), ENOENT, "unlink missing");
	CHECK_ERR(raw_open("a/b", O_CREAT | O_RDWR), EACCES, "slash inside the name");
	CHECK_ERR(raw_open("", O_CREAT | O_RDWR), ENOENT, "empty name");
	CHECK_ERR(raw_open("..", O_CREAT | O_RDWR), EACCES, "dot-dot");
	char longname[300];
	memset(longname, 'x', sizeof longname);
	longname[299] = 0;
	CHECK_ERR(raw_open(longname, O_CREAT | O_RDWR), ENAMETOOLONG, "name too long");
	CHECK_ERR(syscall(SYS_mq_open, (char *)8, O_RDWR, 0, NULL), EFAULT, "bad name pointer");
	mqd_t q = mq_open(qname, O_CREAT | O_EXCL | O_RDWR, 0640, NULL);
	CHECK(q >= 0, "create");
	CHECK_ERR(mq_open(qname, O_CREAT | O_EXCL | O_RDWR, 0640, NULL), EEXIST, "O_EXCL on existing");
	mqd_t q2 = mq_open(qname, O_CREAT | O_WRONLY, 0640, NULL);
	CHECK(q2 >= 0 && q2 != q, "O_CREAT opens existing");
	struct mq_attr a;
	CHECK(mq_getattr(q, &a) == 0, "getattr");
	SAY("defaults: flags %ld maxmsg %ld msgsize %ld curmsgs %ld\n", a.mq_flags, a.mq_maxmsg, a.mq_msgsize,
	    a.mq_curmsgs);
	struct stat st;
	CHECK(fstat(q, &st) == 0 && S_ISREG(st.st_mode), "descriptor is a regular file");
	mq_close(q2);
	mq_close(q);
	CHECK(mq_unlink(qname) == 0, "unlink");
	CHECK_ERR(mq_open(qname, O_RDWR), ENOENT, "gone after unlink");
}

static void limits(void)
{
	struct mq_attr a = attr(0, 16);
	CHECK_ERR(mq_open(qname, O_CREAT | O_RDWR, 0600, &a), EINVAL, "maxmsg 0");
	a = attr(4, 0);
	CHECK_ERR(mq_open(qname, O_CREAT | O_RDWR, 0600, &a), EINVAL, "msgsize 0");
	a = attr(-1, 16);
	CHECK_ERR(mq_open(qname, O_CREAT | O_RDWR, 0600, &a), EINVAL, "maxmsg negative");
	a = attr(65537, 16);
	CHECK_ERR(mq_open(qname, O_CREAT | O_RDWR, 0600, &a), EINVAL, "maxmsg over the hard limit");
	a = attr(4, 16 * 1024 * 1024 + 1);
	CHECK_ERR(mq_open(qname, O_CREAT | O_RDWR, 0600, &a), EINVAL, "msgsize over the hard limit");
	a = attr(10, 8192);
	mqd_t q = mq_open(qname, O_CREAT | O_RDWR, 0600, &a);
	CHECK(q >= 0, "msg_max and msgsize_max themselves");
	mq_close(q);
	mq_unlink(qname);
	CHECK_ERR(mq_open(qname, O_CREAT | O_RDWR, 0600, (struct mq_attr *)8), EFAULT, "bad attr pointer");
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		struct mq_attr b = attr(11, 64);
		errno = 0;
		int e1 = mq_open(qname2, O_CREAT | O_RDWR, 0600, &b) == -1 ? errno : 0;
		b = attr(10, 8193);
		int e2 = mq_open(qname2, O_CREAT | O_RDWR, 0600, &b) == -1 ? errno : 0;
		SAY("user over msg_max: %s, over msgsize_max: %s\n", t_errname(e1), t_errname(e2));
		_exit(0);
	}
	SAY("child: %s\n", t_wait_desc(pid));
}

static void perms(void)
{
	mqd_t q = mq_open(qname, O_CREAT | O_RDWR, 0604, NULL);
	CHECK(q >= 0, "create 0604");
	CHECK_ERR(mq_open(qname, 3), EINVAL, "O_ACCMODE 3 on existing");
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		errno = 0;
		long r1 = mq_open(qname, O_RDONLY);
		SAY("other reads: %s\n", rc(r1));
		long r2 = mq_open(qname, O_WRONLY);
		SAY("other writes: %s\n", rc(r2));
		long r3 = mq_open(qname, O_RDWR);
		SAY("other reads and writes: %s\n", rc(r3));
		SAY("other unlinks: %s\n", rc(mq_unlink(qname)));
		_exit(0);
	}
	SAY("child: %s\n", t_wait_desc(pid));
	mq_close(q);
	CHECK(mq_unlink(qname) == 0, "owner unlinks");
}

static void order(void)
{
	struct mq_attr a = attr(8, 32);
	mqd_t q = mq_open(qname, O_CREAT | O_RDWR | O_NONBLOCK, 0600, &a);
	CHECK(q >= 0, "create 8x32");
	const char *texts[] = {"low-a", "high-a", "mid", "high-b", "low-b", "zero"};
	unsigned prios[] = {1, 9, 5, 9, 1, 0};
	for (int i = 0; i < 6; i++)
		CHECK(mq_send(q, texts[i], strlen(texts[i]), prios[i]) == 0, "send");
	char buf[64];
	CHECK_ERR(mq_send(q, buf, 33, 0), EMSGSIZE, "send over msgsize");
	CHECK_ERR(mq_send(q, buf, 1, 32768), EINVAL, "prio MQ_PRIO_MAX");
	CHECK_ERR(mq_receive(q, buf, 31, NULL), EMSGSIZE, "receive buffer under msgsize");
	CHECK_ERR(mq_send(q, (char *)8, 4, 0), EFAULT, "send from a bad pointer");
	char line[128];
	ssize_t n = read(q, line, sizeof line - 1);
	line[n > 0 ? n : 0] = 0;
	SAY("status (%zd bytes): %s", n, line);
	CHECK(read(q, line, sizeof line) == 0, "second read at end");
	CHECK(pread(q, line, 6, 0) == 6 && !memcmp(line, "QSIZE:", 6), "pread");
	for (int i = 0; i < 6; i++) {
		unsigned p = 99;
		n = mq_receive(q, buf, sizeof buf, &p);
		SAY("got %.*s prio %u\n", (int)(n > 0 ? n : 0), buf, p);
	}
	CHECK_ERR(mq_receive(q, buf, sizeof buf, NULL), EAGAIN, "empty non-blocking");
	for (int i = 0; i < 8; i++)
		mq_send(q, "f", 1, 0);
	CHECK_ERR(mq_send(q, "f", 1, 0), EAGAIN, "full non-blocking");
	struct mq_attr na = attr(0, 0), old;
	CHECK(mq_setattr(q, &na, &old) == 0, "setattr clears O_NONBLOCK");
	SAY("old: flags %s curmsgs %ld\n", old.mq_flags & O_NONBLOCK ? "O_NONBLOCK" : "0", old.mq_curmsgs);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_ERR(mq_timedsend(q, "f", 1, 0, &ts), ETIMEDOUT, "timed send on full queue");
	struct timespec past = {1, 0};
	CHECK_ERR(mq_timedsend(q, "f", 1, 0, &past), ETIMEDOUT, "past timeout");
	struct timespec bad = {0, 1000000000};
	CHECK_ERR(mq_timedsend(q, "f", 1, 0, &bad), EINVAL, "bad timespec");
	CHECK_ERR(mq_timedreceive(q, buf, sizeof buf, NULL, &bad), EINVAL, "bad timespec checked before the queue");
	na.mq_flags = 1;
	CHECK_ERR(mq_setattr(q, &na, NULL), EINVAL, "setattr bad flags");
	CHECK_ERR(mq_send(0, "x", 1, 0), EBADF, "send on stdin");
	CHECK_ERR(mq_send(999, "x", 1, 0), EBADF, "send on a closed descriptor");
	mq_close(q);
	mqd_t ro = mq_open(qname, O_RDONLY);
	CHECK_ERR(mq_send(ro, "x", 1, 0), EBADF, "send on O_RDONLY");
	CHECK_ERR(write(ro, "x", 1), EBADF, "write(2) on a queue");
	mq_close(ro);
	mqd_t wo = mq_open(qname, O_WRONLY);
	CHECK_ERR(mq_receive(wo, buf, sizeof buf, NULL), EBADF, "receive on O_WRONLY");
	CHECK_ERR(read(wo, buf, sizeof buf), EBADF, "read(2) on O_WRONLY");
	mq_close(wo);
	mq_unlink(qname);
}

static volatile sig_atomic_t got_sig, got_code, got_val, alarms;
static void on_alarm(int s) { (void)s; alarms++; }
static void on_info(int s, siginfo_t *si, void *c)
{
	(void)c;
	got_sig = s;
	got_code = si->si_code;
	got_val = si->si_value.sival_int;
}

static void blocking(void)
{
	struct mq_attr a = attr(2, 16);
	mqd_t q = mq_open(qname, O_CREAT | O_RDWR, 0600, &a);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	char buf[16];
	alarm(1);
	CHECK_ERR(mq_receive(q, buf, sizeof buf, NULL), EINTR, "receive interrupted");
	SAY("alarms: %d\n", (int)alarms);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100 * 1000);
		mq_send(q, "wake", 4, 3);
		_exit(0);
	}
	unsigned p = 0;
	ssize_t n = mq_receive(q, buf, sizeof buf, &p);
	SAY("woken by the child: %.*s prio %u\n", (int)(n > 0 ? n : 0), buf, p);
	SAY("child: %s\n", t_wait_desc(pid));
	mq_send(q, "1", 1, 0);
	mq_send(q, "2", 1, 0);
	pid = fork();
	if (pid == 0) {
		usleep(100 * 1000);
		char b[16];
		mq_receive(q, b, sizeof b, NULL);
		_exit(0);
	}
	CHECK(mq_send(q, "3", 1, 0) == 0, "sender woken when the child receives");
	SAY("child: %s\n", t_wait_desc(pid));
	struct pollfd pf = {q, POLLIN | POLLOUT, 0};
	CHECK(poll(&pf, 1, 0) == 1, "poll");
	SAY("full queue poll: %s%s\n", pf.revents & POLLIN ? "in " : "", pf.revents & POLLOUT ? "out" : "");
	while (mq_timedreceive(q, buf, sizeof buf, NULL, &(struct timespec){0, 0}) > 0)
		;
	pf.revents = 0;
	poll(&pf, 1, 0);
	SAY("empty queue poll: %s%s\n", pf.revents & POLLIN ? "in " : "", pf.revents & POLLOUT ? "out" : "");
	mq_close(q);
	mq_unlink(qname);
}

/* The status line with the pid field replaced by a relation. */
static void show_status(mqd_t q, pid_t expect)
{
	char line[128];
	ssize_t n = pread(q, line, sizeof line - 1, 0);
	line[n > 0 ? n : 0] = 0;
	char *pidf = strstr(line, "NOTIFY_PID:");
	long pid = pidf ? strtol(pidf + 11, NULL, 10) : -1;
	if (pidf)
		*pidf = 0;
	SAY("status: %sNOTIFY_PID is %s\n", line, pid == expect ? "as expected" : "wrong");
}

static void notify(void)
{
	mqd_t q = mq_open(qname, O_CREAT | O_RDWR | O_NONBLOCK, 0600, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 1234;
	CHECK(mq_notify(q, &ev) == 0, "register SIGEV_SIGNAL");
	show_status(q, getpid());
	CHECK_ERR(mq_notify(q, &ev), EBUSY, "second registration");
	pid_t pid = fork();
	if (pid == 0) {
		errno = 0;
		SAY("child registers: %s\n", rc(mq_notify(q, &ev)));
		SAY("child removes (not its own): %s\n", rc(mq_notify(q, NULL)));
		_exit(0);
	}
	SAY("child: %s\n", t_wait_desc(pid));
	CHECK(mq_send(q, "a", 1, 0) == 0, "send into the empty queue");
	SAY("signal %s, si_code SI_MESGQ %s, value %d\n", got_sig == SIGUSR1 ? "SIGUSR1" : "none",
	    got_code == SI_MESGQ ? "yes" : "no", (int)got_val);
	show_status(q, 0);
	got_sig = 0;
	CHECK(mq_notify(q, &ev) == 0, "register again");
	mq_send(q, "b", 1, 0);
	SAY("non-empty queue notifies: %s\n", got_sig ? "yes" : "no");
	CHECK(mq_notify(q, NULL) == 0, "remove");
	show_status(q, 0);
	ev.sigev_notify = SIGEV_NONE;
	CHECK(mq_notify(q, &ev) == 0, "register SIGEV_NONE");
	show_status(q, getpid());
	char buf[8192];
	while (mq_receive(q, buf, sizeof buf, NULL) > 0)
		;
	mq_send(q, "c", 1, 0);
	show_status(q, 0);
	ev.sigev_notify = 99;
	CHECK_ERR(mq_notify(q, &ev), EINVAL, "bad sigev_notify");
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 65;
	CHECK_ERR(mq_notify(q, &ev), EINVAL, "signal 65");
	ev.sigev_signo = 0;
	SAY("signal 0: %s\n", rc(mq_notify(q, &ev)));
	show_status(q, getpid());
	while (mq_receive(q, buf, sizeof buf, NULL) > 0)
		;
	got_sig = 0;
	mq_send(q, "d", 1, 0);
	SAY("signal 0 delivers nothing: %s\n", got_sig ? "no" : "yes");
	show_status(q, 0);
	CHECK_ERR(mq_notify(1, NULL), EBADF, "notify on stdout");
	CHECK_ERR(syscall(SYS_mq_notify, q, (void *)8), EFAULT, "bad sigevent pointer");
	mq_close(q);
	mq_unlink(qname);
}

static void inherit(void)
{
	mqd_t q = mq_open(qname, O_CREAT | O_RDWR, 0600, NULL);
	mq_unlink(qname);
	pid_t pid = fork();
	if (pid == 0) {
		_exit(mq_send(q, "from child", 10, 7) == 0 ? 0 : 1);
	}
	SAY("child: %s\n", t_wait_desc(pid));
	char buf[8192];
	unsigned p;
	ssize_t n = mq_receive(q, buf, sizeof buf, &p);
	SAY("unlinked queue still works through the inherited descriptor: %.*s prio %u\n", (int)(n > 0 ? n : 0), buf,
	    p);
	mq_close(q);
	CHECK_ERR(mq_unlink(qname), ENOENT, "name is gone");
}

static void sysctl(void)
{
	const char *knobs[] = {"msg_max", "msgsize_max", "msg_default", "msgsize_default", "queues_max"};
	for (int i = 0; i < 5; i++) {
		char path[64], buf[32] = "";
		snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", knobs[i]);
		FILE *f = fopen(path, "r");
		if (f && fgets(buf, sizeof buf, f))
			SAY("%s: %s", knobs[i], buf);
		else
			SAY("%s: unreadable\n", knobs[i]);
		if (f)
			fclose(f);
	}
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	snprintf(qname, sizeof qname, "/keeltest-mq-%d", (int)getpid());
	snprintf(qname2, sizeof qname2, "/keeltest-mq2-%d", (int)getpid());
	sysctl();
	names();
	limits();
	perms();
	order();
	blocking();
	notify();
	inherit();
	mq_unlink(qname);
	mq_unlink(qname2);
	return t_done();
}
