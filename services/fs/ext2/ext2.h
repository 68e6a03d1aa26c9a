/* ext2, revision 0 and 1, read-write. Layer: services (safe C).
 *
 * On-disk structures (little-endian, as x86-64 reads them) and the
 * in-memory state of a mounted file system. Everything read from the disk
 * is untrusted: every field is checked before it is used, and a bad one
 * gives -EUCLEAN (mount) or -EIO (an operation), never a wrong access.
 *
 * Files:
 *   super.c  mount, umount, statfs, sync; the fs_type registration
 *   alloc.c  block and inode bitmaps
 *   bcache.c the metadata buffer cache (superblock, descriptors,
 *            bitmaps, inode tables, indirect and directory blocks)
 *   inode.c  the inode cache, reading and writing inodes, freeing them
 *   bmap.c   logical to physical blocks, allocation, truncation
 *   dir.c    directory blocks: lookup, add, remove, list
 *   namei.c  the namespace operations (create ... rename)
 *   file.c   file data through the page cache, symlinks, file operations
 *   disk.h   the block device underneath
 */
#ifndef SVC_FS_EXT2_EXT2_H
#define SVC_FS_EXT2_EXT2_H

#include "vfs/vfs.h"
#include <fw/sync.h>

#define EXT2_MAGIC 0xEF53
#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDIR 12
#define EXT2_IND 12
#define EXT2_DIND 13
#define EXT2_TIND 14
#define EXT2_NBLOCKS 15
#define EXT2_LINK_MAX 32000
#define EXT2_VALID_FS 1
#define EXT2_ERROR_FS 2

#define EXT2_FEATURE_COMPAT_SUPP 0x3f          /* dir_prealloc imagic has_journal ext_attr resize_inode dir_index */
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x2
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x1
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x2
#define EXT2_FEATURE_RO_COMPAT_SUPP 0x7

/* Directory entry file types (FILETYPE feature). */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHR 3
#define EXT2_FT_BLK 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_SYMLINK 7

struct ext2_dsuper {
	uint32_t s_inodes_count, s_blocks_count, s_r_blocks_count, s_free_blocks_count, s_free_inodes_count;
	uint32_t s_first_data_block, s_log_block_size, s_log_frag_size, s_blocks_per_group, s_frags_per_group;
	uint32_t s_inodes_per_group, s_mtime, s_wtime;
	uint16_t s_mnt_count, s_max_mnt_count, s_magic, s_state, s_errors, s_minor_rev_level;
	uint32_t s_lastcheck, s_checkinterval, s_creator_os, s_rev_level;
	uint16_t s_def_resuid, s_def_resgid;
	uint32_t s_first_ino;
	uint16_t s_inode_size, s_block_group_nr;
	uint32_t s_feature_compat, s_feature_incompat, s_feature_ro_compat;
	uint8_t s_uuid[16], s_volume_name[16], s_last_mounted[64];
	uint32_t s_algo_bitmap;
	uint8_t s_prealloc_blocks, s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_rest[816];
};
_Static_assert(sizeof(struct ext2_dsuper) == 1024, "ext2 superblock");

struct ext2_dgroup {
	uint32_t bg_block_bitmap, bg_inode_bitmap, bg_inode_table;
	uint16_t bg_free_blocks_count, bg_free_inodes_count, bg_used_dirs_count, bg_flags;
	uint32_t bg_reserved[3];
};
_Static_assert(sizeof(struct ext2_dgroup) == 32, "ext2 group descriptor");

struct ext2_dinode {
	uint16_t i_mode, i_uid;
	uint32_t i_size, i_atime, i_ctime, i_mtime, i_dtime;
	uint16_t i_gid, i_links_count;
	uint32_t i_blocks, i_flags, i_osd1;
	uint32_t i_block[EXT2_NBLOCKS];
	uint32_t i_generation, i_file_acl, i_size_high, i_faddr;
	uint8_t l_i_frag, l_i_fsize;
	uint16_t i_pad1, l_i_uid_high, l_i_gid_high;
	uint32_t l_i_reserved2;
};
_Static_assert(sizeof(struct ext2_dinode) == 128, "ext2 inode");

struct ext2_ddirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len, file_type;
};

/* A block's bytes in kernel memory (parsing directories, bitmaps,
 * indirect blocks); pool objects, not stack. */
struct e2blk {
	uint8_t b[4096];
};
FW_POOL_DECLARE(e2blk, struct e2blk);
/* The block's 32-bit words (indirect blocks). */
static inline uint32_t e2blk_u32(const struct e2blk *k, uint32_t i)
{
	uint32_t o = (i * 4) & 4095;
	return (uint32_t)k->b[o] | (uint32_t)k->b[(o + 1) & 4095] << 8 | (uint32_t)k->b[(o + 2) & 4095] << 16 |
	       (uint32_t)k->b[(o + 3) & 4095] << 24;
}

