/* ktests from the device-API attack round (docs/safety.md, "Attack
 * rounds", round 2): each one is a technique that the full build accepted
 * and that, before its fix, made a device reach memory it was not given.
 * Layer: services (safe C): every step is something a driver can write.
 *
 * tests/ktest-disks.sh attaches, besides the two scratch disks, a
 * virtio-balloon device (modern, behind the IOMMU when there is one). */
#include "ktest/kt_virtio.h"
#include <fw/frame.h>
#include <fw/ktest.h>

/* A page's worth of a recognisable pattern, checked in 64-byte pieces. */
struct kt_chunk {
	uint8_t b[64];
};

static void pattern(struct kt_chunk *c, uint32_t i)
{
	for (uint32_t k = 0; k < 64; k++)
		c->b[k] = (uint8_t)(0xA5 ^ (i * 64 + k));
}

static int fill(struct fw_frame_ref f)
{
	struct kt_chunk c;
	for (uint32_t i = 0; i < 64; i++) {
		pattern(&c, i);
		if (fw_frame_write(f, i * 64, &c, 64))
			return -EIO;
	}
	return 0;
}

static bool intact(struct fw_frame_ref f)
{
	struct kt_chunk want, got;
	for (uint32_t i = 0; i < 64; i++) {
		pattern(&want, i);
		if (fw_frame_read(f, i * 64, &got, 64))
			return false;
		for (uint32_t k = 0; k < 64; k++)
			if (got.b[k] != want.b[k])
				return false;
	}
	return true;
}

/* A virtio-balloon takes guest page numbers *inside* its buffers: an
 * inflate request names pages for the host to take away, and QEMU discards
 * them (they read back as zeros) — through the system address space, not
 * the device's DMA view, so an IOMMU does not stop it. The pages named here
 * were never given to the device: the victim is a frame the driver owns,
 * but the same request could name any page (the kernel's own, a page
 * table). The framework must not let a device whose protocol carries
 * addresses in its data reach memory at all. */
FW_KTEST(dev_balloon_cannot_take_pages_it_was_not_given)
{
	struct kt_vdev v = {0};
	struct fw_vq_ref q = {0};
	struct fw_dma_ref pfns = {0};
	struct fw_frame_ref victim = {0};
	uint32_t head = 0, len = 0;
	FW_EXPECT(t, fw_frame_alloc(&victim) == 0 && fill(victim) == 0);
	FW_EXPECT(t, kt_open_dev(KT_VIRTIO_BALLOON, 0, &v) == 0);
	int e = fw_vq_create(v.pci, 0, 8, &q); /* queue 0: inflate */
	if (e == 0) {
		/* The attack, as far as the framework lets it go. */
		uint32_t pfn = victim.pfn;
		FW_EXPECT(t, fw_dma_alloc(v.pci, 4, FW_DMA_TO_DEVICE, &pfns) == 0);
		FW_EXPECT(t, fw_dma_write(pfns, 0, &pfn, 4) == 0);
		FW_EXPECT(t, fw_vq_desc_set(q, 0, pfns, 0, 4, 0, 0) == 0);
		FW_EXPECT(t, status_add(&v, 4) == 0); /* DRIVER_OK */
		FW_EXPECT(t, fw_vq_submit(q, 0) >= 0 && doorbell_q(&v, 0) == 0);
		FW_EXPECT(t, reap_wait(q, &head, &len) == 0);
	}
	FW_EXPECT(t, e == -EPERM);              /* no rings for this device type */
	FW_EXPECT(t, !fw_pci_dma_capable(v.pci));
	FW_EXPECT(t, intact(victim));           /* the page was not taken */
	kt_close(&v);
	fw_frame_put(victim);
}

/* Feature bits the framework does not model. Each changes how the device
 * reads the rings the framework keeps: with NOTIFICATION_DATA (QEMU 9.0
 * and later, notification_data=on) a doorbell carries the available index
 * and the device believes it, so a driver could make it consume stale
 * ring entries naming chains that are prepared but not frozen — their
 * objects can then be freed while the device writes them. The framework
 * used to refuse only RING_PACKED and EVENT_IDX. The queue_reset register
 * (virtio 1.2, offered by QEMU 7.2) rewinds the device's ring position
 * behind the framework's back; it is read-only now, like the other queue
 * registers. */
