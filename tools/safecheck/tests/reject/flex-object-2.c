// expect: flex-object
/* copying the header copies the length; sizeof-based sizing */
#include <fw/testapi.h>
int copyhdr(struct fw_bytes *b)
{
	struct fw_bytes copy = *b;
	return (int)sizeof(struct fw_bytes) + (int)copy.len;
}
