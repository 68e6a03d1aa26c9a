// expect: asm extern-decl
/* file-scope asm and an asm label that renames a symbol to a framework one */
#include <fw/testapi.h>
__asm__(".globl evil\nevil: ret");
int my_counter(void) asm("fw_internal_counter_get");
