#!/usr/bin/env bash
# Network checks on Keel alone (what cannot be compared with the host's
# Linux byte for byte): busybox's wget, httpd, nc, ping, ip, ifconfig and
# netstat over loopback (user/net/busybox-net.sh; each check a line
# "name: ok" from the guest), and the robustness programs in user/net/
# (netfuzz: mutated frames injected through a packet socket; synflood: a
# SYN flood and 1840 connections with bounded memory; each prints
# relations and ends with "ok"). Ends with "N passed, N failed".
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
# Programs that end with "ok": name, then keel exec arguments.
mkdir -p build/user/net
make -s --no-print-directory -f tests/diff/build.mk build/user/tests/khdr/.stamp >/dev/null
prog() {
	local name=$1
	shift
	if ! musl-gcc -static -O1 -Wall -isystem build/user/tests/khdr -o "build/user/net/$name" "user/net/$name.c"; then
		echo "FAIL $name: does not build"
		fail=$((fail + 1))
		return
	fi
	local out st
	out=$(./keel exec --timeout 180 --file "build/user/net/$name:/bin/$name" "$name" "$@" 2>/dev/null)
	st=$?
	if [ "$st" = 0 ] && [ "$(tail -n1 <<<"$out")" = ok ]; then
		echo "PASS $name $*"
		pass=$((pass + 1))
	else
		echo "FAIL $name $*: status $st"
		sed 's/^/  | /' <<<"$out" | tail -20
		fail=$((fail + 1))
	fi
}
prog netfuzz 5000
prog netfuzz 5000 7
prog synflood

echo "$pass passed, $fail failed"
[ $fail = 0 ]
