// expect: framework-macro
/* issue 9, class 1: the lint on framework macros. A trusted macro that
 * pastes two service arguments (or one onto an upper-case suffix) could
 * produce a service macro's name, and one onto '_Pr' could produce
 * _Pragma; a pragma in a framework macro would act inside service code. */
#include <fw/lint_bad.h>
int lint(void) { return 0; }
