// expect: pragma
/* issue 9, class 1 (round 1): _Pragma hidden in an attribute's argument
 * list, where the attribute scan used to look only at attribute names; the
 * preprocessor runs it wherever it stands. */
#include <fw/testapi.h>
static const int quiet_a __attribute__((aligned(8 _Pragma("clang diagnostic ignored \"-Wformat\"")))) = 1;
static const int quiet_b [[gnu::aligned(_Pragma("clang diagnostic ignored \"-Wall\"") 8)]] = 2;
int quiet(void) { return quiet_a + quiet_b; }
