/* proc_timer_wakeups: every way a sleeping task is woken by time still
 * works after processes died in the middle of futex, SysV IPC and timed
 * waits with timers armed (killed, or their threads torn down by
 * exit_group). Also busybox timeout's watcher pattern: kill(pid, 0) is 0
 * for a zombie and ESRCH once it is reaped. Only relations are printed. */
#include "t.h"
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/time.h>

static int futex_word;

static long futex_wait_ns(int *w, int val, long ns)
{
	struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
	return syscall(SYS_futex, w, FUTEX_WAIT, val, &ts, NULL, 0);
}

static void *thread_futex(void *arg)
{
	(void)arg;
	futex_wait_ns(&futex_word, 0, 10000000000L);
	return NULL;
}

static void on_alarm(int s) { (void)s; }

static volatile sig_atomic_t prof_hits;
static void on_prof(int s)
{
	(void)s;
	prof_hits++;
}

/* Children that die while blocked: in a futex (with a timeout), with
 * threads blocked in futexes (exit_group), in msgrcv, in semtimedop, in
 * nanosleep, with an alarm, an interval timer and a POSIX timer armed. */
static int churn(int msq, int sem)
{
	int killed = 0;
	for (int kind = 0; kind < 6; kind++) {
		pid_t p = fork();
		if (p == 0) {
			static int local;
			struct sembuf op = {0, -1, 0};
			struct timespec ten = {10, 0};
			struct itimerval it = {{0, 0}, {10, 0}};
			struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
			struct itimerspec its = {{0, 0}, {10, 0}};
			timer_t tm;
			pthread_t th[4];
			long msg[2];
			alarm(10);
			setitimer(ITIMER_REAL, &it, NULL);
			if (timer_create(CLOCK_MONOTONIC, &ev, &tm) == 0)
				timer_settime(tm, 0, &its, NULL);
			switch (kind) {
			case 0: futex_wait_ns(&local, 0, 10000000000L); break;
			case 1:
				for (int i = 0; i < 4; i++)
					pthread_create(&th[i], NULL, thread_futex, NULL);
				usleep(20000);
				_exit(0); /* exit_group with threads in futex waits */
			case 2: msgrcv(msq, msg, sizeof(msg[1]), 0, 0); break;
			case 3: semtimedop(sem, &op, 1, &ten); break;
			case 4: nanosleep(&ten, NULL); break;
			default: pause(); break;
			}
			_exit(1);
		}
		usleep(20000);
		if (kind != 1)
			kill(p, SIGKILL);
		int st;
		if (waitpid(p, &st, 0) == p &&
		    ((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) || (kind == 1 && WIFEXITED(st))))
			killed++;
	}
	return killed;
}

static long elapsed_ms(struct timespec a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

static struct timespec now(void)
{
	struct timespec a;
	clock_gettime(CLOCK_MONOTONIC, &a);
	return a;
}

/* Woken by time: not early, and not stuck (a lost wake-up hangs the test,
 * which the harness's timeout reports). */
static void waits(int sem)
{
	struct timespec t0 = now(), d = {0, 30000000};
	CHECK(nanosleep(&d, NULL) == 0 && elapsed_ms(t0) >= 29, "nanosleep 30 ms");

	t0 = now();
	struct timespec abs = t0;
	abs.tv_nsec += 30000000;
	if (abs.tv_nsec >= 1000000000L) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000L;
	}
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0 && elapsed_ms(t0) >= 29,
	      "clock_nanosleep absolute");

	t0 = now();
	CHECK(poll(NULL, 0, 30) == 0 && elapsed_ms(t0) >= 29, "poll timeout");

	t0 = now();
	struct timeval tv = {0, 30000};
	CHECK(select(0, NULL, NULL, NULL, &tv) == 0 && elapsed_ms(t0) >= 29, "select timeout");

	int ep = epoll_create1(0);
	struct epoll_event ev;
	t0 = now();
	CHECK(ep >= 0 && epoll_wait(ep, &ev, 1, 30) == 0 && elapsed_ms(t0) >= 29, "epoll_wait timeout");
	close(ep);

	t0 = now();
	errno = 0;
	CHECK(futex_wait_ns(&futex_word, 0, 30000000) == -1 && errno == ETIMEDOUT && elapsed_ms(t0) >= 29,
	      "futex wait timeout");

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	t0 = now();
	errno = 0;
	CHECK(sigtimedwait(&set, NULL, &d) == -1 && errno == EAGAIN && elapsed_ms(t0) >= 29,
	      "sigtimedwait timeout");

	struct sembuf op = {0, -1, 0};
	t0 = now();
	errno = 0;
	CHECK(semtimedop(sem, &op, 1, &d) == -1 && errno == EAGAIN && elapsed_ms(t0) >= 29,
	      "semtimedop timeout");

	/* Timers that wake a signal wait. */
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct itimerval it = {{0, 0}, {0, 30000}};
	t0 = now();
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK(sigsuspend(&none) == -1 && errno == EINTR && elapsed_ms(t0) >= 29, "ITIMER_REAL wakes sigsuspend");

	timer_t tm;
	struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
	struct itimerspec its = {{0, 0}, {0, 30000000}};
	t0 = now();
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0 && timer_settime(tm, 0, &its, NULL) == 0,
	      "timer_create and arm");
	CHECK(sigsuspend(&none) == -1 && errno == EINTR && elapsed_ms(t0) >= 29, "POSIX timer wakes sigsuspend");
	timer_delete(tm);

	t0 = now();
	alarm(1);
	CHECK(sigsuspend(&none) == -1 && errno == EINTR && elapsed_ms(t0) >= 990, "alarm wakes sigsuspend");

	/* A CPU-time timer: fires while we spin. */
	struct itimerval prof = {{0, 0}, {0, 30000}};
	prof_hits = 0;
	struct sigaction sp = {.sa_handler = on_prof};
	sigaction(SIGPROF, &sp, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	setitimer(ITIMER_PROF, &prof, NULL);
	struct itimerval left;
	t0 = now();
	do
		getitimer(ITIMER_PROF, &left);
	while ((left.it_value.tv_sec || left.it_value.tv_usec) && elapsed_ms(t0) < 20000);
	CHECK(left.it_value.tv_sec == 0 && left.it_value.tv_usec == 0, "ITIMER_PROF expires while spinning");
	getppid(); /* a return to user mode after the expiry */
	CHECK(prof_hits == 1, "SIGPROF delivered once");
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int msq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	CHECK(msq >= 0 && sem >= 0, "message queue and semaphore set");
	int killed = 0;
	for (int r = 0; r < 3; r++)
		killed += churn(msq, sem);
	CHECK(killed == 18, "18 children died mid-wait");
	waits(sem);

	/* The same waits in a fresh child, then the watcher pattern. */
	pid_t c = fork();
	if (c == 0) {
		waits(sem);
		_exit(t_failures ? 1 : 0);
	}
	int st;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child's waits");

	pid_t z = fork();
	if (z == 0)
		_exit(0);
	usleep(20000);
	CHECK(kill(z, 0) == 0, "kill(zombie, 0) is 0");
	waitpid(z, &st, 0);
	errno = 0;
	CHECK(kill(z, 0) == -1 && errno == ESRCH, "kill(reaped, 0) is ESRCH");

	msgctl(msq, IPC_RMID, NULL);
	semctl(sem, 0, IPC_RMID);
	return t_done();
}
