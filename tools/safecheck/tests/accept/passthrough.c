/* Accept: trusted macros passing service values through: FW_MIN on
 * integers and on pointers of one type, NULL in every position, a direct
 * call of a variadic framework function, sizeof of objects. No
 * conversion is hidden (rules implicit-pointer-conv, variadic, sizeof). */
#include <fw/testapi.h>

int nearer(struct proc_ref a, struct proc_ref b, uint32_t *out)
{
	struct proc *p = proc_get(a), *q = proc_get(b);
	struct proc *r = FW_MIN(p, q);
	*out = FW_MIN(a.idx, b.idx);
	if (r == NULL)
		r = NULL;
	fw_printk("%d", (int)sizeof(*out));
	return r ? 1 : 0;
}

int sizes(void)
{
	uint8_t buf[16] = {0};
	fw_use_ints(NULL, sizeof(buf));
	return (int)sizeof(buf[0]) + (int)_Alignof(uint64_t);
}
