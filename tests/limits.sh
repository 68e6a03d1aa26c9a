#!/usr/bin/env bash
# Resilience checks (Keel only; filling /tmp or memory cannot be compared
# with the host): user/limits/limits.c exhausts one resource per mode —
# /tmp until ENOSPC/ENOMEM then all memory with a hog, descriptors until
# EMFILE, symlink loops/chains until ELOOP, the pid space until a pid is
# reused (its /proc directory must be the new process's) — and then shows fork+exec and a
# new file still work. Pass: exit status 0 and the expected lines.
set -u
cd "$(dirname "$0")/.."
export KEEL_NO_BUILD=1
mkdir -p build/user/limits
musl-gcc -static -O1 -Wall -o build/user/limits/limits user/limits/limits.c || { echo "0 passed, 1 failed"; exit 1; }
pass=0
fail=0
check() { # mode expected-lines...
	local mode=$1
	shift
	local out st ok=1
	out=$(./keel exec --timeout 120 --file build/user/limits/limits:/bin/limits limits "$mode" 2>/dev/null)
	st=$?
	[ "$st" = 0 ] || ok=0
	for want in "$@"; do
		grep -qxE "$want" <<<"$out" || ok=0
	done
	if [ $ok = 1 ]; then
		echo "PASS limits $mode"
		pass=$((pass + 1))
	else
		echo "FAIL limits $mode: status $st, output:"
		sed 's/^/  /' <<<"$out"
		fail=$((fail + 1))
	fi
}
after=("fork\+exec after: ok" "new file after: ok")
check fill "fill stopped: (ENOSPC|ENOMEM) \(after >1 MiB\)" "fork while full: clean" \
	"memory hog: (killed|mmap failed)" "${after[@]}"
check emfile "open until: EMFILE \(many opened\)" "${after[@]}"
check eloop "loop: ELOOP" "chain of 50: ELOOP" "chain of 30: opened" "${after[@]}"
# a reused pid gets a fresh /proc/<pid> (the old one kept its owner)
check pidreuse "first owner: 1000" "same pid, next owner: 0"
# max_map_count and nr_open take effect (global knobs: Keel only)
check knobs "max_map_count \+5: 6 more maps, then ENOMEM" "hole in an area at the limit: ENOMEM" \
	"hole below the limit: ok" "nr_open 63: EINVAL" "RLIMIT_NOFILE 129 over nr_open 128: EPERM" "RLIMIT_NOFILE 128: ok" \
	"fork with descriptor 100 over nr_open 64: EMFILE" "after closing it: ok"
# a looked-up /proc/<pid> costs its directory and the file, not its tree;
# a listing makes the directory and one inode per entry (20, fdinfo/ included)
check procinodes "inodes per /proc/<pid> after a stat of its stat file: 2" \
	"inodes per /proc/<pid> after a listing: 21" "3000 short-lived children polled: inode count grew by under 200"
# pipe-max-size and pipe-user-pages-soft/-hard take effect
check pipeknobs "root's new pipe: 65536" "user's new pipe under pipe-max-size 4096: 4096, grow to 8192: EPERM" \
	"user past pipe-user-pages-soft 20: first 65536, second 8192" "user past pipe-user-pages-hard 17: ENFILE"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
