// expect: preproc
/* issue 9, class 1: names a service macro may not take: the framework's
 * FW_ namespace (even unused names), names framework headers use, and a
 * keyword. The include guard must be a header's, and only a guard. */
#ifndef FW_TESTAPI_H
#define FW_TESTAPI_H
#endif
#include <fw/testapi.h>
#define FW_FUTURE 1
#define size_t int
#define NULL_PTR 0
#define int long
int a1(void) { return 0; }
