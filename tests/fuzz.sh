#!/usr/bin/env bash
# Robustness: user input never crashes the kernel. Runs user/fuzz's syscall
# fuzzer on Keel with fixed seeds (reproducible); each run must end with
# the fuzzer's own success line and exit status 0, and the kernel log must
# show no panic.
set -u
cd "$(dirname "$0")/.."
export KEEL_NO_BUILD=1
mkdir -p build/user/fuzz
musl-gcc -static -O1 -o build/user/fuzz/syscall_fuzz user/fuzz/syscall_fuzz.c || { echo "0 passed, 1 failed"; exit 1; }
pass=0
fail=0
for seed in 1 2 3; do
	log=build/fuzz-$seed.log
	out=$(KEEL_LOG=$log ./keel exec --timeout 300 --file build/user/fuzz/syscall_fuzz syscall_fuzz 300 $seed 2>&1)
	st=$?
	if [ $st = 0 ] && grep -q "kernel survived 300 rounds" <<<"$out" && ! grep -q PANIC "$log"; then
		echo "PASS fuzz seed $seed: $out"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz seed $seed (status $st): $out"
		grep -A12 PANIC "$log" | head -20
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
