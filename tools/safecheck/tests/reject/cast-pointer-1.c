// expect: cast-pointer
/* sneak-past: a service macro hiding a cast, and a typedef'd pointer */
#include <fw/testapi.h>
typedef unsigned char *bytep;
#define AS_BYTES(p) ((bytep)(p))
int first_byte(int *p)
{
	bytep b = AS_BYTES(p);
	return *b;
}
