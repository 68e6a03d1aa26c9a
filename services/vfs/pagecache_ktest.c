/* ktests of the page cache's radix tree (pagecache.c) on private memory
 * inodes: pages at leaf and level boundaries, growth by one level at a
 * time up to the depth limit, dropping from an index, truncation's zeroed
 * tail and holes. Layer: services (safe C). They trust the framework's
 * frames; the tree's shape is read through the inode's own counters. */
#include "vfs/vfs.h"
#include <fw/ktest.h>

/* The tree's geometry (pagecache.c): 450 pages a leaf, 500 children a
 * node, at most four levels of nodes. */
#define KT_LEAF 450ULL
#define KT_L1 (KT_LEAF * 500)
#define KT_L2 (KT_L1 * 500)
#define KT_SPAN4 (KT_L2 * 500 * 500)

/* Make page idx and stamp it with its own index. */
static int stamp(struct inode_ref r, uint64_t idx)
{
	struct fw_frame_ref f = {0};
	int e = inode_page(r, idx, true, &f);
	return e ? e : fw_frame_write(f, 8, &idx, sizeof(idx));
}

/* Page idx is cached and carries its stamp. */
static bool has_stamp(struct inode_ref r, uint64_t idx)
{
	struct fw_frame_ref f = {0};
	uint64_t v = ~idx;
	return inode_page(r, idx, false, &f) == 0 && fw_frame_read(f, 8, &v, sizeof(v)) == 0 && v == idx;
}

static uint32_t depth(struct inode_ref r) { return inode_get(r)->pages_depth; }

FW_KTEST(svc_vfs_pagecache_grows_at_level_boundaries)
{
	struct inode_ref r = {0};
	FW_EXPECT(t, inode_new(S_IFREG | 0644, &r) == 0);
	struct fw_frame_ref f = {0};
	FW_EXPECT(t, inode_page(r, 0, false, &f) == -ENOENT); /* empty tree */
	FW_EXPECT(t, stamp(r, 0) == 0 && depth(r) == 0);
	FW_EXPECT(t, stamp(r, KT_LEAF - 1) == 0 && depth(r) == 0); /* last slot of the root leaf */
	FW_EXPECT(t, inode_page(r, KT_LEAF, false, &f) == -ENOENT); /* past the tree: no growth on lookup */
	FW_EXPECT(t, depth(r) == 0);
	FW_EXPECT(t, stamp(r, KT_LEAF) == 0 && depth(r) == 1);
	FW_EXPECT(t, stamp(r, KT_L1 - 1) == 0 && depth(r) == 1);
	FW_EXPECT(t, stamp(r, KT_L1) == 0 && depth(r) == 2);
	FW_EXPECT(t, stamp(r, KT_L2) == 0 && depth(r) == 3);
	/* every page kept its place through three re-rootings */
	FW_EXPECT(t, has_stamp(r, 0) && has_stamp(r, KT_LEAF - 1) && has_stamp(r, KT_LEAF));
	FW_EXPECT(t, has_stamp(r, KT_L1 - 1) && has_stamp(r, KT_L1) && has_stamp(r, KT_L2));
	FW_EXPECT(t, inode_get(r)->npages == 6);
	FW_EXPECT(t, inode_page(r, 1, false, &f) == -ENOENT && inode_page(r, KT_LEAF + 1, false, &f) == -ENOENT);
	FW_EXPECT(t, inode_page(r, KT_L2 - 1, false, &f) == -ENOENT);
	/* a second lookup-or-create of a present page hands back the same frame */
	struct fw_frame_ref g = {0};
	FW_EXPECT(t, inode_page(r, KT_L1, true, &f) == 0 && inode_page(r, KT_L1, false, &g) == 0);
	FW_EXPECT(t, fw_frame_ref_eq(f, g) && inode_get(r)->npages == 6);
	/* drop from the first slot of the second leaf */
	inode_drop_pages(r, KT_LEAF);
	FW_EXPECT(t, inode_get(r)->npages == 2 && has_stamp(r, 0) && has_stamp(r, KT_LEAF - 1));
	FW_EXPECT(t, inode_page(r, KT_LEAF, false, &f) == -ENOENT && inode_page(r, KT_L2, false, &f) == -ENOENT);
	FW_EXPECT(t, stamp(r, KT_L1 + 7) == 0 && has_stamp(r, KT_L1 + 7)); /* freed subtrees are made again */
	/* drop from inside a leaf: the slot before stays */
	inode_drop_pages(r, KT_LEAF - 1);
	FW_EXPECT(t, has_stamp(r, 0) && inode_page(r, KT_LEAF - 1, false, &f) == -ENOENT);
	FW_EXPECT(t, inode_get(r)->npages == 1);
	inode_drop_pages(r, 0);
	FW_EXPECT(t, inode_get(r)->pages.idx == 0 && inode_get(r)->npages == 0 && depth(r) == 0);
	FW_EXPECT(t, stamp(r, 3) == 0 && depth(r) == 0 && has_stamp(r, 3)); /* starts small again */
	inode_put_if_unused(r);
}

