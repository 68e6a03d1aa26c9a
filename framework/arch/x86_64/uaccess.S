/* User-memory copy primitive. Layer: framework/arch (trusted).
 * long uaccess_copy(void *dst, const void *src, size_t n): 0 or -EFAULT.
 * The only instructions allowed to fault on user memory are uaccess_insn
 * (quadwords) and uaccess_insn_tail (the last 0-7 bytes); the page-fault
 * handler resumes at uaccess_fault when it cannot resolve the fault. A
 * resolved fault restarts the faulting string instruction where it
 * stopped (rcx, rsi, rdi hold its progress). SMAP is lifted (stac) only
 * around them. */
  .text
  .global uaccess_copy, uaccess_insn, uaccess_insn_tail, uaccess_fault
uaccess_copy:
  mov %rdx, %rcx
  shr $3, %rcx
  and $7, %edx
  stac
uaccess_insn:
  rep movsq
  mov %rdx, %rcx
uaccess_insn_tail:
  rep movsb
  clac
  xor %eax, %eax
  ret
uaccess_fault:
  clac
  mov $-14, %rax
  ret
