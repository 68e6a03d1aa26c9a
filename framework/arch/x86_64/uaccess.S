/* User-memory copy primitive. Layer: framework/arch (trusted).
 * long uaccess_copy(void *dst, const void *src, size_t n): 0 or -EFAULT.
 * The only instruction allowed to fault on user memory is uaccess_insn; the
 * page-fault handler resumes at uaccess_fault when it cannot resolve the
 * fault. SMAP is lifted (stac) only around that instruction. */
  .text
  .global uaccess_copy, uaccess_insn, uaccess_fault
uaccess_copy:
  mov %rdx, %rcx
  stac
uaccess_insn:
  rep movsb
  clac
  xor %eax, %eax
  ret
uaccess_fault:
  clac
  mov $-14, %rax
  ret
