/* virtio-blk driver. Layer: services (safe C). Trusts the virtio transport
 * (services/drivers/virtio) and the block layer; the framework keeps what
 * the device can reach (<fw/virtio.h>, <fw/dma.h>).
 *
 * One request queue of up to 256 descriptors. A request is a chain:
 * header (type, sector; device-readable), one descriptor per data segment
 * (the caller's frames, mapped for streaming DMA; device-writable for
 * reads), and a one-byte status the device writes. Headers and status
 * bytes of every possible chain head live in two coherent DMA pages
 * (header of head h at 16*h, status at h). Completions arrive by MSI-X
 * (or INTx) in the framework's IRQ worker: the handler reaps the used
 * ring, maps the status to 0 / -EIO / -EOPNOTSUPP and completes the block
 * request; then it lets the block layer submit whatever waited for room.
 * Several requests are in flight at once.
 *
 * Mapping a frame for DMA and unmapping it cost an IOMMU page-table
 * update and, on unmap, an IOTLB invalidation; so the driver keeps the
 * mappings of recently used frames in a direct-mapped cache (by frame
 * number) and reuses them. A cached mapping pins its frame (the frame
 * stays allocated until the entry is evicted), which bounds the memory
 * the cache holds to VBLK_MAPS frames (2 MiB) per disk. It is sized for
 * what one call moves: a 1 MiB O_DIRECT transfer pins 256 user frames and
 * the block layer keeps 256 bounce frames; with the earlier 128 entries
 * the frames of a reused 1 MiB buffer evicted each other, ~60 % of the
 * segments took a fresh mapping and the free of the one they evicted,
 * and that was most of the kernel's time per MiB. */
#include "block/block.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio_blk/virtio_blk.h"
#include <fw/log.h>

#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4
#define VBLK_S_OK 0
#define VBLK_S_UNSUPP 2

#define VBLK_F_SIZE_MAX (1ULL << 1)
#define VBLK_F_SEG_MAX (1ULL << 2)
#define VBLK_F_RO (1ULL << 5)
#define VBLK_F_BLK_SIZE (1ULL << 6)
#define VBLK_F_FLUSH (1ULL << 9)

#define VBLK_CFG_CAPACITY 0
#define VBLK_CFG_SEG_MAX 12
#define VBLK_CFG_BLK_SIZE 20
#define VBLK_QSIZE 256
#define VBLK_MAPS_PER 128 /* entries per pool object (one page at most) */
#define VBLK_MAP_PAGES 4
#define VBLK_MAPS (VBLK_MAPS_PER * VBLK_MAP_PAGES)

struct vblk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

/* The mapping cache: entry pfn % VBLK_MAPS. `users` counts in-flight
 * segments using the mapping (it may not be evicted then). */
struct vblk_map {
	struct fw_frame_ref frame;
	struct fw_dma_ref obj;
	uint32_t users;
};
struct vblk_maps {
	struct vblk_map m[VBLK_MAPS_PER];
};
FW_POOL_REF(vblk_maps);
FW_POOL_PRIVATE(vblk_maps, struct vblk_maps);

struct vblk {
	struct virtio_dev v;
	struct virtq q;
	struct fw_dma_ref hdr, status; /* per chain head: 16-byte header, 1-byte status */
	struct vblk_maps_ref maps[VBLK_MAP_PAGES]; /* entry i in maps[i / VBLK_MAPS_PER] */
	uint64_t map_hits, map_misses;
	struct blk_req_ref inflight[VBLK_QSIZE];
	uint32_t seg_max;
	struct blk_ref blk;
	uint64_t bad_completions;
};
FW_POOL_REF(vblk);
FW_POOL_PRIVATE(vblk, struct vblk);

/* The disks this driver runs, for removal. */
struct vblk_list {
	struct vblk_ref disk[BLK_MAX_DISKS];
	uint32_t n;
};
FW_GLOBAL(struct vblk_list, vblk_list);

static uint64_t cookie_of(struct vblk_ref r) { return (uint64_t)r.idx << 32 | r.gen; }
static struct vblk_ref ref_of(uint64_t c) { return (struct vblk_ref){(uint32_t)(c >> 32), (uint32_t)c}; }

