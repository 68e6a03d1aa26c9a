#!/usr/bin/env bash
# Disk tests: virtio-blk disks attached with `keel exec --disk`, driven
# from inside Keel with busybox (dd, sha256sum, blockdev, mke2fs) and a
# small C program (tests/disk/blkio.c), checked on the host against the
# image files. Three boots:
#  1. no disk at all: the system boots and has no /dev/vda;
#  2. five disks at once: patterns written at aligned and unaligned
#     offsets, a host-made image read back (and refused writes: it is
#     attached read-only), block-device semantics, mke2fs (the host's
#     e2fsck must find the result clean), concurrent reads, and a disk
#     whose MSI-X is off (INTx);
#  3. disks whose flushes and one sector's reads fail (QEMU blkdebug):
#     fsync reaches the image's layer and device errors become EIO.
# Prints "N passed, N failed". Layer: test harness.
set -u
cd "$(dirname "$0")/.."
. tools/qemu.sh
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
expect() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-disk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
k() { KEEL_NO_BUILD=1 KEEL_LOG=$tmp/kernel.log timeout -k 2 150 ./keel exec --timeout 120 "$@"; }
plat=""
keel_qemu_iommu && plat=",iommu_platform=on"

# 1. No disk.
out=$(k sh -c 'ls /dev/vda 2>/dev/null; echo "rc=$?"')
expect "boots without a disk, no /dev/vda" '[ "$out" = "rc=1" ]'

# 2. Five disks.
musl-gcc -static -O2 -o "$tmp/blkio" tests/disk/blkio.c || { ko "build tests/disk/blkio.c"; echo "$pass passed, $fail failed"; exit 1; }
head -c $((4 << 20)) /dev/zero > "$tmp/w.img"
head -c $((3 << 20)) /dev/urandom > "$tmp/r.img"
head -c 1536 /dev/urandom >> "$tmp/r.img" # not a whole number of pages
head -c $(((1 << 20) + 2560)) /dev/zero > "$tmp/s.img"
head -c $((8 << 20)) /dev/zero > "$tmp/m.img"
head -c $((1 << 20)) /dev/zero > "$tmp/x.img"
head -c 65536 /dev/urandom > "$tmp/p1"
head -c $((1536 << 10)) /dev/urandom > "$tmp/p2"
head -c 777 /dev/urandom > "$tmp/p3"
cat > "$tmp/guest.sh" <<'EOF'
q() { "$@" 2>/dev/null; }
# patterns into vda
q dd if=/bin/p1 of=/dev/vda bs=4096 seek=10 conv=notrunc
q dd if=/bin/p2 of=/dev/vda bs=1M seek=1 conv=notrunc
q dd if=/bin/p3 of=/dev/vda bs=1 seek=1000 conv=notrunc
q dd if=/bin/p3 of=/dev/vda bs=777 seek=5000 conv=notrunc,fsync
echo "patterns rc=$?"
# the host's image on vdb (read-only)
echo "sum $(sha256sum /dev/vdb | cut -d' ' -f1)"
echo "piece $(q dd if=/dev/vdb bs=1 skip=12345 count=1000 | sha256sum | cut -d' ' -f1)"
echo "big $(q dd if=/dev/vdb bs=64k | sha256sum | cut -d' ' -f1)"
echo "size $(blockdev --getsize64 /dev/vdb) ro $(blockdev --getro /dev/vdb) ss $(blockdev --getss /dev/vdb)"
/bin/blkio ro /dev/vdb | grep -c '^ok'
# block-device semantics on vdc
/bin/blkio rw /dev/vdc 1051136 > /tmp/blkio.out; echo "blkio rc=$?"
grep FAIL /tmp/blkio.out
echo "pw $(q dd if=/dev/vdc bs=1 skip=12345 count=3000 | sha256sum | cut -d' ' -f1)"
# concurrent readers on two disks
(q dd if=/dev/vdb bs=4k | sha256sum > /tmp/c1) & (q dd if=/dev/vda bs=16k count=64 | sha256sum > /tmp/c2) & wait
echo "conc $(cut -d' ' -f1 /tmp/c1)"
# mke2fs on vdd
mke2fs -q /dev/vdd >/dev/null 2>&1; echo "mke2fs rc=$?"
# INTx disk (vde)
echo intx-disk-ok | q dd of=/dev/vde bs=512 seek=3 conv=sync,fsync
echo "intx $(q dd if=/dev/vde bs=512 skip=3 count=1 | head -c 12)"
ls -l /dev/vd? | awk '{print $1, $5, $6, $NF}'
sed -n 's/^/part /p' /proc/partitions
EOF
out=$(KEEL_QEMU_EXTRA="-drive file=$tmp/x.img,format=raw,if=none,id=xi -device virtio-blk-pci,drive=xi,disable-legacy=on,vectors=0$plat" \
	k --file "$tmp/p1" --file "$tmp/p2" --file "$tmp/p3" --file "$tmp/blkio" --file "$tmp/guest.sh" \
	--disk "$tmp/w.img" --disk "$tmp/r.img:ro" --disk "$tmp/s.img" --disk "$tmp/m.img" sh /bin/guest.sh)
