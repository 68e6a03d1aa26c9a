/* Syscall fuzzer: random system call numbers with hostile arguments
 * (NULL, -1, kernel addresses, unmapped and non-canonical pointers, huge
 * sizes, pointers into a scratch buffer) in forked children that an alarm
 * ends; the parent checks that every child ends and the kernel goes on.
 * Calls that would end the test itself (exit, kill, reboot, mount, ...) are
 * skipped. A second phase aims at the newer families (pipes and splice,
 * pidfds, System V IPC, POSIX timers, PI futexes, xattrs, memfd seals,
 * flock, mlock, fallocate...): their calls get real descriptors and IPC
 * identifiers mixed with the hostile values, so the checks past "bad
 * descriptor" are reached too. Usage: syscall_fuzz ROUNDS SEED. Run by
 * tests/fuzz.sh. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
static uint64_t rs = 88172645463325252ULL;
static uint64_t rnd(void){ rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }
static char buf[65536];
static uint64_t arg(void){
	switch (rnd() % 12) {
	case 0: return 0; case 1: return 1; case 2: return -1ULL; case 3: return rnd() % 64;
	case 4: return (uint64_t)buf; case 5: return (uint64_t)buf + (rnd() % 65536);
	case 6: return 0xffffffff80000000ULL + (rnd() % 0x100000); case 7: return 0x7ffffffff000ULL;
	case 8: return rnd(); case 9: return 4096; case 10: return 0x1000; default: return rnd() % 0x10000000;
	}
}
static int banned(long n){
	switch (n) { case SYS_exit: case SYS_exit_group: case SYS_kill: case SYS_tkill: case SYS_tgkill:
	case SYS_reboot: case SYS_fork: case SYS_vfork: case SYS_clone: case SYS_clone3: case SYS_execve: case SYS_execveat:
	case SYS_setitimer: case SYS_alarm: case SYS_setsid: case SYS_setpgid:
	case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo: case SYS_ptrace: case 424 /* pidfd_send_signal */:
	case SYS_umount2: case SYS_mount: case SYS_chroot: case SYS_pivot_root: case SYS_rt_sigaction: case SYS_rt_sigprocmask: return 1; }
	return n >= 450;
}
/* Real objects for the focused phase. */
static long objs[12];
static int nobjs;
static uint64_t farg(void)
{
	if (nobjs && rnd() % 2)
		return (uint64_t)objs[rnd() % nobjs];
	return arg();
}
static const long focus[] = {
	275, 276, 278,			/* splice, tee, vmsplice */
	434, 438, 424,			/* pidfd_open, pidfd_getfd, pidfd_send_signal (own pidfds only) */
	SYS_flock, SYS_fcntl, SYS_fallocate, SYS_fadvise64, SYS_readahead, SYS_sync_file_range,
	SYS_setxattr, SYS_fsetxattr, SYS_getxattr, SYS_fgetxattr, SYS_listxattr, SYS_flistxattr,
	SYS_removexattr, SYS_fremovexattr, 319 /* memfd_create */,
	SYS_shmget, SYS_shmat, SYS_shmdt, SYS_shmctl, SYS_msgget, SYS_msgsnd, SYS_msgrcv, SYS_msgctl,
	SYS_semget, SYS_semop, SYS_semtimedop, SYS_semctl,
	SYS_timer_create, SYS_timer_settime, SYS_timer_gettime, SYS_timer_getoverrun, SYS_timer_delete,
	SYS_getitimer, SYS_futex, SYS_set_robust_list, SYS_get_robust_list,
	SYS_mlock, 325 /* mlock2 */, SYS_munlock, SYS_mlockall, SYS_munlockall, SYS_mincore,
	327 /* preadv2 */, 328 /* pwritev2 */, 436 /* close_range */, 312 /* kcmp */,
	SYS_epoll_ctl, 441 /* epoll_pwait2 */, SYS_sched_setattr, SYS_sched_getattr, SYS_ioprio_set,
	SYS_ioprio_get, 324 /* membarrier */, SYS_process_vm_readv, SYS_waitid,
	SYS_getdents, SYS_utimensat, SYS_sched_setaffinity, SYS_sched_getaffinity, SYS_personality,
};
static void make_objs(void)
{
	int p[2];
	nobjs = 0;
	if (pipe(p) == 0) {
		objs[nobjs++] = p[0];
		objs[nobjs++] = p[1];
	}
	objs[nobjs++] = syscall(319, "fz", 3 /* CLOEXEC|ALLOW_SEALING */);
	objs[nobjs++] = open("/tmp", O_RDONLY);
	objs[nobjs++] = open("/tmp/fz", O_CREAT | O_RDWR, 0666);
	objs[nobjs++] = syscall(434, getpid(), 0);
	objs[nobjs++] = syscall(SYS_msgget, 0, 0600);
	objs[nobjs++] = syscall(SYS_semget, 0, 4, 0600);
	objs[nobjs++] = syscall(SYS_shmget, 0, 8192, 0600);
	objs[nobjs++] = syscall(SYS_epoll_create1, 0);
}
static void drop_objs(void)
{
	syscall(SYS_msgctl, objs[7], 0, 0);
	syscall(SYS_semctl, objs[8], 0, 0, 0);
	syscall(SYS_shmctl, objs[9], 0, 0);
}
static int sigs[64], exits;
int main(int argc, char **argv){
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	rs ^= argc > 2 ? (uint64_t)atoll(argv[2]) * 0x9E3779B97F4A7C15ULL : 0;
	for (int r = 0; r < rounds; r++) {
		uint64_t seed = rnd();
		pid_t p = fork();
		if (p == 0) {
			rs = seed ^ 0x9E3779B97F4A7C15ULL; /* never 0: xorshift would stick */
			ualarm(100000, 0); /* 100 ms: children that block (pause, reads) end quickly */
			/* keep the fuzzer's writes off the test's output */
			int null = open("/dev/null", O_RDWR);
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			/* odd rounds: the focused phase alone (random calls often end
			 * a child before it would get there) */
			for (int i = 0; i < 200 && !(r & 1); i++) {
				long n = rnd() % 450;
				if (banned(n)) continue;
				syscall(n, arg(), arg(), arg(), arg(), arg(), arg());
			}
			make_objs();
			for (int i = 0; i < 200; i++) {
				long n = focus[rnd() % (sizeof focus / sizeof focus[0])];
				uint64_t a0 = farg();
				if (n == 424 && a0 != (uint64_t)objs[6])
					continue; /* signals only through our own pidfd */
				syscall(n, a0, farg(), farg(), farg(), farg(), farg());
			}
			drop_objs();
			_exit(0);
		}
		if (p < 0) { printf("fork failed at round %d\n", r); return 1; }
		/* A child may have stopped itself (SIGSTOP via a random call):
		 * give it 1 s, then SIGKILL, which ends even a stopped process. */
		int st = 0;
		int waited = 0;
		while (waitpid(p, &st, WNOHANG) == 0) {
			if (++waited > 100) {
				kill(p, SIGKILL); /* stopped (or alarm blocked): end it */
				waitpid(p, &st, 0);
				break;
			}
			usleep(10000);
		}
		if (WIFSIGNALED(st)) sigs[WTERMSIG(st) & 63]++; else exits++;
	}
	printf("kernel survived %d rounds: %d exits", rounds, exits);
	for (int i = 0; i < 64; i++) if (sigs[i]) printf(", sig%d x%d", i, sigs[i]);
	printf("\n");
	return 0;
}
