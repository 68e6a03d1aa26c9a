#!/usr/bin/env bash
# tools/bench/smoke.sh - the `make test` check for `keel bench`.
#
# Layer: host tooling.  Runs `./keel bench --runs 1 --filter null` (through
# ./keel when it dispatches `bench`, else bench.sh directly) and passes when
# the table has a `null` row and Linux's figure in it is a number (Keel's may
# be n/a: benchmarks are not pass/fail tests).  Prints `1 passed, 0 failed`
# or `0 passed, 1 failed`.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1

out=$(mktemp)
trap 'rm -f "$out"' EXIT
if [ -x ./keel ] && ./keel bench --help >/dev/null 2>&1; then
	cmd=(./keel bench)
else
	cmd=(bash tools/bench/bench.sh)
fi
"${cmd[@]}" --runs 1 --filter null >"$out" 2>&1
st=$?
cat "$out"

ok=1
[ $st = 0 ] || { echo "smoke: keel bench exited with status $st"; ok=0; }
# the row: "null ns/op lower KEEL SPREAD LINUX SPREAD RATIO COST"
row=$(awk '$1 == "null" && $2 == "ns/op"' "$out")
if [ -z "$row" ]; then
	echo "smoke: no 'null' row in the table"; ok=0
elif ! awk '{ exit !($6 ~ /^[0-9.]+$/) }' <<<"$row"; then
	echo "smoke: no Linux figure in the 'null' row: $row"; ok=0
fi

if [ $ok = 1 ]; then
	echo "1 passed, 0 failed"
	exit 0
fi
echo "0 passed, 1 failed"
exit 1
