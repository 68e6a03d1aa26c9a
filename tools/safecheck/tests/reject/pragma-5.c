// expect: pragma extern-decl
/* issue 9, class 1: redefine_extname binds a service name to a framework
 * internal; #pragma once looks harmless but is a pragma too. */
#pragma once
#pragma redefine_extname svc_poke fw_internal_poke
#include <fw/testapi.h>
int svc_poke(unsigned long a, unsigned long v);
int p(void) { return svc_poke(0, 0); }
