#!/usr/bin/env bash
# ext2 read-write: images made by Debian's mke2fs (1, 2 and 4 KiB blocks)
# are mounted on loop devices in Keel and changed by a busybox session
# (thousands of files made and removed, a large file copied, links, a
# sparse file, device nodes); on the host, e2fsck -fn must find nothing
# to fix in each image and debugfs must see what Keel wrote.
# A second boot ("the reboot") must find every file with its contents,
# change more, and pass e2fsck again. Kill: on a virtio disk, QEMU is
# killed right after an fsync returned (E2KILL_ROUNDS: after which fsyncs,
# one boot each); every fsynced file must survive and e2fsck must have
# nothing to fix. Then mutated images: e2mutate mounts and walks a few
# hundred corrupted copies of an image in one boot (more when
# E2MUTATE_COUNT is set): no panic, no hang.
set -u
cd "$(dirname "$0")/.."
export KEEL_NO_BUILD=1
T=build/tests/ext2
rm -rf "$T"
mkdir -p "$T/seed/seed/gone" "$T/seed/seed/keep"
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

# The seed tree mke2fs puts in every image.
for i in $(seq 1 30); do echo "seed file $i" > "$T/seed/seed/keep/s$i"; done
seq 1 30000 > "$T/seed/seed/numbers"
echo bye > "$T/seed/seed/gone/g"
ln -s keep/s1 "$T/seed/seed/link"
(cd "$T/seed" && find seed -type f | sort | xargs md5sum) > "$T/seed.md5"
seq 1 300000 | md5sum | cut -d' ' -f1 > "$T/big.md5"

imgs=()
for bs in 1024 2048 4096; do
	img=$T/ext2-$bs.img
	truncate -s 12M "$img"
	mke2fs -q -t ext2 -b $bs -d "$T/seed" "$img" || { ko "mke2fs -b $bs"; continue; }
	imgs+=("$img")
done

# Run a session script in Keel on the images, as virtio disks.
session() { # name script
	local name=$1 script=$2 out=$T/$1.out disks=() args=() n=0 letters=(a b c d)
	for img in "${imgs[@]}"; do
		disks+=(--disk "$img")
		args+=("/dev/vd${letters[$n]}")
		n=$((n + 1))
	done
	KEEL_LOG=$T/$name.log ./keel exec --timeout 600 --file "$script:/session.sh" --file "$T/seed.md5:/seed.md5" \
		--file "$T/e2copy:/bin/e2copy" "${disks[@]}" sh /session.sh "${args[@]}" >"$out" 2>&1
	local st=$?
	if grep -aq PANIC "$T/$name.log"; then
		ko "$name: kernel panic"
		grep -a -A10 PANIC "$T/$name.log" | head -12
	fi
	grep -a '^FAIL' "$out" | while read -r l; do echo "$l"; done
	local bad
	bad=$(grep -ac '^FAIL' "$out")
	[ "$st" = 0 ] && [ "$bad" = 0 ] && ok "$name: $(grep -ac '^ok ' "$out") checks in Keel" ||
		ko "$name: status $st, $bad failed checks in Keel"
}

# e2fsck must have nothing to fix; debugfs must agree with Keel.
check() { # name
	local name=$1
	for img in "${imgs[@]}"; do
		local b
		b=$(basename "$img" .img)
		if e2fsck -fn "$img" >"$T/$name-$b.fsck" 2>&1; then
			ok "$name $b: e2fsck -fn clean"
		else
			ko "$name $b: e2fsck -fn"
			sed -n '1,12p' "$T/$name-$b.fsck"
		fi
		"$name"_debugfs "$img" "$b"
	done
}

s1_debugfs() { # img name
	local n big want=300
	[ "$2" = ext2-1024 ] && want=1500
	# ls -p lists "/ino/mode/uid/gid/name/size/"; inode 0: a removed entry
	n=$(debugfs -R 'ls -p /many' "$1" 2>/dev/null | awk -F/ '$2 != 0 && $6 ~ /^f[0-9]+$/' | wc -l)
	big=$(debugfs -R 'cat /big' "$1" 2>/dev/null | md5sum | cut -d' ' -f1)
	if [ "$n" = "$want" ] && [ "$big" = "$(cat "$T/big.md5")" ] &&
		debugfs -R 'stat /cdev' "$1" 2>/dev/null | grep -q 'Type: character special' &&
		[ "$(debugfs -R 'cat /tree/x/b/c/deep' "$1" 2>/dev/null)" = deep ] &&
		debugfs -R 'stat /sparse' "$1" 2>/dev/null | grep -q 'Size: 5000001'; then
		ok "s1 $2: debugfs sees the $want files, the large file, the moved tree, the device node, the sparse file"
	else
		ko "s1 $2: debugfs sees $n files in /many, large file md5 $big"
	fi
}

