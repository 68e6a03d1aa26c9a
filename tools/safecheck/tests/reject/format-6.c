// expect: format
/* issue 9, class 5: %.*s with a bound larger than the array, a bound that
 * is not a constant, a negative bound (C reads that as "no bound"), and a
 * pointer whose object size the type does not state. */
#include <fw/testapi.h>
void bounded(int n, const char *p)
{
	char name[4] = { 'a', 'b', 'c', 'd' };
	fw_printk("%.*s\n", 64, name);
	fw_printk("%.*s\n", n, name);
	fw_printk("%.*s\n", -1, name);
	fw_printk("%.*s\n", 4, p);
}
