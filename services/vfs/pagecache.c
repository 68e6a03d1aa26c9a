/* The page cache: the frames holding files' data, shared by read, write
 * and mmap (a shared mapping maps the cached frame itself). Layer:
 * services (safe C).
 *
 * Each inode's pages hang in a radix tree of handles: a leaf holds 450
 * frames with their flags, an inner node 500 children, up to four levels
 * above the leaves (enough for any ext2 file). A page present in the
 * cache is up to date. For memory-only file systems the cache is the file
 * (a missing page is a hole, read as zeros). For file systems with a
 * backing store (readpages/writepages in their fs_type) a miss reads the
 * page — and, when the caller asks, the following ones (readahead) — in
 * one batch; writes allocate backing first (write_begin: -ENOSPC is the
 * writer's), then dirty the page; inode_writeback writes dirty pages back
 * in batches of consecutive pages and the inode's metadata after them.
 *
 * Reclaim: backed files with cached pages are on a list, least recently
 * used first. When free frames fall below a sixteenth of memory, a read,
 * a write or a page fault first drops clean pages of files from the front
 * of the list (and, where it may sleep, writes dirty ones back first)
 * until an eighth is free. Pages a shared mapping maps are never dropped
 * (the mapping and read/write must keep seeing one page); a private
 * mapping keeps its copy-on-write frame when the cache lets go of it. */
#include "vfs/internal.h"
#include <abi/fs.h>
#include <fw/console.h>
#include <fw/time.h>

#define PC_LEAF 450
#define PC_FANOUT 500
#define PC_DEPTH_MAX 4

#define PG_DIRTY 1
#define PG_MMAPW 2  /* mapped writable by a shared mapping: written back on every sync */
#define PG_SHARED 4 /* mapped by a shared mapping: never dropped by reclaim */
#define PG_FRESH 8  /* a backed file's page made for a write, not yet written: dropped if the copy fails */

/* The reclaim list and the counts of backed files' pages. */
struct pc_state {
	struct inode_ref head, tail;
	uint64_t pages, dirty;
	uint64_t reclaimed; /* pages dropped by reclaim (a statistic) */
	uint32_t skip;      /* calls to let pass after a pass that found nothing */
};
FW_GLOBAL(struct pc_state, pc_state);

static void lru_unlink(struct inode_ref r)
{
	struct pc_state *g = pc_state();
	struct inode *ip = inode_get(r);
	if (!ip || !ip->on_lru)
		return;
	struct inode_ref prev = ip->lru_prev, next = ip->lru_next;
	ip->on_lru = false;
	ip->lru_prev = (struct inode_ref){0};
	ip->lru_next = (struct inode_ref){0};
	struct inode *pp = inode_get(prev), *np = inode_get(next);
	if (pp)
		pp->lru_next = next;
	else
		g->head = next;
	if (np)
		np->lru_prev = prev;
	else
		g->tail = prev;
}

static void lru_add_tail(struct inode_ref r)
{
	struct pc_state *g = pc_state();
	struct inode *ip = inode_get(r);
	if (!ip || ip->on_lru)
		return;
	struct inode *tp = inode_get(g->tail);
	ip->on_lru = true;
	ip->lru_prev = tp ? g->tail : (struct inode_ref){0};
	ip->lru_next = (struct inode_ref){0};
	if (tp)
		tp->lru_next = r;
	else
		g->head = r;
	g->tail = r;
}

/* The file was used: it goes to the back of the reclaim list. */
static void lru_touch(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	struct pc_state *g = pc_state();
	if (!ip || !ip->on_lru || (g->tail.idx == r.idx && g->tail.gen == r.gen))
		return;
	lru_unlink(r);
	lru_add_tail(r);
}

struct pcleaf {
	struct fw_frame_ref page[PC_LEAF];
	uint8_t flags[PC_LEAF];
	uint32_t count;
};
FW_POOL_REF(pcleaf);
FW_POOL_PRIVATE(pcleaf, struct pcleaf);

struct pcnode {
	struct vfs_priv child[PC_FANOUT]; /* leaves below depth 1, nodes above */
	uint32_t count;
};
FW_POOL_REF(pcnode);
FW_POOL_PRIVATE(pcnode, struct pcnode);

