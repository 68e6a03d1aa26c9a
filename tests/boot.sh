#!/usr/bin/env bash
# Boot-path tests: the kernel-level behaviours issue 2 names, checked
# through `keel exec` (stdout and exit status), plus the GRUB ISO boot.
set -u
cd "$(dirname "$0")/.."
export KEEL_NO_BUILD=1
pass=0
fail=0
check() { # name expected-status expected-stdout cmd...
	local name=$1 want_st=$2 want_out=$3
	shift 3
	local out st
	out=$("$@" 2>/dev/null)
	st=$?
	if [ "$st" = "$want_st" ] && [ "$out" = "$want_out" ]; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name: status $st (want $want_st), output '$out' (want '$want_out')"
		fail=$((fail + 1))
	fi
}
check busybox-echo 0 hi ./keel exec /bin/busybox echo hi
check applet-in-path 0 "a b" ./keel exec echo a b
check exit-status 3 "" ./keel exec sh -c 'exit 3'
check no-such-program 127 "" ./keel exec /bin/nonexistent
if [ -f build/user/tests/sys_errors.musl ]; then
	check null-deref 139 "" ./keel exec --file build/user/tests/sys_errors.musl sys_errors.musl segv
fi
# --timeout: status 124, and nothing on stdout or stderr (QEMU's own
# "terminating on signal 15" line is not the program's output).
both=$(./keel exec --timeout 3 sh -c 'while :; do sleep 1; done' 2>&1)
st=$?
if [ "$st" = 124 ] && [ -z "$both" ]; then
	echo "PASS timeout-silent"
	pass=$((pass + 1))
else
	echo "FAIL timeout-silent: status $st (want 124), output '$both' (want none)"
	fail=$((fail + 1))
fi
# Boot from the GRUB multiboot2 ISO: the same kernel reaches user space.
if bash tools/mkiso.sh >/dev/null 2>&1; then
	. tools/qemu.sh
	out=$(timeout 60 qemu-system-x86_64 $(keel_qemu_common_args) -cdrom build/keel.iso -serial stdio \
		-serial file:build/iso.log -monitor none </dev/null 2>/dev/null | tr -d '\r')
	if grep -q "keel-iso-ok" <<<"$out"; then
		echo "PASS grub-iso-boot"
		pass=$((pass + 1))
	else
		echo "FAIL grub-iso-boot: $(tail -3 build/iso.log)"
		fail=$((fail + 1))
	fi
else
	echo "FAIL grub-iso-boot: make iso failed"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
