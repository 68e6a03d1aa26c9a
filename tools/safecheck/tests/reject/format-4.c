// expect: format
/* issue 9, class 5: the desynchronising format spelled so that no '%'
 * followed by a bad letter appears in the source: the escape \x25 is '%'
 * and adjacent literals are joined. The checker reads the bytes the
 * compiler reads. */
#include <fw/testapi.h>
void hidden(int a)
{
	fw_printk("\x25X %s\n", a, "x");
	fw_printk("%" "hd %s\n", a, "y");
}
