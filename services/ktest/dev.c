/* ktests that try to break the device APIs (<fw/pci.h>, <fw/irq.h>,
 * <fw/dma.h>, <fw/virtio.h>) the way a buggy or hostile driver would.
 * Layer: services (safe C): every attempt below compiles in the safe
 * subset, so each one is something a service can really do.
 *
 * tests/ktest.sh and tests/fw-only.sh boot these with two virtio-blk disks
 * (tests/ktest-disks.sh): disk 0 with MSI-X (its first sector starts with
 * "KEELDISK"), disk 1 with MSI-X turned off (vectors=0) so it interrupts
 * through INTx. */
#include "ktest/kt_virtio.h"
#include <fw/ktest.h>
#include <fw/pool.h>
#include <fw/task.h>

FW_KTEST(dev_pci_claim_and_config_space)
{
	uint32_t idx, v = 0;
	struct fw_pci_ref d = {0}, d2 = {0};
	FW_EXPECT(t, find_disk(0, &idx) == 0);
	FW_EXPECT(t, fw_pci_claim(idx, &d) == 0);
	FW_EXPECT(t, fw_pci_claim(idx, &d2) == -EBUSY);
	FW_EXPECT(t, fw_pci_claim(fw_pci_count(), &d2) == -ENODEV);
	FW_EXPECT(t, fw_pci_cfg_read(d, 0, 2, &v) == 0 && v == VIRTIO_VENDOR);
	FW_EXPECT(t, fw_pci_cfg_read(d, 1, 2, &v) == -EINVAL);          /* unaligned */
	FW_EXPECT(t, fw_pci_cfg_read(d, 0, 3, &v) == -EINVAL);          /* width */
	FW_EXPECT(t, fw_pci_cfg_read(d, 4096, 4, &v) == -EINVAL);       /* past the space */
	FW_EXPECT(t, fw_pci_cfg_read(d, 0xFFFFFFFC, 4, &v) == -EINVAL); /* no wrap */
	FW_EXPECT(t, fw_pci_dma_capable(d));
	fw_pci_release(d);
	FW_EXPECT(t, fw_pci_cfg_read(d, 0, 2, &v) == -EINVAL); /* stale claim */
	FW_EXPECT(t, !fw_pci_dma_capable(d));
	FW_EXPECT(t, fw_pci_claim(idx, &d2) == 0 && d2.gen != d.gen);
	fw_pci_release(d2);
}

FW_KTEST(dev_register_window_bounds)
{
	uint32_t idx, bar = 0;
	struct fw_pci_ref d = {0};
	struct fw_io_ref io = {0}, none = {0};
	FW_EXPECT(t, find_disk(0, &idx) == 0 && fw_pci_claim(idx, &d) == 0);
	uint32_t cap = find_cap(d, 0x09, 1); /* virtio common configuration */
	FW_EXPECT(t, cap != 0 && fw_pci_cfg_read(d, cap + 4, 1, &bar) == 0);
	FW_EXPECT(t, fw_pci_map_bar(d, bar, &io) == 0);
	uint64_t len = fw_io_len(io);
	uint32_t v = 0;
	uint64_t w = 0;
	FW_EXPECT(t, len >= 4096 && len < 0x100000000ULL);
	uint32_t end = (uint32_t)len;
	FW_EXPECT(t, fw_io_read32(io, end - 4, &v) == 0);
	FW_EXPECT(t, fw_io_read64(io, end - 8, &w) == 0);
	FW_EXPECT(t, fw_io_read32(io, end, &v) == -ERANGE);
	FW_EXPECT(t, fw_io_read32(io, end - 2, &v) == -EINVAL); /* unaligned */
	FW_EXPECT(t, fw_io_read64(io, end - 4, &w) == -EINVAL);
	FW_EXPECT(t, fw_io_read32(io, 0xFFFFFFFC, &v) == -ERANGE); /* no wrap */
	FW_EXPECT(t, fw_io_write8(io, end, 0) == -ERANGE);
	FW_EXPECT(t, fw_pci_map_bar(d, 6, &none) == -ENODEV);
	fw_pci_release(d);
	FW_EXPECT(t, fw_io_read32(io, 0, &v) == -EINVAL && fw_io_len(io) == 0); /* stale window */
	FW_EXPECT(t, fw_io_write32(io, 0, 0) == -EINVAL);
}

