#!/usr/bin/env bash
# Print a compile_commands.json for clangd and other clang tools on stdout:
# framework files (.c and .S) with FW_CFLAGS, service files with SVC_CFLAGS,
# exactly as the top-level Makefile defines them (read back from make, so
# the two never drift). `make compile_commands.json` runs it.
# Layer: developer tooling; trusts nothing but make.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP"
# Ask make for a variable's value without a target in the Makefile.
mkvar() { make -s --no-print-directory --eval 'print-%: ; @echo $($*)' "print-$1"; }
CC=$(mkvar CC)
BUILD=$(mkvar BUILD)
FW_CFLAGS=$(mkvar FW_CFLAGS)
SVC_CFLAGS=$(mkvar SVC_CFLAGS)
json_str() { # escape for a JSON string: backslashes and double quotes
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}
entry() { # file flags
	local f=$1 flags=$2 obj
	obj=$BUILD/${f%.*}.o
	[ "$first" = 1 ] || printf ',\n'
	first=0
	printf '  {"directory": %s, "file": %s, "output": %s,\n   "command": %s}' \
		"$(json_str "$TOP")" "$(json_str "$f")" "$(json_str "$obj")" \
		"$(json_str "$CC $flags -c $f -o $obj")"
}
first=1
printf '[\n'
while read -r f; do entry "$f" "$FW_CFLAGS"; done < <(find framework \( -name '*.c' -o -name '*.S' \) | LC_ALL=C sort)
while read -r f; do entry "$f" "$SVC_CFLAGS"; done < <(find services -name '*.c' | LC_ALL=C sort)
printf '\n]\n'
