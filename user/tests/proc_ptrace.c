/* ptrace(2): a mini tracer. TRACEME + exec SIGTRAP, syscall stops
 * (counting, changing a result, skipping a call), a breakpoint set with
 * POKETEXT and stepped over, single-stepping, TRACEFORK auto-attach with
 * the real parent still reaping, SEIZE/INTERRUPT/LISTEN, event stops,
 * and the documented errors. Deterministic output only: relations, never
 * pids or addresses. */
#include "t.h"
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stddef.h>
#include <sys/uio.h>
#include <sys/user.h>

#define P_TRACEME 0
#define P_PEEKTEXT 1
#define P_PEEKDATA 2
#define P_PEEKUSER 3
#define P_POKETEXT 4
#define P_POKEDATA 5
#define P_POKEUSER 6
#define P_CONT 7
#define P_KILL 8
#define P_SINGLESTEP 9
#define P_GETREGS 12
#define P_SETREGS 13
#define P_GETFPREGS 14
#define P_SETFPREGS 15
#define P_ATTACH 16
#define P_DETACH 17
#define P_SYSCALL 24
#define P_SETOPTIONS 0x4200
#define P_GETEVENTMSG 0x4201
#define P_GETSIGINFO 0x4202
#define P_GETREGSET 0x4204
#define P_SEIZE 0x4206
#define P_INTERRUPT 0x4207
#define P_LISTEN 0x4208
#define P_PEEKSIGINFO 0x4209
#define P_GETSIGMASK 0x420a
#define P_GET_SYSCALL_INFO 0x420e
#define O_TRACESYSGOOD 1
#define O_TRACEFORK 2
#define O_TRACEEXEC 0x10
#define O_TRACEEXIT 0x40
#define O_EXITKILL 0x100000
#define EV_FORK 1
#define EV_EXEC 4
#define EV_EXIT 6
#define EV_STOP 128
#define WALL 0x40000000

static long pt(long req, pid_t pid, unsigned long addr, unsigned long data)
{
	return syscall(SYS_ptrace, req, (long)pid, addr, data);
}

static int wait_for(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, WALL) != pid)
		return -1;
	return st;
}

static int is_trap(int st, int sig, int event)
{
	return WIFSTOPPED(st) && WSTOPSIG(st) == sig && (st >> 16) == event;
}

/* A child that traces itself (TRACEME) and stops with SIGSTOP. */
static pid_t traced_child(void (*body)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		if (pt(P_TRACEME, 0, 0, 0) != 0)
			_exit(100);
		raise(SIGSTOP);
		body();
		_exit(0);
	}
	int st = wait_for(pid);
	if (!is_trap(st, SIGSTOP, 0))
		SAY("unexpected first stop %x\n", st);
	return pid;
}

static void body_exit7(void) { _exit(7); }

static void test_traceme_exec(const char *self)
{
	pid_t pid = fork();
	if (pid == 0) {
		pt(P_TRACEME, 0, 0, 0);
		execl("/proc/self/exe", self, "exit7", (char *)0);
		_exit(99);
	}
	int st = wait_for(pid);
	CHECK(is_trap(st, SIGTRAP, 0), "exec of a TRACEME child stops with SIGTRAP");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK(pt(P_GETSIGINFO, pid, 0, (unsigned long)&si) == 0 && si.si_signo == SIGTRAP && si.si_code == SI_USER,
	      "exec SIGTRAP siginfo is SI_USER");
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	int tracer = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	if (f)
		fclose(f);
	CHECK(tracer == getpid(), "TracerPid names the tracer");
	CHECK(pt(P_CONT, pid, 0, 0) == 0, "PTRACE_CONT");
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "the tracee exits 7 after CONT");
}

static volatile long sink;
static int debug_steps;
static void body_syscalls(void)
{
	for (int i = 0; i < 3; i++)
		sink += syscall(SYS_getppid);
	long r = syscall(SYS_getppid); /* the tracer changes this result */
	long k = syscall(SYS_kill, getpid(), SIGKILL); /* the tracer skips this call */
	_exit(r == 4242 && k == -1 && errno == ENOSYS ? 11 : 12);
}