echo "$out" | sed 's/^/    guest: /'
line() { echo "$out" | sed -n "s/^$1 //p" | head -n1; }
expect "dd wrote every pattern" '[ "$(line patterns)" = "rc=0" ]'
expect "4 KiB blocks at 40 KiB" 'cmp -s -i 40960:0 -n 65536 "$tmp/w.img" "$tmp/p1"'
expect "1 MiB blocks at 1 MiB" 'cmp -s -i 1048576:0 -n 1572864 "$tmp/w.img" "$tmp/p2"'
expect "777 bytes at byte 1000 (partial sectors)" 'cmp -s -i 1000:0 -n 777 "$tmp/w.img" "$tmp/p3"'
expect "777-byte blocks at 777*5000" 'cmp -s -i 3885000:0 -n 777 "$tmp/w.img" "$tmp/p3"'
expect "nothing else written" 'cmp -s -n 1000 "$tmp/w.img" /dev/zero && cmp -s -i 1777:0 -n 39183 "$tmp/w.img" /dev/zero &&
	cmp -s -i 3885777:0 -n $((4194304 - 3885777)) "$tmp/w.img" /dev/zero'
expect "reads the host image (sha256 of /dev/vdb)" '[ "$(line sum)" = "$(sha256sum < "$tmp/r.img" | cut -d" " -f1)" ]'
expect "unaligned piece of it" '[ "$(line piece)" = "$(dd if="$tmp/r.img" bs=1 skip=12345 count=1000 2>/dev/null | sha256sum | cut -d" " -f1)" ]'
expect "64 KiB blocks of it" '[ "$(line big)" = "$(line sum)" ]'
expect "blockdev sizes of a read-only disk" '[ "$(line size)" = "3147264 ro 1 ss 512" ]'
expect "read-only disk refuses writes (EPERM)" 'echo "$out" | grep -qx 4'
expect "block device semantics (tests/disk/blkio.c)" '[ "$(line blkio)" = "rc=0" ]'
expect "pwrite landed in the image" '[ "$(line pw)" = "$(dd if="$tmp/s.img" bs=1 skip=12345 count=3000 2>/dev/null | sha256sum | cut -d" " -f1)" ] &&
	[ "$(dd if="$tmp/s.img" bs=1 skip=12345 count=1 2>/dev/null | od -An -tu1 | tr -d " ")" = 7 ]'
