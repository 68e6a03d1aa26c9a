#!/usr/bin/env bash
# Layering of the service folders: the graph of `#include "dir/x.h"`
# between folders of services/ must have no cycle, and the VFS may include
# only lib/ (it names no file system, driver or provider). Uses only
# coreutils (tsort finds the cycles). Layer: host tooling.
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

# "from to" for every include of another folder's header.
edges() {
	find services -name '*.[ch]' | sort | while read -r f; do
		local d=${f#services/}
		d=${d%/*}
		grep -o '^#include "[A-Za-z0-9_/.-]*"' "$f" | sed 's/^#include "//; s/"$//' | while read -r h; do
			local t=${h%/*}
			[ "$t" = "$h" ] && continue
			[ "$t" != "$d" ] && echo "$d $t"
		done
	done | sort -u
}

# The folders on a cycle of the graph on stdin ("" if none).
cycle_of() { tsort 2>&1 >/dev/null | sed -n 's/^tsort: //p' | grep -v 'input contains a loop' | tr '\n' ' '; }

all=$(edges)
n=$(echo "$all" | grep -c .)

# The check itself must see a cycle when there is one.
if [ -n "$(printf 'a b\nb c\nc a\n' | cycle_of)" ]; then ok "the cycle check finds a planted cycle"; else ko "the cycle check misses a planted cycle"; fi

loop=$(echo "$all" | cycle_of)
if [ -z "$loop" ]; then ok "no cycle among service folders ($n include edges)"; else ko "service folders form a cycle: $loop"; fi

bad=$(echo "$all" | awk '$1 == "vfs" && $2 != "lib" { print $2 }' | tr '\n' ' ')
if [ -z "$bad" ]; then ok "vfs includes only lib"; else ko "vfs includes $bad"; fi

missing=""
for f in $(find services -name '*.[ch]'); do
	for h in $(grep -o '^#include "[A-Za-z0-9_/.-]*"' "$f" | sed 's/^#include "//; s/"$//'); do
		[ -f "services/$h" ] || [ -f "$(dirname "$f")/$h" ] || missing="$missing $f:$h"
	done
done
if [ -z "$missing" ]; then ok "every service include names an existing header"; else ko "missing headers:$missing"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