static struct pcleaf_ref as_leaf(struct vfs_priv p) { return (struct pcleaf_ref){p.idx, p.gen}; }
static struct pcnode_ref as_node(struct vfs_priv p) { return (struct pcnode_ref){p.idx, p.gen}; }
static bool present(struct vfs_priv p) { return p.idx != 0; }

/* Pages covered by a subtree whose root is `depth` levels above leaves. */
static uint64_t span(uint32_t depth)
{
	uint64_t s = PC_LEAF;
	for (uint32_t d = 0; d < depth; d++)
		s *= PC_FANOUT;
	return s;
}

static int new_child(uint32_t depth, struct vfs_priv *out)
{
	if (depth == 0) {
		struct pcleaf_ref l;
		if (pcleaf_alloc(&l))
			return -ENOMEM;
		*out = (struct vfs_priv){l.idx, l.gen};
	} else {
		struct pcnode_ref n;
		if (pcnode_alloc(&n))
			return -ENOMEM;
		*out = (struct vfs_priv){n.idx, n.gen};
	}
	return 0;
}

/* Make the tree tall enough for page `index`. */
static int grow(struct inode *ip, uint64_t index)
{
	if (!present(ip->pages)) {
		uint32_t d = 0;
		while (d < PC_DEPTH_MAX && index >= span(d))
			d++;
		if (index >= span(d))
			return -EFBIG;
		ip->pages_depth = d;
		return new_child(d, &ip->pages);
	}
	while (index >= span(ip->pages_depth)) {
		if (ip->pages_depth >= PC_DEPTH_MAX)
			return -EFBIG;
		struct vfs_priv top;
		if (new_child(ip->pages_depth + 1, &top))
			return -ENOMEM;
		struct pcnode *n = pcnode_get(as_node(top));
		n->child[0] = ip->pages;
		n->count = 1;
		ip->pages = top;
		ip->pages_depth++;
	}
	return 0;
}

/* The leaf and slot of page `index` (made when `create`). */
static int find_slot(struct inode_ref r, uint64_t index, bool create, struct pcleaf_ref *leaf, uint32_t *slot)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return -EBADF;
	if (!present(ip->pages) || index >= span(ip->pages_depth)) {
		if (!create)
			return -ENOENT;
		int e = grow(ip, index);
		if (e)
			return e;
	}
	struct vfs_priv cur = ip->pages;
	for (uint32_t d = ip->pages_depth; d > 0; d--) {
		struct pcnode *n = pcnode_get(as_node(cur));
		if (!n)
			return -EIO;
		uint64_t sub = span(d - 1);
		uint32_t i = (uint32_t)(index / sub);
		index %= sub;
		if (!present(n->child[i])) {
			if (!create)
				return -ENOENT;
			struct vfs_priv c;
			if (new_child(d - 1, &c))
				return -ENOMEM;
			n = pcnode_get(as_node(cur));
			n->child[i] = c;
			n->count++;
		}
		cur = n->child[i];
	}
	*leaf = as_leaf(cur);
	*slot = (uint32_t)index;
	return pcleaf_ref_valid(*leaf) ? 0 : -EIO;
}

/* The cached frame of page `index`, or -ENOENT. */
static int cached(struct inode_ref r, uint64_t index, struct fw_frame_ref *out)
{
	struct pcleaf_ref l;
	uint32_t s;
	int e = find_slot(r, index, false, &l, &s);
	if (e)
		return e;
	struct pcleaf *lp = pcleaf_get(l);
	if (!lp->page[s].pfn)
		return -ENOENT;
	*out = lp->page[s];
	return 0;
}

/* Put frame f (one reference, given to the cache) at page `index`. */
static int insert(struct inode_ref r, uint64_t index, struct fw_frame_ref f, uint8_t flags)
{
	struct pcleaf_ref l;
	uint32_t s;
	int e = find_slot(r, index, true, &l, &s);
	if (e)
		return e;
	struct pcleaf *lp = pcleaf_get(l);
	if (lp->page[s].pfn)
		return -EEXIST;
	lp->page[s] = f;
	lp->flags[s] = flags;
	lp->count++;
	struct inode *ip = inode_get(r);
	ip->npages++;
	if (flags & PG_DIRTY)
		ip->ndirty++;
	if (fstype_has_backing(ip->fstype)) {
		struct pc_state *g = pc_state();
		g->pages++;
		if (flags & PG_DIRTY)
			g->dirty++;
		if (!ip->on_lru)
			lru_add_tail(r);
	}
	return 0;
}