struct sc_info {
	uint8_t op, pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	uint64_t nr_or_rval, a[6];
};

static void test_syscalls(void)
{
	pid_t pid = traced_child(body_syscalls);
	CHECK(pt(P_SETOPTIONS, pid, 0, O_TRACESYSGOOD | O_EXITKILL) == 0, "SETOPTIONS TRACESYSGOOD|EXITKILL");
	int getppid_entries = 0, getppid_exits = 0, bad_status = 0, info_ok = 0, kill_seen = 0, changed = 0;
	int in_call = 0, st;
	for (;;) {
		if (pt(P_SYSCALL, pid, 0, 0) != 0)
			break;
		st = wait_for(pid);
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
			bad_status++;
			continue;
		}
		struct user_regs_struct r;
		pt(P_GETREGS, pid, 0, (unsigned long)&r);
		in_call = !in_call;
		if (in_call && r.rax != (unsigned long)-ENOSYS)
			bad_status++;
		if (r.orig_rax == SYS_getppid) {
			if (in_call) {
				getppid_entries++;
			} else if (++getppid_exits == 4) {
				r.rax = 4242;
				changed = pt(P_SETREGS, pid, 0, (unsigned long)&r) == 0;
			}
		}
		if (r.orig_rax == SYS_kill && in_call && r.rsi == SIGKILL) {
			struct sc_info in;
			memset(&in, 0, sizeof(in));
			long n = pt(P_GET_SYSCALL_INFO, pid, sizeof(in), (unsigned long)&in);
			info_ok = n > 24 && in.op == 1 && in.nr_or_rval == SYS_kill && in.a[1] == SIGKILL;
			r.orig_rax = -1; /* skip it: the call returns -ENOSYS */
			kill_seen = pt(P_SETREGS, pid, 0, (unsigned long)&r) == 0;
		}
	}
	CHECK(WIFEXITED(st), "the syscall-traced child exits");
	SAY("getppid entry stops: %d, exit stops: %d\n", getppid_entries, getppid_exits);
	CHECK(bad_status == 0, "every syscall stop is SIGTRAP|0x80 with rax -ENOSYS at entry");
	CHECK(changed && kill_seen && info_ok, "result changed, kill skipped, GET_SYSCALL_INFO at entry");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 11, "the child saw the new result and survived the skipped kill");
}

static __attribute__((noinline)) int target_fn(int x)
{
	sink++;
	return x + 5;
}

static void body_breakpoint(void) { _exit(target_fn(30)); }

static void test_breakpoint(void)
{
	pid_t pid = traced_child(body_breakpoint);
	unsigned long addr = (unsigned long)&target_fn, orig = 0, now = 0;
	CHECK(pt(P_PEEKTEXT, pid, addr, (unsigned long)&orig) == 0, "PEEKTEXT of the child's text");
	CHECK(orig == *(unsigned long *)addr, "the child's text is the parent's");
	unsigned long bp = (orig & ~0xffUL) | 0xcc;
	CHECK(pt(P_POKETEXT, pid, addr, bp) == 0, "POKETEXT an int3 into read-only text");
	CHECK(pt(P_PEEKTEXT, pid, addr, (unsigned long)&now) == 0 && now == bp, "the child's text has the int3");
	CHECK(*(unsigned long *)addr == orig, "the parent's own text is unchanged");
	pt(P_CONT, pid, 0, 0);
	int st = wait_for(pid);
	CHECK(is_trap(st, SIGTRAP, 0), "the breakpoint stops the child with SIGTRAP");
	struct user_regs_struct r;
	CHECK(pt(P_GETREGS, pid, 0, (unsigned long)&r) == 0 && r.rip == addr + 1, "rip is just past the int3");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	pt(P_GETSIGINFO, pid, 0, (unsigned long)&si);
	CHECK(si.si_signo == SIGTRAP && si.si_code == SI_KERNEL, "the int3 siginfo is SI_KERNEL");
	unsigned long rip_user = 0;
	CHECK(pt(P_PEEKUSER, pid, offsetof(struct user, regs.rip), (unsigned long)&rip_user) == 0 && rip_user == r.rip,
	      "PEEKUSER rip agrees with GETREGS");
	pt(P_POKETEXT, pid, addr, orig);
	CHECK(pt(P_POKEUSER, pid, offsetof(struct user, regs.rip), addr) == 0, "POKEUSER rip back to the function");
	pt(P_CONT, pid, 0, 0); /* suppress the SIGTRAP */
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 35, "the function ran whole after the fix-up");
}

