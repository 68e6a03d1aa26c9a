/* What the loader told us. Layer: framework/boot (trusted, internal). */
#ifndef INTERNAL_BOOT_H
#define INTERNAL_BOOT_H

#include <fw/types.h>

#define BOOT_MAX_RANGES 64

struct boot_range {
	uint64_t start, end; /* physical, [start, end) */
};

struct boot_info {
	struct boot_range ram[BOOT_MAX_RANGES];
	int nram;
	uint64_t initrd_start, initrd_end; /* physical; 0 if none */
	char cmdline[512];
	const char *loader;
};

extern struct boot_info boot_info;
void boot_parse(uint32_t magic, uint64_t info_phys);

#endif
