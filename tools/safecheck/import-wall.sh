#!/bin/sh
# import-wall.sh EXPORTS "FW_OBJS" SVC_OBJ_OR_ARCHIVE...
#
# Layer: build check (hazards 4 and 6). Reads symbol tables with llvm-nm.
# A service object may reference only (a) symbols FW_API exports, (b)
# symbols other service objects define, (c) calls the compiler itself emits
# (memcpy/memset/memmove for aggregate copies and zeroing, __ubsan_handle_*
# when traps are off, __stack_chk_*). Services may not define weak symbols,
# anything a framework object defines, or global names starting with fw_,
# __, mem or str (the framework's and the compiler runtime's namespaces).
set -u
NM=${LLVM_NM:-llvm-nm-19}
exports=$1
fwobjs=$2
shift 2
[ $# -gt 0 ] || { echo "import-wall: no service objects"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$NM" --defined-only --extern-only -P "$@" 2>/dev/null | awk 'NF>=2 && $1 !~ /:$/ { print $1, $2 }' > "$tmp/def"
"$NM" --undefined-only -P "$@" 2>/dev/null | awk 'NF>=2 && $1 !~ /:$/ { print $1 }' | sort -u > "$tmp/undef"
cut -d' ' -f1 "$tmp/def" | sort -u > "$tmp/defnames"
: > "$tmp/fwdef"
[ -n "$fwobjs" ] && "$NM" --defined-only --extern-only -P $fwobjs 2>/dev/null |
	awk 'NF>=2 && $1 !~ /:$/ { print $1 }' | sort -u > "$tmp/fwdef"
bad=0
while read -r s; do
	case $s in
	memcpy|memset|memmove|__ubsan_handle_*|__stack_chk_fail|__stack_chk_guard) continue ;;
	esac
	grep -qxF "$s" "$exports" && continue
	grep -qxF "$s" "$tmp/defnames" && continue
	echo "import-wall: services reference '$s', which is not FW_API"; bad=1
done < "$tmp/undef"
while read -r s t; do
	case $t in
	W|w|V|v) echo "import-wall: services define weak symbol '$s'"; bad=1 ;;
	esac
	case $s in
	fw_*|__*|mem*|str*) echo "import-wall: service symbol '$s' is in a reserved namespace"; bad=1 ;;
	esac
	if grep -qxF "$s" "$tmp/fwdef"; then
		echo "import-wall: service symbol '$s' collides with a framework symbol"; bad=1
	fi
done < "$tmp/def"
# The compiler's runtime, which the code generator calls by name (struct
# copies, -ftrivial-auto-var-init's zeroing, bounds traps): no service
# object may define it with any binding. A static memset takes every
# compiler-made call in its object (attack round 3: locals left unzeroed).
"$NM" --defined-only -P "$@" 2>/dev/null | awk 'NF>=2 && $1 !~ /:$/ { print $1 }' | sort -u |
	grep -E '^(memcpy|memset|memmove|__ubsan_.*|__stack_chk_.*)$' > "$tmp/rtdef"
while read -r s; do
	echo "import-wall: a service object defines '$s', which the compiler calls on the framework's behalf"; bad=1
done < "$tmp/rtdef"
[ $bad -eq 0 ] && echo "import-wall: ok ($(wc -l < "$tmp/undef") imports checked)"
exit $bad
