// expect: asm goto
/* issue 9, class 1 (found while building the wall): keywords assembled by
 * '##' never appear as tokens, so only the syntax tree can see them: a
 * file-scope asm that defines a symbol, an asm statement, a goto. */
#include <fw/testapi.h>
#define GLUE(x, y) x##y
GLUE(a, sm)(".globl svc_trampoline; svc_trampoline: jmp *%rdi");
int pasted(int n)
{
	GLUE(a, sm)("nop");
	if (n)
		GLUE(go, to) out;
	return 0;
out:
	return 1;
}
