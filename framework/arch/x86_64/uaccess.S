/* User-memory copy primitive. Layer: framework/arch (trusted).
 * long uaccess_copy(void *dst, const void *src, size_t n): 0 or -EFAULT.
 * The only instructions allowed to fault on user memory are uaccess_insn
 * (quadwords) and uaccess_insn_tail (the last 0-7 bytes); the page-fault
 * handler resumes at uaccess_fault when it cannot resolve the fault. A
 * resolved fault restarts the faulting string instruction where it
 * stopped (rcx, rsi, rdi hold its progress). SMAP is lifted (stac) only
 * for [uaccess_insn, uaccess_end]: every kernel entry clears AC (clac in
 * trap_common, FMASK for syscall) so the fault resolver and interrupt
 * handlers run with SMAP on, and the trap return puts AC back only for a
 * frame interrupted inside that window (trap.c, kernel_trap_return), so
 * the copy continues with AC set after the resolver. */
#include "arch/x86_64/smap.h"
#include <abi/errno.h>
  .text
  .global uaccess_copy, uaccess_insn, uaccess_insn_tail, uaccess_end, uaccess_fault
uaccess_copy:
  mov %rdx, %rcx
  shr $3, %rcx
  and $7, %edx
  SMAP_SITE stac
uaccess_insn:
  rep movsq
  mov %rdx, %rcx
uaccess_insn_tail:
  rep movsb
uaccess_end:
  SMAP_SITE clac
  xor %eax, %eax
  ret
uaccess_fault:
  SMAP_SITE clac
  mov $-EFAULT, %rax
  ret
