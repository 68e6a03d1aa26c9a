// expect: stored-pointer ptr-to-ptr
/* issue 9, class 2: a pool whose element type holds a pointer (through a
 * typedef, and a plain pointer element): pool memory outlives every call. */
#include <fw/pool.h>
typedef int *cell_t[2];
FW_POOL_REF(cells);
FW_POOL_PRIVATE(cells, cell_t);
FW_POOL_REF(ptrs);
FW_POOL_PRIVATE(ptrs, int *);
int count(void) { return (int)cells_count() + (int)ptrs_count(); }
