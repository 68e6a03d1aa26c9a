/* Multiboot 1 and 2 information parsing. Layer: framework/boot (trusted).
 * Trusts the loader's info block, which the boot page tables map (it lies in
 * the first GiB, identity-mapped until mm_init replaces the tables). Copies
 * what it needs into boot_info so nothing later touches loader memory. */
#include "internal/boot.h"
#include "internal/lib.h"
#include <fw/log.h>

struct boot_info boot_info;

static void add_ram(uint64_t start, uint64_t len)
{
	if (boot_info.nram >= BOOT_MAX_RANGES || len == 0)
		return;
	boot_info.ram[boot_info.nram].start = start;
	boot_info.ram[boot_info.nram].end = start + len;
	boot_info.nram++;
}

static void copy_cmdline(uint64_t phys)
{
	/* SAFETY: the loader promises a NUL-terminated string in low memory. */
	const char *s = (const char *)phys;
	size_t i = 0;
	while (s[i] && i + 1 < sizeof(boot_info.cmdline)) {
		boot_info.cmdline[i] = s[i];
		i++;
	}
	boot_info.cmdline[i] = 0;
}

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb1_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

static void parse_mb1(uint64_t p)
{
	/* SAFETY: the loader's info block, identity-mapped by the boot tables;
	 * every offset below stays inside the lengths it declares. */
	const struct mb1_info *mi = (const struct mb1_info *)p;
	boot_info.loader = "multiboot";
	if (mi->flags & (1 << 2))
		copy_cmdline(mi->cmdline);
	if ((mi->flags & (1 << 3)) && mi->mods_count > 0) {
		const uint32_t *mod = (const uint32_t *)(uint64_t)mi->mods_addr;
		boot_info.initrd_start = mod[0];
		boot_info.initrd_end = mod[1];
	}
	if (mi->flags & (1 << 6)) {
		uint64_t off = 0;
		while (off < mi->mmap_length) {
			const struct mb1_mmap *e = (const struct mb1_mmap *)(uint64_t)(mi->mmap_addr + off);
			if (e->type == 1)
				add_ram(e->addr, e->len);
			off += (e->size ? e->size : 20) + 4;
		}
	}
}

static void parse_mb2(uint64_t p)
{
	/* SAFETY: as for multiboot 1; tags are walked within `total`. */
	uint32_t total = *(const uint32_t *)p;
	uint64_t off = 8;
	boot_info.loader = "multiboot2";
	while (off + 8 <= total) {
		const uint32_t *tag = (const uint32_t *)(p + off);
		uint32_t type = tag[0], size = tag[1];
		if (type == 0)
			break;
		if (type == 1)
			copy_cmdline(p + off + 8);
		if (type == 3 && boot_info.initrd_start == 0) {
			boot_info.initrd_start = tag[2];
			boot_info.initrd_end = tag[3];
		}
		if (type == 6) {
			uint32_t esize = tag[2];
			if (esize < 24)
				esize = 24; /* a broken entry size must not stall the loop */
			for (uint64_t e = 16; e + esize <= size; e += esize) {
				/* mb2 entries: u64 addr, u64 len, u32 type, u32 zero */
				const uint64_t *q = (const uint64_t *)(p + off + e);
				uint32_t t = *(const uint32_t *)(p + off + e + 16);
				if (t == 1)
					add_ram(q[0], q[1]);
			}
		}
		off += (size + 7) & ~7u;
	}
}

void boot_parse(uint32_t magic, uint64_t info)
{
	if (magic == 0x2BADB002)
		parse_mb1(info);
	else if (magic == 0x36D76289)
		parse_mb2(info);
	else
		fw_panic("unknown boot loader magic %x", magic);
}