bool inode_has_backing(struct inode_ref r) { return fsop_has_backing(r); }

/* Read pages [index, index + n) of a backed file that are not cached, in
 * one batch (stops at the first cached one). */
static int read_batch(struct inode_ref r, uint64_t index, uint32_t n)
{
	struct page_batch b = {.n = 0};
	n = FW_MIN(n, (uint32_t)PB_MAX);
	struct fw_frame_ref f;
	while (b.n < n && cached(r, index + b.n, &f) != 0) {
		if (fw_frame_alloc(&f))
			break;
		b.index[b.n] = index + b.n;
		b.page[b.n++] = f;
	}
	if (b.n == 0)
		return -ENOMEM;
	int e = fsop_readpages(r, &b);
	for (uint32_t i = 0; i < b.n; i++) {
		if (e == 0 && insert(r, b.index[i], b.page[i], 0) == 0)
			continue;
		fw_frame_put(b.page[i]);
	}
	return e;
}

/* Pages a backed file has (a page past its end is not read). */
static uint64_t pages_of(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip ? (ip->size + 4095) / 4096 : 0;
}

/* The page, read (with up to `ra` pages after it) on a miss; a memory
 * file's hole is made (zeroed) when `create`, else -ENOENT. */
static int page_get(struct inode_ref r, uint64_t index, uint32_t ra, bool create, struct fw_frame_ref *out)
{
	if (cached(r, index, out) == 0)
		return 0;
	if (inode_has_backing(r)) {
		uint64_t end = pages_of(r);
		uint32_t n = 1 + (index + 1 < end ? (uint32_t)FW_MIN((uint64_t)ra, end - index - 1) : 0);
		int e = read_batch(r, index, n);
		if (e)
			return e;
		return cached(r, index, out);
	}
	if (!create)
		return -ENOENT;
	/* File data may not take the last eighth of memory (Linux caps tmpfs
	 * at half): filling /tmp gives ENOSPC while processes can still fault
	 * in pages, fork and exec. */
	if (fw_frames_free() < fw_frames_total() / 8)
		return -ENOSPC;
	struct fw_frame_ref f;
	if (fw_frame_alloc(&f))
		return -ENOSPC;
	int e = insert(r, index, f, 0);
	if (e) {
		fw_frame_put(f);
		return e;
	}
	*out = f;
	return 0;
}

int inode_page(struct inode_ref r, uint64_t index, bool create, struct fw_frame_ref *out)
{
	return page_get(r, index, 0, create, out);
}

int inode_page_fault(struct inode_ref r, uint64_t index, uint32_t ra, bool nowait, bool create,
		     struct fw_frame_ref *out)
{
	if (nowait && inode_has_backing(r) && cached(r, index, out) != 0)
		return -EAGAIN;
	return page_get(r, index, ra, create, out);
}

static void set_flags(struct inode_ref r, uint64_t index, uint8_t set)
{
	struct pcleaf_ref l;
	uint32_t s;
	if (find_slot(r, index, false, &l, &s))
		return;
	struct pcleaf *lp = pcleaf_get(l);
	if (!lp->page[s].pfn)
		return;
	if ((set & PG_DIRTY) && !(lp->flags[s] & PG_DIRTY)) {
		struct inode *ip = inode_get(r);
		ip->ndirty++;
		if (fstype_has_backing(ip->fstype))
			pc_state()->dirty++;
	}
	lp->flags[s] |= set;
}

void inode_page_dirty(struct inode_ref r, uint64_t index)
{
	struct inode *ip = inode_get(r);
	if (ip && fstype_has_backing(ip->fstype))
		set_flags(r, index, PG_DIRTY);
}

