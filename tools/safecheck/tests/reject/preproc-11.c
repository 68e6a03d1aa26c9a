// expect: preproc
/* issue 9, class 1: a macro defined in one service header and redefined by
 * another (the second include rewrites every later use); lower-case names
 * (FW_POOL_* pastes name##_pool: a service macro of that name would swap
 * one pool for another of a different element type). */
#include <fw/testapi.h>
#include "inc/limits_a.h"
#include "inc/limits_b.h"
#define big_pool small_pool
#define proc_get(r) 0
int x(void) { return SVC_LIMIT; }