/* A mounted ext2 (super.priv). Fields from the superblock are checked. */
struct e2fs;
FW_POOL_DECLARE(e2fs, struct e2fs);
struct e2fs {
	struct super_ref sb;
	uint32_t bdev;
	uint32_t bsize, log_bsize, spb, ptrs; /* block size, its log2, 512-byte sectors and pointers per block */
	uint32_t blocks, inodes, first_data, bpg, ipg, groups, isize, first_ino;
	uint32_t gdt_block, itb_blocks;       /* first descriptor block; inode table blocks per group */
	uint32_t rsv_gdt;                     /* descriptor blocks reserved for growth (resize_inode) */
	uint32_t free_blocks, free_inodes, r_blocks;
	uint32_t compat, incompat, ro_compat, rev;
	bool ro, sb_dirty, error;
	uint32_t next_group;                  /* where the next directory's inode goes */
	struct fw_mutex_ref lock;
	uint32_t lock_depth;
	uint64_t gen;                         /* i_generation of new inodes */
};

/* An ext2 inode in memory: its raw on-disk copy and where it lives. The
 * VFS inode (inode.fs_data[0..1]) names it; it names the VFS inode. */
struct e2ino;
FW_POOL_DECLARE(e2ino, struct e2ino);
struct e2ino {
	struct e2fs_ref fs;
	uint32_t ino;
	struct inode_ref vino;
	struct e2ino_ref hnext;   /* inode cache bucket */
	struct ext2_dinode d;     /* first 128 bytes, as on disk (i_block, flags...) */
	uint32_t last_block;      /* allocation goal: after the last block given to it */
};

/* ---- super.c ---- */
int ext2_init(void);
/* Check a superblock against itself and a device of dev_bytes and fill
 * fs's geometry: 0, -EINVAL (not ext2, or features it lacks) or
 * -EUCLEAN (inconsistent). */
int e2_check_super(const struct ext2_dsuper *s, uint64_t dev_bytes, bool rdonly, struct e2fs *fs);
/* Group g's descriptor points inside the group and counts sanely. */
bool e2_group_ok(const struct e2fs *fs, uint32_t g, const struct ext2_dgroup *gd);
/* The file system of a VFS inode, and its ext2 inode. */
struct e2fs *e2_fs(struct e2fs_ref r);
int e2_fs_of(struct inode_ref vino, struct e2fs_ref *out);
int e2_ino_of(struct inode_ref vino, struct e2ino_ref *out);
/* The per-file-system lock (recursive: ext2 calls the VFS, which may call
 * back into ext2). Held across every operation that may sleep on I/O. */
void e2_lock(struct e2fs_ref r);
void e2_unlock(struct e2fs_ref r);
/* A corrupted structure was found: note it (the superblock's state says
 * so at the next sync) and give -EIO. */
int e2_corrupt(struct e2fs_ref r);
/* Write the superblock (counts, state) to its buffer. */
int e2_write_super(struct e2fs_ref r);
/* Everything dirty to the disk, then the disk's cache. */
int e2_sync_meta(struct e2fs_ref r);
/* The group keeps a copy of the superblock and descriptors. */
bool e2_has_super_backup(const struct e2fs *fs, uint32_t g);
uint32_t e2_file_fops(void);
uint32_t e2_dir_fops(void);
/* A group's descriptor, read and written through its buffer. */
int e2_group(struct e2fs_ref r, uint32_t g, struct ext2_dgroup *out);
int e2_group_put(struct e2fs_ref r, uint32_t g, const struct ext2_dgroup *gd);

/* ---- alloc.c ---- */
/* A free block, as near `goal` as found (-ENOSPC); the block's cached
 * metadata copy, if any, is dropped. */
int e2_alloc_block(struct e2fs_ref r, uint32_t goal, uint32_t *out);
int e2_free_block(struct e2fs_ref r, uint32_t blk);
int e2_alloc_inode(struct e2fs_ref r, uint32_t dir_ino, bool is_dir, uint32_t *out);
int e2_free_inode(struct e2fs_ref r, uint32_t ino, bool is_dir);
/* The block lies in the data area (not a superblock, descriptor, bitmap
 * or inode table, and inside the file system). */
bool e2_block_ok(const struct e2fs *fs, uint32_t blk);

/* ---- bcache.c ---- */
struct ebuf;
FW_POOL_DECLARE(ebuf, struct ebuf);
struct ebuf {
	uint32_t bdev, bsize;
	uint64_t block;
	struct fw_frame_ref frame; /* the block's bytes at offset 0 */
	bool dirty, hashed;
	uint32_t pins;
	struct ebuf_ref hnext, lru_prev, lru_next;
	struct ebuf_ref snext; /* bc_sync's list */
};
/* The buffer of `block` (pinned; read from the disk unless `fresh`: then
 * zeroed, for a block about to be written whole). */
int bc_get(uint32_t bdev, uint32_t bsize, uint64_t block, bool fresh, struct ebuf_ref *out);
void bc_put(struct ebuf_ref b);
void bc_dirty(struct ebuf_ref b);
/* The block's bytes [off, off + n) to or from a kernel object. */
int bc_read(uint32_t bdev, uint32_t bsize, uint64_t block, uint32_t off, struct e2blk *k, uint32_t koff, uint32_t n);
/* Write every dirty buffer of the device. */
int bc_sync(uint32_t bdev);
/* A metadata block was freed (or becomes file data): forget it, dirty or not. */
void bc_forget(uint32_t bdev, uint64_t block);
/* Umount: every buffer of the device goes (after bc_sync). */
void bc_drop_dev(uint32_t bdev);
/* Read whole block `blk` of fs into a kernel block buffer. */
int e2_read_block(struct e2fs_ref r, uint32_t blk, struct e2blk *k);

