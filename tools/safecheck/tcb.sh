#!/bin/sh
# tcb.sh [ROOT] — size of the trusted computing base.
#
# Layer: report. Counts non-blank, non-comment lines (C and assembler
# comments /* */ and //) of framework/ (all .c .h .S, headers included:
# framework macros and inline functions are trusted code), of services/,
# and of uapi/ separately: uapi is ABI data (numbers and structs), trusted
# to be correct but holding no code, so it is neither side of the split.
cd "${1:-.}" || exit 1
count() {
	[ -d "$1" ] || { echo 0; return; }
	find "$1" -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \) -print0 |
	xargs -0 -r cat | awk '
		{ line = $0; out = "";
		  while (length(line) > 0) {
			if (inc) { i = index(line, "*/"); if (!i) { line = ""; break } line = substr(line, i + 2); inc = 0; continue }
			i = index(line, "/*"); j = index(line, "//");
			if (j && (!i || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
			if (i) { out = out substr(line, 1, i - 1); line = substr(line, i + 2); inc = 1; continue }
			out = out line; line = "" }
		  if (out ~ /[^ \t]/) n++ }
		END { print n + 0 }'
}
fw=$(count framework)
svc=$(count services)
uapi=$(count uapi)
total=$((fw + svc))
pct=$(awk -v f="$fw" -v t="$total" 'BEGIN { if (t) printf "%.1f", 100 * f / t; else print "0.0" }')
echo "framework (TCB): $fw lines"
echo "services:        $svc lines"
echo "uapi (ABI data): $uapi lines (not counted in the share)"
echo "framework share: $pct% of framework+services"
