// expect: counted-by
/* a service declaring its own counted flexible array */
#include <fw/testapi.h>
struct my_bytes { uint32_t len; uint8_t data[] __attribute__((counted_by(len))); };
int blen(struct my_bytes *b) { return b->len; }
