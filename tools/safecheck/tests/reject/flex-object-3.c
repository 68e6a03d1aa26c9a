// expect: flex-object compound-literal-addr
/* hazard 1: a forged length through a static or a compound literal */
#include <fw/testapi.h>
static const struct fw_bytes forged_static = { .len = 0xffffffff };
uint8_t via_static(void) { return fw_bytes_at(&forged_static, 4096); }
uint8_t via_literal(void) { return fw_bytes_at(&(const struct fw_bytes){ .len = 0xffffffff }, 4096); }
