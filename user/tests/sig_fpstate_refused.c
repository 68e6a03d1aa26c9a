/* sig_fpstate_refused: rt_sigreturn with an FPU image the kernel must
 * refuse (XSAVE header words xrstor faults on, a bit outside any XCR0, an
 * image running into an unmapped page after its header) kills the process
 * with SIGSEGV. Attack round 7: Keel's refused load left the header under
 * the registers it saved back, and the task's next switch-in faulted in
 * the kernel; tests/attack7.sh makes that switch happen with a
 * PTRACE_EVENT_EXIT stop (Linux restores such images differently under
 * ptrace, so that variant cannot be a differential test). */
#include "t.h"
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
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
		if (c == 0)
			child();
		int st;
		CHECK(waitpid(c, &st, 0) == c, "waited");
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "killed by SIGSEGV");
	}
	return t_done();
}
