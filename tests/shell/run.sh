#!/usr/bin/env bash
# tests/shell/run.sh — busybox shell-script differential tests: every
# tests/shell/*.sh (but this file) runs as `busybox sh SCRIPT` with the same
# Debian busybox-static binary on the host and on Keel (cwd /, stdin
# /dev/null); stdout+stderr and the exit status must be identical.
# Prints "N passed, N failed". Layer: test harness.
set -u
cd "$(dirname "$0")/../.."
BUSYBOX=${BUSYBOX:-/bin/busybox}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in tests/shell/*.sh; do
	name=$(basename "$s" .sh)
	[ "$name" = run ] && continue
	[ $# -gt 0 ] && [[ " $* " != *" $name "* ]] && continue
	(cd / && "$BUSYBOX" sh "$OLDPWD/$s" </dev/null >"$tmp/$name.host" 2>&1; echo "status $?" >>"$tmp/$name.host")
	KEEL_NO_BUILD=1 KEEL_LOG="$tmp/$name.log" ./keel exec --timeout 120 --file "$s:/tmp/keel-shell-test.sh" \
		/bin/busybox sh /tmp/keel-shell-test.sh >"$tmp/$name.keel" 2>&1
	echo "status $?" >>"$tmp/$name.keel"
	if cmp -s "$tmp/$name.host" "$tmp/$name.keel"; then
		echo "PASS shell/$name"
		pass=$((pass + 1))
	else
		echo "FAIL shell/$name"
		diff "$tmp/$name.host" "$tmp/$name.keel" | head -20
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