FW_KTEST(dev_msix_table_and_pba_cut_out)
{
	uint32_t idx, ctrl = 0, tbl = 0, pba = 0;
	struct fw_pci_ref d = {0};
	struct fw_io_ref io = {0}, pio = {0};
	uint32_t v = 0;
	FW_EXPECT(t, find_disk(0, &idx) == 0 && fw_pci_claim(idx, &d) == 0);
	uint32_t cap = find_cap(d, 0x11, 0);
	FW_EXPECT(t, cap != 0);
	FW_EXPECT(t, fw_pci_cfg_read(d, cap + 2, 2, &ctrl) == 0 && fw_pci_cfg_read(d, cap + 4, 4, &tbl) == 0 &&
			     fw_pci_cfg_read(d, cap + 8, 4, &pba) == 0);
	uint32_t n = (ctrl & 0x7FF) + 1, toff = tbl & ~7u, poff = pba & ~7u;
	FW_EXPECT(t, fw_pci_map_bar(d, tbl & 7, &io) == 0 && fw_pci_map_bar(d, pba & 7, &pio) == 0);
	FW_EXPECT(t, fw_io_read32(io, toff, &v) == -EACCES);       /* entry 0 address */
	FW_EXPECT(t, fw_io_write32(io, toff + 8, 99) == -EACCES);  /* entry 0 data: an injected vector */
	FW_EXPECT(t, fw_io_write32(io, toff + 12, 0) == -EACCES);  /* entry 0 unmask */
	FW_EXPECT(t, fw_io_write32(io, toff + 16 * n - 4, 0) == -EACCES); /* last entry */
	FW_EXPECT(t, fw_io_read32(pio, poff, &v) == -EACCES);      /* pending bits */
	FW_EXPECT(t, fw_irq_msix_count(d) == n);
	fw_pci_release(d);
}

FW_KTEST(dev_virtio_dma_registers_are_framework_only)
{
	uint32_t idx, bar = 0, off = 0;
	struct fw_pci_ref d = {0};
	struct fw_io_ref io = {0};
	struct fw_vq_ref q = {0};
	uint16_t v16 = 1;
	FW_EXPECT(t, find_disk(0, &idx) == 0 && fw_pci_claim(idx, &d) == 0);
	uint32_t cap = find_cap(d, 0x09, 1);
	FW_EXPECT(t, cap && fw_pci_cfg_read(d, cap + 4, 1, &bar) == 0 && fw_pci_cfg_read(d, cap + 8, 4, &off) == 0);
	FW_EXPECT(t, fw_pci_map_bar(d, bar, &io) == 0);
	FW_EXPECT(t, fw_io_write16(io, off + 0x1C, 1) == -EACCES);                 /* queue_enable */
	FW_EXPECT(t, fw_io_read16(io, off + 0x1C, &v16) == 0 && v16 == 0);         /* readable */
	FW_EXPECT(t, fw_io_write32(io, off + 0x20, 0x1000) == -EACCES);            /* queue_desc */
	FW_EXPECT(t, fw_io_write32(io, off + 0x24, 0) == -EACCES);
	FW_EXPECT(t, fw_io_write64(io, off + 0x28, 0x1000) == -EACCES);            /* queue_driver */
	FW_EXPECT(t, fw_io_write8(io, off + 0x37, 0) == -EACCES);                  /* queue_device, last byte */
	FW_EXPECT(t, fw_io_write16(io, off + 0x18, 1024) == -EACCES);              /* queue_size */
	FW_EXPECT(t, fw_io_write64(io, off + 0x18, 0) == -EACCES);                 /* straddling */
	FW_EXPECT(t, fw_io_write32(io, off + 0x0C, 1u << 2) == -EACCES);           /* driver_feature */
	FW_EXPECT(t, fw_io_write32(io, off + 0x08, 1) == -EACCES);                 /* its select */
	FW_EXPECT(t, fw_io_write16(io, off + 0x16, 0) == 0);                       /* queue_select is free */
	FW_EXPECT(t, fw_io_write8(io, off + 0x14, 0) == 0);                        /* device_status too */
	FW_EXPECT(t, fw_virtio_set_features(d, FW_VIRTIO_F_VERSION_1 | FW_VIRTIO_F_RING_PACKED) == -EINVAL);
	FW_EXPECT(t, fw_virtio_set_features(d, FW_VIRTIO_F_VERSION_1 | FW_VIRTIO_F_EVENT_IDX) == -EINVAL);
	FW_EXPECT(t, fw_vq_create(d, 0, 8, &q) == -EINVAL); /* FEATURES_OK not set */
	fw_pci_release(d);
}

