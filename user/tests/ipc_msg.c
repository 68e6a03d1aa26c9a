/* ipc_msg: System V message queues (msgget(2), msgsnd(2), msgrcv(2),
 * msgctl(2)): key rules, type selection (any, equal, MSG_EXCEPT, lowest
 * not above), truncation, a full queue, blocking senders and receivers,
 * removal under a sleeper (EIDRM), interruption by a signal, MSG_COPY,
 * IPC_STAT/IPC_SET/IPC_INFO, another user's permissions. */
#include "t.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>

/* Keys are system-wide: derive them from the pid so concurrent runs (the
 * musl and glibc builds, other checkouts) never share one. */
static key_t key_base; /* set once in main; children inherit it */
#define KEY key_base
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct m {
	long type;
	char text[8192];
};

static struct m msg;

static const char *rc(long r) { return r == -1 ? t_errname(errno) : "ok"; }

static int snd(int q, long type, const char *text, int flags)
{
	msg.type = type;
	size_t n = strlen(text);
	memcpy(msg.text, text, n);
	return msgsnd(q, &msg, n, flags);
}

/* Receive and describe: "type:text" or the errno name. */
static const char *rcv(int q, size_t size, long type, int flags)
{
	static char buf[128];
	memset(&msg, 0, sizeof msg);
	ssize_t n = msgrcv(q, &msg, size, type, flags);
	if (n < 0)
		return t_errname(errno);
	snprintf(buf, sizeof buf, "%ld:%.*s", msg.type, (int)n, msg.text);
	return buf;
}

static void keys(void)
{
	msgctl(msgget(KEY, 0), IPC_RMID, NULL);
	CHECK_ERR(msgget(KEY, 0600), ENOENT, "missing key");
	int q = msgget(KEY, IPC_CREAT | 0640);
	CHECK(q >= 0, "create by key");
	CHECK(msgget(KEY, 0) == q, "find by key");
	CHECK_ERR(msgget(KEY, IPC_CREAT | IPC_EXCL), EEXIST, "IPC_EXCL");
	int p = msgget(IPC_PRIVATE, 0600);
	CHECK(p >= 0 && p != q && msgget(IPC_PRIVATE, 0600) != p, "IPC_PRIVATE creates");
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	SAY("new queue: mode %o qnum %lu cbytes %lu qbytes %lu stime %ld\n", ds.msg_perm.mode, (unsigned long)ds.msg_qnum,
	    (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes, (long)ds.msg_stime);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0, "IPC_RMID");
	CHECK_ERR(msgctl(q, IPC_STAT, &ds), EINVAL, "gone");
	CHECK_ERR(snd(q, 1, "x", 0), EINVAL, "send to a removed queue");
	msgctl(p, IPC_RMID, NULL);
}

static void selection(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	snd(q, 5, "five", 0);
	snd(q, 3, "three", 0);
	snd(q, 7, "seven", 0);
	snd(q, 3, "three-b", 0);
	snd(q, 1, "one", 0);
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	SAY("qnum %lu cbytes %lu lspid me %s\n", (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes,
	    ds.msg_lspid == getpid() ? "yes" : "no");
	SAY("MSG_COPY #2: %s\n", rcv(q, 100, 2, MSG_COPY | IPC_NOWAIT));
	SAY("MSG_COPY #9: %s\n", rcv(q, 100, 9, MSG_COPY | IPC_NOWAIT));
	SAY("MSG_COPY without IPC_NOWAIT: %s\n", rcv(q, 100, 0, MSG_COPY));
	SAY("MSG_COPY with MSG_EXCEPT: %s\n", rcv(q, 100, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT));
	SAY("type 3: %s\n", rcv(q, 100, 3, 0));
	SAY("lowest <= 4: %s\n", rcv(q, 100, -4, 0));
	SAY("not 3: %s\n", rcv(q, 100, 3, MSG_EXCEPT));
	SAY("type 9 nowait: %s\n", rcv(q, 100, 9, IPC_NOWAIT));
	SAY("too small: %s\n", rcv(q, 2, 0, 0));
	SAY("MSG_NOERROR truncates: %s\n", rcv(q, 2, 0, MSG_NOERROR));
	SAY("any: %s\n", rcv(q, 100, 0, 0));
	SAY("empty nowait: %s\n", rcv(q, 100, 0, IPC_NOWAIT));
	msgctl(q, IPC_STAT, &ds);
	SAY("qnum %lu cbytes %lu lrpid me %s rtime set %s\n", (unsigned long)ds.msg_qnum,
	    (unsigned long)ds.__msg_cbytes, ds.msg_lrpid == getpid() ? "yes" : "no", ds.msg_rtime ? "yes" : "no");
	CHECK_ERR(snd(q, 0, "x", 0), EINVAL, "type 0");
	CHECK_ERR(snd(q, -1, "x", 0), EINVAL, "negative type");
	CHECK_ERR(msgsnd(q, &msg, 8193, 0), EINVAL, "bigger than msgmax");
	CHECK_ERR(msgsnd(q, &msg, (size_t)-1, 0), EINVAL, "size -1");
	CHECK_ERR(msgsnd(q, (void *)8, 1, 0), EFAULT, "bad pointer");
	CHECK_ERR(msgrcv(q, &msg, (size_t)-1, 0, IPC_NOWAIT), EINVAL, "receive size -1");
	CHECK_ERR(msgsnd(-1, &msg, 1, 0), EINVAL, "bad id");
	snd(q, 2, "zz", 0);
	CHECK_ERR(msgrcv(q, (void *)8, 10, 0, 0), EFAULT, "receive into a bad pointer");
	msgctl(q, IPC_STAT, &ds);
	SAY("a failed store still took the message: qnum %lu\n", (unsigned long)ds.msg_qnum);
	msgctl(q, IPC_RMID, NULL);
}

static void full_queue(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	memset(msg.text, 'a', sizeof msg.text);
	msg.type = 1;
	CHECK(msgsnd(q, &msg, 8192, 0) == 0 && msgsnd(q, &msg, 8192, 0) == 0, "two 8 KiB messages fill it");
	CHECK_ERR(msgsnd(q, &msg, 1, IPC_NOWAIT), EAGAIN, "full: IPC_NOWAIT");
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		msgrcv(q, &msg, 8192, 0, 0);
		_exit(0);
	}
	CHECK(msgsnd(q, &msg, 100, 0) == 0, "a blocked sender gets room");
	waitpid(c, NULL, 0);
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	ds.msg_qbytes = 100;
	CHECK(msgctl(q, IPC_SET, &ds) == 0, "IPC_SET qbytes 100");
	msgctl(q, IPC_STAT, &ds);
	SAY("qbytes now %lu, qnum %lu\n", (unsigned long)ds.msg_qbytes, (unsigned long)ds.msg_qnum);
	CHECK_ERR(msgsnd(q, &msg, 1, IPC_NOWAIT), EAGAIN, "over the new limit");
	/* (raising it past msgmnb needs CAP_SYS_RESOURCE, which the host's
	 * root may lack: not compared) */
	/* qbytes also bounds the number of messages */
	ds.msg_qbytes = 3;
	while (msgrcv(q, &msg, 8192, 0, IPC_NOWAIT) >= 0)
		;
	msgctl(q, IPC_SET, &ds);
	msg.type = 1;
	int sent = 0;
	while (msgsnd(q, &msg, 0, IPC_NOWAIT) == 0)
		sent++;
	SAY("empty messages with qbytes 3: %d\n", sent);
	msgctl(q, IPC_RMID, NULL);
}

