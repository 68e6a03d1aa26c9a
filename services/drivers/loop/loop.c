/* Loop devices (see loop.h). Layer: services (safe C). A loop device
 * keeps its backing file's inode open (inode.open_count) while attached;
 * its sectors are the file's bytes, read and written through the page
 * cache. Trusts the VFS and the caller's descriptor table. */
#include "drivers/loop/loop.h"
#include "fs/tmpfs/tmpfs.h"
#include "proc/proc.h"
#include <abi/fs.h>

#define LOOP_SET_FD 0x4C00
#define LOOP_CLR_FD 0x4C01
#define LOOP_SET_STATUS 0x4C02
#define LOOP_GET_STATUS 0x4C03
#define LOOP_SET_STATUS64 0x4C04
#define LOOP_GET_STATUS64 0x4C05
#define LOOP_CTL_GET_FREE 0x4C82
#define BLKGETSIZE64 0x80081272
#define BLKSSZGET 0x1268
#define BLKFLSBUF 0x1261
#define LO_FLAGS_READ_ONLY 1
#define LO_FLAGS_AUTOCLEAR 4
#define MISC_MAJOR 10
#define LOOP_CTRL_MINOR 237

struct loop_dev {
	bool bound, ro, autoclear;
	struct inode_ref back;
	uint32_t users; /* mounts */
	uint8_t name[64]; /* lo_file_name, as set by LOOP_SET_STATUS64 */
};

struct loop_table {
	struct loop_dev d[LOOP_COUNT];
};
FW_GLOBAL(struct loop_table, loop_table);

/* struct loop_info64 (linux/loop.h) */
struct loop_info64_k {
	uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
	uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	uint8_t lo_file_name[64], lo_crypt_name[64], lo_encrypt_key[32];
	uint64_t lo_init[2];
};

/* struct loop_info (linux/loop.h, x86-64): the older form, which tools
 * such as LTP's device helper still use. Explicit padding: it is copied
 * out whole. */
struct loop_info_k {
	int32_t lo_number;
	uint32_t pad0;
	uint64_t lo_device, lo_inode, lo_rdevice;
	int32_t lo_offset, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	uint8_t lo_name[64], lo_encrypt_key[32];
	uint64_t lo_init[2];
	uint8_t reserved[4];
	uint32_t pad1;
};

static int index_of(uint32_t rdev, uint32_t *i)
{
	if (dev_major(rdev) != LOOP_MAJOR || dev_minor(rdev) >= LOOP_COUNT)
		return -ENXIO;
	*i = dev_minor(rdev);
	return 0;
}

int loop_size(uint32_t rdev, uint64_t *bytes, bool *ro)
{
	uint32_t i;
	int e = index_of(rdev, &i);
	if (e)
		return e;
	struct loop_dev d = loop_table()->d[i];
	struct inode *ip = d.bound ? inode_get(d.back) : NULL;
	if (!ip)
		return -ENXIO;
	*bytes = ip->size & ~511ULL;
	*ro = d.ro;
	return 0;
}

int loop_io(uint32_t rdev, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len, bool write)
{
	uint64_t size;
	bool ro;
	int e = loop_size(rdev, &size, &ro);
	if (e)
		return e;
	if (write && ro)
		return -EROFS;
	if (len > 4096 || off > 4096 - len || sector > size / 512 || len > size - sector * 512)
		return -EIO;
	struct inode_ref back = loop_table()->d[dev_minor(rdev)].back;
	return write ? inode_write_frame(back, sector * 512, f, off, len) : inode_read_frame(back, sector * 512, f, off, len);
}

int loop_flush(uint32_t rdev)
{
	uint32_t i;
	int e = index_of(rdev, &i);
	if (e)
		return e;
	struct loop_dev d = loop_table()->d[i];
	return d.bound ? vfs_fsync_inode(d.back, false) : -ENXIO;
}

static int detach(uint32_t i);

void loop_hold(uint32_t rdev, bool hold)
{
	uint32_t i;
	if (index_of(rdev, &i))
		return;
	struct loop_table *t = loop_table();
	if (hold) {
		t->d[i].users++;
		return;
	}
	if (t->d[i].users && --t->d[i].users == 0 && t->d[i].autoclear)
		(void)detach(i); /* mount -o loop: gone with its last mount */
}

/* ---- the device node ---- */

static uint32_t node_rdev(const struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	return ip ? ip->rdev : 0;
}