void inode_page_mapped_writable(struct inode_ref r, uint64_t index)
{
	if (inode_has_backing(r))
		set_flags(r, index, PG_DIRTY | PG_MMAPW | PG_SHARED);
}

void inode_page_mapped_shared(struct inode_ref r, uint64_t index)
{
	if (inode_has_backing(r))
		set_flags(r, index, PG_SHARED);
}

void inode_mark_dirty(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	if (ip)
		ip->meta_dirty = true;
}

/* ---- walking the tree ---- */

/* The first present page at index >= from whose flags include `mask`
 * (mask 0: any): its index, frame and flags. -ENOENT when none. */
static int next_in(struct vfs_priv node, uint32_t depth, uint64_t base, uint64_t from, uint8_t mask, uint64_t *index,
		   struct fw_frame_ref *f, uint8_t *flags)
{
	if (depth == 0) {
		struct pcleaf *lp = pcleaf_get(as_leaf(node));
		if (!lp)
			return -ENOENT;
		for (uint32_t s = from > base ? (uint32_t)(from - base) : 0; s < PC_LEAF; s++) {
			if (lp->page[s].pfn && (mask == 0 || (lp->flags[s] & mask))) {
				*index = base + s;
				*f = lp->page[s];
				*flags = lp->flags[s];
				return 0;
			}
		}
		return -ENOENT;
	}
	uint64_t sub = span(depth - 1);
	struct pcnode *n = pcnode_get(as_node(node));
	if (!n)
		return -ENOENT;
	for (uint32_t i = from > base ? (uint32_t)((from - base) / sub) : 0; i < PC_FANOUT; i++) {
		struct vfs_priv c = pcnode_get(as_node(node))->child[i];
		if (present(c) && next_in(c, depth - 1, base + i * sub, from, mask, index, f, flags) == 0)
			return 0;
	}
	return -ENOENT;
}

static int next_page(struct inode_ref r, uint64_t from, uint8_t mask, uint64_t *index, struct fw_frame_ref *f,
		     uint8_t *flags)
{
	struct inode *ip = inode_get(r);
	if (!ip || !present(ip->pages) || from >= span(ip->pages_depth))
		return -ENOENT;
	return next_in(ip->pages, ip->pages_depth, 0, from, mask, index, f, flags);
}

/* Drop every page at index >= from below `node` (with `clean_only`, only
 * pages with no flag: clean, not mapped shared); frees what empties.
 * Returns the pages and children left. */
static uint32_t drop_in(struct inode *ip, struct vfs_priv node, uint32_t depth, uint64_t base, uint64_t from,
			bool clean_only)
{
	if (depth == 0) {
		struct pcleaf *lp = pcleaf_get(as_leaf(node));
		if (!lp)
			return 0;
		bool backed = fstype_has_backing(ip->fstype);
		struct pc_state *g = pc_state();
		for (uint32_t s = from > base ? (uint32_t)(from - base) : 0; s < PC_LEAF; s++) {
			if (!lp->page[s].pfn || (clean_only && lp->flags[s]))
				continue;
			fw_frame_put(lp->page[s]);
			if ((lp->flags[s] & PG_DIRTY) && ip->ndirty > 0) {
				ip->ndirty--;
				if (backed && g->dirty > 0)
					g->dirty--;
			}
			if (ip->npages > 0)
				ip->npages--;
			if (backed && g->pages > 0)
				g->pages--;
			if (clean_only)
				g->reclaimed++;
			lp->page[s] = (struct fw_frame_ref){0};
			lp->flags[s] = 0;
			lp->count--;
		}
		uint32_t left = lp->count;
		if (left == 0)
			pcleaf_free(as_leaf(node));
		return left;
	}
	uint64_t sub = span(depth - 1);
	for (uint32_t i = from > base ? (uint32_t)((from - base) / sub) : 0; i < PC_FANOUT; i++) {
		struct vfs_priv c = pcnode_get(as_node(node))->child[i];
		if (!present(c))
			continue;
		if (drop_in(ip, c, depth - 1, base + i * sub, from, clean_only) == 0) {
			struct pcnode *n = pcnode_get(as_node(node));
			n->child[i] = (struct vfs_priv){0};
			n->count--;
		}
	}
	uint32_t left = pcnode_get(as_node(node))->count;
	if (left == 0)
		pcnode_free(as_node(node));
	return left;
}