FW_KTEST(dev_dma_object_bounds)
{
	uint32_t idx = 0;
	struct fw_pci_ref d = {0}, host = {0};
	struct fw_dma_ref o = {0}, f = {0};
	struct fw_frame_ref fr = {0};
	uint64_t x = 0x1122334455667788ULL, y = 0;
	FW_EXPECT(t, find_disk(0, &idx) == 0 && fw_pci_claim(idx, &d) == 0);
	FW_EXPECT(t, fw_dma_alloc(d, 0, FW_DMA_BIDIR, &o) == -EINVAL);
	FW_EXPECT(t, fw_dma_alloc(d, 4097, FW_DMA_BIDIR, &o) == -EINVAL);
	FW_EXPECT(t, fw_dma_alloc(d, 64, 0, &o) == -EINVAL);
	FW_EXPECT(t, fw_dma_alloc(d, 64, 4, &o) == -EINVAL);
	FW_EXPECT(t, fw_dma_alloc(d, 64, FW_DMA_BIDIR, &o) == 0 && fw_dma_len(o) == 64);
	FW_EXPECT(t, fw_dma_write(o, 56, &x, 8) == 0 && fw_dma_read(o, 56, &y, 8) == 0 && y == x);
	FW_EXPECT(t, fw_dma_write(o, 57, &x, 8) == -EINVAL);
	FW_EXPECT(t, fw_dma_write(o, 0xFFFFFFF8, &x, 8) == -EINVAL);
	FW_EXPECT(t, fw_dma_read(o, 0, &y, 9) == -EINVAL); /* past the kernel object */
	FW_EXPECT(t, fw_frame_alloc(&fr) == 0);
	FW_EXPECT(t, fw_dma_map_frame(d, fr, FW_DMA_TO_DEVICE, &f) == 0 && fw_dma_len(f) == 4096);
	fw_frame_put(fr); /* the mapping keeps the frame alive */
	FW_EXPECT(t, fw_dma_write(f, 4088, &x, 8) == 0 && fw_dma_read(f, 4088, &y, 8) == 0 && y == x);
	FW_EXPECT(t, fw_dma_free(f) == 0 && !fw_dma_valid(f));
	FW_EXPECT(t, fw_dma_map_frame(d, fr, FW_DMA_TO_DEVICE, &f) == -EINVAL); /* frame gone */
	FW_EXPECT(t, fw_dma_free(o) == 0 && fw_dma_free(o) == -EINVAL);
	FW_EXPECT(t, fw_dma_alloc(d, 64, FW_DMA_BIDIR, &o) == 0);
	fw_pci_release(d); /* frees the device's objects */
	FW_EXPECT(t, !fw_dma_valid(o) && fw_dma_read(o, 0, &y, 8) == -EINVAL);
	/* A device the framework cannot police gets no DMA (the host bridge). */
	FW_EXPECT(t, fw_pci_claim(0, &host) == 0);
	FW_EXPECT(t, !fw_pci_dma_capable(host));
	FW_EXPECT(t, fw_dma_alloc(host, 64, FW_DMA_BIDIR, &o) == -EPERM);
	fw_pci_release(host);
}

