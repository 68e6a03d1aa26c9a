/* Device interrupts: MSI-X and INTx routed to service handlers that run in
 * the IRQ worker task, never in the interrupt handler. Layer: framework/dev
 * (trusted).
 *
 * The interrupt handler (irq_dispatch, interrupts off) only marks sources
 * pending — masking a level-triggered IOAPIC pin first, so the line cannot
 * storm while the handler waits its turn — sends the EOI and wakes the
 * worker. The worker takes one pending source at a time with interrupts
 * off, copies its function and cookie, and calls it with interrupts on and
 * the task's no_sleep count raised: every blocking wait in the framework
 * returns -EDEADLK while it is (task/waitq.c), which is how the
 * "handlers do not sleep" rule is enforced rather than trusted. After an
 * INTx handler returns the pin is unmasked, unless another handler of the
 * same (shared) pin is still pending. */
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/task.h"
#include <fw/irq.h>
#include <fw/log.h>
#include <fw/wait.h>

struct irq {
	bool used, intx;
	volatile bool pending;
	uint8_t pin;
	uint16_t entry;
	uint32_t gen;
	struct pci_dev *dev;
	void (*fn)(uint64_t);
	uint64_t cookie;
	uint64_t calls;
};

static struct irq irqs[VEC_DEV_COUNT]; /* slot i: MSI-X vector VEC_DEV_BASE + i */
static uint32_t pin_users[VEC_INTX_COUNT];
static struct kwaitq_ref worker_q;
static uint32_t next_scan;

bool irq_vector_is_device(uint32_t v)
{
	return (v >= VEC_DEV_BASE && v < VEC_DEV_BASE + VEC_DEV_COUNT) ||
	       (v >= VEC_INTX_BASE && v < VEC_INTX_BASE + VEC_INTX_COUNT);
}

/* Interrupt context, interrupts off. */
void irq_dispatch(uint32_t v)
{
	if (v >= VEC_INTX_BASE) {
		uint32_t pin = v - VEC_INTX_BASE;
		arch_ioapic_mask(pin, true);
		for (uint32_t i = 0; i < VEC_DEV_COUNT; i++)
			if (irqs[i].used && irqs[i].intx && irqs[i].pin == pin)
				irqs[i].pending = true;
	} else if (irqs[v - VEC_DEV_BASE].used) {
		irqs[v - VEC_DEV_BASE].pending = true;
	}
	arch_eoi();
	kwaitq_wake_one(worker_q);
}

static int take_pending(void)
{
	for (uint32_t k = 0; k < VEC_DEV_COUNT; k++) {
		uint32_t i = (next_scan + k) % VEC_DEV_COUNT;
		if (irqs[i].used && irqs[i].pending) {
			next_scan = i + 1;
			return (int)i;
		}
	}
	return -1;
}

static bool pin_pending(uint32_t pin)
{
	for (uint32_t i = 0; i < VEC_DEV_COUNT; i++)
		if (irqs[i].used && irqs[i].intx && irqs[i].pin == pin && irqs[i].pending)
			return true;
	return false;
}

static void irq_worker(uint64_t unused)
{
	(void)unused;
	struct task *self = current_task();
	for (;;) {
		irq_disable();
		int i = take_pending();
		if (i < 0) {
			/* Wait with interrupts off: an interrupt that comes after
			 * the scan finds us already queued. */
			(void)kwaitq_wait(worker_q, 0, false);
			irq_enable();
			continue;
		}
		struct irq *q = &irqs[i];
		q->pending = false;
		q->calls++;
		void (*fn)(uint64_t) = q->fn;
		uint64_t cookie = q->cookie;
		bool intx = q->intx;
		uint32_t pin = q->pin;
		irq_enable();
		self->no_sleep++;
		self->irq_handler = true;
		fn(cookie);
		self->irq_handler = false;
		self->no_sleep--;
		if (intx) {
			irq_disable();
			if (pin_users[pin] > 0 && !pin_pending(pin))
				arch_ioapic_mask(pin, false);
			irq_enable();
		}
		/* A source that fires again at once (a handler that never
		 * deasserts its line) must not keep the CPU from everyone else. */
		if (sched_need_resched())
			sched_yield_current();
	}
}

