/* ktests of ext2's checks on what it reads from a disk, fed hostile
 * values directly: the superblock (e2_check_super), group descriptors,
 * inodes, directory entries, and the block-map geometry (routes through
 * direct, single, double and triple indirect blocks, the largest file).
 * Layer: services (safe C). They need no disk and trust only the e2blk
 * pool; the mounted paths are covered by the user-space ext2 tests. */
#include "fs/ext2/ext2.h"
#include <abi/fs.h>
#include <fw/ktest.h>

/* A consistent 8 MiB file system: 1 KiB blocks, one group of 8192
 * blocks, 2048 inodes of 128 bytes. */
static void good_super(struct ext2_dsuper *s)
{
	*s = (struct ext2_dsuper){0};
	s->s_magic = EXT2_MAGIC;
	s->s_rev_level = 1;
	s->s_log_block_size = 0;
	s->s_blocks_count = 8192;
	s->s_first_data_block = 1;
	s->s_blocks_per_group = 8192;
	s->s_inodes_per_group = 2048;
	s->s_inodes_count = 2048;
	s->s_inode_size = 128;
	s->s_first_ino = 11;
	s->s_r_blocks_count = 409;
	s->s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE;
}

#define DEV (8ULL << 20)

static int check(const struct ext2_dsuper *s, uint64_t dev, bool ro)
{
	struct e2fs fs = {0};
	return e2_check_super(s, dev, ro, &fs);
}

FW_KTEST(svc_ext2_superblock_checks)
{
	struct ext2_dsuper s;
	struct e2fs fs = {0};
	good_super(&s);
	FW_EXPECT(t, e2_check_super(&s, DEV, false, &fs) == 0);
	FW_EXPECT(t, fs.bsize == 1024 && fs.ptrs == 256 && fs.groups == 1 && fs.itb_blocks == 256 && fs.gdt_block == 2);
	FW_EXPECT(t, check(&s, DEV - 1, false) == -EUCLEAN); /* larger than its device */
	good_super(&s);
	s.s_magic = 0xEF52;
	FW_EXPECT(t, check(&s, DEV, false) == -EINVAL);
	good_super(&s);
	s.s_log_block_size = 3; /* 8 KiB blocks: larger than a page */
	FW_EXPECT(t, check(&s, DEV, false) == -EINVAL);
	s.s_log_block_size = 0xffffffff; /* a shift count that would be undefined */
	FW_EXPECT(t, check(&s, DEV, false) == -EINVAL);
	good_super(&s);
	s.s_rev_level = 2;
	FW_EXPECT(t, check(&s, DEV, false) == -EINVAL);
	good_super(&s);
	s.s_feature_incompat |= 0x40; /* extents */
	FW_EXPECT(t, check(&s, DEV, true) == -EINVAL);
	good_super(&s);
	s.s_feature_ro_compat = 0x8; /* huge_file: read-only is fine, read-write is not */
	FW_EXPECT(t, check(&s, DEV, false) == -EINVAL && check(&s, DEV, true) == 0);
	good_super(&s);
	s.s_first_data_block = 0; /* 1 KiB blocks start at block 1 */
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	good_super(&s);
	s.s_blocks_count = 2;
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	good_super(&s);
	s.s_blocks_per_group = 0; /* a division by zero if trusted */
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	s.s_blocks_per_group = 8200; /* more than a bitmap block maps */
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	good_super(&s);
	s.s_inodes_per_group = 0;
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	good_super(&s);
	s.s_inode_size = 100; /* not a power of two */
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	s.s_inode_size = 2048; /* larger than a block */
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	good_super(&s);
	s.s_first_ino = 5; /* inside the reserved inodes */
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	good_super(&s);
	s.s_inodes_count = 2049; /* not groups * inodes per group */
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	good_super(&s);
	s.s_r_blocks_count = 8193;
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	good_super(&s);
	s.s_inodes_per_group = 8192; /* the inode table fills the group */
	s.s_inodes_count = 8192;
	s.s_inode_size = 1024;
	FW_EXPECT(t, check(&s, DEV, false) == -EUCLEAN);
	/* 2^32 - 1 blocks on a device that big: the group count must not
	 * wrap to 0 (and then match 0 inodes) */
	good_super(&s);
	s.s_blocks_count = 0xffffffff;
	s.s_inodes_per_group = 16;
	s.s_inodes_count = 0;
	s.s_r_blocks_count = 0;
	FW_EXPECT(t, check(&s, UINT64_MAX, true) == -EUCLEAN);
}