FW_KTEST(dev_dma_freed_only_when_device_done)
{
	struct kt_vdev v = {0};
	struct fw_vq_ref q = {0};
	struct fw_dma_ref hdr = {0}, data = {0};
	struct fw_frame_ref fr = {0};
	uint32_t head = 99, len = 0;
	FW_EXPECT(t, open_queue(0, 8, &v, &q) == 0);
	FW_EXPECT(t, fw_dma_alloc(v.pci, 64, FW_DMA_BIDIR, &hdr) == 0 && fw_frame_alloc(&fr) == 0);
	FW_EXPECT(t, fw_dma_map_frame(v.pci, fr, FW_DMA_FROM_DEVICE, &data) == 0);
	FW_EXPECT(t, prepare_read(q, hdr, data, 0) == 0);
	FW_EXPECT(t, fw_dma_free(data) == -EBUSY); /* a prepared slot holds it */
	FW_EXPECT(t, fw_vq_submit(q, 0) >= 0);
	FW_EXPECT(t, fw_dma_free(data) == -EBUSY); /* the device owns it */
	FW_EXPECT(t, fw_dma_free(hdr) == -EBUSY);
	FW_EXPECT(t, fw_vq_desc_set(q, 1, hdr, 0, 16, 0, 0) == -EBUSY);
	FW_EXPECT(t, fw_vq_desc_clear(q, 1) == -EBUSY);
	FW_EXPECT(t, fw_vq_submit(q, 0) == -EBUSY);
	FW_EXPECT(t, fw_vq_destroy(q) == -EBUSY);
	FW_EXPECT(t, doorbell(&v) == 0);
	FW_EXPECT(t, reap_wait(q, &head, &len) == 0 && head == 0 && len == 513);
	uint8_t st = 0xFF;
	char magic[8] = {0};
	FW_EXPECT(t, fw_dma_read(hdr, 16, &st, 1) == 0 && st == 0);
	FW_EXPECT(t, fw_frame_read(fr, 0, &magic, 8) == 0 && magic[0] == 'K' && magic[7] == 'K');
	FW_EXPECT(t, fw_dma_free(data) == 0); /* returned by the device */
	/* In flight again, never completed: only a reset hands it back. */
	FW_EXPECT(t, fw_dma_map_frame(v.pci, fr, FW_DMA_FROM_DEVICE, &data) == 0);
	FW_EXPECT(t, prepare_read(q, hdr, data, 1) == 0 && fw_vq_submit(q, 0) >= 0);
	FW_EXPECT(t, fw_dma_free(data) == -EBUSY);
	FW_EXPECT(t, fw_virtio_reset(v.pci) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 0) == -EIO && fw_vq_reap(q, &head, &len) == -EIO); /* the queue is dead */
	FW_EXPECT(t, fw_dma_free(data) == 0 && fw_dma_free(hdr) == 0);
	FW_EXPECT(t, fw_vq_destroy(q) == 0 && fw_vq_size(q) == 0);
	fw_frame_put(fr);
	kt_close(&v);
}

