/* The CPU operations generic framework code uses, x86-64 implementation.
 * Layer: framework/arch (trusted, internal). Generic code includes it
 * through "internal/arch.h"; the architecture is chosen by include path
 * (-Iframework/arch/x86_64/include), so no generic file names an x86
 * instruction, register or MSR. Each function is one instruction or two. */
#ifndef ARCH_OPS_H
#define ARCH_OPS_H

#include <fw/types.h>

/* Virtual memory layout. */
#define KERNEL_VMA 0xffffffff80000000UL   /* the kernel image (top 2 GiB) */
#define PHYSMAP_BASE 0xffff888000000000UL /* all RAM, mapped 1:1 */

/* Interrupts (the kernel is uniprocessor: disabling them is the lock). */
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline bool irq_enabled(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return (f & 0x200) != 0; /* IF */
}
/* Disable interrupts and return whether they were enabled. */
static inline bool irq_save(void)
{
	bool was = irq_enabled();
	irq_disable();
	return was;
}
static inline void irq_restore(bool was)
{
	if (was)
		irq_enable();
}
/* Enable interrupts and sleep until one arrives, with no window between
 * the two for a wakeup to slip through (sti's one-instruction shadow). */
static inline void cpu_idle_wait(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }

/* Memory ordering for device rings: a full fence (stores visible before
 * later loads), a compiler-only barrier, and writing one cache line back
 * to memory for a device that does not snoop (the IOMMU's tables). */
static inline void arch_mb(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void arch_barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void arch_flush_line(const volatile void *p) { __asm__ volatile("clflush (%0)" ::"r"(p) : "memory"); }

/* I/O ports (PCI configuration mechanism #1, I/O BARs): width 1, 2 or 4. */
static inline uint32_t arch_port_in(uint16_t port, uint32_t width)
{
	uint32_t v = 0;
	if (width == 1) {
		uint8_t b;
		__asm__ volatile("inb %1, %0" : "=a"(b) : "Nd"(port));
		v = b;
	} else if (width == 2) {
		uint16_t w;
		__asm__ volatile("inw %1, %0" : "=a"(w) : "Nd"(port));
		v = w;
	} else {
		__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	}
	return v;
}
static inline void arch_port_out(uint16_t port, uint32_t width, uint32_t v)
{
	if (width == 1)
		__asm__ volatile("outb %0, %1" ::"a"((uint8_t)v), "Nd"(port));
	else if (width == 2)
		__asm__ volatile("outw %0, %1" ::"a"((uint16_t)v), "Nd"(port));
	else
		__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

/* A message-signalled interrupt to the boot CPU: the address and data a
 * device writes (fixed delivery, edge, local APIC id 0). */
static inline uint32_t arch_msi_address(void) { return 0xFEE00000u; }
static inline uint32_t arch_msi_data(uint32_t vector) { return vector; }

/* The cycle counter (TSC), calibrated by arch_tsc_khz(). */
static inline uint64_t arch_cycles(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* The active top-level page table (physical address), switching to
 * another, and dropping one page's stale translation. */
static inline uint64_t arch_page_table(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline void arch_set_page_table(uint64_t pa) { __asm__ volatile("mov %0, %%cr3" ::"r"(pa) : "memory"); }
static inline void arch_flush_page(uint64_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

/* The user thread-pointer register (FS base). */
static inline void arch_set_tls_base(uint64_t base)
{
	__asm__ volatile("wrmsr" ::"c"(0xC0000100U), "a"((uint32_t)base), "d"((uint32_t)(base >> 32)));
}

/* CR4.TSD: while set, rdtsc and rdtscp fault (#GP) in user mode; the
 * kernel (CPL 0) still reads the counter. */
static inline void arch_set_tsc_user_trap(bool on)
{
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 = on ? (cr4 | 4) : (cr4 & ~4ULL);
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4) : "memory");
}
static inline bool arch_tsc_user_trapped(void)
{
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return (cr4 & 4) != 0;
}

/* The current task: word 3 of the per-CPU block (%gs:24, struct percpu). */
static inline void *arch_cpu_current(void)
{
	void *t;
	__asm__ volatile("mov %%gs:24, %0" : "=r"(t));
	return t;
}

#endif
