/* The memory character devices of major 1: null (3), zero (5), full (7),
 * random (8) and urandom (9). Layer: services (safe C). Trusts the
 * framework for random bytes; registers itself with the VFS's device
 * registry. */
#include "drivers/mem/mem.h"
#include <abi/fs.h>
#include <fw/console.h>

#define MEM_MAJOR 1
#define MINOR_NULL 3
#define MINOR_FULL 7
#define MINOR_RANDOM 8
#define MINOR_URANDOM 9

struct chunk {
	uint8_t b[512];
};

static uint32_t minor_of(const struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	return ip ? dev_minor(ip->rdev) : 0;
}

static int64_t fill_user(struct fw_uaddr buf, uint64_t n, bool random)
{
	struct chunk c = {0};
	uint64_t done = 0;
	while (done < n) {
		uint64_t k = FW_MIN(n - done, sizeof(c.b));
		if (random)
			fw_random_fill(&c.b, k);
		if (fw_copy_to_user_n(fw_uaddr_add(buf, done), &c.b, k))
			return done ? (int64_t)done : -EFAULT;
		done += k;
	}
	return (int64_t)done;
}

static int64_t mem_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	uint32_t minor = minor_of(fp);
	if (minor == MINOR_NULL)
		return 0;
	return fill_user(buf, n, minor == MINOR_RANDOM || minor == MINOR_URANDOM);
}

static int64_t mem_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	return minor_of(fp) == MINOR_FULL ? -ENOSPC : (int64_t)n;
}

/* Seeking a memory device succeeds and changes nothing (Keel reports 0). */
static int64_t mem_llseek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence) { return 0; }

static const struct file_ops mem_ops = {
	.name = "mem",
	.flags = FOP_PREAD,
	.read = mem_read,
	.write = mem_write,
	.llseek = mem_llseek,
};

int chr_mem_init(void)
{
	uint32_t id;
	int e = file_ops_register(&mem_ops, &id);
	if (e == 0)
		e = dev_register(S_IFCHR, MEM_MAJOR, MINOR_NULL, 1, id);
	if (e == 0)
		e = dev_register(S_IFCHR, MEM_MAJOR, 5, 1, id);
	if (e == 0)
		e = dev_register(S_IFCHR, MEM_MAJOR, MINOR_FULL, 3, id);
	return e;
}