static void drop_pages(struct inode_ref r, uint64_t from, bool clean_only)
{
	struct inode *ip = inode_get(r);
	if (!ip || !present(ip->pages)) {
		lru_unlink(r);
		return;
	}
	if (drop_in(ip, ip->pages, ip->pages_depth, 0, from, clean_only) == 0) {
		ip = inode_get(r);
		ip->pages = (struct vfs_priv){0};
		ip->pages_depth = 0;
		ip->ndirty = 0;
		ip->npages = 0;
	}
	ip = inode_get(r);
	if (ip && ip->npages == 0)
		lru_unlink(r);
}

/* Drop page `index` alone (fallocate's hole punching in a memory file:
 * it reads as zeros again). */
void inode_drop_page(struct inode_ref r, uint64_t index)
{
	struct pcleaf_ref l;
	uint32_t s;
	if (find_slot(r, index, false, &l, &s))
		return;
	struct pcleaf *lp = pcleaf_get(l);
	struct inode *ip = inode_get(r);
	if (!lp || !ip || !lp->page[s].pfn)
		return;
	bool backed = fstype_has_backing(ip->fstype);
	struct pc_state *g = pc_state();
	fw_frame_put(lp->page[s]);
	if ((lp->flags[s] & PG_DIRTY) && ip->ndirty > 0) {
		ip->ndirty--;
		if (backed && g->dirty > 0)
			g->dirty--;
	}
	if (ip->npages > 0)
		ip->npages--;
	if (backed && g->pages > 0)
		g->pages--;
	lp->page[s] = (struct fw_frame_ref){0};
	lp->flags[s] = 0;
	lp->count--; /* an emptied leaf stays until the next drop_pages */
}

/* Drop the cached pages from page `from` on. */
void inode_drop_pages(struct inode_ref r, uint64_t from) { drop_pages(r, from, false); }

/* ---- reclaim ---- */

/* Free frames below low: reclaim until high are free. */
static uint64_t reclaim_low(void) { return fw_frames_total() / 16; }
static uint64_t reclaim_high(void) { return fw_frames_total() / 8; }

void pc_stats(uint64_t *pages, uint64_t *dirty)
{
	struct pc_state *g = pc_state();
	*pages = g->pages;
	*dirty = g->dirty;
}

void pc_reclaim(bool may_sleep)
{
	struct pc_state *g = pc_state();
	if (g->pages == 0 || fw_frames_free() >= reclaim_low())
		return;
	if (g->skip > 0) {
		g->skip--;
		return;
	}
	uint64_t before = g->reclaimed;
	/* Each file at most once a pass (those still holding pages go to the
	 * back); a pass that may sleep writes dirty files back first. */
	uint64_t files = 0;
	for (struct inode_ref c = g->head; inode_ref_valid(c) && files < (1ULL << 32); c = inode_get(c)->lru_next)
		files++;
	for (uint64_t k = 0; k < files && fw_frames_free() < reclaim_high(); k++) {
		struct inode_ref r = pc_state()->head;
		struct inode *ip = inode_get(r);
		if (!ip)
			break;
		if (may_sleep && ip->ndirty > 0) {
			(void)inode_writeback(r, false); /* sleeps: r is a handle, looked at afresh */
			if (!inode_ref_valid(r))
				continue;
		}
		drop_pages(r, 0, true);
		lru_touch(r); /* what it still holds goes to the back */
	}
	g = pc_state();
	if (g->reclaimed == before)
		g->skip = 64; /* everything left is mapped shared or dirty */
}

/* ---- write-back ---- */

static void clean(struct inode_ref r, uint64_t index)
{
	struct pcleaf_ref l;
	uint32_t s;
	if (find_slot(r, index, false, &l, &s))
		return;
	struct pcleaf *lp = pcleaf_get(l);
	if (!(lp->flags[s] & PG_DIRTY) || (lp->flags[s] & PG_MMAPW))
		return; /* a page user space may write without a fault stays dirty */
	lp->flags[s] &= (uint8_t)~PG_DIRTY;
	struct inode *ip = inode_get(r);
	if (ip->ndirty > 0)
		ip->ndirty--;
	struct pc_state *g = pc_state();
	if (fstype_has_backing(ip->fstype) && g->dirty > 0)
		g->dirty--;
}