void irq_init(void)
{
	struct fw_task_ref t;
	if (kwaitq_create(&worker_q) < 0 || fw_task_create_kernel(irq_worker, 0, &t) < 0)
		fw_panic("cannot start the IRQ worker");
}

static int alloc_slot(void)
{
	for (uint32_t i = 0; i < VEC_DEV_COUNT; i++)
		if (!irqs[i].used)
			return (int)i;
	return -28; /* -ENOSPC */
}

static struct irq *irq_lookup(struct fw_irq_ref r)
{
	if (r.idx == 0 || r.idx > VEC_DEV_COUNT)
		return NULL;
	struct irq *q = &irqs[r.idx - 1];
	return q->used && q->gen == r.gen ? q : NULL;
}

static void publish(int slot, struct pci_dev *d, void (*fn)(uint64_t), uint64_t cookie, struct fw_irq_ref *out)
{
	struct irq *q = &irqs[slot];
	q->dev = d;
	q->fn = fn;
	q->cookie = cookie;
	q->pending = false;
	q->calls = 0;
	q->gen++;
	if (q->gen == 0)
		q->gen = 1;
	q->used = true;
	*out = (struct fw_irq_ref){(uint32_t)slot + 1, q->gen};
}

/* SAFETY (MSI-X table accesses): msix_table maps the table inside its BAR
 * (vetted like any BAR); entry < msix_n, 16 bytes each, so every access
 * stays inside the table the framework cut out of the service windows. */
static void msix_entry_mask(struct pci_dev *d, uint32_t entry, bool masked)
{
	volatile uint32_t *e = d->msix_table + 4 * entry;
	e[3] = masked ? 1 : 0;
	(void)e[3];
}

static int msix_enable(struct pci_dev *d)
{
	if (d->msix_on)
		return 0;
	if (!d->msix_table) {
		if (d->msix_bir >= 6) /* a reserved BIR (6, 7) names no BAR */
			return -19;
		volatile uint8_t *bar = pci_bar_va(d, d->msix_bir);
		uint64_t len = d->bar[d->msix_bir].len;
		if (!bar || d->msix_off > len || 16u * d->msix_n > len - d->msix_off)
			return -19;
		d->msix_table = (volatile uint32_t *)(bar + d->msix_off); /* SAFETY: bounds checked above */
	}
	for (uint32_t i = 0; i < d->msix_n; i++)
		msix_entry_mask(d, i, true);
	uint16_t ctrl = (uint16_t)pci_cfg_read(d, d->msix_cap + 2, 2);
	pci_cfg_write(d, d->msix_cap + 2, 2, (ctrl | 0x8000) & ~0x4000);
	pci_cfg_write(d, 0x04, 2, pci_cfg_read(d, 0x04, 2) | 0x400); /* INTx off */
	d->msix_on = true;
	return 0;
}

uint32_t fw_irq_msix_count(struct fw_pci_ref r)
{
	struct pci_dev *d = pci_claimed(r);
	return d && d->msix_cap ? d->msix_n : 0;
}

int fw_irq_attach_msix(struct fw_pci_ref r, uint32_t entry, void (*fn)(uint64_t), uint64_t cookie,
		       struct fw_irq_ref *out)
{
	struct pci_dev *d = pci_claimed(r);
	if (!d || !fn)
		return -22;
	if (!d->dma_ok)
		return -1; /* an MSI is a bus-master write */
	if (!d->msix_cap || entry >= d->msix_n)
		return -19;
	bool was = irq_save();
	int e = 0;
	for (uint32_t i = 0; i < VEC_DEV_COUNT && e == 0; i++)
		if (irqs[i].used && irqs[i].dev == d && (irqs[i].intx || irqs[i].entry == entry))
			e = -16;
	int slot = e ? e : alloc_slot();
	if (slot >= 0)
		e = msix_enable(d);
	if (slot >= 0 && e == 0) {
		irqs[slot].intx = false;
		irqs[slot].entry = (uint16_t)entry;
		publish(slot, d, fn, cookie, out);
		volatile uint32_t *m = d->msix_table + 4 * entry; /* SAFETY: as msix_entry_mask */
		m[0] = arch_msi_address(); /* the boot CPU, the only one Keel runs on */
		m[1] = 0;
		m[2] = arch_msi_data(VEC_DEV_BASE + (uint32_t)slot);
		msix_entry_mask(d, entry, false);
	}
	irq_restore(was);
	return slot < 0 ? slot : e;
}

