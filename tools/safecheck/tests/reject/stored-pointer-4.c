// expect: stored-pointer ptr-to-ptr
/* issue 9, class 2 (the break that was shown at run time): a typedef'd
 * array of pointers as the type of an FW_GLOBAL. A stack array's address
 * kept in the global outlives its frame, and a later write through it
 * rewrites whatever frame lives there then. */
#include <fw/pool.h>
typedef int *slots_t[4];
FW_GLOBAL(slots_t, stash);
static void keep(int *p) { (*stash())[0] = p; }
int later(void)
{
	int *p = (*stash())[0];
	if (p)
		*p = 0x41414141;
	return 0;
}
int now(void)
{
	int frame[8] = {0};
	keep(frame);
	return frame[0];
}
