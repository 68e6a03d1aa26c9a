// expect: call-unsafe implicit-pointer-conv
/* issue 9, class 4: a macro-only function named outside its macro, with
 * its real declaration in view: called directly, and taken as a function
 * pointer to call later. */
#include <fw/testapi.h>
typedef int (*reader_fn)(void *, size_t, size_t);
int direct(void)
{
	uint32_t v = 0;
	return fw_read_raw(&v, 4096, 4);
}
int later(void)
{
	reader_fn f = fw_read_raw;
	uint32_t v = 0;
	return f(&v, 4096, 4) + fw_read(&v, 4);
}