static int attach(uint32_t i, int64_t fd, bool ro)
{
	if (loop_table()->d[i].bound)
		return -EBUSY;
	struct file_ref f;
	int e = fd_get(cur_proc()->files, fd, &f);
	if (e)
		return e;
	struct file *fp = file_get(f);
	struct inode *ip = inode_get(fp->inode);
	if (!ip || ((ip->mode & S_IFMT) != S_IFREG && (ip->mode & S_IFMT) != S_IFBLK))
		return -EINVAL;
	ip->open_count++; /* held while attached */
	struct loop_table *t = loop_table();
	t->d[i].bound = true;
	t->d[i].back = fp->inode;
	t->d[i].ro = ro || (fp->flags & O_ACCMODE) == O_RDONLY;
	return 0;
}

static int detach(uint32_t i)
{
	struct loop_table *t = loop_table();
	if (!t->d[i].bound)
		return -ENXIO;
	if (t->d[i].users)
		return -EBUSY;
	struct inode_ref back = t->d[i].back;
	t->d[i].bound = false;
	t->d[i].autoclear = false;
	t->d[i].back = (struct inode_ref){0};
	for (uint32_t k = 0; k < sizeof(t->d[i].name); k++)
		t->d[i].name[k] = 0;
	struct inode *ip = inode_get(back);
	if (ip) {
		ip->open_count--;
		inode_put_if_unused(back);
	}
	return 0;
}

/* Only the name and the autoclear flag mean anything here (no offset,
 * size limit or encryption: -EINVAL for those). */
static int set_status64(uint32_t i, uint64_t arg)
{
	if (!loop_table()->d[i].bound)
		return -ENXIO;
	struct loop_info64_k li;
	if (fw_copy_from_user(&li, fw_uaddr(arg)))
		return -EFAULT;
	if (li.lo_offset || li.lo_sizelimit || li.lo_encrypt_type)
		return -EINVAL;
	struct loop_table *t = loop_table();
	t->d[i].autoclear = (li.lo_flags & LO_FLAGS_AUTOCLEAR) != 0;
	for (uint32_t k = 0; k + 1 < sizeof(t->d[i].name) && k < sizeof(li.lo_file_name); k++)
		t->d[i].name[k] = li.lo_file_name[k];
	return 0;
}

static int set_status_old(uint32_t i, uint64_t arg)
{
	if (!loop_table()->d[i].bound)
		return -ENXIO;
	struct loop_info_k li;
	if (fw_copy_from_user(&li, fw_uaddr(arg)))
		return -EFAULT;
	if (li.lo_offset || li.lo_encrypt_type)
		return -EINVAL;
	struct loop_table *t = loop_table();
	t->d[i].autoclear = ((uint32_t)li.lo_flags & LO_FLAGS_AUTOCLEAR) != 0;
	for (uint32_t k = 0; k + 1 < sizeof(t->d[i].name) && k < sizeof(li.lo_name); k++)
		t->d[i].name[k] = li.lo_name[k];
	return 0;
}

/* The status of a bound device; -ENXIO for a free one (how tools find a
 * free device without loop-control). */
static int get_status(uint32_t i, struct loop_info64_k *li)
{
	struct loop_dev d = loop_table()->d[i];
	struct inode *ip = d.bound ? inode_get(d.back) : NULL;
	if (!ip)
		return -ENXIO;
	li->lo_inode = ip->ino;
	li->lo_number = i;
	li->lo_flags = (d.ro ? LO_FLAGS_READ_ONLY : 0) | (d.autoclear ? LO_FLAGS_AUTOCLEAR : 0);
	for (uint32_t k = 0; k < sizeof(li->lo_file_name) && k < sizeof(d.name); k++)
		li->lo_file_name[k] = d.name[k];
	return 0;
}

static int get_status_old(uint32_t i, uint64_t arg)
{
	struct loop_info64_k l64 = {0};
	int e = get_status(i, &l64);
	if (e)
		return e;
	struct loop_info_k li = {0};
	li.lo_number = (int32_t)l64.lo_number;
	li.lo_inode = l64.lo_inode;
	li.lo_flags = (int32_t)l64.lo_flags;
	for (uint32_t k = 0; k < sizeof(li.lo_name); k++)
		li.lo_name[k] = l64.lo_file_name[k];
	return fw_copy_to_user(fw_uaddr(arg), &li) ? -EFAULT : 0;
}

