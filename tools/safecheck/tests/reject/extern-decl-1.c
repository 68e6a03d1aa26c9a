// expect: extern-decl
/* sneak-past: re-declaring a framework internal to reach it */
#include <fw/testapi.h>
void fw_internal_reset(void);
void reset(void)
{
	extern int fw_secret_state;
	fw_internal_reset();
	(void)fw_secret_state;
}