s2_debugfs() {
	if [ "$(debugfs -R 'cat /again/file' "$1" 2>/dev/null)" = again ] && ! debugfs -R 'stat /many' "$1" 2>&1 | grep -q 'Inode:'; then
		ok "s2 $2: debugfs sees the new file and no /many"
	else
		ko "s2 $2: debugfs disagrees"
	fi
	local want
	want=$({ printf 'b%.0s' $(seq 16); printf 'a%.0s' $(seq 4080); printf 'c%.0s' $(seq 16); printf 'a%.0s' $(seq 4080); } | md5sum | cut -d' ' -f1)
	if [ "$(debugfs -R 'cat /mprot' "$1" 2>/dev/null | md5sum | cut -d' ' -f1)" = "$want" ]; then
		ok "s2 $2: writes through a mapping made writable by mprotect are on the disk"
	else
		ko "s2 $2: writes through a mapping made writable by mprotect are lost"
	fi
}

musl-gcc -static -O1 -o "$T/e2copy" user/ext2/e2copy.c || ko "building e2copy"
session s1 tests/ext2/session1.sh
check s1
session s2 tests/ext2/session2.sh
check s2

# Kill: e2kill writes and fsyncs files on a virtio disk; QEMU is killed
# (SIGKILL) right after the k-th fsync returned. Files 1..k must be there
# with their contents and e2fsck must find nothing to fix.
# --root: the initramfs tree as an ext2 disk booted as /. Every program
# comes from the disk (cold: their pages are read on faults, also inside
# system calls' user copies); what the first boot writes must be there in
# the second (the kernel syncs before it powers off), e2fsck clean.
root_boot() { # name script...
	local name=$1
	shift
	KEEL_LOG=$T/$name.log ./keel exec --timeout 120 --root "$T/root.img" /bin/sh -c "$*" >"$T/$name.out" 2>&1
}
mkdir -p "$T/rootsrc"
(cd "$T/rootsrc" && cpio -idm --quiet <../../../initramfs.cpio) && rm -f "$T/rootsrc/etc/keel-exec"
truncate -s 32M "$T/root.img"
if mke2fs -q -t ext2 -b 1024 -d "$T/rootsrc" "$T/root.img"; then
	want=$(ls "$T/rootsrc/bin" | wc -l)
	root_boot root1 'head -n 1 /proc/mounts; ls /bin | wc -l; ls /initrd/bin | wc -l;
		mkdir /data && i=0 && while [ $i -lt 300 ]; do echo "n $i" > /data/f$i; i=$((i + 1)); done;
		cp /bin/busybox /data/bb && md5sum /bin/busybox /data/bb | cut -d" " -f1 | uniq | wc -l'
	if [ "$(sed -n 1p "$T/root1.out")" = "/dev/vda / ext2 rw,relatime 0 0" ] &&
		[ "$(sed -n 2p "$T/root1.out")" = "$want" ] && [ "$(sed -n 3p "$T/root1.out")" = "$want" ] &&
		[ "$(sed -n 4p "$T/root1.out")" = 1 ]; then
		ok "--root: / is the disk's ext2 (cold programs from it), the initramfs at /initrd"
	else
		ko "--root: first boot"
		head -n 8 "$T/root1.out"
	fi
	root_boot root2 'ls /data | wc -l; cat /data/f299; cmp /bin/busybox /data/bb && echo same; rm -r /data; ls /'
	if [ "$(tr '\n' ' ' <"$T/root2.out")" = "301 n 299 same bin dev etc initrd linuxrc lost+found proc root sbin tmp usr " ] &&
		e2fsck -fn "$T/root.img" >"$T/root.fsck" 2>&1; then
		ok "--root: the second boot finds what the first wrote, e2fsck -fn clean"
	else
		ko "--root: second boot: $(tr '\n' ' ' <"$T/root2.out")"
		head -n 12 "$T/root.fsck"
	fi
else
	ko "mke2fs of the root image"
fi

# Files larger than memory (a 128 MiB guest, a 192 MiB file): the page
# cache gives back clean pages and writes dirty ones back as it goes. The
# data comes from a second disk; the host compares what ext2 holds.
big=$T/big.img src=$T/big-src.img
truncate -s 512M "$big"
mke2fs -q -t ext2 -b 4096 "$big"
head -c 192M /dev/urandom >"$src"
KEEL_MEM=128M KEEL_LOG=$T/big.log ./keel exec --timeout 300 --disk "$big" --disk "$src:ro" sh -c '
	mkdir /mnt && mount /dev/vda /mnt || exit 1
	dd if=/dev/vdb of=/mnt/big bs=1M 2>/dev/null || exit 2
	umount /mnt && mount /dev/vda /mnt || exit 3
	cp /mnt/big /mnt/big2 || exit 4
	umount /mnt' >"$T/big.out" 2>&1
