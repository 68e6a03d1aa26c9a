// expect: zero-length-array
/* GNU zero-length trailing array (a flexible array in disguise) */
#include <fw/testapi.h>
struct msg { uint32_t len; uint8_t body[0]; };
int msg_len(struct msg *m) { return m->len; }
