// expect: format
/* issue 9, class 5: conversions clang's -Wformat checks but the kernel
 * formatter does not implement. The formatter used to print them and go
 * on with the next argument, so what it read no longer matched what clang
 * had checked (a later %s read an int as a pointer). */
#include <fw/testapi.h>
void conversions(int a, long b, unsigned c)
{
	fw_printk("%X", c);
	fw_printk("%hd", a);
	fw_printk("%5.2d", a);
	fw_printk("%*d", a, a);
	fw_printk("%-5d", a);
	fw_printk("%+d", a);
	fw_printk("% d", a);
	fw_printk("%#x", c);
	fw_printk("%o", c);
	fw_printk("%jd", b);
	fw_printk("%td", b);
	fw_printk("%lc", a);
	fw_printk("%ls", NULL);
	fw_printk("%100d", a);
	fw_printk("%ld%", b);
}
