// expect: preproc parse-error
/* system headers are not trusted (and absent under -nostdinc) */
#include <stdio.h>
int k(void) { return 0; }
