/* sig_fault_kinds: hardware faults in a child end it with the right signal:
 * null deref, write to read-only data, divide by zero, ud2, int3, abort,
 * bad jump; and what the parent sees in the wait status. */
#include "t.h"
#include <signal.h>

static volatile int zero = 0;
static const char rodata[] = "constant";

static void do_null(void) { *(volatile int *)0 = 1; }
static void do_rodata(void) { *(volatile char *)rodata = 'x'; }
static void do_div(void) { volatile int x = 7 / zero; (void)x; }
static void do_ud2(void) { __asm__ volatile("ud2"); }
static void do_int3(void) { __asm__ volatile("int3"); }
static void do_abort(void) { abort(); }
static void do_jump(void) { void (*f)(void) = (void (*)(void))8; f(); }
static void do_hlt(void) { __asm__ volatile("hlt"); } /* privileged: #GP -> SIGSEGV */
static void do_self_kill(void) { kill(getpid(), SIGTERM); pause(); }

static void run(const char *name, void (*fn)(void))
{
	pid_t c = fork();
	if (c == 0) { fn(); _exit(0); }
	int st;
	waitpid(c, &st, 0);
	if (WIFSIGNALED(st))
		SAY("%-12s WIFSIGNALED WTERMSIG=%d\n", name, WTERMSIG(st));
	else
		SAY("%-12s exited %d\n", name, WEXITSTATUS(st));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	run("null", do_null);
	run("rodata", do_rodata);
	run("div0", do_div);
	run("ud2", do_ud2);
	run("int3", do_int3);
	run("abort", do_abort);
	run("badjump", do_jump);
	run("hlt", do_hlt);
	run("sigterm", do_self_kill);
	return t_done();
}