/* The frame of page `index` if it is cached and dirty. */
static bool dirty_at(struct inode_ref r, uint64_t index, struct fw_frame_ref *f)
{
	struct pcleaf_ref l;
	uint32_t s;
	if (find_slot(r, index, false, &l, &s))
		return false;
	struct pcleaf *lp = pcleaf_get(l);
	if (!lp->page[s].pfn || !(lp->flags[s] & PG_DIRTY))
		return false;
	*f = lp->page[s];
	return true;
}

/* Write back every dirty page, PB_MAX at a time in index order (the file
 * system puts a batch's I/O in flight together). */
static int write_pages(struct inode_ref r)
{
	uint64_t from = 0, idx;
	struct fw_frame_ref f;
	uint8_t fl;
	int first = 0;
	for (;;) {
		struct page_batch b = {.n = 0};
		while (b.n < PB_MAX && next_page(r, from, PG_DIRTY, &idx, &f, &fl) == 0) {
			b.index[b.n] = idx;
			b.page[b.n++] = f;
			from = idx + 1;
			while (b.n < PB_MAX && dirty_at(r, from, &f)) {
				b.index[b.n] = from++;
				b.page[b.n++] = f;
			}
		}
		if (b.n == 0)
			return first;
		int e = fsop_writepages(r, &b);
		if (e == 0) {
			for (uint32_t i = 0; i < b.n; i++)
				clean(r, b.index[i]);
		} else if (!first) {
			first = e;
		}
	}
}

int inode_writeback(struct inode_ref r, bool datasync)
{
	struct inode *ip = inode_get(r);
	if (!ip || !inode_has_backing(r))
		return 0;
	int e = ip->ndirty ? write_pages(r) : 0;
	ip = inode_get(r);
	if (ip && ip->meta_dirty) {
		int m = fsop_write_inode(r);
		if (m == 0) {
			ip = inode_get(r);
			if (ip)
				ip->meta_dirty = false;
		} else if (e == 0) {
			e = m;
		}
	}
	return e;
}

int vfs_fsync_inode(struct inode_ref r, bool datasync)
{
	int e = inode_writeback(r, datasync);
	int d = fsop_fsync(r, datasync);
	return e ? e : d;
}

/* ---- reading and writing bytes ---- */

int inode_truncate(struct inode_ref r, uint64_t size)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return -EBADF;
	uint64_t old = ip->size;
	if (size < old) {
		/* Drop whole pages past the end; zero the tail of the last one. */
		inode_drop_pages(r, (size + 4095) / 4096);
		struct fw_frame_ref f;
		/* a backed file's tail page is read, so no old bytes come back
		 * if the file grows again */
		if (size % 4096 && page_get(r, size / 4096, 0, false, &f) == 0) {
			(void)fw_frame_zero(f, (uint32_t)(size % 4096), (uint32_t)(4096 - size % 4096));
			inode_page_dirty(r, size / 4096);
		}
	}
	ip = inode_get(r);
	ip->size = size;
	ip->mtime_ns = (int64_t)fw_time_realtime_ns();
	ip->ctime_ns = ip->mtime_ns;
	ip->meta_dirty = true;
	return 0;
}

int64_t inode_read_user_ra(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n, uint32_t ra)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return -EBADF;
	if (off >= ip->size)
		return 0;
	if (n > ip->size - off)
		n = ip->size - off;
	uint64_t done = 0;
	/* read at least the pages the call covers in one go */
	uint64_t want = (off % 4096 + n + 4095) / 4096;
	ra = (uint32_t)FW_MAX((uint64_t)ra, FW_MIN(want - 1, (uint64_t)PB_MAX));
	lru_touch(r);
	bool backed = inode_has_backing(r); /* its reads sleep anyway: reclaim may too */
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = (uint32_t)FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		pc_reclaim(backed);
		int e = page_get(r, pos / 4096, ra, false, &f);
		if (e == 0)
			e = fw_frame_to_user(f, poff, fw_uaddr_add(buf, done), chunk);
		else if (e == -ENOENT)
			e = fw_clear_user(fw_uaddr_add(buf, done), chunk); /* a hole */
		if (e)
			return done ? (int64_t)done : e;
		done += chunk;
	}
	return (int64_t)done;
}