st=$?
same=0
for f in big big2; do
	debugfs -R "dump /$f $T/big.$f" "$big" >/dev/null 2>&1
	cmp -s "$src" "$T/big.$f" && same=$((same + 1))
done
if [ $st = 0 ] && [ $same = 2 ] && e2fsck -fn "$big" >"$T/big.fsck" 2>&1; then
	ok "a 192 MiB file in 128 MiB of memory: written, read back and copied intact; e2fsck -fn clean"
else
	ko "a file larger than memory: status $st, $same of 2 copies intact"
	tail -n 3 "$T/big.out"
	head -n 8 "$T/big.fsck"
fi
rm -f "$big" "$src" "$T/big.big" "$T/big.big2"

musl-gcc -static -O1 -o "$T/e2kill" user/ext2/e2kill.c || ko "building e2kill"
kill_round() { # k
	local k=$1 img=$T/kill.img pidf=$T/qemu.pid out=$T/kill.out
	rm -f "$img" "$pidf" "$out"
	truncate -s 64M "$img"
	mke2fs -q -t ext2 -b 4096 "$img"
	KEEL_QEMU_EXTRA="-pidfile $pidf" KEEL_LOG=$T/kill.log ./keel exec --timeout 300 --disk "$img" \
		--file "$T/e2kill" e2kill run 40 >"$out" 2>&1 &
	local bg=$! waited=0
	while ! grep -q "^SYNCED $k\$" "$out" 2>/dev/null && [ $waited -lt 1200 ] && kill -0 $bg 2>/dev/null; do
		sleep 0.05
		waited=$((waited + 1))
	done
	if [ -s "$pidf" ] && grep -q "^SYNCED $k\$" "$out"; then
		kill -9 "$(cat "$pidf")" 2>/dev/null
	fi
	wait $bg 2>/dev/null
	if ! grep -q "^SYNCED $k\$" "$out"; then
		ko "kill after fsync $k: the guest never got there ($(tail -2 "$out" | tr '\n' ' '))"
		return
	fi
	if grep -q '^DONE' "$out"; then
		ko "kill after fsync $k: QEMU was not killed in time"
		return
	fi
	local bad=0 i
	for i in $(seq 1 "$k"); do
		local p=/f$i
		[ $((i % 3)) = 0 ] && p=/d$i/f$i
		if [ "$(debugfs -R "cat $p" "$img" 2>/dev/null | md5sum)" != "$("$T/e2kill" gen "$i" | md5sum)" ]; then
			bad=$((bad + 1))
		fi
	done
	if e2fsck -fn "$img" >"$T/kill-$k.fsck" 2>&1 && [ $bad = 0 ]; then
		ok "kill after fsync $k: the $k fsynced files survive, e2fsck -fn clean"
	else
		ko "kill after fsync $k: $bad of $k files wrong or missing"
		sed -n '1,12p' "$T/kill-$k.fsck"
	fi
}
for k in ${E2KILL_ROUNDS:-2 5}; do kill_round $k; done

# Mutated images.
mkdir -p "$T/msrc/d1/d2"
for i in $(seq 1 40); do echo "f $i" > "$T/msrc/d1/f$i"; done
seq 1 3000 > "$T/msrc/d1/d2/n"
ln -s d1/f1 "$T/msrc/l1"
ln -s "$(printf 'q%.0s' $(seq 1 90))" "$T/msrc/l2"
mkfifo "$T/msrc/fifo"
truncate -s 512K "$T/m.img"
mke2fs -q -t ext2 -b 1024 -N 128 -d "$T/msrc" "$T/m.img"
musl-gcc -static -O1 -o "$T/e2mutate" user/ext2/e2mutate.c || ko "building e2mutate"
count=${E2MUTATE_COUNT:-300}
seed=${E2MUTATE_SEED:-1}
out=$(KEEL_LOG=$T/mutate.log ./keel exec --timeout 900 --file "$T/m.img:/m.img" --file "$T/e2mutate" \
	e2mutate /m.img "$count" "$seed" 2>&1)
st=$?
if [ $st = 0 ] && grep -q "^e2mutate: $count images" <<<"$out" && ! grep -aq PANIC "$T/mutate.log"; then
	ok "mutated images (seed $seed): $out"
else
	ko "mutated images (seed $seed, status $st): $out"
	grep -a -A12 PANIC "$T/mutate.log" | head -14
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
