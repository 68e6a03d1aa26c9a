/* sig_altstack: handlers on an alternate signal stack, SS_ONSTACK while
 * running there, and recovery from stack overflow. */
#include "t.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#pragma GCC diagnostic ignored "-Winfinite-recursion"

static char *alt;
static size_t altsz = 64 * 1024;
static volatile int on_alt, ss_onstack;
static sigjmp_buf env;

static void h(int s)
{
	(void)s;
	char local;
	stack_t cur;
	on_alt = &local >= alt && &local < alt + altsz;
	sigaltstack(NULL, &cur);
	ss_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
}

static void segv(int s)
{
	h(s);
	siglongjmp(env, 1);
}

static volatile int sink;
static int recurse(int n)
{
	volatile char buf[1024];
	buf[0] = (char)n;
	return recurse(n + 1) + buf[0];
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	alt = malloc(altsz);
	stack_t ss = { .ss_sp = alt, .ss_size = altsz, .ss_flags = 0 }, old;
	CHECK(sigaltstack(&ss, &old) == 0, "sigaltstack set");
	SAY("old stack disabled: %s\n", (old.ss_flags & SS_DISABLE) ? "yes" : "no");
	stack_t q;
	sigaltstack(NULL, &q);
	CHECK(q.ss_sp == alt && q.ss_size == altsz && q.ss_flags == 0, "query returns it");

	struct sigaction sa = { 0 };
	sa.sa_handler = h;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	SAY("SA_ONSTACK handler on alt stack: %s, SS_ONSTACK: %s\n", on_alt ? "yes" : "no",
	    ss_onstack ? "yes" : "no");
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	SAY("plain handler on alt stack: %s\n", on_alt ? "yes" : "no");

	stack_t small = { .ss_sp = alt, .ss_size = 512, .ss_flags = 0 };
	CHECK_ERR(sigaltstack(&small, NULL), ENOMEM, "stack below MINSIGSTKSZ");
	stack_t badf = { .ss_sp = alt, .ss_size = altsz, .ss_flags = 12345 };
	CHECK_ERR(sigaltstack(&badf, NULL), EINVAL, "bad flags");

	/* overflow the main stack; the SIGSEGV handler needs the alt stack */
	sa.sa_handler = segv;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	pid_t c = fork();
	if (c == 0) {
		if (sigsetjmp(env, 1) == 0) {
			sink = recurse(0);
			_exit(2);
		}
		_exit(on_alt ? 0 : 1);
	}
	SAY("stack overflow caught on alt stack: %s\n", t_wait_desc(c));
	/* without an alt stack the overflow kills the process with SIGSEGV */
	c = fork();
	if (c == 0) {
		stack_t off = { .ss_flags = SS_DISABLE };
		sigaltstack(&off, NULL);
		sink = recurse(0);
		_exit(2);
	}
	SAY("overflow without alt stack: %s\n", t_wait_desc(c));
	return t_done();
}
