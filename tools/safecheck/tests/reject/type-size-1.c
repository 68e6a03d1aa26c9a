// expect: type-size
/* attack round 3: clang lays a record out in a 64-bit count of bits and
 * lets it wrap. With 30 fields of 2^60 bytes before it, `word` sits, in
 * the code LLVM emits, at 0xF000000000000000 + sizeof(pad) =
 * 0xffffffff80106000, the kernel's first text page: `p->word` on a NULL p
 * read kernel text (shown at run time: 55 48 89 e5 ..., push %rbp). The
 * same type in a pool passes the pool's sizeof <= 4096 assert (clang's
 * wrapped size) while its fields lie anywhere. No service type may be
 * larger than FW_USER_TOP, measured without wrapping. */
#include <fw/testapi.h>
struct slab {
	uint8_t a[0x1000000000000000ULL];
};
struct far {
	struct slab s0;
	struct slab s1;
	struct slab s2;
	struct slab s3;
	struct slab s4;
	struct slab s5;
	struct slab s6;
	struct slab s7;
	struct slab s8;
	struct slab s9;
	struct slab s10;
	struct slab s11;
	struct slab s12;
	struct slab s13;
	struct slab s14;
	struct slab s15;
	struct slab s16;
	struct slab s17;
	struct slab s18;
	struct slab s19;
	struct slab s20;
	struct slab s21;
	struct slab s22;
	struct slab s23;
	struct slab s24;
	struct slab s25;
	struct slab s26;
	struct slab s27;
	struct slab s28;
	struct slab s29;
	uint8_t pad[0x0FFFFFFF80106000ULL];
	uint64_t word;
};
/* no wrap, just too large: NULL plus 2^47 is past the user half */
struct just_too_big {
	uint8_t a[0x400000000000ULL];
	uint8_t b[0x400000000000ULL];
	uint64_t c;
};
/* an array type named only through a pointer */
typedef uint8_t huge_bytes[0x800000000001ULL];

uint64_t peek(struct far *p, struct just_too_big *q, huge_bytes *h)
{
	return p->word + q->c + (*h)[0];
}
