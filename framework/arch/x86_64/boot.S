/* Boot entry. Layer: framework/arch (trusted; runs before anything else).
 * Both loaders land here in 32-bit protected mode, paging off:
 *   QEMU -kernel (multiboot 1, a.out-kludge fields: it refuses ELF64), eax=0x2BADB002
 *   GRUB multiboot2 (ELF64 + entry tag),                            eax=0x36D76289
 * ebx holds the physical address of the loader's info block. We build
 * throw-away page tables (identity and higher half, 1 GiB each, 2 MiB pages),
 * enter long mode and call kmain(magic, info) in the higher half, where
 * framework/mm builds the real tables. */
#define KERNEL_VMA 0xffffffff80000000
#define MB1_FLAGS 0x00010003

  .section .multiboot, "a"
  .align 8
mb1_header:
  .long 0x1BADB002
  .long MB1_FLAGS
  .long -(0x1BADB002 + MB1_FLAGS)
  .long mb1_header            /* header_addr */
  .long __phys_start          /* load_addr */
  .long __load_end - KERNEL_VMA   /* load_end_addr */
  .long __bss_end - KERNEL_VMA    /* bss_end_addr */
  .long _start32              /* entry_addr */
  .align 8
mb2_header:
  .long 0xE85250D6
  .long 0
  .long mb2_end - mb2_header
  .long -(0xE85250D6 + (mb2_end - mb2_header))
  .align 8
  .short 3, 0                 /* entry address tag */
  .long 12
  .long _start32
  .align 8
  .short 0, 0                 /* end tag */
  .long 8
mb2_end:

  .section .boot.text, "ax"
  .code32
  .global _start32
_start32:
  cli
  mov %eax, %edi              /* magic: first argument of kmain */
  mov %ebx, %esi              /* info:  second argument */
  mov $boot_stack_top, %esp
  /* PML4[0] and PML4[511] -> PDPT; PDPT[0] and PDPT[510] -> PD (1 GiB of 2 MiB pages) */
  mov $boot_pdpt, %eax
  or $3, %eax
  mov %eax, boot_pml4
  mov %eax, boot_pml4 + 511*8
  mov $boot_pd, %eax
  or $3, %eax
  mov %eax, boot_pdpt
  mov %eax, boot_pdpt + 510*8
  xor %ecx, %ecx
1:
  mov %ecx, %eax
  shl $21, %eax
  or $0x83, %eax              /* present, writable, 2 MiB */
  mov %eax, boot_pd(,%ecx,8)
  inc %ecx
  cmp $512, %ecx
  jne 1b
  mov $boot_pml4, %eax
  mov %eax, %cr3
  mov %cr4, %eax
  or $0x20, %eax              /* PAE */
  mov %eax, %cr4
  mov $0xC0000080, %ecx       /* EFER: LME | NXE */
  rdmsr
  or $0x900, %eax
  wrmsr
  mov %cr0, %eax
  or $0x80010001, %eax        /* PG | WP | PE */
  mov %eax, %cr0
  lgdt boot_gdt_ptr
  ljmp $0x08, $long_entry

  .code64
long_entry:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  xor %ax, %ax
  mov %ax, %fs
  mov %ax, %gs
  movabs $higher_half, %rax
  jmp *%rax

  .section .boot.data, "aw"
  .align 4096
boot_pml4: .fill 512, 8, 0
boot_pdpt: .fill 512, 8, 0
boot_pd:   .fill 512, 8, 0
  .align 16
boot_gdt:
  .quad 0
  .quad 0x00AF9A000000FFFF    /* 64-bit code */
  .quad 0x00CF92000000FFFF    /* data */
boot_gdt_ptr:
  .short boot_gdt_ptr - boot_gdt - 1
  .long boot_gdt
  .align 16
  .fill 4096, 1, 0
boot_stack_top:

  .text
higher_half:
  movabs $kernel_boot_stack_top, %rsp
  xor %rbp, %rbp
  /* edi/esi still hold magic and the info address (zero-extended) */
  mov %edi, %edi
  mov %esi, %esi
  call kmain
2:
  hlt
  jmp 2b

  .bss
  .align 16
  .global kernel_boot_stack
kernel_boot_stack:
  .skip 16384
kernel_boot_stack_top:
