#!/usr/bin/env bash
# Build build/keel.iso: GRUB (multiboot2) loading build/keel.elf and an
# initramfs whose /etc/keel-exec prints a marker, so tests can see the
# GRUB path reach user space. `make iso` calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
iso=build/iso
rm -rf "$iso"
mkdir -p "$iso/boot/grub" build/iso-extra/etc
cp build/keel.elf "$iso/boot/keel.elf"
printf '%s\0' /bin/echo keel-iso-ok > build/iso-extra/etc/keel-exec
(cd build/iso-extra && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) > build/iso-extra.cpio
cat build/initramfs.cpio build/iso-extra.cpio > "$iso/boot/initramfs.cpio"
cat > "$iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "Keel" {
	multiboot2 /boot/keel.elf keel.mode=exec
	module2 /boot/initramfs.cpio initramfs
	boot
}
CFG
grub-mkrescue -o build/keel.iso "$iso" >/dev/null 2>&1
echo build/keel.iso
