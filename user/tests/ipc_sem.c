/* ipc_sem: System V semaphores (semget(2), semop(2), semtimedop(2),
 * semctl(2)): key rules, atomic multi-operation semop, wait-for-zero and
 * decrement waiters with GETZCNT/GETNCNT, timeouts, EIDRM, EINTR under
 * SA_RESTART, SEM_UNDO at exit (clamped, cleared by SETVAL), the value
 * range, IPC_STAT/IPC_SET/IPC_INFO and another user's permissions. */
#include "t.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/sem.h>

/* Keys are system-wide: derive them from the pid so concurrent runs (the
 * musl and glibc builds, other checkouts) never share one. */
static key_t key_base; /* set once in main; children inherit it */
#define KEY key_base

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static const char *rc(long r)
{
	static char buf[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(buf, sizeof buf, "%ld", r);
	return buf;
}

static int setval(int id, int n, int v) { return semctl(id, n, SETVAL, (union semun){.val = v}); }
static int getval(int id, int n) { return semctl(id, n, GETVAL); }

static long op1(int id, unsigned short n, short op, short flg)
{
	struct sembuf b = {n, op, flg};
	return semop(id, &b, 1);
}

static void keys(void)
{
	semctl(semget(KEY, 0, 0), 0, IPC_RMID);
	CHECK_ERR(semget(KEY, 1, 0600), ENOENT, "missing key");
	int id = semget(KEY, 3, IPC_CREAT | 0640);
	CHECK(id >= 0, "create 3 by key");
	CHECK(semget(KEY, 2, 0) == id, "find with fewer");
	CHECK(semget(KEY, 0, 0) == id, "find with 0");
	CHECK_ERR(semget(KEY, 4, 0), EINVAL, "find with more");
	CHECK_ERR(semget(KEY, 3, IPC_CREAT | IPC_EXCL), EEXIST, "IPC_EXCL");
	CHECK_ERR(semget(IPC_PRIVATE, 0, 0600), EINVAL, "create 0 semaphores");
	CHECK_ERR(semget(IPC_PRIVATE, -1, 0600), EINVAL, "nsems -1");
	CHECK_ERR(semget(IPC_PRIVATE, 32001, 0600), EINVAL, "nsems 32001");
	int big = semget(IPC_PRIVATE, 32000, 0600);
	CHECK(big >= 0, "32000 semaphores");
	CHECK(setval(big, 31999, 7) == 0 && getval(big, 31999) == 7, "the last one works");
	semctl(big, 0, IPC_RMID);
	struct semid_ds ds;
	semctl(id, 0, IPC_STAT, (union semun){.buf = &ds});
	SAY("IPC_STAT: nsems %lu mode %o otime %ld\n", (unsigned long)ds.sem_nsems, ds.sem_perm.mode, (long)ds.sem_otime);
	CHECK(semctl(id, 0, IPC_RMID) == 0, "IPC_RMID");
	CHECK_ERR(semctl(id, 0, GETVAL), EINVAL, "gone");
}

static void values(void)
{
	int id = semget(IPC_PRIVATE, 4, 0600);
	SAY("initial: %d\n", getval(id, 2));
	CHECK(setval(id, 1, 32767) == 0, "SETVAL 32767");
	CHECK_ERR(setval(id, 1, 32768), ERANGE, "SETVAL 32768");
	CHECK_ERR(setval(id, 1, -1), ERANGE, "SETVAL -1");
	CHECK_ERR(setval(id, 4, 1), EINVAL, "SETVAL past the set");
	int gone = semget(IPC_PRIVATE, 1, 0600);
	semctl(gone, 0, IPC_RMID);
	CHECK_ERR(setval(gone, 0, 40000), ERANGE, "value checked before the id");
	CHECK_ERR(setval(-1, 0, 40000), EINVAL, "but a negative id first");
	SAY("GETPID is me: %s\n", semctl(id, 1, GETPID) == getpid() ? "yes" : "no");
	unsigned short all[4] = {1, 2, 3, 4}, got[4] = {0};
	CHECK(semctl(id, 0, SETALL, (union semun){.array = all}) == 0, "SETALL");
	semctl(id, 0, GETALL, (union semun){.array = got});
	SAY("GETALL: %u %u %u %u\n", got[0], got[1], got[2], got[3]);
	all[2] = 40000;
	CHECK_ERR(semctl(id, 0, SETALL, (union semun){.array = all}), ERANGE, "SETALL with 40000");
	semctl(id, 0, GETALL, (union semun){.array = got});
	SAY("nothing changed: %u %u %u %u\n", got[0], got[1], got[2], got[3]);
	CHECK_ERR(semctl(id, 0, GETALL, (union semun){.array = (void *)8}), EFAULT, "GETALL bad pointer");
	CHECK_ERR(semctl(id, 9, GETVAL), EINVAL, "GETVAL past the set");
	CHECK_ERR(semctl(id, 0, 99), EINVAL, "bad command");
	semctl(id, 0, IPC_RMID);
}

static void ops(void)
{
	int id = semget(IPC_PRIVATE, 2, 0600);
	struct sembuf two[2] = {{0, -1, 0}, {1, -1, IPC_NOWAIT}};
	setval(id, 0, 1);
	CHECK_ERR(semop(id, two, 2), EAGAIN, "atomic: second would block");
	SAY("first untouched: %d\n", getval(id, 0));
	struct sembuf same[2] = {{1, 1, 0}, {1, -1, 0}};
	CHECK(semop(id, same, 2) == 0, "+1 then -1 on one semaphore");
	CHECK_ERR(op1(id, 2, 1, 0), EFBIG, "sem_num past the set");
	CHECK_ERR(semop(id, two, 0), EINVAL, "nsops 0");
	static struct sembuf many[501];
	CHECK_ERR(semop(id, many, 501), E2BIG, "nsops 501");
	CHECK_ERR(semop(id, (void *)8, 1), EFAULT, "bad pointer");
	CHECK_ERR(semop(-1, two, 1), EINVAL, "bad id");
	setval(id, 1, 32767);
	CHECK_ERR(op1(id, 1, 1, 0), ERANGE, "past SEMVMX");
	setval(id, 1, 0);
	struct timespec t = {0, 100000000};
	struct sembuf dec = {1, -1, 0};
	CHECK_ERR(semtimedop(id, &dec, 1, &t), EAGAIN, "semtimedop times out");
	t.tv_nsec = 2000000000;
	CHECK_ERR(semtimedop(id, &dec, 1, &t), EINVAL, "semtimedop bad timeout");
	CHECK(op1(id, 1, 0, 0) == 0, "wait for zero on zero");
	struct semid_ds ds;
	semctl(id, 0, IPC_STAT, (union semun){.buf = &ds});
	SAY("otime set: %s\n", ds.sem_otime ? "yes" : "no");

	/* waiters and their counts */
	pid_t c = fork();
	if (c == 0) {
		SAY("child: decrement returned %s\n", rc(op1(id, 1, -2, 0)));
		_exit(0);
	}
	pid_t z = fork();
	if (z == 0) {
		usleep(50000);
		setval(id, 0, 1);
		SAY("child: wait-for-zero returned %s\n", rc(op1(id, 0, 0, 0)));
		_exit(0);
	}
	usleep(200000);
	SAY("GETNCNT %d GETZCNT %d (sem 1), GETZCNT %d (sem 0)\n", semctl(id, 1, GETNCNT), semctl(id, 1, GETZCNT),
	    semctl(id, 0, GETZCNT));
	op1(id, 1, 2, 0);
	waitpid(c, NULL, 0);
	setval(id, 0, 0);
	waitpid(z, NULL, 0);
	SAY("after: GETNCNT %d GETZCNT %d, sem 1 = %d\n", semctl(id, 1, GETNCNT), semctl(id, 0, GETZCNT), getval(id, 1));

	c = fork();
	if (c == 0) {
		SAY("child: removed while waiting: %s\n", rc(op1(id, 1, -1, 0)));
		_exit(0);
	}
	usleep(150000);
	semctl(id, 0, IPC_RMID);
	waitpid(c, NULL, 0);
}

static volatile int hits;
static void on_alarm(int s) { (void)s; hits++; }

static void interrupted(void)
{
	int id = semget(IPC_PRIVATE, 1, 0600);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	const char *r = rc(op1(id, 0, -1, 0));
	SAY("semop under SA_RESTART, interrupted: %s, handler %d\n", r, hits);
	semctl(id, 0, IPC_RMID);
}

static void undo(void)
{
	int id = semget(IPC_PRIVATE, 2, 0600);
	setval(id, 0, 5);
	pid_t c = fork();
	if (c == 0) {
		op1(id, 0, 2, SEM_UNDO);
		op1(id, 0, -3, SEM_UNDO);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	SAY("undo restores: %d\n", getval(id, 0));
	c = fork();
	if (c == 0) {
		op1(id, 0, 3, SEM_UNDO); /* 8, adj -3 */
		usleep(200000);
		_exit(0);
	}
	usleep(100000);
	op1(id, 0, -7, 0); /* 1 */
	waitpid(c, NULL, 0);
	SAY("undo clamps at zero: %d, GETPID is the child: %s\n", getval(id, 0), semctl(id, 0, GETPID) == c ? "yes" : "no");
	c = fork();
	if (c == 0) {
		op1(id, 1, 4, SEM_UNDO);
		usleep(200000);
		_exit(0);
	}
	usleep(100000);
	setval(id, 1, 9);
	waitpid(c, NULL, 0);
	SAY("SETVAL cleared the undo: %d\n", getval(id, 1));
	setval(id, 1, 0);
	c = fork();
	if (c == 0) {
		/* the adjustment must stay within -32768..32767 */
		op1(id, 1, 32767, SEM_UNDO); /* adj -32767 */
		op1(id, 1, -32767, 0);
		SAY("undo adj -32768: %s\n", rc(op1(id, 1, 1, SEM_UNDO)));
		op1(id, 1, -1, 0);
		SAY("undo adj -32769: %s\n", rc(op1(id, 1, 1, SEM_UNDO)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	SAY("after that child: %d\n", getval(id, 1));
	semctl(id, 0, IPC_RMID);
}

static void other_user(void)
{
	int id = semget(IPC_PRIVATE, 1, 0600);
	int r = semget(IPC_PRIVATE, 1, 0644);
	pid_t c = fork();
	if (c == 0) {
		setgid(1000);
		setuid(1000);
		struct semid_ds ds;
		SAY("user semop on 0600: %s\n", rc(op1(id, 0, 1, 0)));
		SAY("user GETVAL on 0600: %s\n", rc(getval(id, 0)));
		SAY("user IPC_STAT on 0600: %s\n", rc(semctl(id, 0, IPC_STAT, (union semun){.buf = &ds})));
		SAY("user IPC_RMID on 0600: %s\n", rc(semctl(id, 0, IPC_RMID)));
		SAY("user wait-for-zero on 0644: %s\n", rc(op1(r, 0, 0, IPC_NOWAIT)));
		SAY("user increment on 0644: %s\n", rc(op1(r, 0, 1, 0)));
		SAY("user SETVAL on 0644: %s\n", rc(setval(r, 0, 1)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	struct semid_ds ds;
	semctl(r, 0, IPC_STAT, (union semun){.buf = &ds});
	ds.sem_perm.mode = 0666;
	ds.sem_perm.gid = 1000;
	CHECK(semctl(r, 0, IPC_SET, (union semun){.buf = &ds}) == 0, "IPC_SET");
	semctl(r, 0, IPC_STAT, (union semun){.buf = &ds});
	SAY("after IPC_SET: mode %o gid %u\n", ds.sem_perm.mode, ds.sem_perm.gid);
	struct seminfo si;
	int hi = semctl(0, 0, IPC_INFO, (union semun){.__buf = &si});
	SAY("IPC_INFO: index ok %s semmsl %d semmns %d semopm %d semmni %d semvmx %d semaem %d semume %d\n",
	    hi >= 0 ? "yes" : "no", si.semmsl, si.semmns, si.semopm, si.semmni, si.semvmx, si.semaem, si.semume);
	CHECK(semctl(0, 0, SEM_INFO, (union semun){.__buf = &si}) >= 0 && si.semusz >= 2 && si.semaem >= 2,
	      "SEM_INFO counts sets and semaphores");
	SAY("SEM_STAT by index gives the id: %s\n",
	    semctl(r % 32768, 0, SEM_STAT, (union semun){.buf = &ds}) == r ? "yes" : "no");
	semctl(id, 0, IPC_RMID);
	semctl(r, 0, IPC_RMID);
}

/* Many keys: every one found again by key after a third of them went
 * (the kernel's key index must keep its chains whole). */
static void many_keys(void)
{
	enum { N = 700 };
	static int ids[N];
	key_t base = (key_t)(0x5b000000 + getpid() * 1024);
	int made = 0, found = 0, gone = 0;
	for (int i = 0; i < N; i++) {
		ids[i] = semget(base + i, 1, IPC_CREAT | IPC_EXCL | 0600);
		made += ids[i] >= 0;
	}
	for (int i = 0; i < N; i += 3)
		semctl(ids[i], 0, IPC_RMID);
	for (int i = 0; i < N; i++) {
		int id = semget(base + i, 0, 0);
		if (i % 3 == 0)
			gone += id < 0 && errno == ENOENT;
		else
			found += id == ids[i];
	}
	SAY("many keys: made %d, found again %d, removed ones ENOENT %d\n", made, found, gone);
	SAY("a removed key made again: %s\n", semget(base, 1, IPC_CREAT | IPC_EXCL | 0600) >= 0 ? "ok" : t_errname(errno));
	semctl(semget(base, 0, 0), 0, IPC_RMID);
	for (int i = 0; i < N; i++)
		if (i % 3)
			semctl(ids[i], 0, IPC_RMID);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	key_base = (key_t)(0x4b450000 + getpid() * 4);
	keys();
	values();
	ops();
	interrupted();
	undo();
	other_user();
	many_keys();
	return t_done();
}