int64_t inode_read_user(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n)
{
	return inode_read_user_ra(r, off, buf, n, 0);
}

/* The page to write `chunk` bytes into at `pos`: backing allocated first
 * (backed files), then the cached page, or a fresh one where nothing old
 * shows through (a whole-page write, or a page wholly past the end). */
static int page_for_write(struct inode_ref r, uint64_t pos, uint32_t chunk, bool begun, struct fw_frame_ref *out)
{
	uint64_t index = pos / 4096;
	struct inode *ip = inode_get(r);
	if (!ip || !fstype_has_backing(ip->fstype))
		return page_get(r, index, 0, true, out);
	int e = begun ? 0 : fsop_write_begin(r, pos, chunk);
	if (e)
		return e;
	if (cached(r, index, out) == 0)
		return 0;
	ip = inode_get(r);
	if ((pos % 4096 == 0 && chunk == 4096) || index * 4096 >= ip->size) {
		struct fw_frame_ref f;
		if (fw_frame_alloc(&f))
			return -ENOMEM;
		e = insert(r, index, f, PG_FRESH);
		if (e) {
			fw_frame_put(f);
			return e;
		}
		*out = f;
		return 0;
	}
	return page_get(r, index, 0, false, out);
}

/* The copy into page `index` (from page_for_write) succeeded: it is dirty
 * and up to date. */
static void page_written(struct inode_ref r, uint64_t index)
{
	struct pcleaf_ref l;
	uint32_t s;
	if (find_slot(r, index, false, &l, &s) == 0) {
		struct pcleaf *lp = pcleaf_get(l);
		lp->flags[s] &= (uint8_t)~PG_FRESH;
	}
	inode_page_dirty(r, index);
}

/* The copy failed: a page made for it holds nothing of the file (it was
 * not read), so it must not stay in the cache in the file's place. */
static void page_write_failed(struct inode_ref r, uint64_t index)
{
	struct pcleaf_ref l;
	uint32_t s;
	if (find_slot(r, index, false, &l, &s))
		return;
	struct pcleaf *lp = pcleaf_get(l);
	if (!lp->page[s].pfn || !(lp->flags[s] & PG_FRESH))
		return;
	fw_frame_put(lp->page[s]);
	lp->page[s] = (struct fw_frame_ref){0};
	lp->flags[s] = 0;
	lp->count--;
	struct inode *ip = inode_get(r);
	if (ip->npages > 0)
		ip->npages--;
	struct pc_state *g = pc_state();
	if (g->pages > 0)
		g->pages--; /* PG_FRESH pages are backed files' only */
}

/* After `done` bytes were written at `off`: size and times. */
static void written(struct inode_ref r, uint64_t off, uint64_t done)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return;
	if (off + done > ip->size)
		ip->size = off + done;
	ip->mtime_ns = (int64_t)fw_time_realtime_ns();
	ip->ctime_ns = ip->mtime_ns;
	ip->meta_dirty = true;
}

/* A backed file's blocks for the whole write at once (one call into the
 * file system, not one per page); when that fails (-ENOSPC part way) each
 * page asks for its own, so the write goes as far as it can. */
static bool begin_all(struct inode_ref r, uint64_t off, uint64_t n)
{
	struct inode *ip = inode_get(r);
	return ip && fstype_has_backing(ip->fstype) && n > 4096 && fsop_write_begin(r, off, n) == 0;
}

/* After the copy: bytes that did not go in give their blocks back. */
static void end_write(struct inode_ref r, uint64_t off, uint64_t n, uint64_t done, bool begun, uint32_t failed)
{
	if (begun && done < n)
		(void)fsop_write_end(r, off, n, done);
	else if (!begun && failed)
		(void)fsop_write_end(r, off + done, failed, 0);
}