/* Which IOAPIC input the device's INTx pin reaches. On q35 (ICH9) QEMU
 * routes slot s, pin p (0-based) of bus 0 to PIRQ E..H, i.e. GSI
 * 20 + (s + p) % 4; on pc (PIIX) the firmware routed the PIRQs to the ISA
 * IRQ in the Interrupt Line register, and QEMU wires ISA IRQ n to IOAPIC
 * pin n. Anything else is refused rather than guessed. */
static int intx_gsi(const struct pci_dev *d)
{
	if (d->irq_pin < 1 || d->irq_pin > 4 || d->bus != 0)
		return -19;
	const struct pci_dev *host = &pci_devs[0];
	if (pci_ndevs && host->vendor == 0x8086 && host->device == 0x29C0)
		return 20 + (d->slot + d->irq_pin - 1) % 4;
	if (pci_ndevs && host->vendor == 0x8086 && host->device == 0x1237) {
		uint8_t l = d->irq_line;
		return l == 5 || l == 9 || l == 10 || l == 11 ? l : -19;
	}
	return -19;
}

int fw_irq_attach_intx(struct fw_pci_ref r, void (*fn)(uint64_t), uint64_t cookie, struct fw_irq_ref *out)
{
	struct pci_dev *d = pci_claimed(r);
	if (!d || !fn)
		return -22;
	int gsi = intx_gsi(d);
	if (gsi < 0 || (uint32_t)gsi >= arch_ioapic_pins() || gsi >= VEC_INTX_COUNT)
		return -19;
	if (d->msix_on)
		return -16;
	bool was = irq_save();
	int e = 0;
	for (uint32_t i = 0; i < VEC_DEV_COUNT && e == 0; i++)
		if (irqs[i].used && irqs[i].dev == d)
			e = -16;
	int slot = e ? e : alloc_slot();
	if (slot >= 0) {
		irqs[slot].intx = true;
		irqs[slot].pin = (uint8_t)gsi;
		publish(slot, d, fn, cookie, out);
		if (pin_users[gsi]++ == 0)
			arch_ioapic_route((uint32_t)gsi, VEC_INTX_BASE + (uint32_t)gsi, true, true);
		pci_cfg_write(d, 0x04, 2, pci_cfg_read(d, 0x04, 2) & ~0x400u);
		arch_ioapic_mask((uint32_t)gsi, false);
	}
	irq_restore(was);
	return slot < 0 ? slot : 0;
}

static void detach(struct irq *q)
{
	q->used = false;
	q->pending = false;
	q->gen++;
	if (q->intx) {
		if (--pin_users[q->pin] == 0)
			arch_ioapic_mask(q->pin, true);
	} else {
		msix_entry_mask(q->dev, q->entry, true);
	}
}

void fw_irq_detach(struct fw_irq_ref r)
{
	bool was = irq_save();
	struct irq *q = irq_lookup(r);
	if (q)
		detach(q);
	irq_restore(was);
}

void irq_release_device(struct pci_dev *d)
{
	bool was = irq_save();
	for (uint32_t i = 0; i < VEC_DEV_COUNT; i++)
		if (irqs[i].used && irqs[i].dev == d)
			detach(&irqs[i]);
	if (d->msix_on) {
		uint16_t ctrl = (uint16_t)pci_cfg_read(d, d->msix_cap + 2, 2);
		pci_cfg_write(d, d->msix_cap + 2, 2, ctrl & ~0x8000);
		d->msix_on = false;
	}
	irq_restore(was);
}

bool fw_irq_in_handler(void) { return current_task()->irq_handler; }

uint64_t fw_irq_calls(struct fw_irq_ref r)
{
	struct irq *q = irq_lookup(r);
	return q ? q->calls : 0;
}
