#!/usr/bin/env bash
# adjtimex steering (Keel only: a test cannot move the host's clock):
# user/keelonly/clock_steer.c steps CLOCK_REALTIME with ADJ_SETOFFSET and
# slews it with ADJ_FREQUENCY and adjtime's single shot, measuring the
# rate against CLOCK_MONOTONIC. Pass: every line as expected.
set -u
cd "$(dirname "$0")/.."
export KEEL_NO_BUILD=1
mkdir -p build/user/keelonly
musl-gcc -static -O1 -Wall -o build/user/keelonly/clock_steer user/keelonly/clock_steer.c || { echo "0 passed, 1 failed"; exit 1; }
out=$(./keel exec --timeout 120 --file build/user/keelonly/clock_steer clock_steer 2>/dev/null)
pass=0
fail=0
for want in "setoffset: stepped" "setoffset back: stepped" "freq \+400 ppm: slewed" "freq -300 ppm: slewed" \
	"adjtime \+300 ms: slewed" "adjtime cancelled, some left"; do
	if grep -qxE "$want" <<<"$out"; then
		echo "PASS clock-steer $want"
		pass=$((pass + 1))
	else
		echo "FAIL clock-steer $want"
		fail=$((fail + 1))
	fi
done
[ $fail = 0 ] || sed 's/^/  /' <<<"$out"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