int64_t inode_write_user(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n)
{
	if (off + n < off)
		return -EFBIG;
	uint64_t done = 0;
	bool begun = begin_all(r, off, n);
	uint32_t failed = 0;
	int err = 0;
	lru_touch(r);
	bool backed = inode_has_backing(r);
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = (uint32_t)FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		pc_reclaim(backed);
		int e = page_for_write(r, pos, chunk, begun, &f);
		if (e == 0) {
			e = fw_frame_from_user(f, poff, fw_uaddr_add(buf, done), chunk);
			failed = e ? chunk : 0;
			if (e)
				page_write_failed(r, pos / 4096);
		}
		if (e) {
			err = e;
			break;
		}
		page_written(r, pos / 4096);
		done += chunk;
		/* the size covers what is written as it goes: a write-back
		 * meanwhile (reclaim) writes these pages, it does not take them
		 * for bytes past the end */
		struct inode *ip = inode_get(r);
		if (ip && off + done > ip->size)
			ip->size = off + done;
	}
	written(r, off, done);
	end_write(r, off, n, done, begun, failed);
	return done ? (int64_t)done : err;
}

int inode_write_initrd(struct inode_ref r, uint64_t off, uint64_t initrd_off, uint64_t n)
{
	uint64_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = (uint32_t)FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e = page_for_write(r, pos, chunk, false, &f);
		if (e == 0) {
			e = fw_initrd_to_frame(initrd_off + done, f, poff, chunk);
			if (e)
				page_write_failed(r, pos / 4096);
		}
		if (e)
			return e;
		page_written(r, pos / 4096);
		done += chunk;
	}
	written(r, off, n);
	return 0;
}

/* Copy n bytes into r's pages at off, from the chunk c when it is given,
 * else from frame src at soff: the one write loop both callers share. */
static int copy_into_pages(struct inode_ref r, uint64_t off, uint32_t n, const struct kchunk *c,
			   struct fw_frame_ref src,
		       uint32_t soff)
{
	uint32_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e = page_for_write(r, pos, chunk, false, &f);
		if (e == 0) {
			e = c ? fw_frame_write_at(f, poff, &c->b, done, chunk)
			      : fw_frame_move(f, poff, src, soff + done, chunk);
			if (e)
				page_write_failed(r, pos / 4096);
		}
		if (e)
			return e;
		page_written(r, pos / 4096);
		done += chunk;
	}
	written(r, off, n);
	return 0;
}

int inode_write_chunk(struct inode_ref r, uint64_t off, const struct kchunk *c, uint32_t n)
{
	if (n > sizeof(c->b))
		return -EINVAL;
	struct fw_frame_ref none = {0};
	return copy_into_pages(r, off, n, c, none, 0);
}

int inode_write_frame(struct inode_ref r, uint64_t off, struct fw_frame_ref src, uint32_t soff, uint32_t n)
{
	if (n > 4096 || soff > 4096 - n)
		return -EINVAL;
	return copy_into_pages(r, off, n, NULL, src, soff);
}

int inode_read_frame(struct inode_ref r, uint64_t off, struct fw_frame_ref dst, uint32_t doff, uint32_t n)
{
	if (n > 4096 || doff > 4096 - n)
		return -EINVAL;
	uint32_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e = inode_page(r, pos / 4096, false, &f);
		if (e == 0)
			e = fw_frame_move(dst, doff + done, f, poff, chunk);
		else if (e == -ENOENT)
			e = fw_frame_zero(dst, doff + done, chunk); /* a hole */
		if (e)
			return e;
		done += chunk;
	}
	return 0;
}

int inode_read_chunk(struct inode_ref r, uint64_t off, struct kchunk *c, uint32_t n)
{
	if (n > sizeof(c->b))
		return -EINVAL;
	uint32_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e = inode_page(r, pos / 4096, false, &f);
		if (e == 0) {
			e = fw_frame_read_at(f, poff, &c->b, done, chunk);
		} else if (e == -ENOENT) {
			/* a hole reads as zeros: callers reuse one chunk for a
			 * whole file (sendfile), so the last bytes must not stay */
			for (uint32_t i = 0; i < chunk; i++)
				c->b[done + i] = 0;
			e = 0;
		}
		if (e)
			return e;
		done += chunk;
	}
	return 0;
}
