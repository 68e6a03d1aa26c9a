#!/usr/bin/env bash
# The QEMU configuration shared by `keel run`, `keel exec`, the tests and
# `keel bench` (Keel and Linux must see the same virtual machine).
# Source it; set KEEL_SMP, KEEL_MEM, KEEL_ACCEL to override. KEEL_ICOUNT
# (e.g. shift=2) adds `-icount KEEL_ICOUNT` under TCG: guest time then
# counts instructions (2^shift ns each), so `keel bench` figures do not
# depend on the host's load — for comparing two builds, not with Linux.

# TCG unless the CPU really has hardware virtualization (on these machines
# /dev/kvm exists but is a slow software backend) or the user asks.
keel_qemu_accel() {
	if [ -n "${KEEL_ACCEL:-}" ]; then echo "$KEEL_ACCEL"; return; fi
	if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null; then echo kvm; else echo tcg; fi
}

keel_qemu_common_args() {
	local accel
	accel=$(keel_qemu_accel)
	local cpu=max
	[ "$accel" = kvm ] && cpu=host
	local icount=""
	[ -n "${KEEL_ICOUNT:-}" ] && [ "$accel" = tcg ] && icount="-icount $KEEL_ICOUNT"
	echo "-accel $accel $icount -cpu $cpu -m ${KEEL_MEM:-512M} -smp ${KEEL_SMP:-1} -display none -no-reboot" \
		"-device isa-debug-exit,iobase=0xf4,iosize=4"
}
