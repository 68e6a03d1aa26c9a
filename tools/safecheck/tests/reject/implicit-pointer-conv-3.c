// expect: implicit-pointer-conv addr-of-local
/* attack round 2: implicit conversions used to be judged by the spelling
 * of their operand's first token. FW_MIN's expansion begins with the
 * framework's '(', so `void *vp = FW_MIN(s, s)` and
 * `struct big *b = FW_MIN(vp, vp)` passed: a full pointer cast. A 16-byte
 * pool object typed as a 4 KiB struct wrote into the next physical page
 * (shown at run time: a frame the service never wrote to changed). The
 * same laundering decayed a local array outside a call argument. */
#include <fw/testapi.h>
struct small {
	uint8_t b[16];
};
struct big {
	uint8_t pad[4096];
	uint64_t victim;
};

void overlay(struct small *s, uint64_t v)
{
	void *vp = FW_MIN(s, s);
	struct big *b = FW_MIN(vp, vp);
	b->victim = v;
}

int escape(void)
{
	const char *p = NULL;
	{
		char arr[16] = {0};
		p = (FW_STR(arr));
	}
	return p != NULL;
}
