#!/usr/bin/env bash
# Run every test suite; exit non-zero if any fails. Each suite prints its
# own closing "N passed, N failed" line; this script sums them up.
set -u
cd "$(dirname "$0")/.."
export KEEL_NO_BUILD=1
fail=0
make -s --no-print-directory -f tests/diff/build.mk -j"$(nproc)" diff-tests >/dev/null || { echo "building test programs failed"; exit 1; }
total_pass=0
total_fail=0
suite() {
	local name=$1
	shift
	echo "=== $name"
	local out
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "suite $name printed no result line"
		total_fail=$((total_fail + 1))
		fail=1
		return
	fi
	local p f
	p=$(echo "$line" | awk '{print $1}')
	f=$(echo "$line" | awk '{print $3}')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$rc" = 0 ] && [ "$f" = 0 ] || fail=1
}
suite safecheck make -s --no-print-directory safecheck-test
suite ktest bash tests/ktest.sh
suite fw-only bash tests/fw-only.sh
suite borrow bash tests/borrow.sh
suite boot bash tests/boot.sh
suite disk bash tests/disk.sh
suite import-wall bash tests/import-wall.sh
suite bounds-kept bash tests/bounds-kept.sh
suite layering bash tests/layering.sh
suite ext2 bash tests/ext2.sh
suite docs bash tests/docs.sh
suite interactive bash tests/interactive.sh
suite shell bash tests/shell/run.sh
suite limits bash tests/limits.sh
suite clock-steer bash tests/clock-steer.sh
suite fuzz bash tests/fuzz.sh
suite attack7 bash tests/attack7.sh
suite diff bash tests/diff/run.sh -j "$(nproc)"
suite debian bash tests/debian/run.sh
suite net bash tests/net.sh
[ -f tools/bench/smoke.sh ] && suite bench-smoke bash tools/bench/smoke.sh
echo "=== all suites"
echo "$total_pass passed, $total_fail failed"
exit $fail
