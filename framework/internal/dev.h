/* Devices inside the framework: ACPI tables, PCI, register windows,
 * interrupts, DMA objects, virtqueues and the IOMMU. Layer: framework/dev
 * (trusted, internal). Services see only <fw/pci.h>, <fw/irq.h>,
 * <fw/dma.h> and <fw/virtio.h>. */
#ifndef INTERNAL_DEV_H
#define INTERNAL_DEV_H

#include <fw/pci.h>
#include <fw/types.h>

#define PCI_MAX_DEVS 64
#define PCI_MAX_HOLES 6

/* Physical ranges (and device pages) mapped for the framework. */
void *iomap(uint64_t pa, uint64_t len, bool uncached);

/* ACPI: a table by signature, mapped read-only-in-spirit; NULL if absent
 * or its checksum fails. */
const uint8_t *acpi_table(const char sig[4], uint32_t *len);

/* A byte range of a BAR that services may not touch. `ro` holes may be
 * read but not written. */
struct io_hole {
	uint32_t start, end;
	bool ro;
};

struct pci_bar {
	uint64_t base, len;
	bool io, present, usable; /* usable: vetted for service windows */
	volatile uint8_t *va;     /* framework mapping (memory BARs), lazily */
	struct io_hole hole[PCI_MAX_HOLES];
	uint32_t nholes;
};

#define DMA_BUCKETS 64

struct dma_obj;
struct vq;
struct iommu_domain;

struct pci_dev {
	uint8_t bus, slot, func, header;
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint8_t class_code, subclass, prog_if, revision, irq_pin, irq_line;
	uint16_t cfg_size;
	uint16_t command_boot;
	struct pci_bar bar[6];
	/* MSI-X */
	uint8_t msix_cap, msix_bir, pba_bir;
	uint16_t msix_n;
	uint32_t msix_off, pba_off;
	volatile uint32_t *msix_table;
	bool msix_on;
	/* virtio-pci modern: the common configuration structure */
	bool virtio;
	uint8_t vcommon_bar;
	uint32_t vcommon_off;
	volatile uint8_t *vcommon;
	/* ownership */
	bool claimed, dma_ok;
	uint32_t gen;
	struct iommu_domain *dom;
	/* The device's DMA objects, hashed by page (dma.c): freeing one and
	 * asking whether another maps the same page look at one short chain,
	 * not at every object (a driver's mapping cache keeps hundreds). */
	struct dma_obj *dma_list[DMA_BUCKETS];
	struct vq *vqs;
};

extern struct pci_dev pci_devs[PCI_MAX_DEVS];
extern uint32_t pci_ndevs;
extern bool pci_ecam;

void dev_init(void);
void pci_init(void);
/* A claimed device by handle, or NULL. */
struct pci_dev *pci_claimed(struct fw_pci_ref r);
uint32_t pci_cfg_read(const struct pci_dev *d, uint32_t off, uint32_t width);
void pci_cfg_write(const struct pci_dev *d, uint32_t off, uint32_t width, uint32_t val);
/* Does [base, base+len) avoid RAM and the framework's own devices? */
bool pci_mem_range_ok(uint64_t base, uint64_t len);
bool pci_port_range_ok(uint64_t base, uint64_t len);
volatile uint8_t *pci_bar_va(struct pci_dev *d, uint32_t bar);
void pci_rescan(struct pci_dev *d); /* ktests: re-vet after reprogramming a BAR */

/* Interrupts (irq.c). */
void irq_init(void);
void irq_dispatch(uint32_t vector);
void irq_release_device(struct pci_dev *d);
bool irq_vector_is_device(uint32_t vector);

/* DMA objects (dma.c). */
struct dma_obj {
	struct pci_dev *dev;
	uint64_t pa;
	uint32_t len, dir;
	bool streaming;
	uint32_t slot_refs; /* descriptor slots pointing here */
	uint32_t idx, gen;
	struct dma_obj *next, *prev; /* the device's bucket for this page */
};
struct dma_obj *dma_obj_get(uint32_t idx, uint32_t gen);
void dma_release_device(struct pci_dev *d);

/* Virtqueues (virtio.c). */
void vq_release_device(struct pci_dev *d);
int virtio_reset_device(struct pci_dev *d);
/* Is the device of a virtio type whose memory accesses are all through its
 * queues' descriptors (the only kind given bus mastering)? */
bool virtio_dma_type_ok(const struct pci_dev *d);
/* Does the device offer VIRTIO_F_ACCESS_PLATFORM (its DMA goes through the
 * IOMMU)? Needs d->vcommon. */
bool virtio_offers_access_platform(struct pci_dev *d);
struct fw_vq_ref;
/* ktests only: put a raw address in a descriptor, bypassing every check,
 * to show the IOMMU stopping a device aimed outside its mapping. Never
 * reachable from services (not FW_API, refused by the import wall). */
int vq_desc_set_raw_for_ktest(struct fw_vq_ref q, uint32_t i, uint64_t addr, uint32_t len, uint16_t flags,
			      uint16_t next);
/* ktests only: the physical address of a queue's descriptor table (0),
 * available ring (1) or used ring (2), to play a device that writes them. */
uint64_t vq_ring_pa_for_ktest(struct fw_vq_ref q, uint32_t which);

/* IOMMU (iommu.c). Without one every call succeeds and does nothing. */
void iommu_init(void);
bool iommu_active(void);
int iommu_attach(struct pci_dev *d);
void iommu_detach(struct pci_dev *d);
int iommu_map(struct pci_dev *d, uint64_t pa, bool writable);
void iommu_unmap(struct pci_dev *d, uint64_t pa);
/* Pop one recorded fault: 1 and its fields, or 0 if none. */
int iommu_fault_pop(uint16_t *source_id, uint64_t *addr, uint8_t *reason);
bool iommu_mapped(struct pci_dev *d, uint64_t pa); /* ktests */

/* IOAPIC pins (arch/x86_64/apic.c). */
void arch_ioapic_route(uint32_t pin, uint32_t vector, bool level, bool active_low);
void arch_ioapic_mask(uint32_t pin, bool masked);
uint32_t arch_ioapic_pins(void);

/* Device interrupt vectors. */
#define VEC_DEV_BASE 64
#define VEC_DEV_COUNT 96     /* 64 .. 159: MSI-X */
#define VEC_INTX_BASE 208    /* 208 .. 231: IOAPIC pin n */
#define VEC_INTX_COUNT 24

#endif
