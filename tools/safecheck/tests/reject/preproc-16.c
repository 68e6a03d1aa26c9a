// expect: preproc
/* issue 9, class 1: identifiers spelled with a universal character name or
 * a dollar sign (the raw spelling must be the identifier itself). */
#include <fw/testapi.h>
int caf\u00e9(void) { return 0; }
int dollar$(void) { return 1; }
