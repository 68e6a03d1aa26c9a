/* /dev: device nodes created at boot. Layer: services (safe C). */
#include "init/init.h"

struct devnode {
	char name[12];
	uint32_t mode;
	uint32_t rdev;
};

/* Linux's numbers (major << 8 | minor); the drivers register them. */
static const struct devnode nodes[] = {
	{"null", S_IFCHR | 0666, (1 << 8) | 3},   {"zero", S_IFCHR | 0666, (1 << 8) | 5},
	{"full", S_IFCHR | 0666, (1 << 8) | 7},   {"random", S_IFCHR | 0666, (1 << 8) | 8},
	{"urandom", S_IFCHR | 0666, (1 << 8) | 9}, {"tty", S_IFCHR | 0666, (5 << 8) | 0},
	{"console", S_IFCHR | 0600, (5 << 8) | 1}, {"ttyS0", S_IFCHR | 0660, (4 << 8) | 64},
	{"keel-out", S_IFCHR | 0666, (240 << 8) | 0},  {"ptmx", S_IFCHR | 0666, (5 << 8) | 2},
};

static void name_of(struct kname *n, const char (*s)[12])
{
	n->len = 0;
	while (n->len < 11 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

static int subdir(struct inode_ref parent, const char (*s)[12], struct inode_ref *out)
{
	struct kname n;
	name_of(&n, s);
	if (dir_lookup(parent, &n, out) == 0)
		return 0;
	int e = inode_new(S_IFDIR | 0755, out);
	if (e == 0)
		e = dir_link(parent, &n, *out);
	return e;
}

int devices_create(void)
{
	struct inode_ref dev, ino;
	char devname[12] = "dev", pts[12] = "pts";
	int e = subdir(vfs_root(), &devname, &dev);
	if (e == 0)
		e = subdir(dev, &pts, &ino);
	for (uint32_t i = 0; e == 0 && i < FW_ARRAY_LEN(nodes); i++) {
		struct kname n;
		struct devnode d = nodes[i];
		name_of(&n, &d.name);
		if (dir_lookup(dev, &n, &ino) == 0)
			continue;
		e = inode_new(nodes[i].mode, &ino);
		if (e == 0) {
			inode_get(ino)->rdev = nodes[i].rdev;
			e = dir_link(dev, &n, ino);
		}
	}
	char tmp[12] = "tmp", proc[12] = "proc";
	if (e == 0)
		e = subdir(vfs_root(), &tmp, &ino);
	if (e == 0)
		inode_get(ino)->mode = S_IFDIR | 01777;
	if (e == 0)
		e = subdir(vfs_root(), &proc, &ino);
	return e;
}
