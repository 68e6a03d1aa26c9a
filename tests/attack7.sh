#!/usr/bin/env bash
# Attack round 7 (docs/safety.md, "Attack rounds"): the two breaks whose
# reproduction cannot be a differential test.
# 1. fpu_exit_stop: rt_sigreturn with an FPU image Keel refuses, then a
#    PTRACE_EVENT_EXIT stop, so the dying task is switched out and in again
#    (its xrstor faulted in the kernel when the refused header stayed in the
#    save area). Linux restores such images differently under ptrace, so
#    only Keel's outcome is checked: no panic, SIGSEGV, the exit event seen.
# 2. poke_race: ptrace's forced poke into a private read-only mapping faults
#    the page in first, and the fault sleeps when the page must come from
#    the disk; a tracee thread swapping a MAP_SHARED read-only mapping of a
#    root-owned file in at the same address meanwhile must not get the poke
#    written into that file's page cache. Runs on an ext2 root image (the
#    program, /victim root:root 0644, a 48 MiB /big read page by page).
set -u
cd "$(dirname "$0")/.."
export KEEL_NO_BUILD=1
T=build/tests/attack7
rm -rf "$T"
mkdir -p "$T/root"
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
no_panic() { # name log
	if grep -aq PANIC "$2"; then
		ko "$1: kernel panic"
		grep -a -A6 PANIC "$2" | head -8
	else
		ok "$1: no panic"
	fi
}

if gcc -static -O1 -o "$T/fpu_exit_stop" tests/attack7/fpu_exit_stop.c; then
	KEEL_LOG=$T/fpu.log ./keel exec --timeout 60 --file "$T/fpu_exit_stop:/fpu_exit_stop" /fpu_exit_stop \
		>"$T/fpu.out" 2>&1
	st=$?
	no_panic fpu_exit_stop "$T/fpu.log"
	[ "$st" = 0 ] && ok "fpu_exit_stop: exit status 0" || { ko "fpu_exit_stop: exit status $st"; cat "$T/fpu.out"; }
	n=$(grep -c '^mode [0-3]: exit event seen: yes$' "$T/fpu.out")
	s=$(grep -c '^killed by SIGSEGV: yes$' "$T/fpu.out")
	[ "$n" = 4 ] && [ "$s" = 4 ] && ok "fpu_exit_stop: 4 refused images, each SIGSEGV after its exit stop" ||
		{ ko "fpu_exit_stop: $n exit stops, $s SIGSEGV of 4"; cat "$T/fpu.out"; }
else
	ko "build fpu_exit_stop"
fi

if gcc -static -O1 -pthread -o "$T/root/poke_race" tests/attack7/poke_race.c; then
	printf 'original-victim-content\n' > "$T/root/victim"
	head -c $((48 << 20)) /dev/zero | tr '\0' 'z' > "$T/root/big"
	chmod 644 "$T/root/victim" "$T/root/big"
	truncate -s 80M "$T/root.img"
	if mke2fs -q -t ext2 -E root_owner=0:0 -d "$T/root" "$T/root.img"; then
		KEEL_LOG=$T/poke.log ./keel exec --timeout 240 --root "$T/root.img" /poke_race >"$T/poke.out" 2>&1
		st=$?
		cat "$T/poke.out"
		no_panic poke_race "$T/poke.log"
		[ "$st" = 0 ] && ok "poke_race: exit status 0" || ko "poke_race: exit status $st"
		grep -q '^uid 1000, open victim rw: Permission denied$' "$T/poke.out" && ok "poke_race: tracer is uid 1000" ||
			ko "poke_race: tracer not unprivileged"
		raced=$(sed -n 's/.*raced \([0-9]*\),.*/\1/p' "$T/poke.out")
		[ "${raced:-0}" -gt 0 ] && ok "poke_race: the race was taken ($raced of 40 pokes returned after a swap)" ||
			ko "poke_race: the race was never taken (raced=${raced:-?})"
		grep -q '^victim intact$' "$T/poke.out" && ok "poke_race: /victim's page cache not written" ||
			ko "poke_race: /victim written by the poke"
	else
		ko "poke_race: mke2fs"
	fi
else
	ko "build poke_race"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
