// expect: attribute
/* attack round 3: libclang shows no statement attribute (its cursor walk
 * steps over an AttributedStmt), so only the token scan judges one, and it
 * found attribute names by their spelling after `__attribute__((`. A macro
 * made that spelling go away: `ATT((assume(i < 4)));` let the optimiser
 * drop the bounds check of `v[i]`, and `v[5] = val` overwrote the return
 * address (shown at run time: rip = 0x4141414141414141). Attributes are now
 * read only in their literal form and never from a service macro body. */
#include <fw/testapi.h>
#define ATT __attribute__
#define MORE , assume(i < 4)
#define STMT(noinline) __attribute__((noinline))
#define STD(x) [[x]]

uint64_t smash(uint32_t i, uint64_t val)
{
	uint64_t v[4] = {0};
	ATT((assume(i < 4)));
	v[i] = val;
	return v[0] + v[1] + v[2] + v[3];
}

uint64_t smash2(uint32_t i, uint64_t val)
{
	uint64_t v[4] = {0};
	switch (val) {
	case 1:
		v[0] = 1;
		__attribute__((fallthrough MORE));
	default:
		v[i] = val;
	}
	return v[0] + v[1] + v[2] + v[3];
}

uint64_t smash3(uint32_t i, uint64_t val)
{
	uint64_t v[4] = {0};
	STMT(assume(i < 4));
	v[i] = val;
	return v[0] + v[1] + v[2] + v[3];
}

uint64_t smash4(uint32_t i, uint64_t val)
{
	uint64_t v[4] = {0};
	switch (val) {
	case 1:
		v[0] = 1;
		STD(fallthrough);
	default:
		v[i] = val;
	}
	return v[0] + v[1] + v[2] + v[3];
}

/* a comment between the brackets or inside the list hides nothing: the
 * lexer drops it, so the literal reader refuses the form */
uint64_t smash5(uint32_t i, uint64_t val)
{
	uint64_t v[4] = {0};
	switch (val) {
	case 1:
		v[0] = 1;
		[/**/[fallthrough]];
	default:
		v[i] = val;
	}
	__attribute__((/**/cold)) uint64_t w = v[0];
	return w + v[1] + v[2] + v[3];
}
