// expect: call-unsafe extern-decl
/* issue 9, class 4: a macro-only framework function redeclared in a
 * service header (so this TU never sees FW_MACRO_API) and called with a
 * capacity the service chose: 4096 bytes into an 8-byte array. The
 * framework's API table knows the name, whatever this TU includes. */
#include "inc/lying_copy.h"
int overflow(void)
{
	char small[8] = {0};
	return fw_read_raw(small, 4096, 4096);
}
