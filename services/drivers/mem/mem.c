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

/* The minor is kept in the file at open (priv_u32 = minor + 1), so a read
 * or write needs no inode lookup; 0 (a file this open never saw) asks the
 * inode. */
static uint32_t minor_of(const struct file *fp)
{
	if (fp->priv_u32)
		return fp->priv_u32 - 1;
	struct inode *ip = inode_get(fp->inode);
	return ip ? dev_minor(ip->rdev) : 0;
}

static int mem_open(struct file_ref f, struct file *fp)
{
	fp->priv_u32 = 0;
	fp->priv_u32 = minor_of(fp) + 1;
	return 0;
}

/* Zeros go straight into the caller's buffer (no kernel buffer to
 * clear); a fault part-way counts the bytes cleared before it, as Linux
 * does (the chunk that faulted is redone byte by byte). Random bytes go
 * through a buffer, 512 at a time. */
static int64_t zero_user(struct fw_uaddr buf, uint64_t n)
{
	uint64_t done = 0;
	while (done < n) {
		uint64_t k = FW_MIN(n - done, 4096);
		if (fw_clear_user(fw_uaddr_add(buf, done), k)) {
			for (uint64_t j = 0; j < k && !fw_clear_user(fw_uaddr_add(buf, done), 1); j++)
				done++;
			return done ? (int64_t)done : -EFAULT;
		}
		done += k;
	}
	return (int64_t)done;
}

static int64_t fill_user(struct fw_uaddr buf, uint64_t n, bool random)
{
	uint64_t done = 0;
	if (!random)
		return zero_user(buf, n);
	struct chunk c = {0};
	while (done < n) {
		uint64_t k = FW_MIN(n - done, sizeof(c.b));
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
	.open = mem_open,
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
