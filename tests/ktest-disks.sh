#!/usr/bin/env bash
# Source it: ktest_disk_args PREFIX prints the QEMU arguments of the two
# scratch disks the device ktests expect (framework/ktest/tests_dev.c,
# services/ktest/dev.c, services/drivers/virtio_blk/virtio_blk_ktest.c), made fresh as
# PREFIX-disk0.img and PREFIX-disk1.img: disk 0 starts with "KEELDISK",
# disk 1 has MSI-X turned off (vectors=0) so it interrupts through INTx.
# A virtio-balloon device follows: services/ktest/dev_attack.c shows the
# framework keeps device types whose requests carry guest addresses away
# from memory.
# Needs tools/qemu.sh. Layer: test harness.
ktest_disk_args() {
	local p=$1 plat=""
	keel_qemu_iommu && plat=",iommu_platform=on"
	rm -f "$p-disk0.img" "$p-disk1.img"
	{ printf 'KEELDISK'; head -c $((1048576 - 8)) /dev/zero; } > "$p-disk0.img"
	head -c 1048576 /dev/zero > "$p-disk1.img"
	echo "-drive file=$p-disk0.img,format=raw,if=none,id=kd0" \
		"-device virtio-blk-pci,drive=kd0,disable-legacy=on$plat" \
		"-drive file=$p-disk1.img,format=raw,if=none,id=kd1" \
		"-device virtio-blk-pci,drive=kd1,disable-legacy=on,vectors=0$plat" \
		"-device virtio-balloon-pci,disable-legacy=on$plat"
}
