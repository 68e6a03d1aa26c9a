#!/bin/sh
# safecheck corpus runner.
#
# Layer: host test harness. Builds the checker (unless $SAFECHECK points at
# one), runs it over every file in tests/accept (must report nothing, exit 0)
# and tests/reject (its first line says "// expect: id [id...]"; the checker
# must exit 1 or 2 — never crash — and report exactly that set of rule ids).
# Ends with the line "N passed, N failed"; exit status 1 on any failure.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$HERE/tests
SC=${SAFECHECK:-$ROOT/build/tools/safecheck}
if [ -z "${SAFECHECK:-}" ]; then
	make -s -C "$ROOT" -f "$ROOT/mk/safecheck.mk" "build/tools/safecheck" || exit 1
fi
FLAGS="-std=gnu11 -nostdinc -ffreestanding -fsyntax-only -I$T/fwinc -I$ROOT/framework/include"
FW="--root $ROOT --framework-include $T/fwinc --framework-include $ROOT/framework/include"
pass=0
fail=0
out=$(mktemp)
api=$(mktemp)
apisrc=$(mktemp --suffix=.c)
trap 'rm -f "$out" "$api" "$apisrc"' EXIT

# The framework API tables, as the build makes build/fw-api.txt: one over
# the corpus's fake framework header, one over the real headers (the two
# cannot share a TU: both declare fw_panic).
echo '#include <fw/testapi.h>' > "$apisrc"
"$SC" $FW --list-framework-api "$apisrc" -- $FLAGS > "$api" || { echo "FAIL: API table (corpus)"; exit 1; }
for h in "$ROOT"/framework/include/fw/*.h; do echo "#include <fw/$(basename "$h")>"; done > "$apisrc"
"$SC" $FW --list-framework-api "$apisrc" -- $FLAGS >> "$api" || { echo "FAIL: API table (framework)"; exit 1; }
FW="$FW --framework-api $api"

for f in "$T"/accept/*.c; do
	"$SC" $FW "$f" -- $FLAGS >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$out" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL accept ${f#$ROOT/} (exit $rc):"
		sed 's/^/    /' "$out"
	fi
done

for f in "$T"/reject/*.c; do
	want=$(head -n 1 "$f" | sed -n 's#^// expect: *##p' | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')
	"$SC" $FW "$f" -- $FLAGS >"$out" 2>&1
	rc=$?
	got=$(awk -F': ' 'NF >= 3 { print $2 }' "$out" | sort -u | tr '\n' ' ')
	if [ -z "$want" ]; then
		fail=$((fail + 1)); echo "FAIL reject ${f#$ROOT/}: no '// expect:' line"
	elif [ $rc -ne 1 ] && [ $rc -ne 2 ]; then
		fail=$((fail + 1)); echo "FAIL reject ${f#$ROOT/}: exit $rc (crash?)"
		sed 's/^/    /' "$out"
	elif [ "$want" != "$got" ]; then
		fail=$((fail + 1)); echo "FAIL reject ${f#$ROOT/}: want [$want] got [$got]"
		sed 's/^/    /' "$out"
	else
		pass=$((pass + 1))
	fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
