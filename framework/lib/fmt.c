/* printf-style formatting into a bounded buffer. Layer: framework/lib
 * (trusted). Output is always NUL-terminated and never exceeds `size`.
 * The conversions are exactly fmtspec.h's. */
#include "internal/lib.h"
#include "lib/fmtspec.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool neg, int width, char pad)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (int i = n; i < width; i++)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

/* The conversion language is fmtspec.h's, shared with the safe-C checker.
 * A conversion outside it is printed as it stands together with the rest
 * of the format, and no further argument is read: past that point what
 * -Wformat checked and what this function would read could differ, and a
 * misread argument is an arbitrary read (issue 9). */
size_t vfmt(char *buf, size_t size, const char *f, va_list ap)
{
	struct out o = {buf, size, 0};
	for (; *f; f++) {
		struct fmt_spec s;
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		if (!fmt_parse_spec(f + 1, &s)) {
			while (*f)
				put(&o, *f++);
			break;
		}
		f += s.len;
		char pad = s.zero ? '0' : ' ';
		switch (s.kind) {
		case FMT_PERCENT:
			put(&o, '%');
			break;
		case FMT_SIGNED: {
			int64_t v = s.wide ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, s.width, pad);
			break;
		}
		case FMT_UNSIGNED:
		case FMT_HEX:
			put_num(&o, s.wide ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), s.kind == FMT_HEX ? 16 : 10,
				false, s.width, pad);
			break;
		case FMT_PTR:
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uint64_t)va_arg(ap, void *), 16, false, 16, '0');
			break;
		case FMT_CHAR:
			put(&o, (char)va_arg(ap, int));
			break;
		case FMT_STR: {
			/* framework strings and string literals only: services pass
			 * nothing else (checker rule `format`) */
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (size_t i = strlen(str); i < (size_t)s.width; i++)
				put(&o, ' ');
			while (*str)
				put(&o, *str++);
			break;
		}
		case FMT_BOUNDED_STR: {
			/* never more than n bytes: the bound is the object's size */
			int n = va_arg(ap, int);
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (int i = 0; i < n && str[i]; i++)
				put(&o, str[i]);
			break;
		}
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return o.len;
}

size_t fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	size_t n = vfmt(buf, size, f, ap);
	va_end(ap);
	return n;
}
