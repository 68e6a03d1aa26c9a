/* ktests of the kernel log formatter (issue 9, class 5). Layer:
 * framework/ktest (trusted): they call vfmt() through fmt(), which fw_log
 * and fw_panic use. */
#include "internal/lib.h"
#include <fw/ktest.h>

/* A non-canonical address: reading through it would #GP the kernel, so a
 * formatter that misreads an argument as this pointer fails the run. */
#define POISON ((const char *)0xdead000000000000ull)

static bool out_is(const char *got, const char *want) { return strcmp(got, want) == 0; }

/* %.*s stops at its bound even when the array has no NUL: the bytes after
 * the object are never read. */
FW_KTEST(fmt_bounded_string_stops_at_the_array_end)
{
	struct {
		char name[4];
		char after[4];
	} obj = {{'a', 'b', 'c', 'd'}, {'Z', 'Z', 'Z', 0}};
	char buf[32];
	fmt(buf, sizeof(buf), "[%.*s]", (int)sizeof(obj.name), obj.name);
	FW_EXPECT(t, out_is(buf, "[abcd]"));
	fmt(buf, sizeof(buf), "[%.*s]", 2, obj.name);
	FW_EXPECT(t, out_is(buf, "[ab]"));
	/* a NUL inside the bound ends it early */
	char shortname[8] = {'h', 'i', 0, 'X', 'X', 'X', 'X', 'X'};
	fmt(buf, sizeof(buf), "[%.*s]", (int)sizeof(shortname), shortname);
	FW_EXPECT(t, out_is(buf, "[hi]"));
	/* C would read a negative bound as "no bound"; here it prints nothing */
	fmt(buf, sizeof(buf), "[%.*s]", -1, obj.name);
	FW_EXPECT(t, out_is(buf, "[]"));
}

/* A conversion the formatter does not implement: the rest of the format
 * is printed as it stands and no further argument is read. The old
 * formatter printed "%X" and went on, so the %s took the next argument,
 * the poison pointer, and read through it. */
FW_KTEST(fmt_unknown_conversion_reads_no_more_arguments)
{
	char buf[64];
	fmt(buf, sizeof(buf), "a=%d %X %s", 1, 2u, POISON);
	FW_EXPECT(t, out_is(buf, "a=1 %X %s"));
	fmt(buf, sizeof(buf), "%hd|%s", (short)3, POISON);
	FW_EXPECT(t, out_is(buf, "%hd|%s"));
	fmt(buf, sizeof(buf), "%5.2d|%s", 4, POISON);
	FW_EXPECT(t, out_is(buf, "%5.2d|%s"));
	fmt(buf, sizeof(buf), "%*d|%s", 5, 6, POISON);
	FW_EXPECT(t, out_is(buf, "%*d|%s"));
	fmt(buf, sizeof(buf), "%-3d|%s", 7, POISON);
	FW_EXPECT(t, out_is(buf, "%-3d|%s"));
	fmt(buf, sizeof(buf), "%jd|%s", (long)8, POISON);
	FW_EXPECT(t, out_is(buf, "%jd|%s"));
}

/* The implemented language still formats as before. */
FW_KTEST(fmt_implemented_conversions)
{
	char buf[96];
	fmt(buf, sizeof(buf), "%d %i %u %x %05x %3d|%lu %lx %ld %llu %zu %5lu.%03lu|%c %% %s %4s", -12, 34, 56u,
	    0xabu, 0x1fu, 7, 18446744073709551615ul, 0xfeedul, -9l, 10ull, (size_t)11, 42ul, 7ul, 'q', "str",
	    "ab");
	FW_EXPECT(t, out_is(buf, "-12 34 56 ab 0001f   7|18446744073709551615 feed -9 10 11    42.007|q % str   ab"));
	fmt(buf, sizeof(buf), "%p", (void *)0x1234);
	FW_EXPECT(t, out_is(buf, "0x0000000000001234"));
	/* the output is bounded by the buffer and always terminated */
	char tiny[4];
	size_t n = fmt(tiny, sizeof(tiny), "%d", 123456);
	FW_EXPECT(t, n == 6 && out_is(tiny, "123"));
}
