/* io_sigio: signal-driven I/O. fcntl F_SETSIG/F_GETSIG and its limits;
 * O_ASYNC switched on by F_SETFL makes a pipe, a socket, a pseudo-terminal
 * and an inotify instance signal their owner when they become readable
 * (or a pipe's write end writable): a plain SIGIO (si_code SI_KERNEL)
 * without F_SETSIG, else the chosen signal with si_code POLL_IN/POLL_OUT,
 * si_fd and si_band; owners by process, process group and thread; no
 * owner, no signal; O_ASYNC given to open stays inert (Linux's documented
 * bug) until F_SETFL changes it. */
#include "t.h"
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>

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

static const char *sname(int sig)
{
	if (sig == SIGIO)
		return "SIGIO";
	if (sig == SIGRTMIN + 1)
		return "SIGRTMIN+1";
	if (sig == SIGUSR1)
		return "SIGUSR1";
	return "other";
}

static const char *cname(int code)
{
	switch (code) {
	case SI_KERNEL: return "SI_KERNEL";
	case POLL_IN: return "POLL_IN";
	case POLL_OUT: return "POLL_OUT";
	case POLL_MSG: return "POLL_MSG";
	case POLL_HUP: return "POLL_HUP";
	case POLL_ERR: return "POLL_ERR";
	default: return "other";
	}
}

/* What arrived since the last report. */
static void report(const char *what, int fd)
{
	if (!got) {
		SAY("%s: no signal\n", what);
		return;
	}
	SAY("%s: %d x %s code %s", what, got, sname(got_sig), cname(got_code));
	if (got_code != SI_KERNEL)
		SAY(" fd %s band %#lx", got_fd == fd ? "right" : "wrong", got_band);
	SAY("\n");
	got = 0;
}

static void async_on(int fd)
{
	fcntl(fd, F_SETOWN, getpid());
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
}

