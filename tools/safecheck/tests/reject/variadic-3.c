// expect: variadic
/* attack round 2: the format rule and -Wformat judge a call by the
 * declaration it names. Through a pointer (or a conditional, a _Generic)
 * the call names none, so neither looked: "%s" read an integer as a
 * pointer (shown at run time: kernel text printed, then a page fault at
 * a forged address). A variadic function is now called only by its name,
 * and no service type may describe one. */
#include <fw/testapi.h>
typedef void printk_fn(const char *fmt, ...);
struct sink {
	void (*out)(const char *fmt, ...);
};

static void relay(void (*p)(const char *, ...))
{
	p("%s");
}

void leak(int c)
{
	void (*lp)(const char *, ...) = fw_printk;
	lp("%s", 0xffffffff80108000UL);
	(c ? fw_printk : fw_printk)("x");
	_Generic(0, int: fw_printk)("x");
	relay(fw_printk);
}
