#!/usr/bin/env bash
# tests/debian/run.sh — Debian's own programs on Keel: builds the Debian root
# (tools/rootfs.sh: Debian's archive only, cached under build/debian), runs
# tests/debian/check.sh in it on Keel and on the host's Linux (chroot into
# the same tree, so the same binaries), and compares the outputs line by
# line: every section must match. Ends with "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
pass=0 fail=0
res=$(mktemp -d "${TMPDIR:-/tmp}/keel-debian.XXXXXX")
trap 'rm -rf "$res"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

if ! cpio=$(bash tools/rootfs.sh 2>"$res/rootfs.err"); then
	cat "$res/rootfs.err"
	echo "FAIL building the Debian root"
	echo "0 passed, 1 failed"
	exit 1
fi
tree=build/debian/root

# Linux: the same tree, chrooted in a private mount namespace with the
# host's /dev and a /proc (as root; else in a user namespace as well).
cp tests/debian/check.sh "$tree/check.sh"
inner='mount --rbind /dev "$1/dev" && mount -t proc proc "$1/proc" && exec chroot "$1" /bin/bash /check.sh'
if [ "$(id -u)" = 0 ]; then
	unshare --mount --propagation private sh -c "$inner" sh "$tree" >"$res/host" 2>&1
else
	unshare -r --mount --propagation private sh -c "$inner" sh "$tree" >"$res/host" 2>&1
fi
echo "host status $?" >>"$res/host"
rm -f "$tree/check.sh"

KEEL_NO_BUILD=${KEEL_NO_BUILD:-} ./keel exec --timeout 180 --rootfs-initramfs \
	--file tests/debian/check.sh:/check.sh /bin/bash /check.sh >"$res/keel" 2>&1
echo "host status $?" >>"$res/keel"

# One result per section (and the final status line).
split() { awk -v dir="$1" '/^== /{ n++ } { print > (dir "/" sprintf("%02d", n)) }' "$2"; }
mkdir -p "$res/h" "$res/k"
split "$res/h" "$res/host"
split "$res/k" "$res/keel"
for f in "$res"/h/*; do
	s=$(basename "$f")
	title=$(head -n 1 "$f")
	if cmp -s "$f" "$res/k/$s"; then
		echo "PASS $title"
		pass=$((pass + 1))
	else
		echo "FAIL $title"
		diff -u --label linux --label keel "$f" "$res/k/$s" | tail -n +3 | head -n 20 | sed 's/^/  /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
