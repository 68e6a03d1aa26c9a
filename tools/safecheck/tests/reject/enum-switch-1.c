// expect: enum-switch
/* attack round 2: clang's CFG takes a switch whose cases name every
 * enumerator as exhaustive and drops the "no case matched" edge, so
 * -Winvalid-noreturn and -Wreturn-type stay silent, while an enum holds
 * any value of its integer type. die(7) returned from a _Noreturn
 * function: its callers had no code after the call, so execution ran on
 * into the next function and then returned to a stack address (shown at
 * run time: rip ffffc9000000ee70). pick(7) returned a garbage pointer. */
#include <fw/testapi.h>
enum two { ONE, TWO };
typedef enum two two_t;

static _Noreturn void die(enum two e)
{
	switch (e) {
	case ONE:
		fw_panic("one");
	case TWO:
		fw_panic("two");
	}
}

static struct proc *pick(two_t e, struct proc_ref r)
{
	switch ((two_t)e) {
	case ONE:
		return NULL;
	case TWO:
		return proc_get(r);
	}
}

/* a nested switch's default is its own, not the outer switch's */
static int nested(enum two e, int m)
{
	switch ((e)) {
	case ONE: {
		switch (m) {
		default:
			return 1;
		}
	}
	case TWO:
		return 2;
	}
	return 0;
}

int use(int v, struct proc_ref r)
{
	if (v > 1)
		die(v);
	return pick(v, r) != NULL ? nested(v, v) : 0;
}
