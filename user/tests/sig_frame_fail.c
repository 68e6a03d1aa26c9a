/* sig_frame_fail: a signal whose frame cannot be written (its alternate
 * stack is read-only) is lost and a SIGSEGV is forced instead: the
 * SIGSEGV handler runs on the normal stack and the program goes on; with
 * no SIGSEGV handler, or when SIGSEGV's own frame cannot be written, the
 * process dies of SIGSEGV. */
#include "t.h"
#include <signal.h>
#include <sys/mman.h>

static char altstack[4096 * 8] __attribute__((aligned(4096)));
static volatile int got_usr1, got_segv, segv_code;

static void on_usr1(int sig) { got_usr1++; }

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	got_segv++;
	segv_code = si->si_code;
}

static void setup_altstack(void)
{
	stack_t st = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	sigaltstack(&st, NULL);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	setup_altstack();
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	struct sigaction sv = {0};
	sv.sa_sigaction = on_segv;
	sv.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sv, NULL);

	raise(SIGUSR1);
	SAY("writable altstack: usr1 %d segv %d\n", got_usr1, got_segv);
	mprotect(altstack, sizeof altstack, PROT_READ);
	raise(SIGUSR1);
	SAY("read-only altstack: usr1 %d segv %d, si_code SI_KERNEL %s\n", got_usr1, got_segv,
	    segv_code == SI_KERNEL ? "yes" : "no");
	mprotect(altstack, sizeof altstack, PROT_READ | PROT_WRITE);
	raise(SIGUSR1);
	SAY("writable again: usr1 %d segv %d\n", got_usr1, got_segv);

	/* no SIGSEGV handler: death by SIGSEGV */
	pid_t c = fork();
	if (c == 0) {
		signal(SIGSEGV, SIG_DFL);
		mprotect(altstack, sizeof altstack, PROT_READ);
		raise(SIGUSR1);
		_exit(0);
	}
	SAY("no SIGSEGV handler: %s\n", t_wait_desc(c));
	/* SIGSEGV ignored: it is reset to the default and kills */
	c = fork();
	if (c == 0) {
		signal(SIGSEGV, SIG_IGN);
		mprotect(altstack, sizeof altstack, PROT_READ);
		raise(SIGUSR1);
		_exit(0);
	}
	SAY("SIGSEGV ignored: %s\n", t_wait_desc(c));
	/* the SIGSEGV handler itself on the read-only altstack: death */
	c = fork();
	if (c == 0) {
		struct sigaction so = sv;
		so.sa_flags |= SA_ONSTACK;
		sigaction(SIGSEGV, &so, NULL);
		mprotect(altstack, sizeof altstack, PROT_READ);
		raise(SIGUSR1);
		_exit(0);
	}
	SAY("SIGSEGV handler on the read-only altstack too: %s\n", t_wait_desc(c));
	return t_done();
}