static int64_t loop_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	uint32_t i;
	int e = index_of(node_rdev(fp), &i);
	if (e)
		return e;
	switch (cmd) {
	case LOOP_SET_FD:
		return attach(i, (int32_t)arg, false);
	case LOOP_CLR_FD:
		return detach(i);
	case LOOP_SET_STATUS64:
		return set_status64(i, arg);
	case LOOP_SET_STATUS:
		return set_status_old(i, arg);
	case LOOP_GET_STATUS:
		return get_status_old(i, arg);
	case LOOP_GET_STATUS64: {
		struct loop_info64_k li = {0};
		e = get_status(i, &li);
		return e ? e : (fw_copy_to_user(fw_uaddr(arg), &li) ? -EFAULT : 0);
	}
	case BLKGETSIZE64: {
		uint64_t size;
		bool ro;
		e = loop_size(node_rdev(fp), &size, &ro);
		return e ? e : (fw_copy_to_user(fw_uaddr(arg), &size) ? -EFAULT : 0);
	}
	case BLKSSZGET: {
		int32_t v = 512;
		return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
	}
	case BLKFLSBUF:
		return 0;
	default:
		return -ENOTTY;
	}
}

/* Raw reads and writes of the device: the backing file's bytes. */
static int64_t loop_rw(struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos, bool write)
{
	uint64_t size;
	bool ro;
	uint32_t i;
	int e = loop_size(node_rdev(fp), &size, &ro);
	if (e == 0)
		e = index_of(node_rdev(fp), &i);
	if (e)
		return e;
	if (write && ro)
		return -EPERM;
	if (*pos >= size)
		return write && n ? -ENOSPC : 0;
	n = FW_MIN(n, size - *pos);
	struct inode_ref back = loop_table()->d[i].back;
	int64_t r = write ? inode_write_user(back, *pos, buf, n) : inode_read_user(back, *pos, buf, n);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static int64_t loop_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	return loop_rw(fp, buf, n, pos, false);
}

static int64_t loop_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	return loop_rw(fp, buf, n, pos, true);
}

static int64_t loop_llseek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence)
{
	uint64_t size = 0;
	bool ro;
	(void)loop_size(node_rdev(fp), &size, &ro);
	int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)fp->off : whence == 2 ? (int64_t)size : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	fp->off = (uint64_t)(base + off);
	return (int64_t)fp->off;
}

static int loop_fsync(struct file_ref f, struct file *fp, bool datasync) { return loop_flush(node_rdev(fp)); }

static const struct file_ops loop_ops = {
	.name = "loop",
	.flags = FOP_PREAD,
	.read = loop_read,
	.write = loop_write,
	.llseek = loop_llseek,
	.ioctl = loop_ioctl,
	.fsync = loop_fsync,
};

/* /dev/loop-control: LOOP_CTL_GET_FREE gives the first free device. */
static int64_t ctl_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	if (cmd != LOOP_CTL_GET_FREE)
		return -ENOTTY;
	for (uint32_t i = 0; i < LOOP_COUNT; i++)
		if (!loop_table()->d[i].bound)
			return i;
	return -ENOSPC;
}

static const struct file_ops ctl_ops = {
	.name = "loop-control",
	.ioctl = ctl_ioctl,
};

static void node_name(struct kname *n, uint32_t i)
{
	char base[5] = "loop";
	n->len = 0;
	for (uint32_t k = 0; k < 4; k++)
		n->s[n->len++] = base[k];
	n->s[n->len++] = (char)('0' + i);
	n->s[n->len] = 0;
}

int loop_init(void)
{
	uint32_t id, ctl;
	int e = file_ops_register(&loop_ops, &id);
	if (e == 0)
		e = file_ops_register(&ctl_ops, &ctl);
	if (e == 0)
		e = dev_register(S_IFBLK, LOOP_MAJOR, 0, LOOP_COUNT, id);
	if (e == 0)
		e = dev_register(S_IFCHR, MISC_MAJOR, LOOP_CTRL_MINOR, 1, ctl);
	return e;
}

int loop_nodes(void)
{
	struct kname n;
	int e = 0;
	for (uint32_t i = 0; e == 0 && i < LOOP_COUNT; i++) {
		node_name(&n, i);
		e = devtmpfs_node(&n, S_IFBLK | 0660, dev_make(LOOP_MAJOR, i));
	}
	char ctl[13] = "loop-control";
	n.len = 0;
	for (uint32_t k = 0; k < 12; k++)
		n.s[n.len++] = ctl[k];
	n.s[n.len] = 0;
	return e ? e : devtmpfs_node(&n, S_IFCHR | 0660, dev_make(MISC_MAJOR, LOOP_CTRL_MINOR));
}
