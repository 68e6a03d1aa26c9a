/* Accept: the formatter's whole language from a service: numbers with
 * widths and zero padding, 64-bit lengths, characters, pointers, %%,
 * string literals for %s, and arrays bounded by their size for %.*s. */
#include <fw/testapi.h>

struct rec {
	char name[16];
	uint64_t size;
};

void log_rec(const struct rec *r, int n, uint32_t u, long l)
{
	char tag[4] = { 'a', 'b', 'c', 'd' };
	fw_printk("%d %i %u %x %05x %3d\n", n, n, u, u, u, n);
	fw_printk("%lu %lx %ld %llu %zu %5lu.%03lu\n", r->size, r->size, l, r->size, (size_t)u, r->size, r->size);
	fw_printk("%c %p %% %s %10s\n", 'x', r, "literal", "padded");
	fw_printk("%.*s %.*s %.*s\n", FW_STR(tag), (int)sizeof(r->name), r->name, 2, tag);
}
