#!/usr/bin/env bash
# Bounds checks the optimiser may not delete (docs/safety.md, attack
# round 5): tools/safecheck/bounds-kept.sh over every service file (each
# must be clean: no subscript check deleted by a fact from undefined
# behaviour) and over its corpus (tools/safecheck/tests/bounds/: the
# round-4 and round-5 attacks must be reported at their line, checks
# deleted from true facts must not be).
set -u
cd "$(dirname "$0")/.."
TOOL=tools/safecheck/bounds-kept.sh
work=build/bounds-kept
rm -rf "$work"
mkdir -p "$work"
read -r -a FLAGS <<<"$(make -s --no-print-directory --eval 'bk-flags:; @echo $(SVC_CFLAGS)' bk-flags)"
pass=0
fail=0

for f in tools/safecheck/tests/bounds/*.c; do
	want=$(sed -n '1s#^// bounds-deleted:##p' "$f" | tr ' ' '\n' | sed '/^$/d' | sort -n | tr '\n' ' ')
	minus=$(sed -n '2s#^// flags-minus:##p' "$f" | tr -d ' ')
	flags=("${FLAGS[@]}")
	[ -n "$minus" ] && flags=("${FLAGS[@]/,$minus/}")
	got=$(sh "$TOOL" "$work/corpus" "$f" -- "${flags[@]}" 2>&1 | awk -F: '/bounds-deleted/ { print $2 }' | sort -n | tr '\n' ' ')
	if [ "$want" = "$got" ]; then
		echo "PASS bounds corpus ${f##*/} (reported lines: ${got:-none})"
		pass=$((pass + 1))
	else
		echo "FAIL bounds corpus ${f##*/}: want lines [$want] got [$got]"
		fail=$((fail + 1))
	fi
done

# Every service file; two at a time.
out=$work/services.out
find services -name '*.c' | sort |
	xargs -P "$(nproc)" -I{} sh -c 't=$0 w=$1; shift; sh "$t" "$w/$(dirname "{}")" "{}" -- "$@" || echo "FAIL {} (exit $?)"' \
		"$TOOL" "$work" "${FLAGS[@]}" >"$out" 2>&1
n=$(find services -name '*.c' | wc -l)
bad=$(grep -c '^FAIL' "$out")
if [ "$bad" = 0 ] && [ ! -s "$out" ]; then
	echo "PASS no bounds check deleted by undefined behaviour in $n service files"
	pass=$((pass + 1))
else
	cat "$out"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