/* A DMA object for `f`: the cached mapping if there is one (or the slot
 * can take it), else a mapping of its own that completion frees. */
static int map_frame(struct vblk *b, struct fw_frame_ref f, struct fw_dma_ref *out)
{
	uint32_t slot = f.pfn % VBLK_MAPS, i = slot % VBLK_MAPS_PER;
	struct vblk_maps *c = vblk_maps_get(b->maps[slot / VBLK_MAPS_PER % VBLK_MAP_PAGES]);
	if (c && fw_frame_ref_eq(c->m[i].frame, f) && fw_dma_valid(c->m[i].obj)) {
		c->m[i].users++;
		b->map_hits++;
		*out = c->m[i].obj;
		return 0;
	}
	struct fw_dma_ref obj;
	int e = fw_dma_map_frame(b->v.pci, f, FW_DMA_BIDIR, &obj);
	if (e)
		return e;
	*out = obj;
	if (!c || c->m[i].users)
		return 0;
	b->map_misses++;
	if (fw_dma_valid(c->m[i].obj) && fw_dma_free(c->m[i].obj))
		return 0; /* cannot evict (cannot happen: users == 0): keep it private */
	c->m[i] = (struct vblk_map){f, obj, 1};
	return 0;
}

/* A segment's mapping is no longer in flight. */
static void unmap_frame(struct vblk *b, struct fw_frame_ref f, struct fw_dma_ref obj)
{
	uint32_t slot = f.pfn % VBLK_MAPS, i = slot % VBLK_MAPS_PER;
	struct vblk_maps *c = vblk_maps_get(b->maps[slot / VBLK_MAPS_PER % VBLK_MAP_PAGES]);
	if (c && c->m[i].users && c->m[i].obj.idx == obj.idx && c->m[i].obj.gen == obj.gen) {
		c->m[i].users--;
		return;
	}
	(void)fw_dma_free(obj);
}

/* Undo the data mappings of a request (after the device returned it, or
 * when building its chain failed). */
static void unmap_data(struct vblk *b, struct blk_req *q)
{
	for (uint32_t i = 0; i < BLK_MAX_SEGS; i++) {
		if (!fw_dma_valid(q->drv_dma[i]))
			continue;
		unmap_frame(b, q->seg[i].frame, q->drv_dma[i]);
		q->drv_dma[i] = (struct fw_dma_ref){0};
	}
}

/* The data descriptors: slot `at` is the chain's second; each step
 * follows the chain one link (walking it from the head for every segment
 * cost a quadratic number of steps, 8,000 for a 64-segment request). */
static int set_data(struct vblk *b, struct blk_req *q, uint16_t head)
{
	bool rd = q->op == BLK_READ;
	uint16_t at = virtq_chain_at(&b->q, head, 1);
	for (uint32_t i = 0; i < q->nseg && i < BLK_MAX_SEGS; i++) {
		struct fw_dma_ref obj;
		int e = map_frame(b, q->seg[i].frame, &obj);
		if (e)
			return e == -EINVAL ? -EINVAL : -ENOMEM;
		q->drv_dma[i] = obj;
		uint16_t next = virtq_chain_at(&b->q, at, 1);
		e = fw_vq_desc_set(b->q.vq, at, obj, q->seg[i].off, q->seg[i].len,
				   FW_VQ_F_NEXT | (rd ? FW_VQ_F_WRITE : 0), next);
		if (e)
			return e;
		at = next;
	}
	return 0;
}

static int build(struct vblk *b, struct blk_req *q, uint16_t head)
{
	struct vblk_hdr h = {q->op == BLK_READ ? VBLK_T_IN : q->op == BLK_WRITE ? VBLK_T_OUT : VBLK_T_FLUSH, 0,
			     q->op == BLK_FLUSH ? 0 : q->sector};
	uint8_t status = 0xFF; /* a device that never writes it reads as an error */
	uint32_t nseg = q->op == BLK_FLUSH ? 0 : q->nseg;
	uint16_t last = virtq_chain_at(&b->q, head, nseg + 1);
	int e = fw_dma_write(b->hdr, 16u * head, &h, sizeof(h));
	if (e == 0)
		e = fw_dma_write(b->status, head, &status, 1);
	if (e == 0)
		e = fw_vq_desc_set(b->q.vq, head, b->hdr, 16u * head, sizeof(h), FW_VQ_F_NEXT,
				   virtq_chain_at(&b->q, head, 1));
	if (e == 0 && nseg)
		e = set_data(b, q, head);
	if (e == 0)
		e = fw_vq_desc_set(b->q.vq, last, b->status, head, 1, FW_VQ_F_WRITE, 0);
	return e;
}

