/* sys_sched: scheduling policy, priority, nice and affinity calls with
 * their documented errors (sched_setscheduler(2), sched_setparam(2),
 * sched_get_priority_max(2), sched_rr_get_interval(2), getpriority(2),
 * sched_setaffinity(2)), as root and as an ordinary user. Raw syscalls:
 * the C libraries wrap some of these differently. */
#include "t.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif

static const char *rc(long r)
{
	static char buf[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(buf, sizeof buf, "%ld", r);
	return buf;
}

static long setsched(pid_t pid, int pol, int prio)
{
	struct sched_param p = {.sched_priority = prio};
	return syscall(SYS_sched_setscheduler, pid, pol, &p);
}

static pid_t dead_pid(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	waitpid(c, NULL, 0);
	return c;
}

static void policies(void)
{
	/* (7 is SCHED_EXT since Linux 6.12: not asked) */
	int pols[] = {SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, 4, SCHED_IDLE, SCHED_DEADLINE, -1, 1000};
	for (unsigned i = 0; i < sizeof pols / sizeof pols[0]; i++) {
		SAY("policy %d: max %s", pols[i], rc(syscall(SYS_sched_get_priority_max, pols[i])));
		SAY(" min %s\n", rc(syscall(SYS_sched_get_priority_min, pols[i])));
	}
}

static void root_calls(pid_t dead)
{
	struct sched_param p;
	struct timespec ts;
	SAY("getscheduler(0): %s\n", rc(syscall(SYS_sched_getscheduler, 0)));
	SAY("getscheduler(-1): %s\n", rc(syscall(SYS_sched_getscheduler, -1)));
	SAY("getscheduler(dead): %s\n", rc(syscall(SYS_sched_getscheduler, dead)));
	p.sched_priority = 77;
	const char *r = rc(syscall(SYS_sched_getparam, 0, &p));
	SAY("getparam(0): %s prio %d\n", r, p.sched_priority);
	SAY("getparam(0, NULL): %s\n", rc(syscall(SYS_sched_getparam, 0, NULL)));
	SAY("getparam(-1): %s\n", rc(syscall(SYS_sched_getparam, -1, &p)));
	SAY("getparam(dead): %s\n", rc(syscall(SYS_sched_getparam, dead, &p)));
	SAY("getparam bad pointer: %s\n", rc(syscall(SYS_sched_getparam, 0, (void *)8)));
	SAY("setscheduler FIFO 0: %s\n", rc(setsched(0, SCHED_FIFO, 0)));
	SAY("setscheduler FIFO 100: %s\n", rc(setsched(0, SCHED_FIFO, 100)));
	SAY("setscheduler OTHER 5: %s\n", rc(setsched(0, SCHED_OTHER, 5)));
	SAY("setscheduler policy 4: %s\n", rc(setsched(0, 4, 0)));
	SAY("setscheduler policy -1: %s\n", rc(setsched(0, -1, 0)));
	SAY("setscheduler DEADLINE: %s\n", rc(setsched(0, SCHED_DEADLINE, 0)));
	SAY("setscheduler NULL param: %s\n", rc(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL)));
	SAY("setscheduler pid -1: %s\n", rc(setsched(-1, SCHED_OTHER, 0)));
	SAY("setscheduler dead pid: %s\n", rc(setsched(dead, SCHED_OTHER, 0)));
	SAY("setscheduler bad pointer: %s\n", rc(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8)));
	SAY("setscheduler FIFO 10: %s\n", rc(setsched(0, SCHED_FIFO, 10)));
	SAY("  getscheduler %s", rc(syscall(SYS_sched_getscheduler, 0)));
	syscall(SYS_sched_getparam, 0, &p);
	SAY(" prio %d", p.sched_priority);
	syscall(SYS_sched_rr_get_interval, 0, &ts);
	SAY(" rr interval %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
	p.sched_priority = 30;
	SAY("setparam 30 keeps FIFO: %s", rc(syscall(SYS_sched_setparam, 0, &p)));
	SAY(" -> policy %s\n", rc(syscall(SYS_sched_getscheduler, 0)));
	p.sched_priority = 0;
	SAY("setparam 0 under FIFO: %s\n", rc(syscall(SYS_sched_setparam, 0, &p)));
	SAY("setparam NULL: %s\n", rc(syscall(SYS_sched_setparam, 0, NULL)));
	SAY("setscheduler RR 50: %s", rc(setsched(0, SCHED_RR, 50)));
	syscall(SYS_sched_rr_get_interval, 0, &ts);
	SAY(" rr interval %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
	SAY("rr_get_interval(-1): %s\n", rc(syscall(SYS_sched_rr_get_interval, -1, &ts)));
	SAY("rr_get_interval(dead): %s\n", rc(syscall(SYS_sched_rr_get_interval, dead, &ts)));
	SAY("rr_get_interval bad pointer: %s\n", rc(syscall(SYS_sched_rr_get_interval, 0, (void *)8)));
	SAY("FIFO|RESET_ON_FORK 20: %s", rc(setsched(0, SCHED_FIFO | SCHED_RESET_ON_FORK, 20)));
	SAY(" -> getscheduler 0x%lx\n", syscall(SYS_sched_getscheduler, 0));
	pid_t c = fork();
	if (c == 0) {
		struct sched_param cp;
		syscall(SYS_sched_getparam, 0, &cp);
		SAY("  child after reset-on-fork: policy 0x%lx prio %d\n", syscall(SYS_sched_getscheduler, 0),
		    cp.sched_priority);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	SAY("back to OTHER: %s", rc(setsched(0, SCHED_OTHER, 0)));
	SAY(" -> getscheduler 0x%lx\n", syscall(SYS_sched_getscheduler, 0));
	SAY("BATCH: %s", rc(setsched(0, SCHED_BATCH, 0)));
	SAY(", IDLE: %s", rc(setsched(0, SCHED_IDLE, 0)));
	SAY(", OTHER: %s\n", rc(setsched(0, SCHED_OTHER, 0)));
}

static void prio_calls(pid_t dead)
{
	SAY("getpriority(PROCESS, 0) raw: %s\n", rc(syscall(SYS_getpriority, PRIO_PROCESS, 0)));
	SAY("getpriority(which 3): %s\n", rc(syscall(SYS_getpriority, 3, 0)));
	SAY("getpriority(which -1): %s\n", rc(syscall(SYS_getpriority, -1, 0)));
	SAY("getpriority(PROCESS, dead): %s\n", rc(syscall(SYS_getpriority, PRIO_PROCESS, dead)));
	SAY("getpriority(PGRP, dead): %s\n", rc(syscall(SYS_getpriority, PRIO_PGRP, dead)));
	SAY("getpriority(USER, 54321): %s\n", rc(syscall(SYS_getpriority, PRIO_USER, 54321)));
	SAY("getpriority(PGRP, 0): %s\n", rc(syscall(SYS_getpriority, PRIO_PGRP, 0)));
	SAY("setpriority(PROCESS, 0, 5): %s", rc(syscall(SYS_setpriority, PRIO_PROCESS, 0, 5)));
	SAY(" -> %s\n", rc(syscall(SYS_getpriority, PRIO_PROCESS, 0)));
	SAY("setpriority(PROCESS, 0, 100) clamps: %s", rc(syscall(SYS_setpriority, PRIO_PROCESS, 0, 100)));
	SAY(" -> %s\n", rc(syscall(SYS_getpriority, PRIO_PROCESS, 0)));
	SAY("setpriority(PROCESS, 0, -100) clamps: %s", rc(syscall(SYS_setpriority, PRIO_PROCESS, 0, -100)));
	SAY(" -> %s\n", rc(syscall(SYS_getpriority, PRIO_PROCESS, 0)));
	SAY("setpriority(which 3): %s\n", rc(syscall(SYS_setpriority, 3, 0, 0)));
	SAY("setpriority(PROCESS, dead): %s\n", rc(syscall(SYS_setpriority, PRIO_PROCESS, dead, 0)));
	SAY("setpriority(USER, 54321): %s\n", rc(syscall(SYS_setpriority, PRIO_USER, 54321, 0)));
	pid_t c = fork();
	if (c == 0) {
		SAY("child inherits nice: %s\n", rc(syscall(SYS_getpriority, PRIO_PROCESS, 0)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	syscall(SYS_setpriority, PRIO_PROCESS, 0, 0);
}

static void affinity(pid_t dead)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	long r = syscall(SYS_sched_getaffinity, 0, sizeof s, &s);
	SAY("getaffinity: returns bytes %s, CPU 0 set %s\n", r > 0 ? "yes" : rc(r), CPU_ISSET(0, &s) ? "yes" : "no");
	SAY("getaffinity len 0: %s\n", rc(syscall(SYS_sched_getaffinity, 0, 0, &s)));
	SAY("getaffinity len 12: %s\n", rc(syscall(SYS_sched_getaffinity, 0, 12, &s)));
	SAY("getaffinity dead: %s\n", rc(syscall(SYS_sched_getaffinity, dead, sizeof s, &s)));
	SAY("getaffinity bad pointer: %s\n", rc(syscall(SYS_sched_getaffinity, 0, sizeof s, (void *)8)));
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	SAY("setaffinity {0}: %s\n", rc(syscall(SYS_sched_setaffinity, 0, sizeof s, &s)));
	CPU_ZERO(&s);
	SAY("setaffinity {}: %s\n", rc(syscall(SYS_sched_setaffinity, 0, sizeof s, &s)));
	CPU_SET(1000, &s);
	SAY("setaffinity {1000}: %s\n", rc(syscall(SYS_sched_setaffinity, 0, sizeof s, &s)));
	SAY("setaffinity dead: %s\n", rc(syscall(SYS_sched_setaffinity, dead, sizeof s, &s)));
	SAY("setaffinity bad pointer: %s\n", rc(syscall(SYS_sched_setaffinity, 0, sizeof s, (void *)8)));
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	syscall(SYS_sched_setaffinity, 0, sizeof s, &s);
}

static void as_user(pid_t rootchild)
{
	if (setgid(1000) || setuid(1000)) {
		SAY("setuid failed\n");
		return;
	}
	SAY("user setscheduler FIFO 1: %s\n", rc(setsched(0, SCHED_FIFO, 1)));
	SAY("user setscheduler BATCH: %s\n", rc(setsched(0, SCHED_BATCH, 0)));
	SAY("user setscheduler OTHER: %s\n", rc(setsched(0, SCHED_OTHER, 0)));
	SAY("user setscheduler of root's process: %s\n", rc(setsched(rootchild, SCHED_OTHER, 0)));
	SAY("user getscheduler of root's process: %s\n", rc(syscall(SYS_sched_getscheduler, rootchild)));
	SAY("user setpriority raise nice: %s\n", rc(syscall(SYS_setpriority, PRIO_PROCESS, 0, 10)));
	SAY("user setpriority lower nice: %s\n", rc(syscall(SYS_setpriority, PRIO_PROCESS, 0, 5)));
	SAY("user setpriority root's process: %s\n", rc(syscall(SYS_setpriority, PRIO_PROCESS, rootchild, 10)));
	SAY("user getpriority root's process: %s\n", rc(syscall(SYS_getpriority, PRIO_PROCESS, rootchild)));
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	SAY("user setaffinity of root's process: %s\n", rc(syscall(SYS_sched_setaffinity, rootchild, sizeof s, &s)));
	SAY("user setscheduler IDLE: %s\n", rc(setsched(0, SCHED_IDLE, 0)));
	SAY("user leaves IDLE: %s\n", rc(setsched(0, SCHED_OTHER, 0)));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	pid_t dead = dead_pid();
	policies();
	root_calls(dead);
	prio_calls(dead);
	affinity(dead);
	int p[2];
	pipe(p);
	pid_t rootchild = fork();
	if (rootchild == 0) {
		char ch;
		read(p[0], &ch, 1); /* wait until the user part is done */
		_exit(0);
	}
	pid_t u = fork();
	if (u == 0) {
		as_user(rootchild);
		_exit(0);
	}
	waitpid(u, NULL, 0);
	write(p[1], "x", 1);
	waitpid(rootchild, NULL, 0);
	return t_done();
}
