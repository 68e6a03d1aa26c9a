/* ipc_sysctl: the System V IPC limits in /proc/sys/kernel (msgmax,
 * msgmnb, msgmni, shmmax, shmall, shmmni, sem): Linux's ranges and
 * EINVAL, only root writes them, and each one takes effect (msgsnd's
 * EINVAL, a new queue's msg_qbytes and IPC_SET's EPERM, msgget, shmget
 * and semget's ENOSPC, shmget's and semget's EINVAL, semop's E2BIG,
 * IPC_INFO's figures). Runs in its own IPC namespace where it can (the
 * host), so the knobs are its own; it puts every value back anyway. */
#include "t.h"
#include <sched.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

static const char *knobs[] = {"msgmax", "msgmnb", "msgmni", "shmmax", "shmall", "shmmni", "sem"};
#define NK 7
static char saved[NK][64];

static const char *kpath(const char *k)
{
	static char p[64];
	snprintf(p, sizeof p, "/proc/sys/kernel/%s", k);
	return p;
}

static void get(const char *k, char *buf, size_t n)
{
	buf[0] = 0;
	int fd = open(kpath(k), O_RDONLY);
	ssize_t r = fd >= 0 ? read(fd, buf, n - 1) : -1;
	buf[r > 0 ? r : 0] = 0;
	if (fd >= 0)
		close(fd);
}

static const char *put(const char *k, const char *v)
{
	int fd = open(kpath(k), O_WRONLY);
	if (fd < 0)
		return t_errname(errno);
	ssize_t r = write(fd, v, strlen(v));
	int e = errno;
	close(fd);
	return r == (ssize_t)strlen(v) ? "ok" : r < 0 ? t_errname(e) : "short";
}

static void show(const char *k)
{
	char b[64];
	get(k, b, sizeof b);
	SAY("%s = %s", k, b);
}

static void restore(void)
{
	for (int i = 0; i < NK; i++)
		put(knobs[i], saved[i]);
}

static void ranges(void)
{
	SAY("msgmax -1: %s, 2147483648: %s, 2147483647: %s\n", put("msgmax", "-1"), put("msgmax", "2147483648"),
	    put("msgmax", "2147483647"));
	SAY("msgmnb -1: %s, 0: %s\n", put("msgmnb", "-1"), put("msgmnb", "0"));
	SAY("msgmni 32769: %s, 32768: %s; shmmni 32769: %s, 0: %s\n", put("msgmni", "32769"), put("msgmni", "32768"),
	    put("shmmni", "32769"), put("shmmni", "0"));
	SAY("shmmax -1: %s, 2^64: %s, 2^64-1: %s, abc: %s\n", put("shmmax", "-1"), put("shmmax", "18446744073709551616"),
	    put("shmmax", "18446744073709551615"), put("shmmax", "abc"));
	SAY("shmall 12345: %s\n", put("shmall", "12345"));
	for (int i = 0; i < NK - 1; i++)
		show(knobs[i]);
	SAY("sem 250 256000 32 32769: %s\n", put("sem", "250 256000 32 32769"));
	show("sem");
	SAY("sem 1 2: %s\n", put("sem", "1 2"));
	show("sem");
	SAY("sem x: %s\n", put("sem", "x"));
	show("sem");
	restore();
}

struct msgbuf_k {
	long type;
	char text[512];
};

static void as_user(const char *label, void (*f)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(4343) || setuid(4343))
			_exit(3);
		f();
		fflush(stdout);
		_exit(t_failures);
	}
	SAY("%s: %s\n", label, t_wait_desc(pid));
}

static void user_qbytes(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	struct msqid_ds ds;
	CHECK(q >= 0 && msgctl(q, IPC_STAT, &ds) == 0, "user's queue");
	SAY("msg_qbytes %lu\n", (unsigned long)ds.msg_qbytes);
	ds.msg_qbytes = 201;
	CHECK_ERR(msgctl(q, IPC_SET, &ds), EPERM, "IPC_SET above msgmnb");
	ds.msg_qbytes = 150;
	CHECK(msgctl(q, IPC_SET, &ds) == 0, "IPC_SET below it");
	msgctl(q, IPC_RMID, NULL);
	for (int i = 0; i < NK; i++) {
		char lab[64];
		snprintf(lab, sizeof lab, "user writes %s", knobs[i]);
		CHECK_ERR(open(kpath(knobs[i]), O_WRONLY), EACCES, lab);
	}
}

