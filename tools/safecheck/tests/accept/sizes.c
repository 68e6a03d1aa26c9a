/* Accept: sizeof on locals and plain types, offsetof, bit operations,
 * a pointer compared for equality, a loop over a const string table of
 * fixed char arrays (no stored pointers). */
#include <fw/testapi.h>

struct hdr { uint32_t a; uint16_t b; uint8_t bits : 3; };
static const char names[3][8] = { "zero", "one", "two" };

int sizes(const struct hdr *h, const struct hdr *g)
{
	struct hdr copy = *h;   /* plain struct copy is fine */
	int n = (int)sizeof(struct hdr) + (int)__builtin_offsetof(struct hdr, b);
	n += names[1][0];
	n += (h == g) ? 1 : 0;
	return n + (int)copy.bits + (int)(copy.a << 2);
}
