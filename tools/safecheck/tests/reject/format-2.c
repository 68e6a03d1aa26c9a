// expect: format
/* %n writes through a pointer */
#include <fw/testapi.h>
void count(int *n)
{
	fw_printk("abc%n", n);
}