FW_KTEST(svc_vfs_pagecache_depth_limit)
{
	struct inode_ref r = {0};
	struct fw_frame_ref f = {0};
	FW_EXPECT(t, inode_new(S_IFREG | 0644, &r) == 0);
	/* an empty tree asked for a page past four levels */
	FW_EXPECT(t, inode_page(r, KT_SPAN4, true, &f) == -EFBIG && inode_get(r)->pages.idx == 0);
	FW_EXPECT(t, inode_page(r, UINT64_MAX, true, &f) == -EFBIG);
	/* the last page the tree holds, made directly at full height */
	FW_EXPECT(t, stamp(r, KT_SPAN4 - 1) == 0 && depth(r) == 4 && has_stamp(r, KT_SPAN4 - 1));
	FW_EXPECT(t, inode_page(r, KT_SPAN4, true, &f) == -EFBIG && depth(r) == 4);
	FW_EXPECT(t, stamp(r, 0) == 0 && has_stamp(r, 0) && inode_get(r)->npages == 2);
	inode_drop_pages(r, 1);
	FW_EXPECT(t, has_stamp(r, 0) && inode_page(r, KT_SPAN4 - 1, false, &f) == -ENOENT);
	inode_drop_pages(r, 0);
	FW_EXPECT(t, inode_get(r)->pages.idx == 0);
	inode_put_if_unused(r);
}

FW_KTEST(svc_vfs_pagecache_truncate_zeroes_tail_and_holes_read_zero)
{
	struct inode_ref r = {0};
	FW_EXPECT(t, inode_new(S_IFREG | 0644, &r) == 0);
	struct kchunk c;
	for (uint32_t i = 0; i < sizeof(c.b); i++)
		c.b[i] = 0xa5;
	/* bytes 4000..4512 straddle pages 0 and 1; page 5 is written, 2..4 are holes */
	FW_EXPECT(t, inode_write_chunk(r, 4000, &c, 512) == 0 && inode_get(r)->size == 4512);
	FW_EXPECT(t, inode_write_chunk(r, 5 * 4096, &c, 16) == 0 && inode_get(r)->size == 5 * 4096 + 16);
	FW_EXPECT(t, inode_get(r)->npages == 3);
	struct kchunk back;
	for (uint32_t i = 0; i < sizeof(back.b); i++)
		back.b[i] = 0x5a; /* a hole must read as zeros, whatever the buffer held */
	FW_EXPECT(t, inode_read_chunk(r, 3 * 4096, &back, 512) == 0 && back.b[0] == 0 && back.b[511] == 0);
	FW_EXPECT(t, inode_get(r)->npages == 3); /* reading a hole makes no page */
	/* cut inside page 1: page 5 goes, page 1 keeps 100 bytes */
	FW_EXPECT(t, inode_truncate(r, 4096 + 100) == 0 && inode_get(r)->npages == 2);
	FW_EXPECT(t, inode_truncate(r, 6 * 4096) == 0); /* grow again: old bytes must not come back */
	FW_EXPECT(t, inode_read_chunk(r, 4096 + 96, &back, 8) == 0);
	FW_EXPECT(t, back.b[3] == 0xa5 && back.b[4] == 0 && back.b[7] == 0);
	back.b[0] = 0x5a;
	FW_EXPECT(t, inode_read_chunk(r, 5 * 4096, &back, 16) == 0 && back.b[0] == 0 && back.b[15] == 0);
	FW_EXPECT(t, inode_read_chunk(r, 3999, &back, 2) == 0 && back.b[0] == 0 && back.b[1] == 0xa5);
	inode_drop_pages(r, 0);
	inode_put_if_unused(r);
}