static unsigned read_mxcsr(void)
{
	unsigned m;
	__asm__ volatile("stmxcsr %0" : "=m"(m));
	return m;
}

static void body_fp(void)
{
	unsigned m = 0x5f80; /* round up */
	__asm__ volatile("ldmxcsr %0" ::"m"(m));
	raise(SIGSTOP);
	_exit(read_mxcsr() == 0x7f80 ? 44 : 45); /* the tracer set round toward zero */
}

static void test_fpregs(void)
{
	pid_t pid = traced_child(body_fp);
	pt(P_CONT, pid, 0, 0);
	int st = wait_for(pid);
	CHECK(is_trap(st, SIGSTOP, 0), "stopped after changing MXCSR");
	struct user_fpregs_struct fp;
	memset(&fp, 0, sizeof(fp));
	CHECK(pt(P_GETFPREGS, pid, 0, (unsigned long)&fp) == 0 && fp.mxcsr == 0x5f80, "GETFPREGS shows the tracee's MXCSR");
	struct user_fpregs_struct fp2;
	struct iovec io = {&fp2, sizeof(fp2)};
	CHECK(pt(P_GETREGSET, pid, 2, (unsigned long)&io) == 0 && io.iov_len == sizeof(fp2) &&
		      memcmp(&fp, &fp2, sizeof(fp)) == 0,
	      "GETREGSET NT_PRFPREG agrees");
	CHECK_ERR(pt(P_GETFPREGS, pid, 0, 8), EFAULT, "GETFPREGS into a bad buffer");
	fp2 = fp;
	fp2.mxcsr = 0xffff0000;
	CHECK_ERR(pt(P_SETFPREGS, pid, 0, (unsigned long)&fp2), EINVAL, "SETFPREGS with reserved MXCSR bits");
	fp.mxcsr = 0x7f80;
	CHECK(pt(P_SETFPREGS, pid, 0, (unsigned long)&fp) == 0, "SETFPREGS round toward zero");
	pt(P_CONT, pid, 0, 0);
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 44, "the tracee runs with the new MXCSR");
}

static void body_pending(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &m, NULL);
	raise(SIGUSR2);            /* this thread's */
	kill(getpid(), SIGUSR1);   /* the process's */
	union sigval v = {.sival_int = 7};
	sigqueue(getpid(), SIGRTMIN, v);
	raise(SIGSTOP);
	_exit(0);
}

struct peek_args {
	uint64_t off;
	uint32_t flags;
	int32_t nr;
};

