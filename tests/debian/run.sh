#!/usr/bin/env bash
# tests/debian/run.sh — Debian's own programs on Keel: builds the Debian root
# (tools/rootfs.sh: Debian's archive only, cached under build/debian), runs
# tests/debian/check.sh in it on Keel and on the host's Linux (chroot into
# the same tree, so the same binaries), and compares the outputs line by
# line: every section must match. Then the tree as an ext2 disk image
# booted as / (keel exec --root): the same sections must match, and
# e2fsck -fn must be clean afterwards. Ends with "N passed, N failed".
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

# The same tree as an ext2 root disk (keel exec --root, made by Debian's
# mke2fs): Debian's programs and libraries come from the disk through the
# page cache, /tmp is on ext2; then e2fsck -fn on the host.
img=$res/root.img
truncate -s 400M "$img"
mke2fs -q -t ext2 -b 4096 -d "$tree" "$img" >"$res/mke2fs" 2>&1 || echo "mke2fs failed" >>"$res/mke2fs"
rm -f "$tree/check.sh"
KEEL_NO_BUILD=${KEEL_NO_BUILD:-} ./keel exec --timeout 180 --root "$img" /bin/bash /check.sh >"$res/keel-ext2" 2>&1
echo "host status $?" >>"$res/keel-ext2"

# Issue 12: a database the sqlite3 shell made on the ext2 root is intact
# after a reboot (a second boot of the same image reads it back).
mkdb="mkdir -p /srv && sqlite3 /srv/keep.db \"create table t (i integer, s text);
 with recursive c(x) as (select 1 union all select x + 1 from c where x < 5000)
 insert into t select x, printf('%08d', x * 7919 % 100003) from c;\" &&
 sqlite3 /srv/keep.db 'select count(*), sum(i), max(s), min(s) from t;'"
KEEL_NO_BUILD=1 ./keel exec --timeout 120 --root "$img" /bin/bash -c "$mkdb" >"$res/db1" 2>&1
KEEL_NO_BUILD=1 ./keel exec --timeout 120 --root "$img" /bin/bash -c \
	"sqlite3 /srv/keep.db 'pragma integrity_check;' 'select count(*), sum(i), max(s), min(s) from t;'" >"$res/db2" 2>&1

KEEL_NO_BUILD=${KEEL_NO_BUILD:-} ./keel exec --timeout 180 --rootfs-initramfs \
	--file tests/debian/check.sh:/check.sh /bin/bash /check.sh >"$res/keel" 2>&1
echo "host status $?" >>"$res/keel"

# One result per section (and the final status line).
split() { awk -v dir="$1" '/^== /{ n++ } { print > (dir "/" sprintf("%02d", n)) }' "$2"; }
mkdir -p "$res/h" "$res/k" "$res/e"
split "$res/h" "$res/host"
split "$res/k" "$res/keel"
split "$res/e" "$res/keel-ext2"
compare() { # dir label
	for f in "$res"/h/*; do
		s=$(basename "$f")
		title=$(head -n 1 "$f")
		if cmp -s "$f" "$res/$1/$s"; then
			echo "PASS $2$title"
			pass=$((pass + 1))
		else
			echo "FAIL $2$title"
			diff -u --label linux --label keel "$f" "$res/$1/$s" | tail -n +3 | head -n 20 | sed 's/^/  /'
			fail=$((fail + 1))
		fi
	done
}
compare k ""
compare e "ext2 root: "
if [ "$(cat "$res/db1")" = "5000|12502500|00099984|00000017" ] &&
	[ "$(cat "$res/db2")" = "$(printf 'ok\n5000|12502500|00099984|00000017')" ]; then
	echo "PASS ext2 root: a sqlite3 database made in one boot is intact in the next"
	pass=$((pass + 1))
else
	echo "FAIL ext2 root: sqlite3 database across a reboot"
	sed 's/^/  first: /' "$res/db1"; sed 's/^/  second: /' "$res/db2"
	fail=$((fail + 1))
fi
if e2fsck -fn "$img" >"$res/fsck" 2>&1; then
	echo "PASS ext2 root: e2fsck -fn clean after the run"
	pass=$((pass + 1))
else
	echo "FAIL ext2 root: e2fsck -fn"
	cat "$res/mke2fs"
	head -n 12 "$res/fsck" | sed 's/^/  /'
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
