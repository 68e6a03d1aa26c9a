// expect: vla
/* VLA through a typedef */
#include <fw/testapi.h>
int big2(int n)
{
	typedef char row[n];
	row r;
	return sizeof(r);
}
