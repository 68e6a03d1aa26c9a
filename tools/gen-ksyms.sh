#!/bin/sh
# Generate the kernel symbol table (assembly) from a linked kernel image.
# Usage: gen-ksyms.sh [kernel.elf] > ksyms.S   (no argument: an empty table)
set -e
echo '  .section .ksyms, "a"'
echo '  .balign 8'
if [ -z "$1" ]; then
	printf '  .global ksym_count, ksym_addrs, ksym_name_off, ksym_names\nksym_count: .quad 0\nksym_addrs:\nksym_name_off:\nksym_names: .byte 0\n'
	exit 0
fi
syms=$(llvm-nm-19 -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ && $1 ~ /^ffffffff8/ {print $1, $3}')
n=$(printf '%s\n' "$syms" | grep -c . || true)
echo '  .global ksym_count, ksym_addrs, ksym_name_off, ksym_names'
echo "ksym_count: .quad $n"
echo 'ksym_addrs:'
printf '%s\n' "$syms" | awk '{print "  .quad 0x" $1}'
echo 'ksym_name_off:'
printf '%s\n' "$syms" | awk 'BEGIN{o=0} {print "  .long " o; o += length($2) + 1}'
echo 'ksym_names:'
printf '%s\n' "$syms" | awk '{print "  .asciz \"" $2 "\""}'
