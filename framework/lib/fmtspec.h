/* The kernel log formatter's conversion language, in one place.
 *
 * Layer: framework/lib (trusted, internal; no includes, so the safe-C
 * checker, a host tool, compiles this same file). vfmt() (fmt.c) formats
 * with fmt_parse_spec(), and the checker (tools/safecheck, rule `format`)
 * accepts a service's format string only when fmt_parse_spec() accepts
 * every conversion in it. So what clang's -Wformat checked against the
 * arguments is, conversion by conversion, what the formatter reads: each
 * accepted conversion reads exactly the argument types printf does.
 *
 * Grammar (after the '%'):
 *   %                  a literal '%'
 *   c  p               an int as a character; a pointer in hex
 *   .*s                an int n, then a string: at most n bytes, and a
 *                      negative n prints nothing (not "no limit")
 *   [W]s               a NUL-terminated string, padded to width W
 *   [0][W][l|ll|z]d i u x   an int (or a 64-bit value with l, ll, z)
 * W is one or two decimal digits, not starting with 0. Anything else (X,
 * o, h, j, t, L, q, '-', '+', ' ', '#', '.', '*', n, f, ...) is not
 * implemented: the checker rejects it, and vfmt stops reading arguments
 * at it.
 */
#ifndef KEEL_FMTSPEC_H
#define KEEL_FMTSPEC_H

enum fmt_kind {
	FMT_PERCENT, FMT_SIGNED, FMT_UNSIGNED, FMT_HEX, FMT_CHAR, FMT_PTR, FMT_STR, FMT_BOUNDED_STR,
};

struct fmt_spec {
	enum fmt_kind kind;
	int zero;   /* pad with '0' instead of ' ' */
	int width;  /* minimum width, 0..99 */
	int wide;   /* the argument is 64 bits (l, ll, z) */
	int len;    /* characters of the conversion after the '%' */
};

/* Parse the conversion that follows a '%' (f points just past it). Returns
 * 1 and fills *s when the formatter implements it, 0 when it does not. */
static inline int fmt_parse_spec(const char *f, struct fmt_spec *s)
{
	const char *p = f;
	s->zero = 0;
	s->width = 0;
	s->wide = 0;
	if (p[0] == '%') {
		s->kind = FMT_PERCENT;
		s->len = 1;
		return 1;
	}
	if (p[0] == '.' && p[1] == '*' && p[2] == 's') {
		s->kind = FMT_BOUNDED_STR;
		s->len = 3;
		return 1;
	}
	if (*p == '0') {
		s->zero = 1;
		p++;
	}
	if (*p >= '1' && *p <= '9') {
		s->width = *p++ - '0';
		if (*p >= '0' && *p <= '9')
			s->width = s->width * 10 + (*p++ - '0');
	}
	if (p[0] == 'l' && p[1] == 'l') {
		s->wide = 1;
		p += 2;
	} else if (*p == 'l' || *p == 'z') {
		s->wide = 1;
		p++;
	}
	switch (*p) {
	case 'd':
	case 'i':
		s->kind = FMT_SIGNED;
		break;
	case 'u':
		s->kind = FMT_UNSIGNED;
		break;
	case 'x':
		s->kind = FMT_HEX;
		break;
	case 's':
	case 'c':
	case 'p':
		if (s->zero || s->wide || (*p != 's' && s->width))
			return 0;
		s->kind = *p == 's' ? FMT_STR : *p == 'c' ? FMT_CHAR : FMT_PTR;
		break;
	default:
		return 0;
	}
	s->len = (int)(p + 1 - f);
	return 1;
}

/* How many arguments a conversion reads. */
static inline int fmt_spec_args(const struct fmt_spec *s)
{
	return s->kind == FMT_PERCENT ? 0 : s->kind == FMT_BOUNDED_STR ? 2 : 1;
}

#endif