static void msg_effects(void)
{
	put("msgmax", "100");
	put("msgmnb", "200");
	put("msgmni", "2");
	struct msginfo mi;
	memset(&mi, 0, sizeof mi);
	CHECK(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0, "IPC_INFO");
	SAY("msginfo msgmax %d msgmnb %d msgmni %d\n", mi.msgmax, mi.msgmnb, mi.msgmni);
	int a = msgget(IPC_PRIVATE, 0600), b = msgget(IPC_PRIVATE, 0600);
	CHECK(a >= 0 && b >= 0, "two queues");
	CHECK_ERR(msgget(IPC_PRIVATE, 0600), ENOSPC, "a third past msgmni");
	static struct msgbuf_k m = {1, ""};
	CHECK_ERR(msgsnd(a, &m, 101, IPC_NOWAIT), EINVAL, "msgsnd past msgmax");
	CHECK(msgsnd(a, &m, 100, IPC_NOWAIT) == 0, "msgsnd at msgmax");
	CHECK(msgsnd(a, &m, 100, IPC_NOWAIT) == 0, "second fills msgmnb");
	CHECK_ERR(msgsnd(a, &m, 1, IPC_NOWAIT), EAGAIN, "queue full at msgmnb");
	msgctl(a, IPC_RMID, NULL);
	msgctl(b, IPC_RMID, NULL);
	as_user("user", user_qbytes);
	restore();
}

static void shm_effects(void)
{
	put("shmmax", "8192");
	put("shmall", "3");
	struct shminfo si;
	memset(&si, 0, sizeof si);
	CHECK(shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0, "shm IPC_INFO");
	SAY("shminfo shmmax %lu shmall %lu shmmni %lu\n", si.shmmax, si.shmall, si.shmmni);
	CHECK_ERR(shmget(IPC_PRIVATE, 8193, 0600), EINVAL, "shmget past shmmax");
	int a = shmget(IPC_PRIVATE, 8192, 0600);
	CHECK(a >= 0, "two pages");
	CHECK_ERR(shmget(IPC_PRIVATE, 8192, 0600), ENOSPC, "two more past shmall");
	put("shmmni", "1");
	CHECK_ERR(shmget(IPC_PRIVATE, 4096, 0600), ENOSPC, "a second past shmmni");
	shmctl(a, IPC_RMID, NULL);
	restore();
}

static void sem_effects(void)
{
	put("sem", "5 8 2 1");
	struct seminfo si;
	memset(&si, 0, sizeof si);
	CHECK(semctl(0, 0, IPC_INFO, &si) >= 0, "sem IPC_INFO");
	SAY("seminfo semmsl %d semmns %d semopm %d semmni %d\n", si.semmsl, si.semmns, si.semopm, si.semmni);
	CHECK_ERR(semget(IPC_PRIVATE, 6, 0600), EINVAL, "semget past semmsl");
	int a = semget(IPC_PRIVATE, 5, 0600);
	CHECK(a >= 0, "five semaphores");
	CHECK_ERR(semget(IPC_PRIVATE, 4, 0600), ENOSPC, "four more past semmns");
	CHECK_ERR(semget(IPC_PRIVATE, 1, 0600), ENOSPC, "a second set past semmni");
	struct sembuf ops[3] = {{0, 1, 0}, {1, 1, 0}, {2, 1, 0}};
	CHECK_ERR(semop(a, ops, 3), E2BIG, "three operations past semopm");
	CHECK(semop(a, ops, 2) == 0, "two");
	semctl(a, 0, IPC_RMID);
	restore();
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	(void)unshare(CLONE_NEWIPC); /* the host: knobs of our own */
	for (int i = 0; i < NK; i++) {
		get(knobs[i], saved[i], sizeof saved[i]);
		SAY("%s = %s", knobs[i], saved[i]);
	}
	ranges();
	msg_effects();
	shm_effects();
	sem_effects();
	for (int i = 0; i < NK; i++)
		show(knobs[i]);
	return t_done();
}
