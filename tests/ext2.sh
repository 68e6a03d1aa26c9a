#!/usr/bin/env bash
# ext2 read-write: images made by Debian's mke2fs (1, 2 and 4 KiB blocks)
# are mounted on loop devices in Keel and changed by a busybox session
# (thousands of files made and removed, a large file copied, links, a
# sparse file, device nodes); each image comes back to the host, where
# e2fsck -fn must find nothing to fix and debugfs must see what Keel wrote.
# A second boot ("the reboot") must find every file with its contents,
# change more, and pass e2fsck again. Then mutated images: e2mutate mounts
# and walks a few hundred corrupted copies of an image in one boot (more
# when E2MUTATE_COUNT is set): no panic, no hang.
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

# Run a session script in Keel on the images; their new contents replace them.
session() { # name script
	local name=$1 script=$2 out=$T/$1.out files=() args=()
	for img in "${imgs[@]}"; do
		files+=(--file "$img:/$(basename "$img")")
		args+=("/$(basename "$img")")
	done
	KEEL_LOG=$T/$name.log ./keel exec --timeout 600 --file "$script:/session.sh" --file "$T/seed.md5:/seed.md5" \
		"${files[@]}" sh /session.sh "${args[@]}" >"$out" 2>&1
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
	for img in "${imgs[@]}"; do
		local b
		b=$(basename "$img")
		sed -n "/^=== IMAGE \/$b\$/,/^=== END\$/p" "$out" | sed '1d;$d' | base64 -d 2>/dev/null | gunzip >"$img.new" 2>/dev/null
		if [ -s "$img.new" ]; then mv "$img.new" "$img"; else ko "$name: $b did not come back"; fi
	done
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
}

session s1 tests/ext2/session1.sh
check s1
session s2 tests/ext2/session2.sh
check s2

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
