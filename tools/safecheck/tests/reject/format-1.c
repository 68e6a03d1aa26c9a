// expect: format
/* non-literal format string */
#include <fw/testapi.h>
void say(const char *msg)
{
	fw_printk(msg);
}
