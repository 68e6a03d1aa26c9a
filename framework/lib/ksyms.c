/* Symbol lookup for backtraces. Layer: framework/lib (trusted).
 * The table is generated from the first link (tools/gen-ksyms.sh) and
 * linked after .data, so adding it moves no code address. */
#include <fw/types.h>
#include "internal/task.h"

extern const uint64_t ksym_count;
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_off[];
extern const char ksym_names[];

const char *ksym_lookup(uint64_t addr)
{
	uint64_t lo = 0, hi = ksym_count;
	if (hi == 0 || addr < ksym_addrs[0])
		return "?";
	while (hi - lo > 1) {
		uint64_t mid = (lo + hi) / 2;
		if (ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return &ksym_names[ksym_name_off[lo]];
}
