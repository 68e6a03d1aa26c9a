/* tests/attack7/fpu_exit_stop.c (run by tests/attack7.sh on Keel only):
 * rt_sigreturn with an FPU image the kernel must
 * refuse (XSAVE header words xrstor faults on, a bit outside any XCR0, an
 * image running into an unmapped page after its header) kills the thread
 * with SIGSEGV; the process stops once more at PTRACE_EVENT_EXIT, so its
 * task is switched out and in again after the refusal. Attack round 7:
 * Keel's refused load left the header under the saved registers and that
 * switch-in's xrstor faulted in the kernel (a panic). */
#include "../../user/tests/t.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <ucontext.h>

static int mode;
static uint8_t *spare; /* two pages, the second PROT_NONE */

static void handler(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
	uint64_t w;
	switch (mode) {
	case 0: /* XCOMP_BV nonzero in the standard form (a compacted image,
		 * bit 63, is one Linux restores on CPUs with XSAVEC) */
		w = 1;
		memcpy(fp + 520, &w, 8);
		break;
	case 1: /* the header's first reserved word (xrstor checks bytes 8..23) */
		w = 1;
		memcpy(fp + 528, &w, 8);
		break;
	case 2: /* XSTATE_BV bit 62: no CPU has it */
		memcpy(&w, fp + 512, 8);
		w |= 1ULL << 62;
		memcpy(fp + 512, &w, 8);
		break;
	default: /* the image moved to end 64 bytes past its header, in a
		  * page that is not mapped */
		w = 1;
		memcpy(fp + 520, &w, 8);
		memcpy(spare + 4096 - 640, fp, 640);
		uc->uc_mcontext.fpregs = (void *)(spare + 4096 - 640);
		break;
	}
}

static void child(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("mode %d: the refused image was loaded\n", mode);
	fflush(stdout);
	_exit(0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	spare = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(spare != MAP_FAILED && mprotect(spare + 4096, 4096, PROT_NONE) == 0, "spare pages");
	for (mode = 0; mode < 4; mode++) {
		pid_t c = fork();
		if (c == 0) {
			ptrace(PTRACE_TRACEME, 0, 0, 0);
			raise(SIGSTOP);
			child();
		}
		int st;
		CHECK(waitpid(c, &st, 0) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "child stopped");
		CHECK(ptrace(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACEEXIT) == 0, "TRACEEXIT set");
		int sig = 0, exit_event = 0;
		for (;;) {
			if (ptrace(PTRACE_CONT, c, 0, sig) != 0 || waitpid(c, &st, 0) != c || !WIFSTOPPED(st))
				break;
			sig = 0;
			if ((st >> 16) == PTRACE_EVENT_EXIT)
				exit_event = 1;
			else if (WSTOPSIG(st) == SIGUSR1)
				sig = SIGUSR1;
		}
		printf("mode %d: exit event seen: %s\n", mode, exit_event ? "yes" : "no");
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "killed by SIGSEGV");
	}
	return t_done();
}
