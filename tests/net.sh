#!/usr/bin/env bash
# Network checks on Keel alone (what cannot be compared with the host's
# Linux byte for byte): busybox's wget, httpd, nc, ping, ip, ifconfig and
# netstat over loopback (user/net/busybox-net.sh). Each check is a line
# "name: ok" from the guest. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
export KEEL_NO_BUILD=1
pass=0
fail=0
out=$(./keel exec --timeout 120 --file user/net/busybox-net.sh:/bin/busybox-net.sh sh /bin/busybox-net.sh 2>&1)
st=$?
while IFS= read -r line; do
	case "$line" in
	*": ok") echo "PASS $line"; pass=$((pass + 1)) ;;
	*": FAILED"*) echo "FAIL $line"; fail=$((fail + 1)) ;;
	esac
done <<<"$out"
if [ "$st" != 0 ] || [ $((pass + fail)) -lt 14 ]; then
	echo "FAIL busybox-net: status $st, $((pass + fail)) checks reported"
	sed 's/^/  | /' <<<"$out" | tail -20
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