FW_KTEST(dev_forged_descriptors_refused)
{
	struct kt_vdev v = {0}, w = {0};
	struct fw_vq_ref q = {0}, wq = {0};
	struct fw_dma_ref o = {0}, ro = {0}, wo = {0}, other = {0}, gone = {0};
	uint32_t head = 0, len = 0;
	FW_EXPECT(t, open_queue(0, 8, &v, &q) == 0);
	FW_EXPECT(t, open_queue(1, 8, &w, &wq) == 0);
	FW_EXPECT(t, fw_dma_alloc(v.pci, 64, FW_DMA_BIDIR, &o) == 0);
	FW_EXPECT(t, fw_dma_alloc(v.pci, 64, FW_DMA_TO_DEVICE, &ro) == 0);
	FW_EXPECT(t, fw_dma_alloc(v.pci, 64, FW_DMA_FROM_DEVICE, &wo) == 0);
	FW_EXPECT(t, fw_dma_alloc(w.pci, 64, FW_DMA_BIDIR, &other) == 0);
	FW_EXPECT(t, fw_dma_alloc(v.pci, 64, FW_DMA_BIDIR, &gone) == 0 && fw_dma_free(gone) == 0);
	FW_EXPECT(t, fw_vq_desc_set(q, 8, o, 0, 16, 0, 0) == -EINVAL);              /* index */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, o, 0, 16, FW_VQ_F_NEXT, 8) == -EINVAL);   /* next */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, o, 0, 16, 4, 0) == -EINVAL);              /* INDIRECT */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, o, 0, 16, 0x10, 0) == -EINVAL);           /* unknown flag */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, o, 60, 8, 0, 0) == -EINVAL);              /* past the object */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, o, 0, 65, 0, 0) == -EINVAL);
	FW_EXPECT(t, fw_vq_desc_set(q, 0, o, 0xFFFFFFF0, 0x20, 0, 0) == -EINVAL);   /* wrapping */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, o, 0, 0, 0, 0) == -EINVAL);               /* empty */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, ro, 0, 16, FW_VQ_F_WRITE, 0) == -EINVAL); /* device may not write it */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, wo, 0, 16, 0, 0) == -EINVAL);             /* nor read it */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, other, 0, 16, 0, 0) == -EINVAL);          /* another device's */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, gone, 0, 16, 0, 0) == -EINVAL);           /* freed */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, (struct fw_dma_ref){0}, 0, 16, 0, 0) == -EINVAL);
	/* cycles, holes and shared slots */
	FW_EXPECT(t, fw_vq_desc_set(q, 0, o, 0, 8, FW_VQ_F_NEXT, 1) == 0);
	FW_EXPECT(t, fw_vq_desc_set(q, 1, o, 8, 8, FW_VQ_F_NEXT, 0) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 0) == -ELOOP);
	FW_EXPECT(t, fw_vq_desc_set(q, 2, o, 0, 8, FW_VQ_F_NEXT, 2) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 2) == -ELOOP);
	FW_EXPECT(t, fw_vq_desc_set(q, 3, o, 0, 8, FW_VQ_F_NEXT, 4) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 3) == -EINVAL); /* slot 4 is empty */
	FW_EXPECT(t, fw_vq_desc_set(q, 5, o, 0, 8, FW_VQ_F_NEXT, 6) == 0);
	FW_EXPECT(t, fw_vq_desc_set(q, 6, o, 8, 8, 0, 0) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 5) >= 0);
	FW_EXPECT(t, fw_vq_desc_set(q, 7, o, 0, 8, FW_VQ_F_NEXT, 6) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 7) == -EBUSY); /* 6 is in another chain in flight */
	FW_EXPECT(t, fw_vq_reap(q, &head, &len) == -EAGAIN); /* not notified: nothing back */
	FW_EXPECT(t, fw_vq_submit((struct fw_vq_ref){0}, 0) == -EINVAL);
	FW_EXPECT(t, fw_vq_create(v.pci, 0, 8, &wq) == -EEXIST);
	FW_EXPECT(t, fw_vq_create(v.pci, 1, 6, &wq) == -EINVAL); /* not a power of two */
	kt_close(&w);
	kt_close(&v); /* resets the device before anything is freed */
	FW_EXPECT(t, !fw_dma_valid(o) && fw_vq_size(q) == 0);
}

struct kt_irq {
	uint32_t calls;
	int32_t sleep_result;
	bool in_handler;
	struct fw_task_ref task;
	struct kt_vdev v;
	uint8_t isr;
};
FW_GLOBAL(struct kt_irq, kt_irq);

static void kt_handler(uint64_t cookie)
{
	struct kt_irq *s = kt_irq();
	s->calls++;
	s->in_handler = fw_irq_in_handler();
	s->sleep_result = fw_sleep_until(fw_time_monotonic_ns() + 1000000, false);
	s->task = fw_task_current();
	if (!s->v.msix && fw_io_read8(s->v.isr, s->v.ioff, &s->isr))
		s->isr = 0;
}

static bool wait_calls(uint32_t n)
{
	uint64_t end = fw_time_monotonic_ns() + 2000000000ULL;
	while (kt_irq()->calls < n && fw_time_monotonic_ns() < end)
		(void)fw_sleep_until(fw_time_monotonic_ns() + 1000000, false);
	return kt_irq()->calls >= n;
}

