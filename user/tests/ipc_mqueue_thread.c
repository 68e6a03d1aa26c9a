/* ipc_mqueue_thread: mq_notify with SIGEV_THREAD (libc runs the function
 * in a new thread when the kernel sends the cookie to libc's netlink
 * socket): the function runs once with its value when a message arrives
 * in the empty queue, the registration is used up, a removed one never
 * fires, EBUSY for a second registration, and the kernel's checks of the
 * raw call (a bad cookie pointer, a bad descriptor, a descriptor that is
 * no socket, a socket that is not netlink). Also the status line. */
#include "t.h"
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static int pfd[2];

static void fired(union sigval v)
{
	char c = (char)v.sival_int;
	write(pfd[1], &c, 1);
}

/* What the functions wrote within ms milliseconds. */
static void drain(const char *label, int ms)
{
	char buf[16];
	int n = 0;
	struct pollfd p = {pfd[0], POLLIN, 0};
	while (n < 15 && poll(&p, 1, ms) == 1) {
		if (read(pfd[0], buf + n, 1) != 1)
			break;
		n++;
		ms = 200;
	}
	buf[n] = 0;
	SAY("%s: [%s]\n", label, buf);
}

static void status(mqd_t q)
{
	char buf[128] = "";
	ssize_t n = pread(q, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	char *p = strstr(buf, " NOTIFY_PID:");
	if (p)
		*p = 0;
	SAY("status: %s\n", buf);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	pipe(pfd);
	char name[64];
	snprintf(name, sizeof name, "/keeltest-mqt-%d", (int)getpid());
	mq_unlink(name);
	mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, NULL);
	CHECK(q >= 0, "open");
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = fired;
	ev.sigev_value.sival_int = 'a';
	CHECK(mq_notify(q, &ev) == 0, "SIGEV_THREAD registered");
	status(q);
	struct sigevent sig;
	memset(&sig, 0, sizeof sig);
	sig.sigev_notify = SIGEV_NONE;
	CHECK_ERR(mq_notify(q, &sig), EBUSY, "second registration");
	CHECK(mq_send(q, "x", 1, 0) == 0, "send");
	drain("after the first message", 5000);
	status(q);
	CHECK(mq_send(q, "y", 1, 0) == 0, "send again");
	drain("registration used up", 300);
	char buf[8192];
	mq_receive(q, buf, sizeof buf, NULL);
	mq_receive(q, buf, sizeof buf, NULL);

	ev.sigev_value.sival_int = 'b';
	CHECK(mq_notify(q, &ev) == 0, "registered again");
	CHECK(mq_notify(q, NULL) == 0, "removed");
	CHECK(mq_send(q, "z", 1, 0) == 0, "send to the empty queue");
	drain("removed registration", 300);
	mq_receive(q, buf, sizeof buf, NULL);

	ev.sigev_value.sival_int = 'c';
	CHECK(mq_notify(q, &ev) == 0, "third registration");
	pid_t pid = fork();
	if (pid == 0)
		_exit(mq_send(q, "w", 1, 0) == 0 ? 0 : 1);
	SAY("child sends: %s\n", t_wait_desc(pid));
	drain("message from another process", 5000);

	/* the raw call: sigev_signo is the socket, sigev_value the cookie */
	struct {
		void *value;
		int signo, notify;
		int pad[12];
	} raw;
	static char cookie[32];
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
	int ux = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&raw, 0, sizeof raw);
	raw.notify = SIGEV_THREAD;
	raw.value = (void *)8;
	raw.signo = nl;
	CHECK_ERR(syscall(SYS_mq_notify, q, &raw), EFAULT, "bad cookie pointer");
	raw.value = cookie;
	raw.signo = 999;
	CHECK_ERR(syscall(SYS_mq_notify, q, &raw), EBADF, "bad socket descriptor");
	raw.signo = pfd[0];
	CHECK_ERR(syscall(SYS_mq_notify, q, &raw), ENOTSOCK, "a pipe");
	raw.signo = ux;
	CHECK_ERR(syscall(SYS_mq_notify, q, &raw), EINVAL, "a unix socket");
	raw.signo = nl;
	CHECK_ERR(syscall(SYS_mq_notify, 999, &raw), EBADF, "bad queue descriptor");
	CHECK(syscall(SYS_mq_notify, q, &raw) == 0, "own netlink socket");
	mq_receive(q, buf, sizeof buf, NULL);
	CHECK(mq_send(q, "v", 1, 0) == 0, "send");
	char got[64];
	ssize_t n = recv(nl, got, sizeof got, MSG_DONTWAIT);
	SAY("cookie datagram: %zd bytes, last byte %d\n", n, n == 32 ? got[31] : -1);
	mq_receive(q, buf, sizeof buf, NULL);
	CHECK(syscall(SYS_mq_notify, q, &raw) == 0, "again");
	CHECK(syscall(SYS_mq_notify, q, NULL) == 0, "remove");
	n = recv(nl, got, sizeof got, MSG_DONTWAIT);
	SAY("removal datagram: %zd bytes, last byte %d\n", n, n == 32 ? got[31] : -1);
	mq_close(q);
	mq_unlink(name);
	return t_done();
}