FW_KTEST(svc_ext2_group_descriptor_checks)
{
	struct ext2_dsuper s;
	struct e2fs fs = {0};
	good_super(&s);
	s.s_blocks_count = 8192 + 1000; /* a second, short group */
	s.s_inodes_count = 4096;
	FW_EXPECT(t, e2_check_super(&s, DEV * 2, false, &fs) == 0 && fs.groups == 2);
	struct ext2_dgroup g = {.bg_block_bitmap = 3, .bg_inode_bitmap = 4, .bg_inode_table = 5};
	FW_EXPECT(t, e2_group_ok(&fs, 0, &g));
	FW_EXPECT(t, !e2_group_ok(&fs, 1, &g)); /* group 1's blocks are 8193.. */
	g.bg_block_bitmap = 0;
	FW_EXPECT(t, !e2_group_ok(&fs, 0, &g));
	g.bg_block_bitmap = 8193; /* in the next group */
	FW_EXPECT(t, !e2_group_ok(&fs, 0, &g));
	g.bg_block_bitmap = 3;
	g.bg_inode_table = 8194 - 256; /* the table's last block is the next group's first */
	FW_EXPECT(t, !e2_group_ok(&fs, 0, &g));
	g.bg_inode_table = 8193 - 256;
	FW_EXPECT(t, e2_group_ok(&fs, 0, &g));
	g.bg_free_blocks_count = 8193;
	FW_EXPECT(t, !e2_group_ok(&fs, 0, &g));
	g.bg_free_blocks_count = 0;
	g.bg_used_dirs_count = 2049;
	FW_EXPECT(t, !e2_group_ok(&fs, 0, &g));
	/* the short last group ends at the file system's end, not bpg later */
	struct ext2_dgroup h = {.bg_block_bitmap = 8193, .bg_inode_bitmap = 8194, .bg_inode_table = 8195};
	FW_EXPECT(t, e2_group_ok(&fs, 1, &h));
	h.bg_inode_table = 9192 - 255; /* one block past the end */
	FW_EXPECT(t, !e2_group_ok(&fs, 1, &h));
}

FW_KTEST(svc_ext2_inode_checks)
{
	struct e2fs fs = {.bsize = 1024};
	struct ext2_dinode d = {.i_mode = S_IFREG | 0644, .i_links_count = 1, .i_size = 5};
	FW_EXPECT(t, e2_dinode_ok(&fs, &d));
	d.i_links_count = 0; /* deleted */
	FW_EXPECT(t, !e2_dinode_ok(&fs, &d));
	d.i_links_count = 1;
	d.i_mode = 0644; /* no type */
	FW_EXPECT(t, !e2_dinode_ok(&fs, &d));
	d.i_mode = 0170644;
	FW_EXPECT(t, !e2_dinode_ok(&fs, &d));
	d.i_mode = S_IFLNK | 0777;
	d.i_size = 1023;
	FW_EXPECT(t, e2_dinode_ok(&fs, &d));
	d.i_size = 1024; /* a target longer than a block */
	FW_EXPECT(t, !e2_dinode_ok(&fs, &d));
	d.i_mode = S_IFDIR | 0755;
	d.i_size = 0;
	FW_EXPECT(t, !e2_dinode_ok(&fs, &d));
	d.i_size = 1500;
	FW_EXPECT(t, !e2_dinode_ok(&fs, &d));
	d.i_size = 2048;
	FW_EXPECT(t, e2_dinode_ok(&fs, &d));
}