/* ---- inode.c ---- */
/* The VFS inode of ext2 inode `ino` (read from disk on a miss). */
int e2_iget(struct e2fs_ref r, uint32_t ino, struct inode_ref *out);
/* A new inode: allocated, initialised, cached; nlink 0 until linked. */
int e2_inew(struct e2fs_ref r, uint32_t dir_ino, const struct inode_new *nw, struct inode_ref *out);
/* Copy the VFS inode's fields to the raw inode and the raw inode to its
 * buffer. */
int e2_write_inode(struct inode_ref vino);
void ext2_evict(struct inode_ref vino);
int ext2_setattr(struct inode_ref vino, const struct iattr *a);
/* Umount: every cached inode of the fs written back and freed (-EBUSY if
 * one is open). */
int e2_inodes_busy(struct e2fs_ref r);
int e2_inodes_writeback(struct e2fs_ref r);
void e2_inodes_forget(struct e2fs_ref r);
/* An on-disk inode fit to use: a known type, linked, and a size its type
 * allows (a fast symlink under a block, a directory of whole blocks). */
bool e2_dinode_ok(const struct e2fs *fs, const struct ext2_dinode *d);
/* File type of a mode for directory entries, and back. */
uint8_t e2_ftype(uint32_t mode);

/* ---- bmap.c ---- */
/* Which i_block slot holds logical block lblk (*first), and the index in
 * each indirect level below it (*depth of them, 0 for a direct block):
 * -EFBIG past the triple-indirect tree. */
int e2_route(const struct e2fs *fs, uint64_t lblk, uint32_t *first, uint32_t (*idx)[3], uint32_t *depth);
/* Physical block of logical block `lblk` of the inode (0: a hole), made
 * (with its indirect blocks) when `create`. */
int e2_bmap(struct e2ino_ref ir, uint64_t lblk, bool create, uint32_t *phys);
/* Free every block from logical block `from` on (truncate). */
int e2_truncate_blocks(struct e2ino_ref ir, uint64_t from);
/* The largest file size the block tree can hold. */
uint64_t e2_max_size(const struct e2fs *fs);

/* ---- dir.c ---- */
/* A directory entry's header, as found at byte `off` of its block. */
struct e2dent {
	uint32_t off, ino, rec_len, name_len, ftype;
};
/* The entry at `off` of block k (fs->bsize bytes), checked: aligned,
 * rec_len at least 8, a multiple of 4 and inside the block, the name
 * inside rec_len, the inode number in range. -EIO otherwise. */
int e2_dent_at(const struct e2fs *fs, const struct e2blk *k, uint32_t off, struct e2dent *d);
int e2_dir_find(struct inode_ref dir, const struct kname *name, uint32_t *ino);
int e2_dir_add(struct inode_ref dir, const struct kname *name, uint32_t ino, uint8_t ftype);
int e2_dir_remove(struct inode_ref dir, const struct kname *name);
/* Point the existing entry `name` at another inode. */
int e2_dir_set(struct inode_ref dir, const struct kname *name, uint32_t ino, uint8_t ftype);
int e2_dir_empty(struct inode_ref dir);
/* A new directory's first block: "." and "..". */
int e2_dir_init(struct inode_ref dir, uint32_t parent_ino);
int e2_dir_name_of(struct inode_ref dir, uint32_t ino, struct kname *out);
int64_t ext2_readdir(struct file_ref f, struct file *fp, struct dir_ctx *ctx);

/* ---- namei.c: the fs_type's namespace operations ---- */
int ext2_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out);
int ext2_create(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
int ext2_mkdir(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
int ext2_symlink(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, const struct kpath *target,
		 struct inode_ref *out);
int ext2_link(struct inode_ref dir, const struct kname *name, struct inode_ref target);
int ext2_unlink(struct inode_ref dir, const struct kname *name, struct inode_ref victim);
int ext2_rmdir(struct inode_ref dir, const struct kname *name, struct inode_ref victim);
int ext2_rename(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname);
int ext2_get_name(struct inode_ref dir, struct inode_ref child, struct kname *out);

/* ---- file.c ---- */
int ext2_readpages(struct inode_ref vino, struct page_batch *b);
int ext2_writepages(struct inode_ref vino, const struct page_batch *b);
int ext2_write_begin(struct inode_ref vino, uint64_t pos, uint64_t len);
int ext2_write_end(struct inode_ref vino, uint64_t pos, uint64_t len, uint64_t copied);
int ext2_readlink(struct inode_ref vino, struct kpath *out);
int ext2_write_target(struct inode_ref vino, const struct kpath *target);
int ext2_fsync(struct inode_ref vino, bool datasync);
int ext2_fops_init(uint32_t *file, uint32_t *dir);

#endif
