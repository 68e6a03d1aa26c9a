/* Keel framework public API — PCI devices and their register windows.
 *
 * Layer: framework (trusted). The framework enumerates PCI at boot
 * (ECAM from the ACPI MCFG table on q35, ports 0xCF8/0xCFC on pc) and keeps
 * the device list. A service *claims* a device to drive it; only the
 * claimant can read its configuration space (typed reads, never a mapping;
 * configuration writes stay in the framework) and reach its BARs through
 * bounded register windows.
 *
 * Safety contract:
 *  - A claim is a handle {index, generation}; releasing the device bumps
 *    the generation, so every handle derived from the claim (windows,
 *    interrupts, DMA objects, virtqueues) goes stale with it.
 *  - A window covers one BAR the framework vetted at boot: never RAM, never
 *    the APIC/IOAPIC/HPET/VT-d range (0xFEC00000-0xFEFFFFFF), never the
 *    ECAM window, no port below 0x1000 (the framework's own devices and the
 *    0xCF8 configuration ports). Accesses are checked on every call:
 *    width 1, 2, 4 or 8 (8: memory BARs only), naturally aligned
 *    (-EINVAL), inside the BAR (-ERANGE), and outside the holes the
 *    framework cut (-EACCES): the MSI-X table and pending-bit array are
 *    never accessible; on virtio devices the registers that carry DMA
 *    addresses or decide what memory the device may reach (driver
 *    features, queue size, queue enable, queue addresses, queue reset)
 *    are read-only, written only by <fw/virtio.h>; a transitional virtio
 *    device's legacy I/O BAR is not granted at all.
 *  - A device may master the bus (DMA) only if the framework knows where
 *    its DMA addresses come from: virtio-pci modern devices, whose queues
 *    are framework objects, of a type whose requests carry no guest
 *    addresses (net, block, console, entropy; not a balloon, GPU or
 *    virtio-iommu, whose requests name memory the device then reaches).
 *    Any other device is claimable for registers and interrupts but stays
 *    with bus mastering off and gets no queues.
 */
#ifndef FW_PCI_H
#define FW_PCI_H

#include <fw/types.h>

struct fw_pci_ref {
	uint32_t idx;
	uint32_t gen;
};

/* A register window onto one BAR of a claimed device. */
struct fw_io_ref {
	uint32_t idx;
	uint32_t gen;
};

/* What enumeration found (plain data). */
struct fw_pci_info {
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint8_t bus, slot, func;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t irq_pin;     /* 1..4 = INTA..INTD, 0 none */
	uint8_t claimed;     /* 1 if some service holds it */
	uint8_t pad[3];
	uint32_t bar_len[6]; /* usable BAR sizes in bytes (0: absent or refused; capped at 4 GiB - 1) */
};

/* Number of PCI functions found; index them 0 .. count-1. */
FW_API uint32_t fw_pci_count(void);
/* Describe function `index`: 0, or -ENODEV past the end. */
FW_API int fw_pci_info(uint32_t index, struct fw_pci_info *out);
/* Take exclusive ownership of function `index`: enables its decoders (and
 * bus mastering where allowed), resets a virtio device, attaches it to its
 * IOMMU domain. -ENODEV, -EBUSY (claimed), -ENOMEM. */
FW_API FW_MUST_CHECK int fw_pci_claim(uint32_t index, struct fw_pci_ref *out);
/* Give the device back: quiesce it (virtio reset; bus mastering off),
 * detach its interrupts, destroy its virtqueues, free its DMA objects,
 * remove its IOMMU domain. Every handle derived from the claim goes stale.
 * A stale handle is ignored. */
FW_API void fw_pci_release(struct fw_pci_ref d);
/* Configuration space read of `width` (1, 2, 4) bytes at `off`, naturally
 * aligned, below 256 (port access) or 4096 (ECAM). -EINVAL otherwise. */
FW_API FW_MUST_CHECK int fw_pci_cfg_read(struct fw_pci_ref d, uint32_t off, uint32_t width, uint32_t *val);
/* Does the framework let this device master the bus? */
FW_API bool fw_pci_dma_capable(struct fw_pci_ref d);

/* Open a window onto BAR `bar` (0..5). -ENODEV (no such BAR), -EPERM (BAR
 * refused at boot, see above), -EINVAL (stale claim). */
FW_API FW_MUST_CHECK int fw_pci_map_bar(struct fw_pci_ref d, uint32_t bar, struct fw_io_ref *out);
/* Length of the window in bytes (0 if stale). */
FW_API uint64_t fw_io_len(struct fw_io_ref io);
/* Checked register accesses: 0, -EINVAL (stale, unaligned, width), -ERANGE,
 * -EACCES (a hole). */
FW_API FW_MUST_CHECK int fw_io_read8(struct fw_io_ref io, uint32_t off, uint8_t *val);
FW_API FW_MUST_CHECK int fw_io_read16(struct fw_io_ref io, uint32_t off, uint16_t *val);
FW_API FW_MUST_CHECK int fw_io_read32(struct fw_io_ref io, uint32_t off, uint32_t *val);
FW_API FW_MUST_CHECK int fw_io_read64(struct fw_io_ref io, uint32_t off, uint64_t *val);
FW_API FW_MUST_CHECK int fw_io_write8(struct fw_io_ref io, uint32_t off, uint8_t val);
FW_API FW_MUST_CHECK int fw_io_write16(struct fw_io_ref io, uint32_t off, uint16_t val);
FW_API FW_MUST_CHECK int fw_io_write32(struct fw_io_ref io, uint32_t off, uint32_t val);
FW_API FW_MUST_CHECK int fw_io_write64(struct fw_io_ref io, uint32_t off, uint64_t val);

#endif
