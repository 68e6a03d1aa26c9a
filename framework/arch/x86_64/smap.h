/* SMAP instruction sites. Layer: framework/arch (trusted, internal).
 * stac/clac are #UD on a CPU without SMAP, so every one is emitted through
 * these macros, which record its address in the .smap_sites section; at
 * boot arch_cpu_init rewrites each recorded site into a 3-byte NOP when the
 * CPU has no SMAP (smap_patch_sites, cpu.c). Both instructions are 3 bytes
 * (0f 01 cb / 0f 01 ca). Usable from C and from assembly. */
#ifndef ARCH_X86_64_SMAP_H
#define ARCH_X86_64_SMAP_H

#ifdef __ASSEMBLER__
.macro SMAP_SITE insn
771: \insn
  .pushsection .smap_sites, "a"
  .balign 8
  .quad 771b
  .popsection
.endm
#else
#define SMAP_SITE_ASM(insn) "771: " insn "\n.pushsection .smap_sites, \"a\"\n.balign 8\n.quad 771b\n.popsection\n"
static inline void stac(void) { __asm__ volatile(SMAP_SITE_ASM("stac") ::: "memory", "cc"); }
static inline void clac(void) { __asm__ volatile(SMAP_SITE_ASM("clac") ::: "memory", "cc"); }
#define RFLAGS_AC (1UL << 18)
void smap_patch_sites(void);
#endif

#endif