static volatile int hits;
static void on_alarm(int s) { (void)s; hits++; }

static void sleepers(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		snd(q, 4, "late", 0);
		_exit(0);
	}
	SAY("blocked receiver gets: %s\n", rcv(q, 100, 4, 0));
	waitpid(c, NULL, 0);
	c = fork();
	if (c == 0) {
		SAY("receiver when the queue is removed: %s\n", rcv(q, 100, 0, 0));
		_exit(0);
	}
	usleep(150000);
	msgctl(q, IPC_RMID, NULL);
	waitpid(c, NULL, 0);

	q = msgget(IPC_PRIVATE, 0600);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	const char *r = rcv(q, 100, 0, 0);
	SAY("msgrcv under SA_RESTART, interrupted: %s, handler %d\n", r, hits);
	msgctl(q, IPC_RMID, NULL);
}

static void other_user(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	int w = msgget(IPC_PRIVATE, 0622);
	snd(q, 1, "secret", 0);
	pid_t c = fork();
	if (c == 0) {
		setgid(1000);
		setuid(1000);
		struct msqid_ds ds;
		SAY("user send to 0600: %s\n", rc(snd(q, 1, "x", 0)));
		SAY("user receive from 0600: %s\n", rcv(q, 100, 0, IPC_NOWAIT));
		SAY("user IPC_STAT: %s\n", rc(msgctl(q, IPC_STAT, &ds)));
		SAY("user IPC_RMID: %s\n", rc(msgctl(q, IPC_RMID, NULL)));
		SAY("user send to 0622: %s\n", rc(snd(w, 1, "x", 0)));
		SAY("user receive from 0622: %s\n", rcv(w, 100, 0, IPC_NOWAIT));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	struct msqid_ds ds;
	msgctl(w, IPC_STAT, &ds);
	ds.msg_perm.uid = 1000;
	msgctl(w, IPC_SET, &ds);
	c = fork();
	if (c == 0) {
		setgid(1000);
		setuid(1000);
		msgctl(w, IPC_STAT, &ds);
		ds.msg_qbytes = 20000;
		SAY("owner raises qbytes past msgmnb: %s\n", rc(msgctl(w, IPC_SET, &ds)));
		ds.msg_qbytes = 1000;
		SAY("owner lowers qbytes: %s\n", rc(msgctl(w, IPC_SET, &ds)));
		SAY("owner removes: %s\n", rc(msgctl(w, IPC_RMID, NULL)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	msgctl(q, IPC_RMID, NULL);
}

static void info(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	struct msginfo mi;
	int hi = msgctl(0, IPC_INFO, (struct msqid_ds *)&mi);
	SAY("IPC_INFO: index ok %s msgmax %d msgmnb %d msgmni %d msgssz %d msgseg %u msgpool %d\n",
	    hi >= 0 ? "yes" : "no", mi.msgmax, mi.msgmnb, mi.msgmni, mi.msgssz, mi.msgseg, mi.msgpool);
	snd(q, 1, "abc", 0);
	CHECK(msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgpool >= 1 && mi.msgmap >= 1 && mi.msgtql >= 3,
	      "MSG_INFO counts queues, messages and bytes");
	struct msqid_ds ds;
	SAY("MSG_STAT by index gives the id: %s\n", msgctl(q % 32768, MSG_STAT, &ds) == q ? "yes" : "no");
	CHECK_ERR(msgctl(q, 99, &ds), EINVAL, "bad command");
	CHECK_ERR(msgctl(q, IPC_STAT, (void *)8), EFAULT, "IPC_STAT bad pointer");
	msgctl(q, IPC_RMID, NULL);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	key_base = (key_t)(0x4b450000 + getpid() * 4);
	keys();
	selection();
	full_queue();
	sleepers();
	other_user();
	info();
	return t_done();
}
