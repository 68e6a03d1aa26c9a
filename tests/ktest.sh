#!/usr/bin/env bash
# Boot the kernel in ktest mode: every FW_KTEST runs in the kernel and the
# runner prints PASS/FAIL lines and "N passed, N failed" on the console.
set -u
cd "$(dirname "$0")/.."
. tools/qemu.sh
log=build/ktest.log
# shellcheck disable=SC2046
timeout -k 2 120 qemu-system-x86_64 $(keel_qemu_common_args) -kernel build/keel.bin -initrd build/initramfs.cpio \
	-append "keel.mode=ktest ${KTEST_FILTER:+keel.ktest=$KTEST_FILTER}" -serial stdio -serial "file:$log" \
	-monitor none </dev/null | tr -d '\r' | tee build/ktest.out
res=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' build/ktest.out | tail -n1)
[ -n "$res" ] || { echo "ktest: no result (see $log)"; tail -20 "$log"; res="0 passed, 1 failed"; }
kp=$(echo "$res" | awk '{print $1}')
kf=$(echo "$res" | awk '{print $3}')
# The planted out-of-bounds index must panic naming its source line.
# shellcheck disable=SC2046
timeout -k 2 60 qemu-system-x86_64 $(keel_qemu_common_args) -kernel build/keel.bin -initrd build/initramfs.cpio \
	-append "keel.mode=ktest keel.ktest=panic_oob" -serial stdio -serial file:build/ktest-oob.log \
	-monitor none </dev/null >/dev/null 2>&1
line=$(grep -n 'return b->slot\[i\]' services/ktest/bounds.c | cut -d: -f1)
if grep -q "index 5 out of bounds at services/ktest/bounds.c:$line" build/ktest-oob.log; then
	echo "PASS panic_oob (trapped at services/ktest/bounds.c:$line)"
	kp=$((kp + 1))
else
	echo "FAIL panic_oob: no bounds panic naming services/ktest/bounds.c:$line"
	tail -5 build/ktest-oob.log
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
