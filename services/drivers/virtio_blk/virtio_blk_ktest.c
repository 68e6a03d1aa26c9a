/* ktests of the virtio-blk driver under the block layer, with the two
 * scratch disks of tests/ktest-disks.sh. Layer: services (safe C). They
 * live with the driver, not in services/ktest/, because they need
 * services (tests/fw-only.sh runs services/ktest/ on the framework alone). */
#include "block/block.h"
#include "drivers/virtio_blk/virtio_blk.h"
#include <fw/ktest.h>
#include <fw/pci.h>

static int sync_read_many(struct blk_ref d, struct fw_frame_ref f, uint32_t n)
{
	struct blk_req_ref r[32];
	uint32_t ok = 0;
	for (uint32_t i = 0; i < n && i < 32; i++) {
		struct blk_req_ref one = {0};
		r[i] = one;
		if (blk_req_new(d, &one))
			continue;
		r[i] = one;
		struct blk_req *q = blk_req_get(one);
		q->op = BLK_READ;
		q->sector = 8 * i;
		q->nseg = 2;
		q->seg[0] = (struct blk_seg){f, 0, 2048};
		q->seg[1] = (struct blk_seg){f, 2048, 2048};
		if (blk_submit(one) == 0)
			ok++;
	}
	for (uint32_t i = 0; i < n && i < 32; i++)
		if (blk_wait(r[i]) == 0 && blk_req_release(r[i]) == 0)
			ok++;
	return (int)ok;
}

FW_KTEST(dev_blk_layer_over_virtio_blk)
{
	struct blk_ref d = {0};
	struct fw_frame_ref f = {0};
	uint64_t sectors = 0;
	uint32_t ssz = 0;
	bool ro = true;
	FW_EXPECT(t, virtio_blk_probe_all() == 2 && blk_disk_count() == 2);
	FW_EXPECT(t, blk_lookup(254 << 8 | 16, &d) == 0 && blk_lookup(254 << 8 | 1, &d) == -ENODEV);
	FW_EXPECT(t, blk_disk(0, &d) == 0 && blk_info(d, &sectors, &ssz, &ro) == 0);
	FW_EXPECT(t, sectors == 2048 && ssz == 512 && !ro);
	FW_EXPECT(t, fw_frame_alloc(&f) == 0);
	char magic[8] = {0};
	FW_EXPECT(t, blk_read(d, 0, f, 0, 512) == 0 && fw_frame_read(f, 0, &magic, 8) == 0 && magic[4] == 'D');
	FW_EXPECT(t, blk_read(d, sectors, f, 0, 512) == -EIO);      /* past the end */
	FW_EXPECT(t, blk_read(d, sectors - 1, f, 0, 1024) == -EIO); /* across the end */
	FW_EXPECT(t, blk_read(d, 0, f, 100, 512) == -EINVAL);       /* misaligned */
	FW_EXPECT(t, blk_read(d, 0, f, 3584, 1024) == -EINVAL);     /* past the frame */
	FW_EXPECT(t, blk_read(d, 0, (struct fw_frame_ref){0}, 0, 512) == -EINVAL);
	uint64_t pat = 0x5a5a0000beef0000ULL, back = 0;
	FW_EXPECT(t, fw_frame_write(f, 512, &pat, 8) == 0);
	FW_EXPECT(t, blk_write(d, 100, f, 512, 512) == 0 && blk_flush(d) == 0);
	FW_EXPECT(t, fw_frame_zero(f, 0, 4096) == 0 && blk_read(d, 100, f, 0, 512) == 0);
	FW_EXPECT(t, fw_frame_read(f, 0, &back, 8) == 0 && back == pat);
	/* More requests than the queue holds (128 descriptors, 4 per
	 * request): the block layer queues the rest and the interrupt
	 * handler feeds them to the driver as room frees up. */
	FW_EXPECT(t, sync_read_many(d, f, 32) == 64);
	/* The INTx disk does the same. */
	FW_EXPECT(t, blk_disk(1, &d) == 0 && sync_read_many(d, f, 8) == 16);
	/* The driver lets go; the devices can be claimed again. */
	FW_EXPECT(t, virtio_blk_remove_all() == 2 && blk_disk_count() == 0);
	FW_EXPECT(t, blk_read(d, 0, f, 0, 512) == -ENODEV);
	struct fw_pci_ref p;
	uint32_t claimable = 0;
	for (uint32_t i = 0; i < fw_pci_count(); i++) {
		struct fw_pci_info info;
		if (fw_pci_info(i, &info) == 0 && info.vendor == 0x1AF4 && info.device == 0x1042 &&
		    fw_pci_claim(i, &p) == 0) {
			claimable++;
			fw_pci_release(p);
		}
	}
	FW_EXPECT(t, claimable == 2);
	fw_frame_put(f);
}
