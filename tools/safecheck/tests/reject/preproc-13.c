// expect: preproc parse-error
/* issue 9, class 1: include tricks: a computed include, a path climbing out
 * with '..', an absolute path, a non-header, an angle include outside
 * <fw/...>. */
#include <fw/testapi.h>
#define HDR "inc/limits_a.h"
#include HDR
#include "../accept/svc_local.h"
#include "/dev/null"
#include "inc/notes.h.txt"
#include <fwx/testapi.h>
int z(void) { return 0; }
