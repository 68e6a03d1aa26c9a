/* Device numbers to file operations: the character and block device
 * registry (see vfs.h). Layer: services (safe C). Drivers register ranges
 * of minors at boot; opening a device node looks its rdev up here. */
#include "vfs/vfs.h"
#include <abi/fs.h>

#define DEV_RANGES_MAX 32

struct dev_range {
	uint32_t type; /* S_IFCHR or S_IFBLK; 0: free */
	uint32_t major, minor, count;
	uint32_t fops;
};

struct dev_table {
	struct dev_range r[DEV_RANGES_MAX];
};
FW_GLOBAL(struct dev_table, dev_table);

static bool overlaps(struct dev_range d, uint32_t type, uint32_t major, uint32_t minor, uint32_t count)
{
	return d.type == type && d.major == major && minor < d.minor + d.count && d.minor < minor + count;
}

int dev_register(uint32_t type, uint32_t major, uint32_t minor, uint32_t count, uint32_t fops)
{
	if ((type != S_IFCHR && type != S_IFBLK) || count == 0 || major > 0xfff || minor > 0xfffff ||
	    count > 0x100000 - minor)
		return -EINVAL;
	struct dev_table *t = dev_table();
	uint32_t free = DEV_RANGES_MAX;
	for (uint32_t i = 0; i < DEV_RANGES_MAX; i++) {
		if (overlaps(t->r[i], type, major, minor, count))
			return -EBUSY;
		if (t->r[i].type == 0 && free == DEV_RANGES_MAX)
			free = i;
	}
	if (free == DEV_RANGES_MAX)
		return -ENOSPC;
	t->r[free] = (struct dev_range){type, major, minor, count, fops};
	return 0;
}

int dev_lookup(uint32_t type, uint32_t rdev, uint32_t *fops)
{
	uint32_t major = dev_major(rdev), minor = dev_minor(rdev);
	struct dev_table *t = dev_table();
	for (uint32_t i = 0; i < DEV_RANGES_MAX; i++) {
		if (overlaps(t->r[i], type, major, minor, 1)) {
			*fops = t->r[i].fops;
			return 0;
		}
	}
	return -ENXIO;
}
