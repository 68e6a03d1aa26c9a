#!/usr/bin/env bash
# Boot the kernel in ktest mode: every FW_KTEST runs in the kernel and the
# runner prints PASS/FAIL lines and "N passed, N failed" on the console.
set -u
cd "$(dirname "$0")/.."
. tools/qemu.sh
. tests/ktest-disks.sh
log=build/ktest.log
kp=0
kf=0
# run NAME FILTER: one ktest boot; adds its counts.
run() {
	local name=$1 filter=$2 out=build/ktest-$1.out
	[ "$name" = main ] && out=build/ktest.out # tests/fw-only.sh compares its list with this run's
	# shellcheck disable=SC2046
	timeout -k 2 120 qemu-system-x86_64 $(keel_qemu_common_args) $(ktest_disk_args build/ktest) -kernel build/keel.bin \
		-initrd build/initramfs.cpio -append "keel.mode=ktest ${filter:+keel.ktest=$filter}" -serial stdio \
		-serial "file:build/ktest-$name.log" -monitor none </dev/null 2>"build/ktest-$name.qemu" |
		tr -d '\r' | tee "$out"
	local res
	res=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n1)
	[ -n "$res" ] || { echo "ktest $name: no result (see build/ktest-$name.log)"; tail -20 "build/ktest-$name.log"; res="0 passed, 1 failed"; }
	kp=$((kp + $(echo "$res" | awk '{print $1}')))
	kf=$((kf + $(echo "$res" | awk '{print $3}')))
}
run main "${KTEST_FILTER:-}"
cp build/ktest-main.log "$log"
# The device tests again on q35 without an IOMMU, and on pc (configuration
# through ports, INTx through the PIIX routing).
if [ -z "${KTEST_FILTER:-}" ]; then
	KEEL_IOMMU=0 run noiommu 'dev_*'
	KEEL_MACHINE=pc run pc 'dev_*'
fi
# Tests that must stop the kernel run one per boot, by name; each must
# panic with the message that proves the hazard was caught, not a hang, a
# reset or a wrong value (docs/safety.md, hazards 1, 11 and 12).
panic_case() { # name regex-for-the-kernel-log what
	local name=$1 re=$2 what=$3 plog=build/ktest-$1.log
	# shellcheck disable=SC2046
	timeout -k 2 60 qemu-system-x86_64 $(keel_qemu_common_args) -kernel build/keel.bin \
		-initrd build/initramfs.cpio -append "keel.mode=ktest keel.ktest=$name" -serial stdio \
		-serial "file:$plog" -monitor none </dev/null >/dev/null 2>&1
	if grep -aqE "$re" "$plog"; then
		echo "PASS $name ($what)"
		kp=$((kp + 1))
	else
		echo "FAIL $name: the log has no line matching '$re'"
		tail -5 "$plog"
		kf=$((kf + 1))
	fi
}
line=$(grep -n 'return b->slot\[i\]' services/ktest/bounds.c | cut -d: -f1)
panic_case panic_oob "index 5 out of bounds at services/ktest/bounds.c:$line:" \
	"trapped at services/ktest/bounds.c:$line"
# The guard page below every kernel stack lies in 0xffffc90000000000..
panic_case panic_stack_overflow 'vector 8 \(double fault\) error 0 cr2 ffffc9' \
	"guard page hit, double fault reported"
line=$(grep -n 'return v << n' services/ktest/ub.c | cut -d: -f1)
panic_case panic_shift "KEEL PANIC: shift out of bounds \(1, 64\) at services/ktest/ub.c:$line:" \
	"trapped at services/ktest/ub.c:$line"
line=$(grep -n 'uint32_t q = rd(&zero) / d' services/ktest/ub.c | cut -d: -f1)
panic_case panic_div_zero "KEEL PANIC: division by zero \(0 / 0\) at services/ktest/ub.c:$line:" \
	"trapped before the division at services/ktest/ub.c:$line (attack round 4)"
# SMAP is on while the fault resolver runs: its direct read of the user
# page it just mapped is a protection fault (error 1: present, read, kernel).
panic_case panic_smap_in_fault_resolver 'vector 14 \(page fault\) error 1 cr2 40000000' \
	"a kernel read of user memory inside the resolver faulted"
# A CPU without SMAP: every stac/clac is patched into a NOP at boot, so
# traps and user copies still work (the ktests that fault inside a copy).
# shellcheck disable=SC2046
timeout -k 2 60 qemu-system-x86_64 $(keel_qemu_common_args) -cpu max,-smap -kernel build/keel.bin \
	-initrd build/initramfs.cpio -append "keel.mode=ktest keel.ktest=frame_from_user_pinned_across_resolver" \
	-serial stdio -serial file:build/ktest-nosmap.log -monitor none </dev/null 2>/dev/null | tr -d '\r' >build/ktest-nosmap.out
if grep -q "smap=0" build/ktest-nosmap.log && grep -q "^1 passed, 0 failed" build/ktest-nosmap.out; then
	echo "PASS no_smap_cpu (stac/clac patched out, a faulting user copy still completes)"
	kp=$((kp + 1))
else
	echo "FAIL no_smap_cpu"
	tail -5 build/ktest-nosmap.log
	kf=$((kf + 1))
fi
# A kernel fault prints the registers and a symbolized backtrace.
# shellcheck disable=SC2046
timeout -k 2 60 qemu-system-x86_64 $(keel_qemu_common_args) -kernel build/keel.bin -initrd build/initramfs.cpio \
	-append "keel.mode=ktest keel.ktest=panic_kernel_fault" -serial stdio -serial file:build/ktest-fault.log \
	-monitor none </dev/null >/dev/null 2>&1
if grep -q "KEEL PANIC: kernel page fault" build/ktest-fault.log && grep -q "cr2 ffffc90000000008" build/ktest-fault.log &&
	grep -q "<ktest_panic_kernel_fault>" build/ktest-fault.log && grep -q "ktest_run_all" build/ktest-fault.log; then
	echo "PASS panic_kernel_fault (registers and symbolized backtrace printed)"
	kp=$((kp + 1))
else
	echo "FAIL panic_kernel_fault"
	tail -12 build/ktest-fault.log
	kf=$((kf + 1))
fi
echo "$kp passed, $kf failed"
[ "$kf" = 0 ]
