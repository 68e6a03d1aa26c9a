// expect: flex-object
/* hazard 1: by-value parameters and returns copy the length field too */
#include <fw/testapi.h>
uint8_t take(struct fw_bytes b) { return (uint8_t)b.len; }
struct fw_bytes give(const struct fw_bytes *b) { return *b; }