/* One read through an interrupt-driven queue of disk `nth`. */
static int irq_round_trip(uint32_t nth, struct fw_ktest_ctx *t)
{
	struct kt_irq *s = kt_irq();
	*s = (struct kt_irq){0};
	struct fw_vq_ref q = {0};
	struct fw_dma_ref hdr = {0}, data = {0};
	uint32_t head = 0, len = 0;
	int e = open_queue(nth, 8, &s->v, &q);
	if (e == 0)
		e = kt_irq_attach(&s->v, kt_handler);
	if (e == 0)
		e = status_add(&s->v, 4); /* DRIVER_OK */
	if (e == 0)
		e = fw_dma_alloc(s->v.pci, 64, FW_DMA_BIDIR, &hdr);
	if (e == 0)
		e = fw_dma_alloc(s->v.pci, 512, FW_DMA_FROM_DEVICE, &data);
	if (e == 0)
		e = prepare_read(q, hdr, data, 0);
	if (e == 0 && fw_vq_submit(q, 0) < 0)
		e = -EIO;
	if (e == 0)
		e = doorbell(&s->v);
	FW_EXPECT(t, e == 0);
	FW_EXPECT(t, wait_calls(1));
	FW_EXPECT(t, fw_vq_reap(q, &head, &len) == 0 && head == 0);
	FW_EXPECT(t, s->in_handler && !fw_irq_in_handler());
	FW_EXPECT(t, s->sleep_result == -EDEADLK); /* handlers cannot sleep */
	FW_EXPECT(t, !fw_task_ref_eq(s->task, fw_task_current()));
	FW_EXPECT(t, fw_irq_calls(s->v.irq) >= 1);
	/* Detached: the next completion runs no handler. */
	uint32_t before = s->calls;
	fw_irq_detach(s->v.irq);
	FW_EXPECT(t, fw_irq_calls(s->v.irq) == 0);
	FW_EXPECT(t, prepare_read(q, hdr, data, 0) == 0 && fw_vq_submit(q, 0) >= 0 && doorbell(&s->v) == 0);
	FW_EXPECT(t, reap_wait(q, &head, &len) == 0);
	(void)fw_sleep_until(fw_time_monotonic_ns() + 20000000, false);
	FW_EXPECT(t, s->calls == before);
	bool msix = s->v.msix;
	kt_close(&s->v);
	return msix ? 1 : 0;
}

FW_KTEST(dev_msix_handler_in_thread_context_cannot_sleep)
{
	FW_EXPECT(t, irq_round_trip(0, t) == 1);
}

FW_KTEST(dev_intx_handler_shared_line)
{
	uint32_t idx = 0;
	struct fw_pci_ref d = {0};
	struct fw_irq_ref irq = {0};
	FW_EXPECT(t, find_disk(1, &idx) == 0 && fw_pci_claim(idx, &d) == 0);
	FW_EXPECT(t, fw_irq_msix_count(d) == 0);
	FW_EXPECT(t, fw_irq_attach_msix(d, 0, kt_handler, 0, &irq) == -ENODEV);
	FW_EXPECT(t, fw_irq_attach_intx(d, kt_handler, 0, &irq) == 0);
	FW_EXPECT(t, fw_irq_attach_intx(d, kt_handler, 0, &irq) == -EBUSY);
	fw_pci_release(d);
	FW_EXPECT(t, irq_round_trip(1, t) == 0);
	FW_EXPECT(t, kt_irq()->isr & 1); /* the handler read the queue interrupt */
}

/* A level-triggered line nobody deasserts (the handler does not read the
 * ISR): the handler runs again and again, but the IRQ worker yields, so
 * this task still wakes from its sleep; detaching ends the storm. */
struct kt_storm {
	uint64_t calls;
};
FW_GLOBAL(struct kt_storm, kt_storm);

static void storm_handler(uint64_t cookie) { kt_storm()->calls++; }

FW_KTEST(dev_intx_storm_does_not_starve_tasks)
{
	struct kt_vdev v = {0};
	struct fw_vq_ref q = {0};
	struct fw_dma_ref hdr = {0}, data = {0};
	kt_storm()->calls = 0;
	FW_EXPECT(t, open_queue(1, 8, &v, &q) == 0);
	FW_EXPECT(t, fw_irq_attach_intx(v.pci, storm_handler, 0, &v.irq) == 0);
	FW_EXPECT(t, status_add(&v, 4) == 0);
	FW_EXPECT(t, fw_dma_alloc(v.pci, 64, FW_DMA_BIDIR, &hdr) == 0 &&
			     fw_dma_alloc(v.pci, 512, FW_DMA_FROM_DEVICE, &data) == 0);
	FW_EXPECT(t, prepare_read(q, hdr, data, 0) == 0 && fw_vq_submit(q, 0) >= 0 && doorbell(&v) == 0);
	uint64_t t0 = fw_time_monotonic_ns();
	FW_EXPECT(t, fw_sleep_until(t0 + 50000000, false) == 0); /* we get the CPU back */
	FW_EXPECT(t, kt_storm()->calls > 1);                   /* while the line kept firing */
	fw_irq_detach(v.irq);
	uint64_t after = kt_storm()->calls;
	(void)fw_sleep_until(fw_time_monotonic_ns() + 10000000, false);
	FW_EXPECT(t, kt_storm()->calls == after);
	kt_close(&v);
}
