// expect: extern-decl call-unsafe
/* re-declaring a framework function with FW_API does not make it safe */
#include <fw/testapi.h>
FW_API int fw_internal_poke(uint64_t addr, uint64_t val);
void p2(void) { fw_internal_poke(1, 2); }
