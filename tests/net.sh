#!/usr/bin/env bash
# Network checks on Keel alone (what cannot be compared with the host's
# Linux byte for byte): busybox's wget, httpd, nc, ping, ip, ifconfig and
# netstat over loopback (user/net/busybox-net.sh; each check a line
# "name: ok" from the guest), and the robustness programs in user/net/
# (netfuzz: mutated frames injected through a packet socket on lo, and
# through QEMU's socket backend into a NIC; sockfuzz: random socket calls
# with hostile arguments on every socket kind; lodown: data and FINs sent
# while lo is down arrive once it is up; synflood: a
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
	out=$(./keel exec --timeout 180 ${EXEC_OPTS:-} --file "build/user/net/$name:/bin/$name" "$name" "$@" 2>/dev/null)
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
# Random socket calls on every socket kind; it reconfigures lo as root and
# so runs only with lo alone.
EXEC_OPTS=--no-net prog sockfuzz 400 1
EXEC_OPTS=--no-net prog sockfuzz 400 2
EXEC_OPTS=--no-net prog lodown

# Both ways with the host (QEMU user networking, host loopback only): a
# host web server on 127.0.0.1 the guest reaches as 10.0.2.2, and the
# guest's httpd and nc the host reaches through --forward.
host_net() {
	local dir hp p2 p3 httpd_pid fifo keel_pid line got_page=0 sent_nc=0
	dir=$(mktemp -d)
	echo "from the host" >"$dir/hostfile"
	head -c 1048576 /dev/zero >"$dir/big"
	hp=$((20000 + RANDOM % 20000))
	p2=$((hp + 1))
	p3=$((hp + 2))
	busybox httpd -f -p "127.0.0.1:$hp" -h "$dir" &
	httpd_pid=$!
	fifo=$dir/out
	mkfifo "$fifo"
	./keel exec --timeout 120 --forward "$p2:80" --forward "$p3:5555" \
		--file user/net/host-net.sh:/bin/host-net.sh sh /bin/host-net.sh "$hp" >"$fifo" 2>/dev/null &
	keel_pid=$!
	while IFS= read -r line; do
		case "$line" in
		READY)
			local page=""
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				page=$(timeout 5 busybox wget -q -O - "http://127.0.0.1:$p2/" 2>/dev/null) && break
				sleep 0.5
			done
			[ "$page" = "from the guest" ] && got_page=1
			echo "hello guest" | busybox nc 127.0.0.1 "$p3" >/dev/null 2>&1 && sent_nc=1
			;;
		*": ok") echo "PASS host-net $line"; pass=$((pass + 1)) ;;
		*": FAILED"*) echo "FAIL host-net $line"; fail=$((fail + 1)) ;;
		esac
	done <"$fifo"
	wait "$keel_pid"
	kill "$httpd_pid" 2>/dev/null
	wait "$httpd_pid" 2>/dev/null
	rm -rf "$dir"
	if [ $got_page = 1 ]; then echo "PASS host-net wget-from-guest (--forward)"; pass=$((pass + 1))
	else echo "FAIL host-net wget-from-guest (--forward)"; fail=$((fail + 1)); fi
	if [ $sent_nc = 1 ]; then echo "PASS host-net nc-to-guest (--forward)"; pass=$((pass + 1))
	else echo "FAIL host-net nc-to-guest (--forward)"; fail=$((fail + 1)); fi
}
host_net

# Mutated Ethernet frames into a NIC: QEMU's socket backend hands what the
# host sends to 127.0.0.1:QP to the guest's second NIC (eth1), and the
# guest's frames to 127.0.0.1:QP+1 where the host fuzzer listens. The
# guest serves and checks its health meanwhile; after the fuzz the host
# pings eth1 (the NIC's path must still work).
nic_fuzz() {
	local qp fifo keel_pid line host_ok=0 plat=""
	. tools/qemu.sh
	keel_qemu_iommu && plat=",iommu_platform=on"
	if ! gcc -O1 -Wall -o build/user/net/netfuzz-host user/net/netfuzz.c; then
		echo "FAIL nic-fuzz: the host fuzzer does not build"; fail=$((fail + 1)); return
	fi
	qp=$((20000 + RANDOM % 20000))
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	KEEL_QEMU_EXTRA="-netdev socket,id=fz,udp=127.0.0.1:$((qp + 1)),localaddr=127.0.0.1:$qp \
		-device virtio-net-pci,netdev=fz,mac=52:54:00:fa:22:01,disable-legacy=on$plat" \
		./keel exec --timeout 120 --file build/user/net/netfuzz:/bin/netfuzz netfuzz --serve 10 >"$fifo" 2>/dev/null &
	keel_pid=$!
	local out=""
	while IFS= read -r line; do
		out="$out$line"$'\n'
		if [ "$line" = READY ]; then
			build/user/net/netfuzz-host --udp "$qp" 10000 11 >"$fifo.host" 2>&1 && host_ok=1
		fi
	done <"$fifo"
	wait "$keel_pid"
	rm -f "$fifo"
	if [ "$(printf "%s" "$out" | tail -n1)" = ok ] && [ $host_ok = 1 ]; then
		echo "PASS nic-fuzz (10000 frames through QEMU's socket backend into eth1)"
		pass=$((pass + 1))
	else
		echo "FAIL nic-fuzz"
		sed 's/^/  | guest: /' <<<"$out" | tail -10
		sed 's/^/  | host: /' "$fifo.host" | tail -5
		fail=$((fail + 1))
	fi
	rm -f "$fifo.host"
}
nic_fuzz

echo "$pass passed, $fail failed"
[ $fail = 0 ]