static void test_peeksiginfo(void)
{
	pid_t pid = traced_child(body_pending);
	pt(P_CONT, pid, 0, 0);
	int st = wait_for(pid);
	CHECK(is_trap(st, SIGSTOP, 0), "stopped with three signals pending");
	siginfo_t si[4];
	memset(si, 0, sizeof(si));
	struct peek_args a = {0, 0, 4};
	long n = pt(P_PEEKSIGINFO, pid, (unsigned long)&a, (unsigned long)si);
	CHECK(n == 1 && si[0].si_signo == SIGUSR2, "PEEKSIGINFO: the thread's SIGUSR2");
	a.flags = 1;
	memset(si, 0, sizeof(si));
	n = pt(P_PEEKSIGINFO, pid, (unsigned long)&a, (unsigned long)si);
	CHECK(n == 2 && si[0].si_signo == SIGUSR1 && si[1].si_signo == SIGRTMIN && si[1].si_code == SI_QUEUE &&
		      si[1].si_value.sival_int == 7,
	      "PEEKSIGINFO_SHARED: SIGUSR1, then the queued SIGRTMIN with its value");
	a.off = 1;
	a.nr = 1;
	n = pt(P_PEEKSIGINFO, pid, (unsigned long)&a, (unsigned long)si);
	CHECK(n == 1 && si[0].si_signo == SIGRTMIN, "PEEKSIGINFO from an offset");
	a.off = 5;
	CHECK(pt(P_PEEKSIGINFO, pid, (unsigned long)&a, (unsigned long)si) == 0, "PEEKSIGINFO past the end gives 0");
	a.flags = 2;
	CHECK_ERR(pt(P_PEEKSIGINFO, pid, (unsigned long)&a, (unsigned long)si), EINVAL, "PEEKSIGINFO with a bad flag");
	a.flags = 0;
	a.off = 0;
	CHECK_ERR(pt(P_PEEKSIGINFO, pid, (unsigned long)&a, 8), EFAULT, "PEEKSIGINFO into a bad buffer");
	unsigned long mask = 0;
	CHECK(pt(P_GETSIGMASK, pid, 8, (unsigned long)&mask) == 0 && (mask & (1UL << (SIGUSR1 - 1))) &&
		      (mask & (1UL << (SIGRTMIN - 1))),
	      "GETSIGMASK shows the blocked signals");
	CHECK_ERR(pt(P_GETSIGMASK, pid, 4, (unsigned long)&mask), EINVAL, "GETSIGMASK with a bad size");
	kill(pid, SIGKILL);
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL ends a stopped tracee");
}

static void body_spin(void)
{
	for (volatile int i = 0; i < 1000; i++)
		sink += i;
	_exit(3);
}

static void test_singlestep(void)
{
	pid_t pid = traced_child(body_spin);
	int traps = 0, trace_code = 0, brkpt_code = 0, moved = 0;
	unsigned long last = 0;
	for (int i = 0; i < 40; i++) {
		if (pt(P_SINGLESTEP, pid, 0, 0) != 0)
			break;
		int st = wait_for(pid);
		if (!is_trap(st, SIGTRAP, 0))
			break;
		traps++;
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		pt(P_GETSIGINFO, pid, 0, (unsigned long)&si);
		trace_code += si.si_code == 2; /* TRAP_TRACE */
		brkpt_code += si.si_code == 1; /* TRAP_BRKPT: a step over a system call */
		struct user_regs_struct r;
		pt(P_GETREGS, pid, 0, (unsigned long)&r);
		moved += r.rip != last;
		if (debug_steps) fprintf(stderr, "step %d rip %lx code %d\n", i, (unsigned long)r.rip, si.si_code);
		last = r.rip;
	}
	SAY("single steps: %d traps, %d TRAP_TRACE, %d TRAP_BRKPT, rip moved %d times\n", traps, trace_code,
	    brkpt_code, moved);
	pt(P_CONT, pid, 0, 0);
	int st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "the stepped child finishes");
}

static void body_fork(void)
{
	pid_t g = fork();
	if (g == 0)
		_exit(3);
	int st = 0;
	pid_t w = waitpid(g, &st, 0);
	_exit(w == g && WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 21 : 22);
}

static void test_tracefork(void)
{
	pid_t pid = traced_child(body_fork);
	CHECK(pt(P_SETOPTIONS, pid, 0, O_TRACEFORK) == 0, "SETOPTIONS TRACEFORK");
	pt(P_CONT, pid, 0, 0);
	int st = wait_for(pid);
	CHECK(is_trap(st, SIGTRAP, EV_FORK), "fork reports PTRACE_EVENT_FORK");
	unsigned long msg = 0;
	CHECK(pt(P_GETEVENTMSG, pid, 0, (unsigned long)&msg) == 0 && msg > 0, "GETEVENTMSG gives the new pid");
	pid_t g = (pid_t)msg;
	st = wait_for(g);
	CHECK(is_trap(st, SIGSTOP, 0), "the auto-attached grandchild starts stopped with SIGSTOP");
	pt(P_CONT, g, 0, 0);
	st = wait_for(g);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "the tracer sees the grandchild's exit first");
	int sigchld_stops = 0;
	for (;;) {
		pt(P_CONT, pid, 0, 0); /* SIGCHLD's delivery-stop: suppressed */
		st = wait_for(pid);
		if (!WIFSTOPPED(st))
			break;
		sigchld_stops += WSTOPSIG(st) == SIGCHLD;
	}
	SAY("SIGCHLD delivery stops of the real parent: %d\n", sigchld_stops);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 21, "the real parent still reaps the grandchild");
}

