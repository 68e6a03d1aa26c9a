#!/usr/bin/env bash
# Documentation checks (no kernel needed). Fails when:
#  - docs/syscalls.md differs from what tools/gen-syscall-doc.sh makes of
#    the current syscall table (fix: `make docs`);
#  - a framework API header is not described in docs/framework-api.md;
#  - a hazard row of docs/safety.md names no test, or names a corpus file,
#    script or ktest that does not exist;
#  - README.md or a doc links to a file that does not exist.
# Prints "N passed, N failed". Layer: test harness.
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if bash tools/gen-syscall-doc.sh > "$tmp" && cmp -s "$tmp" docs/syscalls.md; then
	ok "docs/syscalls.md matches the syscall table"
else
	ko "docs/syscalls.md is stale: run 'make docs' (or tools/gen-syscall-doc.sh > docs/syscalls.md)"
	diff docs/syscalls.md "$tmp" | head -n 10
fi

missing=""
for h in framework/include/fw/*.h; do
	grep -q "fw/$(basename "$h")" docs/framework-api.md || missing="$missing $(basename "$h")"
done
if [ -z "$missing" ]; then ok "every framework API header is in docs/framework-api.md"
else ko "docs/framework-api.md does not describe:$missing"; fi

# The hazard table: rows "| N | ... | tested by |" for N = 1..12.
for n in $(seq 1 12); do
	row=$(grep -E "^\| $n \|" docs/safety.md | head -n1)
	tested=${row##*|}
	[ -z "$tested" ] && tested=$(echo "$row" | awk -F'|' '{print $(NF-1)}')
	if [ -z "$row" ] || [ -z "$(echo "$tested" | tr -d ' ')" ] || echo "$tested" | grep -q TODO; then
		ko "hazard $n: no test named in docs/safety.md"
		continue
	fi
	bad=""
	for f in $(echo "$tested" | grep -oE '(reject|accept)/[A-Za-z0-9_*-]+\.c'); do
		# shellcheck disable=SC2086
		ls tools/safecheck/tests/$f >/dev/null 2>&1 || bad="$bad $f"
	done
	for f in $(echo "$tested" | grep -oE '(tests|tools)/[A-Za-z0-9_./-]+\.sh'); do
		[ -f "$f" ] || bad="$bad $f"
	done
	for k in $(echo "$tested" | grep -oE 'ktest [a-z0-9_]+' | cut -d' ' -f2); do
		grep -rqE "FW_KTEST\($k\)" framework services || bad="$bad ktest:$k"
	done
	if [ -z "$bad" ]; then ok "hazard $n names existing tests"; else ko "hazard $n names missing tests:$bad"; fi
done

# Relative links in the Markdown files point at files that exist.
bad=""
for md in README.md docs/*.md; do
	[ -f "$md" ] || continue
	dir=$(dirname "$md")
	for l in $(grep -oE '\]\([^)#]+' "$md" | sed 's/^](//' | grep -vE '^(https?|mailto):'); do
		[ -e "$dir/$l" ] || bad="$bad $md:$l"
	done
done
if [ -z "$bad" ]; then ok "relative links resolve"; else ko "broken links:$bad"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