#define KT_F_INDIRECT_DESC (1ULL << 28)
#define KT_F_IN_ORDER (1ULL << 35)
#define KT_F_NOTIFICATION_DATA (1ULL << 38)
#define KT_F_RING_RESET (1ULL << 40)

FW_KTEST(dev_virtio_unmodelled_features_and_queue_reset_refused)
{
	struct kt_vdev v = {0};
	uint64_t bad[7] = {KT_F_INDIRECT_DESC, KT_F_IN_ORDER,   KT_F_NOTIFICATION_DATA, KT_F_RING_RESET,
			   1ULL << 24 /* NOTIFY_ON_EMPTY */, 1ULL << 41, 1ULL << 63};
	FW_EXPECT(t, kt_open(0, &v) == 0);
	for (uint32_t i = 0; i < 7; i++)
		FW_EXPECT(t, fw_virtio_set_features(v.pci, FW_VIRTIO_F_VERSION_1 | bad[i]) == -EINVAL);
	/* device-type bits, VERSION_1 and ACCESS_PLATFORM stay allowed */
	FW_EXPECT(t, fw_virtio_set_features(v.pci, FW_VIRTIO_F_VERSION_1 | FW_VIRTIO_F_ACCESS_PLATFORM | 0xFFFFFF) == 0);
	FW_EXPECT(t, fw_io_write16(v.common, v.coff + 0x3A, 1) == -EACCES); /* queue_reset */
	FW_EXPECT(t, fw_io_write16(v.common, v.coff + 0x38, 1) == -EACCES); /* queue_notify_data */
	uint16_t r = 0xFFFF;
	FW_EXPECT(t, fw_io_read16(v.common, v.coff + 0x3A, &r) == 0 && r == 0); /* readable */
	kt_close(&v);
}

/* Round 6: a frame mapped for DMA, then mapped again until the object
 * table is full. The refused map used to remove the page's IOMMU entry
 * although the first object still held it: the device's write into that
 * object then faulted (a mapping removed under a live object). */
FW_KTEST(dev_dma_refused_map_keeps_a_shared_page)
{
	struct kt_vdev v = {0};
	struct fw_vq_ref q = {0};
	struct fw_dma_ref hdr = {0}, data = {0}, extra = {0};
	struct fw_frame_ref fr = {0};
	uint32_t head = 99, len = 0, n = 0;
	int e = 0;
	FW_EXPECT(t, open_queue(0, 8, &v, &q) == 0);
	FW_EXPECT(t, fw_dma_alloc(v.pci, 64, FW_DMA_BIDIR, &hdr) == 0 && fw_frame_alloc(&fr) == 0);
	FW_EXPECT(t, fw_dma_map_frame(v.pci, fr, FW_DMA_FROM_DEVICE, &data) == 0);
	while (n < 70000 && (e = fw_dma_map_frame(v.pci, fr, FW_DMA_FROM_DEVICE, &extra)) == 0)
		n++;
	FW_EXPECT(t, e < 0 && n > 60000); /* the table filled (65535 slots) */
	FW_EXPECT(t, prepare_read(q, hdr, data, 0) == 0 && fw_vq_submit(q, 0) >= 0);
	FW_EXPECT(t, doorbell(&v) == 0);
	FW_EXPECT(t, reap_wait(q, &head, &len) == 0 && head == 0 && len == 513);
	uint8_t st = 0xFF;
	char magic[8] = {0};
	FW_EXPECT(t, fw_dma_read(hdr, 16, &st, 1) == 0 && st == 0);
	FW_EXPECT(t, fw_frame_read(fr, 0, &magic, 8) == 0 && magic[0] == 'K' && magic[7] == 'K');
	fw_frame_put(fr);
	kt_close(&v); /* frees every object */
}