static int vblk_submit(uint64_t cookie, struct blk_req_ref rr)
{
	struct vblk_ref br = ref_of(cookie);
	struct vblk *b = vblk_get(br);
	struct blk_req *q = blk_req_get(rr);
	if (!b || !q)
		return -ENODEV;
	uint32_t nseg = q->op == BLK_FLUSH ? 0 : q->nseg;
	if (nseg > b->seg_max)
		return -EINVAL;
	uint16_t head;
	if (virtq_alloc(&b->q, nseg + 2, &head))
		return -EAGAIN;
	int e = build(b, q, head);
	if (e == 0) {
		b->inflight[head % VBLK_QSIZE] = rr;
		e = virtq_submit(&b->v, &b->q, head);
		if (e)
			b->inflight[head % VBLK_QSIZE] = (struct blk_req_ref){0};
	}
	if (e) {
		virtq_free_chain(&b->q, head);
		unmap_data(b, q);
	}
	return e;
}

static int status_errno(uint8_t s)
{
	if (s == VBLK_S_OK)
		return 0;
	return s == VBLK_S_UNSUPP ? -EOPNOTSUPP : -EIO;
}

/* The interrupt handler (IRQ worker, must not sleep). */
static void vblk_irq(uint64_t cookie)
{
	struct vblk_ref br = ref_of(cookie);
	struct vblk *b = vblk_get(br);
	if (!b)
		return;
	if (!b->v.msix)
		(void)virtio_isr(&b->v); /* deasserts INTx */
	uint16_t head;
	uint32_t len;
	for (;;) {
		int e = virtq_reap(&b->q, &head, &len);
		if (e == -EAGAIN)
			break;
		if (e) {
			b->bad_completions++;
			break;
		}
		struct blk_req_ref rr = b->inflight[head % VBLK_QSIZE];
		b->inflight[head % VBLK_QSIZE] = (struct blk_req_ref){0};
		uint8_t s = 0xFF;
		if (fw_dma_read(b->status, head, &s, 1))
			s = 0xFF;
		struct blk_req *q = blk_req_get(rr);
		if (q)
			unmap_data(b, q);
		blk_complete(rr, status_errno(s));
		b = vblk_get(br); /* completion callbacks ran: re-borrow */
		if (!b)
			return;
	}
	blk_kick(b->blk);
}

static void maps_free(struct vblk *b)
{
	for (uint32_t k = 0; k < VBLK_MAP_PAGES; k++) {
		vblk_maps_free(b->maps[k]);
		b->maps[k] = (struct vblk_maps_ref){0};
	}
}

static int maps_alloc(struct vblk *b)
{
	for (uint32_t k = 0; k < VBLK_MAP_PAGES; k++) {
		struct vblk_maps_ref r;
		if (vblk_maps_alloc(&r)) {
			maps_free(b);
			return -ENOMEM;
		}
		b->maps[k] = r;
	}
	return 0;
}

static int read_config(struct vblk *b, uint64_t *sectors, uint32_t *bsize)
{
	if (virtio_cfg_read64(&b->v, VBLK_CFG_CAPACITY, sectors))
		return -EIO;
	*bsize = BLK_SECTOR;
	uint32_t v;
	if ((b->v.features & VBLK_F_BLK_SIZE) && virtio_cfg_read32(&b->v, VBLK_CFG_BLK_SIZE, &v) == 0 &&
	    v >= BLK_SECTOR && v <= 4096 && v % BLK_SECTOR == 0)
		*bsize = v;
	b->seg_max = BLK_MAX_SEGS;
	if ((b->v.features & VBLK_F_SEG_MAX) && virtio_cfg_read32(&b->v, VBLK_CFG_SEG_MAX, &v) == 0 && v > 0)
		b->seg_max = FW_MIN(v, BLK_MAX_SEGS);
	return 0;
}