static void put_dent(struct e2blk *k, uint32_t off, uint32_t ino, uint32_t rec_len, uint8_t name_len, uint8_t ft)
{
	for (uint32_t i = 0; i < 4; i++)
		k->b[(off + i) & 4095] = (uint8_t)(ino >> (8 * i));
	k->b[(off + 4) & 4095] = (uint8_t)rec_len;
	k->b[(off + 5) & 4095] = (uint8_t)(rec_len >> 8);
	k->b[(off + 6) & 4095] = name_len;
	k->b[(off + 7) & 4095] = ft;
}

FW_KTEST(svc_ext2_directory_entry_checks)
{
	struct e2blk_ref kr = {0};
	FW_EXPECT(t, e2blk_alloc(&kr) == 0);
	struct e2blk *k = e2blk_get(kr);
	struct e2fs fs = {.bsize = 1024, .inodes = 2048, .incompat = EXT2_FEATURE_INCOMPAT_FILETYPE};
	struct e2dent d;
	put_dent(k, 0, 2, 12, 1, EXT2_FT_DIR);
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == 0 && d.ino == 2 && d.rec_len == 12 && d.name_len == 1);
	FW_EXPECT(t, d.ftype == EXT2_FT_DIR && d.off == 0);
	FW_EXPECT(t, e2_dent_at(&fs, k, 2, &d) == -EIO);    /* misaligned */
	FW_EXPECT(t, e2_dent_at(&fs, k, 1020, &d) == -EIO); /* the header crosses the block's end */
	/* an offset near 2^32 whose masked bytes look like a good entry */
	put_dent(k, 4092, 2, 0, 0, 0);
	put_dent(k, 0, 0x01000c, 0, 0, 0); /* bytes 0..3: rec_len 12, name_len 1 */
	FW_EXPECT(t, e2_dent_at(&fs, k, UINT32_MAX - 3, &d) == -EIO);
	put_dent(k, 0, 2, 12, 1, EXT2_FT_DIR);
	put_dent(k, 1016, 0, 8, 0, 0); /* an empty entry ending the block exactly */
	FW_EXPECT(t, e2_dent_at(&fs, k, 1016, &d) == 0 && d.rec_len == 8);
	put_dent(k, 0, 2, 0, 0, 0); /* rec_len 0 would never advance */
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == -EIO);
	put_dent(k, 0, 2, 4, 0, 0);
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == -EIO);
	put_dent(k, 0, 2, 14, 1, 0); /* not a multiple of 4 */
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == -EIO);
	put_dent(k, 1000, 2, 28, 1, 0); /* past the block */
	FW_EXPECT(t, e2_dent_at(&fs, k, 1000, &d) == -EIO);
	put_dent(k, 1000, 2, 24, 16, 0); /* the whole rest, name filling it */
	FW_EXPECT(t, e2_dent_at(&fs, k, 1000, &d) == 0 && d.name_len == 16);
	put_dent(k, 1000, 2, 24, 17, 0); /* the name runs past rec_len */
	FW_EXPECT(t, e2_dent_at(&fs, k, 1000, &d) == -EIO);
	put_dent(k, 0, 2048, 12, 1, 0);
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == 0);
	put_dent(k, 0, 2049, 12, 1, 0); /* no such inode */
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == -EIO);
	/* without the filetype feature the type byte is the name length's
	 * high byte: 1 + 256 is past the longest name */
	fs.incompat = 0;
	put_dent(k, 0, 2, 12, 1, 1);
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == -EIO);
	put_dent(k, 0, 2, 12, 1, 0);
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == 0 && d.ftype == EXT2_FT_UNKNOWN && d.name_len == 1);
	/* 4 KiB blocks: a record may span all of it */
	fs.bsize = 4096;
	put_dent(k, 0, 2, 4096, 255, 0);
	FW_EXPECT(t, e2_dent_at(&fs, k, 0, &d) == 0 && d.rec_len == 4096);
	put_dent(k, 4, 2, 4096, 1, 0);
	FW_EXPECT(t, e2_dent_at(&fs, k, 4, &d) == -EIO);
	e2blk_free(kr);
}

