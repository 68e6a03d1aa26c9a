// expect: format
/* attack round 2: the format rule found the callee with libclang's
 * clang_getCursorReferenced, which is null for a parenthesised callee, so
 * `(fw_printk)("%s", name)` escaped it: -Wformat accepts a char array for
 * %s, and the formatter ran strlen past the array's end (issue 9's class 5
 * attack, back through a pair of parentheses). */
#include <fw/testapi.h>
struct rec {
	char name[4];
	uint32_t next_field;
};

void show(const struct rec *r)
{
	(fw_printk)("%s", r->name);
	((fw_printk))("%.*s", 4096, r->name);
}