static void test_seize(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK(pt(P_SEIZE, pid, 0, O_EXITKILL) == 0, "PTRACE_SEIZE");
	int st = 0;
	CHECK(waitpid(pid, &st, WNOHANG) == 0, "a seized tracee keeps running");
	CHECK(pt(P_INTERRUPT, pid, 0, 0) == 0, "PTRACE_INTERRUPT");
	st = wait_for(pid);
	CHECK(is_trap(st, SIGTRAP, EV_STOP), "INTERRUPT stops it with PTRACE_EVENT_STOP");
	siginfo_t isi;
	memset(&isi, 0, sizeof(isi));
	long ir = pt(P_GETSIGINFO, pid, 0, (unsigned long)&isi);
	SAY("INTERRUPT trap siginfo: r %ld signo %d code %#x\n", ir, isi.si_signo, isi.si_code);
	kill(pid, SIGSTOP);
	pt(P_CONT, pid, 0, 0);
	st = wait_for(pid);
	CHECK(is_trap(st, SIGSTOP, 0), "SIGSTOP gives a signal-delivery-stop");
	pt(P_CONT, pid, 0, SIGSTOP);
	st = wait_for(pid);
	CHECK(is_trap(st, SIGSTOP, EV_STOP), "the group-stop is PTRACE_EVENT_STOP with SIGSTOP");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK(pt(P_GETSIGINFO, pid, 0, (unsigned long)&si) == 0, "GETSIGINFO in a seized group-stop");
	SAY("group-stop siginfo: signo %d code %#x\n", si.si_signo, si.si_code);
	CHECK(pt(P_LISTEN, pid, 0, 0) == 0, "PTRACE_LISTEN");
	CHECK(waitpid(pid, &st, WNOHANG | WALL) == 0, "a listening tracee reports nothing");
	CHECK_ERR(pt(P_PEEKUSER, pid, 0, (unsigned long)&st), ESRCH, "a listening tracee is not stopped for requests");
	kill(pid, SIGCONT);
	st = wait_for(pid);
	SAY("after SIGCONT while listening: stopped %d sig %d event %d\n", WIFSTOPPED(st), WSTOPSIG(st), st >> 16);
	CHECK(pt(P_CONT, pid, 0, 0) == 0, "CONT after LISTEN");
	st = wait_for(pid);
	SAY("next report: stopped %d sig %d event %d\n", WIFSTOPPED(st), WSTOPSIG(st), st >> 16);
	pt(P_CONT, pid, 0, 0);
	CHECK(pt(P_KILL, pid, 0, 0) == 0, "PTRACE_KILL");
	st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed by SIGKILL");
}

static void test_events(const char *self)
{
	pid_t pid = fork();
	if (pid == 0) {
		pt(P_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		execl("/proc/self/exe", self, "exit7", (char *)0);
		_exit(99);
	}
	int st = wait_for(pid);
	pt(P_SETOPTIONS, pid, 0, O_TRACEEXEC | O_TRACEEXIT);
	pt(P_CONT, pid, 0, 0);
	st = wait_for(pid);
	CHECK(is_trap(st, SIGTRAP, EV_EXEC), "TRACEEXEC: PTRACE_EVENT_EXEC instead of a SIGTRAP");
	unsigned long msg = 0;
	CHECK(pt(P_GETEVENTMSG, pid, 0, (unsigned long)&msg) == 0 && msg == (unsigned long)pid,
	      "the exec event message is the tid");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	pt(P_GETSIGINFO, pid, 0, (unsigned long)&si);
	CHECK(si.si_signo == SIGTRAP && si.si_code == (SIGTRAP | EV_EXEC << 8), "event siginfo code is SIGTRAP|EVENT<<8");
	pt(P_CONT, pid, 0, 0);
	st = wait_for(pid);
	CHECK(is_trap(st, SIGTRAP, EV_EXIT), "TRACEEXIT: PTRACE_EVENT_EXIT");
	CHECK(pt(P_GETEVENTMSG, pid, 0, (unsigned long)&msg) == 0 && msg == 7 << 8, "the exit event message is the status");
	pt(P_CONT, pid, 0, 0);
	st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "then it exits");
}

