// expect: restrict
/* restrict lets the compiler assume no aliasing: UB if it lies */
#include <fw/testapi.h>
int add(int *restrict a, int *restrict b) { return *a + *b; }
