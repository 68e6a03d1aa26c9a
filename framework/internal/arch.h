/* Architecture services used inside the framework. Layer: framework/arch
 * (trusted, internal). */
#ifndef INTERNAL_ARCH_H
#define INTERNAL_ARCH_H

#include <arch/ops.h>
#include <fw/types.h>

void arch_cpu_init(void);       /* GDT, TSS, IDT, syscall MSRs, SMEP/SMAP, FPU */
void arch_timer_init(void);     /* PIT-calibrated TSC and LAPIC periodic tick */
#define ARCH_TIMER_HZ 1000      /* the periodic tick's rate */
uint64_t arch_uptime_ns(void);  /* monotonic, from the TSC */
uint64_t arch_tsc_khz(void);
uint64_t arch_tsc_boot(void); /* TSC value at monotonic 0 */
uint64_t arch_tsc_mult(void); /* monotonic ns = ((tsc - boot) * mult) >> 32 */
void arch_backtrace(void *frame);
FW_NORETURN void arch_power_off(int code);
void arch_set_kernel_stack(uint64_t top); /* TSS.rsp0 and the syscall stack */
void arch_irq_unmask(int irq);
void arch_eoi(void);
uint64_t arch_rtc_epoch_seconds(void);
/* Extended FPU state area size and the save/restore primitives. */
extern uint32_t arch_fpu_size;
/* Afterwards the area holds an image arch_fpu_image_ok accepts, whatever
 * bytes it held before (cpu.c: the XSAVE header is cleared first). */
void arch_fpu_save(void *area);
void arch_fpu_restore(const void *area);
void arch_fpu_init_area(void *area);
/* Would restoring this image (arch_fpu_size bytes, from user memory) fault? */
bool arch_fpu_image_ok(const void *area);
/* A hardware random number: false if the CPU has no generator. */
bool arch_random64(uint64_t *v);
/* Reset the machine. */
FW_NORETURN void arch_reset(void);

#endif
