/* Text builder for /proc files (see ptext.h). Layer: services (safe C).
 * Trusts the VFS to store the bytes. */
#include "fs/procfs/ptext.h"

void pt_init(struct ptext *t, struct inode_ref ino)
{
	t->n = 0;
	t->col = 0;
	t->off = 0;
	t->ino = ino;
	t->err = 0;
}

static void flush(struct ptext *t)
{
	if (t->n == 0 || t->err)
		return;
	t->err = inode_write_chunk(t->ino, t->off, &t->c, t->n);
	t->off += t->n;
	t->n = 0;
}

void pt_char(struct ptext *t, char ch)
{
	if (t->n >= sizeof(t->c.b))
		flush(t);
	if (t->err)
		return;
	t->c.b[t->n++] = (uint8_t)ch;
	t->col = ch == '\n' ? 0 : t->col + 1;
}

static uint32_t digits(uint64_t v)
{
	uint32_t n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

void pt_u64(struct ptext *t, uint64_t v)
{
	char d[20];
	uint32_t n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < 20);
	while (n > 0)
		pt_char(t, d[--n]);
}

void pt_i64(struct ptext *t, int64_t v)
{
	if (v < 0) {
		pt_char(t, '-');
		pt_u64(t, (uint64_t)0 - (uint64_t)v);
	} else {
		pt_u64(t, (uint64_t)v);
	}
}

void pt_u64w(struct ptext *t, uint64_t v, uint32_t width)
{
	for (uint32_t i = digits(v); i < width; i++)
		pt_char(t, ' ');
	pt_u64(t, v);
}

static void hex_digits(struct ptext *t, uint64_t v, uint32_t width, char a)
{
	char d[16];
	uint32_t n = 0;
	do {
		uint32_t x = (uint32_t)(v & 15);
		d[n++] = (char)(x < 10 ? '0' + x : a + x - 10);
		v >>= 4;
	} while (v && n < 16);
	for (uint32_t i = n; i < width; i++)
		pt_char(t, '0');
	while (n > 0)
		pt_char(t, d[--n]);
}

void pt_hex(struct ptext *t, uint64_t v, uint32_t width) { hex_digits(t, v, width, 'a'); }
void pt_hex_upper(struct ptext *t, uint64_t v, uint32_t width) { hex_digits(t, v, width, 'A'); }

void pt_pad(struct ptext *t, uint32_t col, uint32_t min)
{
	for (uint32_t i = 0; i < min; i++)
		pt_char(t, ' ');
	while (t->col < col && !t->err)
		pt_char(t, ' ');
}

void pt_kname(struct ptext *t, const struct kname *n)
{
	for (uint32_t i = 0; i < n->len && i < NAME_MAX; i++)
		pt_char(t, n->s[i]);
}

void pt_kpath(struct ptext *t, const struct kpath *p)
{
	for (uint32_t i = 0; i < p->len && i < PATH_MAX; i++)
		pt_char(t, p->s[i]);
}

void pt_cent(struct ptext *t, uint64_t hundredths)
{
	pt_u64(t, hundredths / 100);
	pt_char(t, '.');
	pt_char(t, (char)('0' + hundredths / 10 % 10));
	pt_char(t, (char)('0' + hundredths % 10));
}

int pt_finish(struct ptext *t)
{
	flush(t);
	return t->err;
}
