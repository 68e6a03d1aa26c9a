#!/usr/bin/env bash
# The framework without the services: build build/fw-only/keel.bin (the
# framework plus the ktests of services/ktest, mk/fwonly.mk), then
#  1. run every ktest on it (all must pass, and they must be the same tests
#     the full kernel runs: none depends on services/, except the unit
#     tests of a service subsystem, which are named svc_* and live next to
#     their code);
#  2. boot it normally: with no FW_SERVICES_MAIN linked the framework must
#     say so and power off cleanly (exit code 0), not fault on a missing
#     upcall.
set -u
cd "$(dirname "$0")/.."
. tools/qemu.sh
. tests/ktest-disks.sh
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
if ! make -s --no-print-directory fw-only >build/fw-only.make.log 2>&1; then
	bad "fw-only-link (see build/fw-only.make.log)"
	tail -5 build/fw-only.make.log
	echo "$pass passed, $((fail + 2)) failed"
	exit 1
fi
ok fw-only-link
img=build/fw-only/keel.bin
if llvm-nm-19 build/fw-only/keel.elf | grep -qE ' [TtDdRr] svc_'; then
	bad "fw-only-no-services: service symbols in the image"
else
	ok fw-only-no-services
fi
# shellcheck disable=SC2046
timeout -k 2 120 qemu-system-x86_64 $(keel_qemu_common_args) $(ktest_disk_args build/fw-only/ktest) -kernel $img \
	-append "keel.mode=ktest" \
	-serial stdio -serial file:build/fw-only-ktest.log -monitor none </dev/null 2>/dev/null |
	tr -d '\r' >build/fw-only-ktest.out
res=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' build/fw-only-ktest.out | tail -n1)
want=$(grep -cE '^(PASS|FAIL) ' build/ktest.out 2>/dev/null || echo 0)
if [ -n "$res" ] && [ "$(echo "$res" | awk '{print $3}')" = 0 ]; then
	ok "fw-only-ktests ($res)"
else
	bad "fw-only-ktests: ${res:-no result line}"
	grep FAIL build/fw-only-ktest.out
fi
# The same test list as the full kernel's last ktest run, when there is one,
# except tests of service logic that live with the services they test
# (outside framework/ and services/ktest/, e.g. services/drivers/virtio_blk/).
if [ -f build/ktest.out ] && [ "$want" -gt 0 ]; then
	full=$(grep -E '^(PASS|FAIL) ' build/ktest.out | awk '{print $2}' | grep -v '^svc_' | sort)
	fwo=$(grep -E '^(PASS|FAIL) ' build/fw-only-ktest.out | awk '{print $2}' | sort)
	missing=$(comm -23 <(echo "$full") <(echo "$fwo"))
	extra=$(comm -13 <(echo "$full") <(echo "$fwo"))
	misplaced=""
	for k in $missing; do
		grep -rqE "FW_KTEST\($k\)" framework services/ktest && misplaced="$misplaced $k"
	done
	if [ -z "$misplaced" ] && [ -z "$extra" ]; then
		ok fw-only-same-ktests
	else
		bad "fw-only-same-ktests: the test lists differ from build/ktest.out:$misplaced $extra"
	fi
fi
# shellcheck disable=SC2046
timeout -k 2 60 qemu-system-x86_64 $(keel_qemu_common_args) -kernel $img -append "keel.mode=run" \
	-serial null -serial file:build/fw-only-run.log -monitor none </dev/null >/dev/null 2>&1
st=$?
# isa-debug-exit reports (code << 1) | 1: power off with code 0 is 1.
if [ "$st" = 1 ] && grep -q "no services linked" build/fw-only-run.log; then
	ok fw-only-boot-powers-off
else
	bad "fw-only-boot-powers-off: qemu status $st"
	tail -5 build/fw-only-run.log
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
