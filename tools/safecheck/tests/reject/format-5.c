// expect: format
/* issue 9, class 5: %s runs to the first NUL: on a service array (here
 * four bytes, none of them NUL) it reads past the object's end. In
 * services %s takes only a string literal. */
#include <fw/testapi.h>
struct name { char s[4]; uint32_t after; };
void print_name(const struct name *n, const char *p)
{
	char local[4] = { 'a', 'b', 'c', 'd' };
	fw_printk("%s\n", n->s);
	fw_printk("%s\n", local);
	fw_printk("%s\n", p);
	fw_printk("%8s\n", n->s);
}