static void test_errors(void)
{
	unsigned long v;
	pid_t plain = fork();
	if (plain == 0) {
		pause();
		_exit(0);
	}
	CHECK_ERR(pt(P_CONT, plain, 0, 0), ESRCH, "CONT of an untraced child");
	CHECK_ERR(pt(P_ATTACH, getpid(), 0, 0), EPERM, "ATTACH to oneself");
	CHECK_ERR(pt(P_ATTACH, 0x3ffffff0, 0, 0), ESRCH, "ATTACH to no process");
	CHECK(pt(P_SEIZE, plain, 0, 0) == 0, "SEIZE a running child");
	CHECK_ERR(pt(P_PEEKDATA, plain, (unsigned long)&sink, (unsigned long)&v), ESRCH, "PEEKDATA of a running tracee");
	CHECK_ERR(pt(P_ATTACH, plain, 0, 0), EPERM, "ATTACH to a traced process");
	CHECK_ERR(pt(P_SEIZE, plain, 1, 0), EIO, "SEIZE with an address");
	pt(P_INTERRUPT, plain, 0, 0);
	int st = wait_for(plain);
	CHECK(is_trap(st, SIGTRAP, EV_STOP), "interrupted");
	CHECK_ERR(pt(P_PEEKUSER, plain, 3, (unsigned long)&v), EIO, "PEEKUSER at an odd offset");
	CHECK_ERR(pt(P_PEEKUSER, plain, 928, (unsigned long)&v), EIO, "PEEKUSER past the kernel's struct user");
	CHECK(pt(P_PEEKUSER, plain, 920, (unsigned long)&v) == 0, "PEEKUSER of its last word");
	v = 1;
	CHECK(pt(P_PEEKUSER, plain, offsetof(struct user, i387), (unsigned long)&v) == 0 && v == 0,
	      "PEEKUSER outside the registers reads 0");
	CHECK(pt(P_PEEKUSER, plain, offsetof(struct user, u_debugreg[7]), (unsigned long)&v) == 0 && v == 0,
	      "PEEKUSER of dr7 reads 0");
	CHECK(pt(P_POKEUSER, plain, offsetof(struct user, u_debugreg[7]), 0) == 0, "POKEUSER dr7 = 0");
	CHECK_ERR(pt(P_POKEUSER, plain, offsetof(struct user, u_tsize), 1), EIO, "POKEUSER of u_tsize");
	CHECK_ERR(pt(P_POKEUSER, plain, offsetof(struct user, regs.fs_base), 1UL << 63), EIO, "POKEUSER a kernel fs_base");
	CHECK_ERR(pt(P_PEEKDATA, plain, 0, (unsigned long)&v), EIO, "PEEKDATA at address 0");
	CHECK_ERR(pt(P_POKEDATA, plain, 8, 0), EIO, "POKEDATA at address 8");
	CHECK_ERR(pt(P_GETREGS, plain, 0, 8), EFAULT, "GETREGS into a bad buffer");
	CHECK_ERR(pt(P_PEEKDATA, plain, (unsigned long)&sink, 8), EFAULT, "PEEKDATA into a bad buffer");
	CHECK_ERR(pt(0x7777, plain, 0, 0), EIO, "an unknown request");
	CHECK_ERR(pt(P_CONT, plain, 0, 99), EIO, "CONT with signal 99");
	CHECK_ERR(pt(P_SETOPTIONS, plain, 0, 0x800), EINVAL, "SETOPTIONS with an unknown bit");
	CHECK_ERR(pt(P_LISTEN, 0x3ffffff0, 0, 0), ESRCH, "LISTEN of no process");
	struct iovec io = {&v, 8};
	CHECK_ERR(pt(P_GETREGSET, plain, 99, (unsigned long)&io), EINVAL, "GETREGSET of an unknown note type");
	struct user_regs_struct r;
	io.iov_base = &r;
	io.iov_len = sizeof(r) + 100;
	CHECK_ERR(pt(P_GETREGSET, plain, 1, (unsigned long)&io), EINVAL, "GETREGSET with a length not a multiple of 8");
	io.iov_len = sizeof(r) + 104;
	CHECK(pt(P_GETREGSET, plain, 1, (unsigned long)&io) == 0 && io.iov_len == sizeof(r),
	      "GETREGSET NT_PRSTATUS trims iov_len");
	CHECK(pt(P_DETACH, plain, 0, 0) == 0, "DETACH");
	CHECK_ERR(pt(P_DETACH, plain, 0, 0), ESRCH, "DETACH again");
	kill(plain, SIGKILL);
	st = wait_for(plain);
	CHECK(WIFSIGNALED(st), "the detached child dies of SIGKILL as usual");

	pid_t twice = fork();
	if (twice == 0) {
		long a = pt(P_TRACEME, 0, 0, 0);
		long b = pt(P_TRACEME, 0, 0, 0);
		_exit(a == 0 && b == -1 && errno == EPERM ? 5 : 6);
	}
	st = wait_for(twice);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "a second TRACEME is EPERM");
}

