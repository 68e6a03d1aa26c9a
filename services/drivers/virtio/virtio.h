/* virtio-pci (modern, virtio 1.x) transport and split virtqueues.
 * Layer: services (safe C). Trusts the framework for everything that can
 * aim the device at memory (<fw/virtio.h>: feature and queue registers,
 * descriptor addresses); does the rest itself through register windows:
 * capability parsing, the status handshake, interrupts, notifications,
 * device configuration, and the bookkeeping of free descriptors.
 *
 * A device's registers come from vendor capabilities in configuration
 * space (virtio 1.x, 4.1.4): common configuration, notifications, ISR
 * status and device-specific configuration, each a (BAR, offset, length)
 * triple. */
#ifndef SVC_DRIVERS_VIRTIO_VIRTIO_H
#define SVC_DRIVERS_VIRTIO_VIRTIO_H

#include "lib/klib.h"
#include <fw/dma.h>
#include <fw/irq.h>
#include <fw/pci.h>
#include <fw/virtio.h>

#define VIRTIO_VENDOR 0x1AF4
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

/* device_status bits */
#define VIRTIO_STATUS_ACK 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

#define VIRTIO_NO_VECTOR 0xFFFF
#define VIRTQ_MAX 256

/* One register structure: a window and where in it the structure lies. */
struct virtio_region {
	struct fw_io_ref io;
	uint32_t off, len;
	bool present;
};

struct virtio_dev {
	struct fw_pci_ref pci;
	uint32_t pci_index;
	struct virtio_region common, notify, isr, device;
	uint32_t notify_mult;
	uint64_t features; /* negotiated */
	bool msix;         /* false: INTx, the handler must read the ISR */
	struct fw_irq_ref irq;
};

/* A split virtqueue as the driver sees it: the framework owns the rings;
 * this keeps which descriptors are free and how in-flight chains link. */
struct virtq {
	struct fw_vq_ref vq;
	uint32_t qidx, size;
	uint32_t notify_off; /* byte offset of this queue's doorbell in the notify region */
	uint16_t free_head, nfree;
	uint16_t next[VIRTQ_MAX];      /* free list, then chain links */
	uint16_t chain_len[VIRTQ_MAX]; /* by head, for in-flight chains */
};

/* PCI index of the nth virtio function of a device type: 0 or -ENODEV. */
int virtio_find(uint32_t type, uint32_t nth, uint32_t *pci_index);
/* Claim the function and locate its register structures. */
int virtio_open(uint32_t pci_index, struct virtio_dev *v);
/* Reset, acknowledge, negotiate (device features & wanted; VERSION_1 is
 * required; ACCESS_PLATFORM accepted when offered) and set FEATURES_OK.
 * 0, -ENODEV (the device refused), -EIO. */
int virtio_negotiate(struct virtio_dev *v, uint64_t wanted);
/* Route queue `qidx` (and nothing for config changes) to fn(cookie):
 * MSI-X entry 0 when the device has MSI-X, else INTx. */
int virtio_irq_attach(struct virtio_dev *v, uint32_t qidx, void (*fn)(uint64_t), uint64_t cookie);
int virtio_driver_ok(struct virtio_dev *v);
/* INTx handlers call this to read (and so clear) the ISR status. */
uint8_t virtio_isr(struct virtio_dev *v);
/* Device-specific configuration reads. */
int virtio_cfg_read8(struct virtio_dev *v, uint32_t off, uint8_t *val);
int virtio_cfg_read32(struct virtio_dev *v, uint32_t off, uint32_t *val);
int virtio_cfg_read64(struct virtio_dev *v, uint32_t off, uint64_t *val);
/* Reset the device and give it back to the framework. */
void virtio_close(struct virtio_dev *v);

/* Create queue qidx with min(want, device max, VIRTQ_MAX) entries. */
int virtq_setup(struct virtio_dev *v, struct virtq *q, uint32_t qidx, uint32_t want);
/* Take n free descriptors linked into a chain: 0 and its head, or -EAGAIN. */
int virtq_alloc(struct virtq *q, uint32_t n, uint16_t *head);
/* The k-th descriptor of a chain from virtq_alloc. */
uint16_t virtq_chain_at(const struct virtq *q, uint16_t head, uint32_t k);
/* Return an unsubmitted chain (its slots are cleared). */
void virtq_free_chain(struct virtq *q, uint16_t head);
/* Publish the chain and ring the doorbell if the device asks for it. */
int virtq_submit(struct virtio_dev *v, struct virtq *q, uint16_t head);
/* Next completion: 0 with its head and written length (the chain is free
 * again), -EAGAIN, or -EIO (the device misbehaved). */
int virtq_reap(struct virtq *q, uint16_t *head, uint32_t *len);

#endif
