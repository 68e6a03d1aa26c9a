/* Unpack the initramfs (cpio "newc", possibly several archives back to
 * back) into the root file system. Layer: services (safe C).
 * The archive is untrusted input: every header field is parsed and
 * range-checked; a bad entry stops the unpacking with a warning. */
#include "init/init.h"
#include <fw/console.h>
#include <fw/log.h>

struct cpio_hdr {
	char magic[6];
	char field[13][8]; /* ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj rdevmin namesize check */
};

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_SIZE, F_DEVMAJ, F_DEVMIN, F_RMAJ, F_RMIN, F_NAMESIZE };

/* Field i of the header as a number; *ok cleared on a non-hex digit. */
static uint32_t hex8(const struct cpio_hdr *h, int field, bool *ok)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		char c = h->field[field][i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			*ok = false, d = 0;
		v = v << 4 | d;
	}
	return v;
}

static uint64_t align4(uint64_t x) { return (x + 3) & ~3ULL; }

static int symlink_entry(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, uint64_t data_off,
			 uint32_t size)
{
	if (size == 0 || size >= PATH_MAX)
		return -EINVAL;
	struct kpath_ref tr;
	if (kpath_alloc(&tr))
		return -ENOMEM;
	struct kpath *t = kpath_get(tr);
	int e = fw_initrd_read(data_off, &t->s, size);
	if (e == 0) {
		t->s[size] = 0;
		t->len = size;
		e = vfs_symlink(dir, name, nw, t);
	}
	kpath_free(tr);
	return e;
}

/* Create the entry `path` (a kpath) of the given mode; data from the initrd. */
static int make_entry(const struct kpath *path, uint32_t mode, uint64_t data_off, uint32_t size, uint32_t rdev)
{
	struct inode_ref dir, ino;
	struct kname last;
	int e = path_lookup(vfs_root(), vfs_root(), path, LOOKUP_PARENT, &dir, &last);
	if (e || last.len == 0)
		return e;
	if ((last.len == 1 && last.s[0] == '.'))
		return 0;
	if (dir_lookup(dir, &last, &ino) == 0) {
		/* an existing directory is merged; anything else is replaced */
		bool was_dir = (inode_get(ino)->mode & S_IFMT) == S_IFDIR;
		if (was_dir && (mode & S_IFMT) == S_IFDIR)
			return 0;
		e = was_dir ? vfs_rmdir(dir, &last) : vfs_unlink(dir, &last);
		if (e)
			return e;
	}
	/* A symlink's target is its data; the rest get theirs after creation. */
	struct inode_new nw = {mode, rdev, 0, 0};
	if ((mode & S_IFMT) == S_IFLNK)
		return symlink_entry(dir, &last, &nw, data_off, size);
	e = (mode & S_IFMT) == S_IFDIR ? vfs_mkdir(dir, &last, &nw, &ino) : vfs_create(dir, &last, &nw, &ino);
	if (e == 0 && (mode & S_IFMT) == S_IFREG && size)
		e = inode_write_initrd(ino, 0, data_off, size);
	return e;
}

int initramfs_unpack(void)
{
	uint64_t total = fw_initrd_size(), off = 0;
	uint32_t files = 0;
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	int e = 0;
	while (off + sizeof(struct cpio_hdr) <= total) {
		struct cpio_hdr h;
		if (fw_initrd_read(off, &h, sizeof(h)))
			break;
		if (h.magic[0] == 0) { /* zero padding between archives */
			off += 4;
			continue;
		}
		uint32_t v[12];
		bool ok = h.magic[0] == '0' && h.magic[1] == '7' && h.magic[2] == '0' && h.magic[3] == '7' &&
			  h.magic[4] == '0' && (h.magic[5] == '1' || h.magic[5] == '2');
		for (int i = 0; ok && i < 12; i++)
			v[i] = hex8(&h, i, &ok);
		if (!ok) {
			fw_warn("initramfs: bad header at %lu", off);
			e = -EINVAL;
			break;
		}
		uint32_t namesize = v[F_NAMESIZE];
		uint64_t name_off = off + sizeof(h);
		uint64_t data_off = align4(name_off + namesize);
		if (namesize == 0 || namesize > PATH_MAX || data_off > total || v[F_SIZE] > total - data_off) {
			fw_warn("initramfs: truncated entry at %lu", off);
			e = -EINVAL;
			break;
		}
		struct kpath *kp = kpath_get(pr);
		if (fw_initrd_read(name_off, &kp->s, namesize)) {
			e = -EINVAL;
			break;
		}
		kp->s[namesize - 1] = 0;
		kp->len = namesize - 1;
		off = align4(data_off + v[F_SIZE]);
		if (kp->len == 10 && kp->s[0] == 'T' && kp->s[8] == '!' && kp->s[9] == '!')
			continue; /* TRAILER!!! : another archive may follow */
		if (make_entry(kp, v[F_MODE], data_off, v[F_SIZE], (v[F_RMAJ] << 8) | v[F_RMIN]) == 0)
			files++;
	}
	kpath_free(pr);
	fw_info("initramfs: %u entries from %lu bytes", files, total);
	return e;
}
