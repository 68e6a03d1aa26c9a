/* sig_segv_recover: write to a read-only page and read an unmapped page;
 * the SA_SIGINFO handler checks si_addr/si_code and siglongjmps back. */
#include "t.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile void *want_addr;
static volatile int got_sig, got_code, addr_ok;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	addr_ok = si->si_addr == want_addr;
	siglongjmp(env, 1);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	struct sigaction sa = { 0 };
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0, "sigaction SIGSEGV");
	long pg = sysconf(_SC_PAGESIZE);
	SAY("page size: %ld\n", pg);
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 'a';
	p[pg] = 'b';
	CHECK(mprotect(p, pg, PROT_READ) == 0, "mprotect first page read-only");

	want_addr = p + 123;
	if (sigsetjmp(env, 1) == 0) {
		*(volatile char *)(p + 123) = 1;
		SAY("write to read-only page did not fault\n");
	} else {
		SAY("fault 1: sig=%d SEGV_ACCERR=%s si_addr ok=%s\n", got_sig,
		    got_code == SEGV_ACCERR ? "yes" : "no", addr_ok ? "yes" : "no");
	}
	CHECK(p[0] == 'a', "read-only page still readable");
	p[pg + 1] = 'c';
	CHECK(p[pg + 1] == 'c', "second page still writable");

	munmap(p + pg, pg);
	want_addr = p + pg + 8;
	got_sig = 0;
	if (sigsetjmp(env, 1) == 0) {
		(void)*(volatile char *)(p + pg + 8);
		SAY("read of unmapped page did not fault\n");
	} else {
		SAY("fault 2: sig=%d SEGV_MAPERR=%s si_addr ok=%s\n", got_sig,
		    got_code == SEGV_MAPERR ? "yes" : "no", addr_ok ? "yes" : "no");
	}
	/* the signal mask was restored by siglongjmp(…, savemask=1) */
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGSEGV), "SIGSEGV unblocked after siglongjmp");
	/* and it works a third time */
	want_addr = p + 5;
	got_sig = 0;
	if (sigsetjmp(env, 1) == 0)
		*(volatile char *)(p + 5) = 2;
	CHECK(got_sig == SIGSEGV, "third fault delivered");
	mprotect(p, pg, PROT_READ | PROT_WRITE);
	p[5] = 9;
	CHECK(p[5] == 9, "writable again after mprotect");
	return t_done();
}