/* A child that becomes nobody, runs setup, tells the parent through a
 * pipe and waits to be killed. */
static pid_t nobody_child(int dumpable)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		if (dumpable)
			prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		char c = prctl(PR_GET_DUMPABLE) == 0 ? '0' : '1';
		write(p[1], &c, 1);
		for (;;)
			pause();
	}
	close(p[1]);
	char c = 'x';
	read(p[0], &c, 1);
	close(p[0]);
	SAY("dumpable after setresuid (then prctl %d): %c\n", dumpable, c);
	return pid;
}

/* Credentials: another user's process, and an undumpable one. */
static void test_perms(void)
{
	pid_t victim = nobody_child(0), same = nobody_child(1);
	pid_t att = fork();
	if (att == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		int code = 0;
		if (pt(P_ATTACH, getppid(), 0, 0) == -1 && errno == EPERM)
			code |= 1;
		if (pt(P_SEIZE, victim, 0, 0) == -1 && errno == EPERM)
			code |= 2;
		if (pt(P_SEIZE, same, 0, 0) == 0)
			code |= 4;
		_exit(code);
	}
	int st = wait_for(att);
	CHECK(WIFEXITED(st) && (WEXITSTATUS(st) & 1), "ATTACH to a root process as nobody is EPERM");
	CHECK(WIFEXITED(st) && (WEXITSTATUS(st) & 2), "SEIZE of an undumpable process is EPERM");
	CHECK(WIFEXITED(st) && (WEXITSTATUS(st) & 4), "SEIZE of the same user's dumpable process works");
	CHECK(pt(P_SEIZE, victim, 0, 0) == 0, "root may SEIZE an undumpable process");
	kill(victim, SIGKILL);
	kill(same, SIGKILL);
	st = wait_for(victim);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the tracer reaps its killed tracee child");
	wait_for(same);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exit7") == 0)
		return 7;
	setvbuf(stdout, NULL, _IONBF, 0);
	debug_steps = argc > 1 && strcmp(argv[1], "debug") == 0;
	test_traceme_exec(argv[0]);
	test_syscalls();
	test_breakpoint();
	test_singlestep();
	test_fpregs();
	test_peeksiginfo();
	test_tracefork();
	test_seize();
	test_events(argv[0]);
	test_errors();
	test_perms();
	if (t_failures) {
		SAY("FAILED\n");
		return 1;
	}
	SAY("ok\n");
	return 0;
}
