/* Local APIC timer, I/O APIC routing, TSC clock, CMOS RTC, power off.
 * Layer: framework/arch (trusted). Trusts the PC platform's fixed addresses
 * (LAPIC 0xFEE00000, IOAPIC 0xFEC00000, PIT, CMOS), which QEMU provides. */
#include "internal/arch.h"
#include "internal/cpu.h"
#include "internal/dev.h"
#include "internal/mm.h"
#include "arch/x86_64/x86.h"
#include <fw/log.h>

#define LAPIC_VA 0xffffffffff000000UL
#define IOAPIC_VA 0xffffffffff001000UL

static volatile uint32_t *lapic;
static volatile uint32_t *ioapic;
static uint64_t tsc_khz;
static uint64_t tsc_boot;
static uint64_t tsc_mult; /* ns = (ticks * tsc_mult) >> 32 */

static void lapic_write(uint32_t reg, uint32_t v) { lapic[reg / 4] = v; }
static uint32_t lapic_read(uint32_t reg) { return lapic[reg / 4]; }

static void ioapic_write(uint32_t reg, uint32_t v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

void arch_eoi(void) { lapic_write(0xB0, 0); }

void arch_irq_unmask(int irq)
{
	/* Legacy IRQ n -> vector 32 + n, edge, active high, to CPU 0. */
	ioapic_write(0x10 + 2 * irq, 32 + irq);
	ioapic_write(0x11 + 2 * irq, 0);
}

/* Device interrupts (framework/dev/irq.c): PCI INTx lines are level
 * triggered and active low. */
void arch_ioapic_route(uint32_t pin, uint32_t vector, bool level, bool active_low)
{
	bool was = irq_save();
	ioapic_write(0x11 + 2 * pin, 0);
	ioapic_write(0x10 + 2 * pin, vector | (level ? 1u << 15 : 0) | (active_low ? 1u << 13 : 0) | 1u << 16);
	irq_restore(was);
}

void arch_ioapic_mask(uint32_t pin, bool masked)
{
	bool was = irq_save();
	ioapic[0] = 0x10 + 2 * pin;
	uint32_t v = ioapic[4];
	ioapic[4] = masked ? v | 1u << 16 : v & ~(1u << 16);
	irq_restore(was);
}

uint32_t arch_ioapic_pins(void)
{
	bool was = irq_save();
	ioapic[0] = 1;
	uint32_t n = ((ioapic[4] >> 16) & 0xFF) + 1;
	irq_restore(was);
	return n;
}

/* PIT channel 2 gate as a stopwatch: count TSC ticks over 10 ms. */
static uint64_t calibrate_tsc_khz(void)
{
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xB0); /* channel 2, lo/hi, mode 0 */
	uint16_t count = 11932; /* 10 ms at 1.193182 MHz */
	outb(0x42, count & 0xFF);
	outb(0x42, count >> 8);
	uint64_t t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	return (rdtsc() - t0) / 10;
}

uint64_t arch_uptime_ns(void)
{
	/* One multiply with a 128-bit product (no overflow, no division:
	 * the vDSO repeats this arithmetic in user mode, see fw/time.h). */
	uint64_t d = rdtsc() - tsc_boot;
	return (uint64_t)(((unsigned __int128)d * tsc_mult) >> 32);
}

uint64_t arch_tsc_khz(void) { return tsc_khz; }
uint64_t arch_tsc_boot(void) { return tsc_boot; }
uint64_t arch_tsc_mult(void) { return tsc_mult; }

void arch_timer_init(void)
{
	/* Mask both 8259 PICs: everything goes through the APICs. */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	if (kmap_page(LAPIC_VA, 0xFEE00000, PTE_W | PTE_NX | (1 << 4) | (1 << 3)) < 0 ||
	    kmap_page(IOAPIC_VA, 0xFEC00000, PTE_W | PTE_NX | (1 << 4) | (1 << 3)) < 0)
		fw_panic("cannot map APICs");
	/* SAFETY: LAPIC_VA/IOAPIC_VA were just mapped uncached onto the
	 * platform's APIC pages; only this file touches them. */
	lapic = (volatile uint32_t *)LAPIC_VA;
	ioapic = (volatile uint32_t *)IOAPIC_VA;
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11));
	lapic_write(0xF0, 0x100 | VEC_SPURIOUS);
	lapic_write(0x80, 0); /* task priority: accept all */
	/* Mask every IOAPIC pin until a driver asks. */
	uint32_t npins = ((ioapic[0] = 1, ioapic[4]) >> 16 & 0xFF) + 1;
	for (uint32_t i = 0; i < npins; i++)
		ioapic_write(0x10 + 2 * i, 1 << 16);

	tsc_boot = rdtsc();
	tsc_khz = calibrate_tsc_khz();
	tsc_mult = tsc_khz ? (1000000ULL << 32) / tsc_khz : 0;
	/* LAPIC timer: measure its rate against the TSC, then go periodic. */
	lapic_write(0x3E0, 0x3); /* divide by 16 */
	lapic_write(0x320, 1 << 16);
	lapic_write(0x380, 0xFFFFFFFF);
	uint64_t t0 = rdtsc();
	while (rdtsc() - t0 < tsc_khz * 10)
		;
	uint32_t ticks10ms = 0xFFFFFFFF - lapic_read(0x390);
	lapic_write(0x320, (1 << 17) | VEC_TIMER); /* periodic */
	lapic_write(0x380, ticks10ms / 10 * 1000 / ARCH_TIMER_HZ);
	fw_info("timer: tsc %lu kHz, lapic %u ticks/ms, %d Hz", tsc_khz, ticks10ms / 10, ARCH_TIMER_HZ);
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static uint32_t bcd(uint8_t v, bool is_bcd) { return is_bcd ? (v & 15) + (v >> 4) * 10 : v; }

uint64_t arch_rtc_epoch_seconds(void)
{
	while (cmos(0x0A) & 0x80)
		;
	bool is_bcd = !(cmos(0x0B) & 0x04);
	uint32_t s = bcd(cmos(0), is_bcd), mi = bcd(cmos(2), is_bcd), h = bcd(cmos(4), is_bcd);
	uint32_t d = bcd(cmos(7), is_bcd), mo = bcd(cmos(8), is_bcd), y = bcd(cmos(9), is_bcd) + 2000;
	/* days from civil (proleptic Gregorian) */
	int64_t yy = y - (mo <= 2);
	int64_t era = yy / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return (uint64_t)(days * 86400 + h * 3600 + mi * 60 + s);
}

FW_NORETURN void arch_reset(void)
{
	cli();
	outb(0x64, 0xFE); /* keyboard controller reset */
	for (;;)
		hlt();
}

FW_NORETURN void arch_power_off(int code)
{
	cli();
	outb(0xF4, (uint8_t)code);      /* isa-debug-exit, when present */
	outw(0x604, 0x2000);             /* QEMU ACPI PM1a (q35/piix4) */
	outw(0xB004, 0x2000);            /* older QEMU/Bochs */
	for (;;)
		hlt();
}