static int start(struct vblk_ref br, uint32_t pci_index)
{
	struct vblk *b = vblk_get(br);
	uint64_t sectors;
	uint32_t bsize;
	int e = virtio_open(pci_index, &b->v);
	if (e)
		return e;
	e = virtio_negotiate(&b->v, VBLK_F_RO | VBLK_F_BLK_SIZE | VBLK_F_FLUSH | VBLK_F_SEG_MAX | VBLK_F_SIZE_MAX);
	if (e == 0)
		e = read_config(b, &sectors, &bsize);
	if (e == 0)
		e = virtq_setup(&b->v, &b->q, 0, VBLK_QSIZE);
	if (e == 0 && b->q.size < 3)
		e = -ENODEV;
	if (e == 0)
		e = fw_dma_alloc(b->v.pci, 16 * VBLK_QSIZE, FW_DMA_TO_DEVICE, &b->hdr);
	if (e == 0)
		e = fw_dma_alloc(b->v.pci, VBLK_QSIZE, FW_DMA_FROM_DEVICE, &b->status);
	if (e == 0)
		e = maps_alloc(b);
	if (e == 0)
		e = virtio_irq_attach(&b->v, 0, vblk_irq, cookie_of(br));
	if (e == 0)
		e = virtio_driver_ok(&b->v);
	if (e == 0) {
		/* a request needs header + status: segments are what is left */
		b->seg_max = FW_MIN(b->seg_max, b->q.size - 2);
		if (b->v.msix)
			fw_info("virtio-blk: pci device %u, %u-entry queue, MSI-X", pci_index, b->q.size);
		else
			fw_info("virtio-blk: pci device %u, %u-entry queue, INTx", pci_index, b->q.size);
		e = blk_register(sectors, bsize, (b->v.features & VBLK_F_RO) != 0, (b->v.features & VBLK_F_FLUSH) != 0,
				 vblk_submit, cookie_of(br), &b->blk);
	}
	if (e) {
		maps_free(b);
		virtio_close(&b->v);
	}
	return e;
}

/* Bring up every virtio-blk function, in PCI order (vda, vdb, ...). */
int virtio_blk_probe_all(void)
{
	uint32_t idx, found = 0;
	for (uint32_t n = 0; virtio_find(VIRTIO_ID_BLOCK, n, &idx) == 0; n++) {
		struct vblk_ref br;
		if (vblk_alloc(&br))
			return -ENOMEM;
		int e = vblk_list()->n < BLK_MAX_DISKS ? start(br, idx) : -ENOSPC;
		if (e) {
			fw_warn("virtio-blk: device %u failed to start (%d)", idx, e);
			vblk_free(br);
			continue;
		}
		vblk_list()->disk[vblk_list()->n++] = br;
		found++;
	}
	return (int)found;
}

/* Stop one disk: reset the device (the framework then releases whatever
 * its queue held), fail what was in flight, leave the block layer, give
 * the device back. */
static void stop(struct vblk_ref br)
{
	struct vblk *b = vblk_get(br);
	if (!b)
		return;
	if (fw_virtio_reset(b->v.pci))
		fw_warn("virtio-blk: reset did not complete; the device keeps its memory");
	for (uint32_t h = 0; h < VBLK_QSIZE; h++) {
		struct blk_req_ref rr = b->inflight[h];
		if (!blk_req_ref_valid(rr))
			continue;
		b->inflight[h] = (struct blk_req_ref){0};
		struct blk_req *q = blk_req_get(rr);
		if (q)
			unmap_data(b, q);
		blk_complete(rr, -EIO);
		b = vblk_get(br);
		if (!b)
			return;
	}
	blk_unregister(b->blk);
	maps_free(b);
	virtio_close(&b->v); /* frees the cached mappings with the device's objects */
	vblk_free(br);
}

int virtio_blk_remove_all(void)
{
	struct vblk_list *l = vblk_list();
	uint32_t n = l->n;
	for (uint32_t i = 0; i < n && i < BLK_MAX_DISKS; i++)
		stop(l->disk[i]);
	l->n = 0;
	return (int)n;
}