/* Route of lblk: first slot, depth and the indices packed for comparing. */
static bool route_is(const struct e2fs *fs, uint64_t lblk, uint32_t first, uint32_t depth, uint32_t i0, uint32_t i1,
		     uint32_t i2)
{
	uint32_t f = 99, d = 99, idx[3] = {0};
	if (e2_route(fs, lblk, &f, &idx, &d))
		return false;
	return f == first && d == depth && (depth < 1 || idx[0] == i0) && (depth < 2 || idx[1] == i1) &&
	       (depth < 3 || idx[2] == i2);
}

FW_KTEST(svc_ext2_block_map_routes_and_limits)
{
	struct e2fs fs = {.bsize = 1024, .ptrs = 256};
	uint32_t f, d, idx[3];
	const uint64_t p = 256, ind = EXT2_NDIR, dind = ind + p, tind = dind + p * p, end = tind + p * p * p;
	FW_EXPECT(t, route_is(&fs, 0, 0, 0, 0, 0, 0) && route_is(&fs, 11, 11, 0, 0, 0, 0));
	FW_EXPECT(t, route_is(&fs, ind, EXT2_IND, 1, 0, 0, 0) && route_is(&fs, dind - 1, EXT2_IND, 1, 255, 0, 0));
	FW_EXPECT(t, route_is(&fs, dind, EXT2_DIND, 2, 0, 0, 0) && route_is(&fs, dind + 256, EXT2_DIND, 2, 1, 0, 0));
	FW_EXPECT(t, route_is(&fs, tind - 1, EXT2_DIND, 2, 255, 255, 0));
	FW_EXPECT(t, route_is(&fs, tind, EXT2_TIND, 3, 0, 0, 0) && route_is(&fs, tind + p * p + p + 1, EXT2_TIND, 3, 1, 1, 1));
	FW_EXPECT(t, route_is(&fs, end - 1, EXT2_TIND, 3, 255, 255, 255));
	FW_EXPECT(t, e2_route(&fs, end, &f, &idx, &d) == -EFBIG && e2_route(&fs, UINT64_MAX, &f, &idx, &d) == -EFBIG);
	FW_EXPECT(t, e2_max_size(&fs) == end * 1024); /* 16 GiB and a bit: the tree is the limit */
	/* 4 KiB blocks: the tree reaches past 4 TiB; i_blocks (32 bits of
	 * sectors) is the limit, rounded down to a block */
	struct e2fs big = {.bsize = 4096, .ptrs = 1024};
	const uint64_t q = 1024, bend = EXT2_NDIR + q + q * q + q * q * q;
	FW_EXPECT(t, route_is(&big, bend - 1, EXT2_TIND, 3, 1023, 1023, 1023));
	FW_EXPECT(t, e2_route(&big, bend, &f, &idx, &d) == -EFBIG);
	FW_EXPECT(t, e2_max_size(&big) == 0xffffffffULL * 512 - 3584 && e2_max_size(&big) % 4096 == 0);
}

FW_KTEST(svc_ext2_sparse_super_backup_groups)
{
	struct e2fs fs = {.ro_compat = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER};
	uint32_t yes[] = {0, 1, 3, 5, 7, 9, 25, 27, 49, 81, 125, 243, 343, 2187, 78125, 1594323};
	uint32_t no[] = {2, 4, 6, 8, 10, 15, 21, 26, 35, 45, 50, 100, 1000, 2186, 0xffffffff};
	for (uint32_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		FW_EXPECT(t, e2_has_super_backup(&fs, yes[i]));
	for (uint32_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		FW_EXPECT(t, !e2_has_super_backup(&fs, no[i]));
	fs.ro_compat = 0; /* every group has one */
	FW_EXPECT(t, e2_has_super_backup(&fs, 2) && e2_has_super_backup(&fs, 1000));
}
