// expect: preproc parse-error global-mutable extern-decl
/* issue 9, class 1: a directive after a comment on the same line is still
 * a directive; a directive name split by a line continuation; a null
 * directive followed by the name on the next line. */
#include <fw/testapi.h>
/* harmless */ #undef NULL
#def\
ine NULL 1
#
undef FW_MIN
int s(void) { return 0; }