expect "concurrent readers on two disks" '[ "$(line conc)" = "$(line sum)" ]'
expect "busybox mke2fs on /dev/vdd" '[ "$(line mke2fs)" = "rc=0" ]'
expect "the host's e2fsck finds it clean" '/sbin/e2fsck -fn "$tmp/m.img" >/dev/null 2>&1'
expect "a disk interrupting through INTx" '[ "$(line intx)" = "intx-disk-ok" ] && [ "$(dd if="$tmp/x.img" bs=1 skip=1536 count=12 2>/dev/null)" = "intx-disk-ok" ]'
parts=$(echo "$out" | sed -n 's/^part //p')
expect "/proc/partitions lists the disks as Linux does" '[ "$(echo "$parts" | sed -n 1p)" = "major minor  #blocks  name" ] &&
	[ "$(echo "$parts" | sed -n 3p)" = " 254        0       4096 vda" ] &&
	[ "$(echo "$parts" | sed -n 4p)" = " 254       16       3073 vdb" ] && [ "$(echo "$parts" | grep -c "^ 254 ")" = 5 ]'
expect "five nodes, major 254, 16 minors apart" '[ "$(echo "$out" | grep -c "^brw-rw---- 254, ")" = 5 ] && echo "$out" | grep -q "254, 64 /dev/vde"'

# 3a. Loop-device status ioctls (tests/disk/loopst.c; glibc for <linux/loop.h>),
# the values Linux gives (the same program passes on the host's Linux).
gcc -static -O2 -o "$tmp/loopst" tests/disk/loopst.c || ko "build tests/disk/loopst.c"
out=$(k --file "$tmp/loopst" /bin/loopst)
echo "$out" | grep FAIL | sed 's/^/    guest: /'
expect "loop status ioctls, old and 64-bit forms (tests/disk/loopst.c)" 'echo "$out" | grep -qx "loopst fails=0" && [ "$(echo "$out" | grep -c "^ok ")" = 16 ]'

# 3. Failing flushes and a failing sector (QEMU blkdebug).
head -c $((1 << 20)) /dev/zero > "$tmp/f.img"
head -c $((1 << 20)) /dev/zero > "$tmp/e.img"
printf '[inject-error]\nevent = "flush_to_disk"\niotype = "flush"\nerrno = "5"\n' > "$tmp/flush.conf"
printf '[inject-error]\nevent = "read_aio"\niotype = "read"\nerrno = "5"\nsector = "64"\n' > "$tmp/read.conf"
bd() { echo "-drive if=none,id=$1,driver=raw,file.driver=blkdebug,file.config=$2,file.image.filename=$3 -device virtio-blk-pci,drive=$1,disable-legacy=on$plat"; }
out=$(KEEL_QEMU_EXTRA="$(bd bf "$tmp/flush.conf" "$tmp/f.img") $(bd be "$tmp/read.conf" "$tmp/e.img")" k sh -c '
	echo data | dd of=/dev/vda conv=fsync 2>&1 | grep -c "Input/output error"
	echo data | dd of=/dev/vda 2>/dev/null; echo "plain write rc=$?"
	dd if=/dev/vdb of=/dev/null bs=512 skip=64 count=1 2>&1 | grep -c "Input/output error"
	dd if=/dev/vdb of=/dev/null bs=512 skip=63 count=1 2>/dev/null; echo "sector 63 rc=$?"
	dd if=/dev/vdb of=/dev/null bs=64k 2>/dev/null; echo "whole disk rc=$?"')
echo "$out" | sed 's/^/    guest: /'
expect "fsync sends a flush; a failing flush is EIO" '[ "$(echo "$out" | sed -n 1p)" = 1 ]'
expect "writes themselves succeed" 'echo "$out" | grep -qx "plain write rc=0"'
expect "a device read error is EIO" '[ "$(echo "$out" | sed -n 3p)" = 1 ] && echo "$out" | grep -qx "sector 63 rc=0"'
expect "a read across the bad sector fails" 'echo "$out" | grep -qx "whole disk rc=1"'
expect "the data reached the image" '[ "$(head -c 4 "$tmp/f.img")" = data ]'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
