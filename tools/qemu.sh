#!/usr/bin/env bash
# The QEMU configuration shared by `keel run`, `keel exec`, the tests and
# `keel bench` (Keel and Linux must see the same virtual machine).
# Source it; set KEEL_SMP, KEEL_MEM, KEEL_ACCEL to override, KEEL_MACHINE=pc
# for the older i440FX machine (no ECAM, no IOMMU) and KEEL_IOMMU=0 to
# leave out the VT-d unit on q35. KEEL_ICOUNT (e.g. shift=2) adds
# `-icount KEEL_ICOUNT` under TCG: guest time then counts instructions
# (2^shift ns each), so `keel bench` figures do not depend on the host's
# load. They compare the guest instructions each kernel executes per
# operation (two Keel builds, or Keel and Linux under the same setting),
# not TCG's wall-clock cost (docs/performance.md).

# TCG unless the CPU really has hardware virtualization (on these machines
# /dev/kvm exists but is a slow software backend) or the user asks.
keel_qemu_accel() {
	if [ -n "${KEEL_ACCEL:-}" ]; then echo "$KEEL_ACCEL"; return; fi
	if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null; then echo kvm; else echo tcg; fi
}

keel_qemu_machine() { echo "${KEEL_MACHINE:-q35}"; }

# Is there an IOMMU (intel-iommu needs q35)?
keel_qemu_iommu() {
	[ "$(keel_qemu_machine)" = q35 ] && [ "${KEEL_IOMMU:-1}" != 0 ]
}

keel_qemu_common_args() {
	local accel
	accel=$(keel_qemu_accel)
	local cpu=max
	[ "$accel" = kvm ] && cpu=host
	local icount=""
	[ -n "${KEEL_ICOUNT:-}" ] && [ "$accel" = tcg ] && icount="-icount $KEEL_ICOUNT"
	echo "-machine $(keel_qemu_machine) -accel $accel $icount -cpu $cpu -m ${KEEL_MEM:-512M} -smp ${KEEL_SMP:-1}" \
		"-display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4"
	keel_qemu_iommu && echo "-device intel-iommu"
	return 0
}

# QEMU arguments attaching each image as the next virtio-blk disk (vda, vdb,
# ... in this order: QEMU gives them increasing PCI slots, Keel names them
# in PCI order). An image name ending in ":ro" is attached read-only.
# Modern virtio only (no legacy I/O BAR); behind the IOMMU when there is one.
keel_qemu_disk_args() {
	local i=0 img ro
	local plat=""
	keel_qemu_iommu && plat=",iommu_platform=on"
	for img in "$@"; do
		ro=""
		case $img in *:ro) img=${img%:ro}; ro=",readonly=on" ;; esac
		printf -- '-drive file=%s,format=raw,if=none,id=vd%d,cache=writeback%s ' "$img" "$i" "$ro"
		printf -- '-device virtio-blk-pci,drive=vd%d,disable-legacy=on%s ' "$i" "$plat"
		i=$((i + 1))
	done
}

# QEMU arguments for the guest's network: a virtio-net NIC on QEMU's user
# networking (the guest is 10.0.2.15, the host's loopback is 10.0.2.2; the
# guest configures itself, no DHCP; no DNS server is configured in the
# guest), and each HOST:GUEST pair forwards the host's 127.0.0.1:HOST to
# the guest's TCP port GUEST. Nothing when networking is off ("none").
keel_qemu_net_args() {
	[ "${1:-}" = none ] && return 0
	local fwd="" pair
	for pair in "$@"; do
		fwd="$fwd,hostfwd=tcp:127.0.0.1:${pair%%:*}-:${pair#*:}"
	done
	local plat=""
	keel_qemu_iommu && plat=",iommu_platform=on"
	printf -- '-netdev user,id=net0,ipv6=off%s -device virtio-net-pci,netdev=net0,disable-legacy=on%s ' "$fwd" "$plat"
}
