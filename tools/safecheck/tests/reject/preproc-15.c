// expect: preproc parse-error
/* issue 9, class 1: a directive embedded in a macro's arguments still runs;
 * '#' in the middle of a line; '##' pasting punctuation into a digraph. */
#include <fw/testapi.h>
#define ID(x) x
#define GLUE(a, b) a ## b
int a2(void)
{
	return ID(1
#undef FW_MIN
	);
}
int a3(void) { return 0; } # define LATE 1
#define BRACKET GLUE(<, :)
