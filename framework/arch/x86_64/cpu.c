/* Descriptor tables, syscall MSRs and CPU feature setup. Layer:
 * framework/arch (trusted). Trusts CPUID. */
#include "internal/arch.h"
#include "internal/cpu.h"
#include "internal/lib.h"
#include "arch/x86_64/x86.h"
#include <fw/log.h>

struct tss {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3, iomap;
} __attribute__((packed));

struct idt_entry {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, rsvd;
} __attribute__((packed));

static uint64_t gdt[7];
static struct tss tss;
static struct idt_entry idt[256];
static char df_stack[8192] __attribute__((aligned(16)));
static char nmi_stack[8192] __attribute__((aligned(16)));
struct percpu cpu0;
uint32_t arch_fpu_size = 512;
static bool use_xsave, have_rdrand;
static uint64_t xcr0;

extern const uint64_t trap_stubs[256];
void syscall_entry(void);

static void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = 0x00AF9A000000FFFF; /* kernel code */
	gdt[2] = 0x00CF92000000FFFF; /* kernel data */
	gdt[3] = 0x00CFF2000000FFFF; /* user data (DPL 3) */
	gdt[4] = 0x00AFFA000000FFFF; /* user code (DPL 3) */
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	gdt[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89UL << 40) | (((limit >> 16) & 0xF) << 48) |
		 (((base >> 24) & 0xFF) << 56);
	gdt[6] = base >> 32;
	tss.ist[0] = (uint64_t)df_stack + sizeof(df_stack);
	tss.ist[1] = (uint64_t)nmi_stack + sizeof(nmi_stack);
	tss.iomap = sizeof(tss); /* no I/O bitmap: user port I/O always faults */
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof(gdt) - 1, (uint64_t)gdt};
	__asm__ volatile("lgdt %0\n"
			 "mov %1, %%ds\n mov %1, %%es\n mov %1, %%ss\n"
			 "pushq %2\n leaq 1f(%%rip), %%rax\n pushq %%rax\n lretq\n1:\n"
			 "ltr %w3\n" ::"m"(ptr),
			 "r"((uint64_t)SEL_KDATA), "i"(SEL_KCODE), "r"(SEL_TSS)
			 : "rax", "memory");
}

static void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t h = trap_stubs[v];
		idt[v].off0 = h & 0xFFFF;
		idt[v].sel = SEL_KCODE;
		idt[v].ist = v == 8 ? 1 : v == 2 ? 2 : 0;
		idt[v].type = 0x8E; /* interrupt gate, DPL 0: `int N` from user faults */
		idt[v].off1 = (h >> 16) & 0xFFFF;
		idt[v].off2 = h >> 32;
	}
	/* int3 may be used by user programs (debuggers, abort paths). */
	idt[3].type = 0xEE;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(ptr));
}

static void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1 | (1 << 11)); /* SCE, NXE */
	wrmsr(MSR_STAR, ((uint64_t)0x10 << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, 0x47700); /* clear TF IF DF AC NT on entry */
	cpu0.self = &cpu0;
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

static void features_init(void)
{
	uint32_t a, b, c, d;
	cpuid(7, 0, &a, &b, &c, &d);
	uint64_t cr4 = read_cr4();
	cr4 |= (1 << 9) | (1 << 10); /* OSFXSR, OSXMMEXCPT */
	if (b & (1 << 7))
		cr4 |= 1 << 20; /* SMEP */
	if (b & (1 << 20))
		cr4 |= 1 << 21; /* SMAP */
	else
		smap_patch_sites(); /* stac/clac would be #UD */
	if (b & 1)
		cr4 |= 1 << 16; /* FSGSBASE: harmless, glibc may probe it */
	cpuid(1, 0, &a, &b, &c, &d);
	have_rdrand = (c >> 30) & 1;
	if (c & (1 << 26)) {
		cr4 |= 1 << 18; /* OSXSAVE */
		use_xsave = true;
	}
	write_cr4(cr4);
	write_cr0((read_cr0() & ~(1UL << 2 | 1UL << 3)) | (1UL << 1) | (1UL << 5)); /* no EM/TS; MP, NE */
	if (use_xsave) {
		cpuid(0xD, 0, &a, &b, &c, &d);
		xcr0 = ((uint64_t)d << 32 | a) & 0x7; /* x87, SSE, AVX */
		__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)));
		cpuid(0xD, 0, &a, &b, &c, &d);
		arch_fpu_size = b;
	}
	fw_info("cpu: smep=%d smap=%d xsave=%d fpu area %u bytes", !!(cr4 & (1 << 20)), !!(cr4 & (1 << 21)),
		use_xsave, arch_fpu_size);
}

/* The area afterwards holds an image xrstor accepts (arch_fpu_image_ok),
 * whatever it held before. xsave writes XSTATE_BV's bits of XCR0 and the
 * components, never XCOMP_BV, the header's reserved words or XSTATE_BV's
 * bits outside XCR0, and xrstor #GPs on any of those nonzero: a save
 * over an area that held user bytes (fw_fpu_load_from_user's refused
 * image or a copy that faulted after the header) kept them, and the next
 * switch-in's xrstor faulted in the kernel (attack round 7). So the header
 * is cleared first; the legacy region's bytes xsave skips are ones
 * xrstor ignores (MXCSR is always written: XCR0 has SSE). */
void arch_fpu_save(void *area)
{
	if (use_xsave)
		/* SAFETY: area holds arch_fpu_size > 512 bytes under xsave; the
		 * header is bytes 512..575. */
		memset((uint8_t *)area + 512, 0, 64);
	if (use_xsave)
		__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void arch_fpu_restore(const void *area)
{
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

/* An image xrstor/fxrstor would #GP on must never reach it. */
bool arch_fpu_image_ok(const void *area)
{
	const uint8_t *img = area;
	/* SAFETY: img holds arch_fpu_size bytes (>= 512; the XSAVE header at
	 * 512..575 exists when the size is larger). */
	uint32_t mxcsr = *(const uint32_t *)(img + 24);
	if (mxcsr & 0xFFFF0000)
		return false;
	if (arch_fpu_size > 512) {
		const uint64_t *hdr = (const uint64_t *)(img + 512);
		if (hdr[0] & ~xcr0 || hdr[1] != 0)
			return false;
		for (int i = 2; i < 8; i++)
			if (hdr[i])
				return false;
	}
	return true;
}

/* A hardware random number, if the CPU has one (RDRAND). */
bool arch_random64(uint64_t *v)
{
	if (!have_rdrand)
		return false;
	for (int i = 0; i < 10; i++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

/* A clean FPU state: default control words, nothing else. */
void arch_fpu_init_area(void *area)
{
	memset(area, 0, arch_fpu_size);
	uint16_t *fcw = area;
	*fcw = 0x37F;
	/* SAFETY: area holds arch_fpu_size >= 512 bytes; MXCSR is at byte 24 of
	 * the FXSAVE/XSAVE legacy region. */
	uint32_t *mxcsr = (uint32_t *)((char *)area + 24);
	*mxcsr = 0x1F80;
}

void arch_set_kernel_stack(uint64_t top)
{
	tss.rsp[0] = top;
	cpu0.kernel_rsp = top;
}

void arch_cpu_init(void)
{
	gdt_init();
	idt_init();
	syscall_init();
	features_init();
}