struct f_owner_ex_k {
	int type, pid;
};

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	setpgid(0, 0); /* a group of our own: the group owner below signals it */
	struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO};
	sigaction(SIGIO, &sa, NULL);
	sigaction(SIGRTMIN + 1, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	char c = 'x', buf[64];

	int p[2];
	pipe(p);
	SAY("F_GETSIG default: %d\n", fcntl(p[0], F_GETSIG));
	CHECK_ERR(fcntl(p[0], F_SETSIG, 65), EINVAL, "F_SETSIG 65");
	CHECK_ERR(fcntl(p[0], F_SETSIG, -1), EINVAL, "F_SETSIG -1");
	CHECK(fcntl(p[0], F_SETSIG, 64) == 0 && fcntl(p[0], F_GETSIG) == 64, "F_SETSIG 64 then F_GETSIG");
	CHECK(fcntl(p[0], F_SETSIG, 0) == 0, "F_SETSIG 0 restores SIGIO");
	CHECK_ERR(fcntl(99, F_SETSIG, 1), EBADF, "F_SETSIG on a bad fd");

	/* no owner: O_ASYNC alone sends nothing */
	fcntl(p[0], F_SETFL, O_ASYNC);
	write(p[1], &c, 1);
	report("pipe, O_ASYNC, no owner", p[0]);
	read(p[0], buf, sizeof buf);
	fcntl(p[0], F_SETOWN, getpid());
	write(p[1], &c, 1);
	report("pipe, owner = process, write", p[0]);
	write(p[1], &c, 1);
	report("pipe, a second write", p[0]);
	read(p[0], buf, sizeof buf);
	report("pipe, the owner reads", p[0]);
	fcntl(p[0], F_SETSIG, SIGRTMIN + 1);
	write(p[1], &c, 1);
	report("pipe, F_SETSIG SIGRTMIN+1, write", p[0]);
	read(p[0], buf, sizeof buf);
	fcntl(p[0], F_SETFL, 0);
	write(p[1], &c, 1);
	report("pipe, O_ASYNC cleared", p[0]);
	read(p[0], buf, sizeof buf);

	/* the write end hears each read */
	fcntl(p[1], F_SETSIG, SIGRTMIN + 1);
	async_on(p[1]);
	write(p[1], "ab", 2);
	report("pipe write end, own write", p[1]);
	read(p[0], buf, 1);
	report("pipe write end, a read", p[1]);
	read(p[0], buf, 1);
	report("pipe write end, another read", p[1]);
	close(p[0]);
	report("pipe write end, the reader closes", p[1]);
	close(p[1]);

	/* process group and thread owners */
	pipe(p);
	fcntl(p[0], F_SETSIG, SIGUSR1);
	fcntl(p[0], F_SETOWN, -getpgrp());
	fcntl(p[0], F_SETFL, O_ASYNC);
	SAY("F_GETOWN of a group owner is minus the group: %s\n", fcntl(p[0], F_GETOWN) == -getpgrp() ? "yes" : "no");
	write(p[1], &c, 1);
	report("pipe, owner = process group", p[0]);
	read(p[0], buf, sizeof buf);
	struct f_owner_ex_k ox = {0, (int)syscall(SYS_gettid)};
	CHECK(fcntl(p[0], F_SETOWN_EX, &ox) == 0, "F_SETOWN_EX F_OWNER_TID");
	write(p[1], &c, 1);
	report("pipe, owner = thread", p[0]);
	read(p[0], buf, sizeof buf);
	close(p[0]);
	close(p[1]);

	/* O_ASYNC given to open is recorded but inert until F_SETFL changes it */
	const char *fifo = t_path("fifo");
	mkfifo(fifo, 0600);
	int fr = open(fifo, O_RDONLY | O_NONBLOCK | O_ASYNC), fw = open(fifo, O_WRONLY);
	SAY("open(O_ASYNC): F_GETFL shows it: %s\n", (fcntl(fr, F_GETFL) & O_ASYNC) ? "yes" : "no");
	fcntl(fr, F_SETOWN, getpid());
	fcntl(fr, F_SETFL, fcntl(fr, F_GETFL));
	write(fw, &c, 1);
	report("fifo opened O_ASYNC, F_SETFL with O_ASYNC kept", fr);
	read(fr, buf, sizeof buf);
	fcntl(fr, F_SETFL, O_NONBLOCK);
	fcntl(fr, F_SETFL, O_NONBLOCK | O_ASYNC);
	write(fw, &c, 1);
	report("fifo after F_SETFL cleared and set O_ASYNC", fr);
	close(fr);
	close(fw);

	/* a socket */
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	fcntl(sv[0], F_SETSIG, SIGRTMIN + 1);
	async_on(sv[0]);
	write(sv[1], "hi", 2);
	report("unix stream socket, peer writes", sv[0]);
	read(sv[0], buf, sizeof buf);
	close(sv[1]);
	report("unix stream socket, peer closes", sv[0]);
	close(sv[0]);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	async_on(sv[0]);
	send(sv[1], "d", 1, 0);
	report("unix datagram socket, peer sends", sv[0]);
	close(sv[0]);
	close(sv[1]);

	/* an inotify instance */
	int in = inotify_init1(IN_NONBLOCK);
	inotify_add_watch(in, t_dir, IN_CREATE);
	fcntl(in, F_SETSIG, SIGRTMIN + 1);
	async_on(in);
	close(open(t_path("new"), O_CREAT | O_WRONLY, 0600));
	report("inotify, a file created", in);
	close(in);

	/* a pseudo-terminal master hears what the slave writes */
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0) {
		int s = open(ptsname(m), O_RDWR | O_NOCTTY);
		fcntl(m, F_SETSIG, SIGRTMIN + 1);
		async_on(m);
		write(s, "q", 1);
		usleep(100000);
		SAY("pty master, slave writes: %s\n", got ? cname(got_code) : "no signal");
		got = 0;
		close(s);
		close(m);
	} else {
		SAY("no pty\n");
	}
	return t_done();
}
