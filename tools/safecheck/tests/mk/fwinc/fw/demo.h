/* Stand-in framework API for the mk/safecheck.mk test (trusted). */
#ifndef FW_DEMO_H
#define FW_DEMO_H
#include <fw/annot.h>
FW_API int fw_demo_add(int a, int b);
int fw_demo_internal(int a);
#endif
