#!/bin/sh
# bounds-kept.sh — did the optimiser delete a bounds check using undefined
# behaviour? (attack rounds 4 and 5; docs/safety.md, "Bounds checks the
# optimiser may not delete".)
#
# Layer: host build tool (trusted, like the checker). Usage:
#   bounds-kept.sh WORKDIR FILE.c -- CFLAGS...
# Compiles FILE.c three ways with the service flags (debug info off):
#   raw    the front end's IR, before any optimisation: every subscript
#          check clang emitted (-fsanitize=array-bounds), keyed by the
#          file:line:column its ubsan data names;
#   real   the -O2 IR the build compiles: the checks that survived;
#   strip  the raw IR with every fact that comes from undefined behaviour
#          taken out (noundef/nonnull/dereferenceable/range attributes,
#          nsw/nuw/exact/inbounds/nneg/disjoint flags, !range/!nonnull/
#          !noundef metadata, poison and undef constants made zero,
#          llvm.assume, variable divisors made odd and positive), then
#          the same -O2 pipeline: the checks value facts alone keep.
# A check kept by strip and gone from real was deleted by a fact from
# undefined behaviour: reported as FILE:LINE:COL: bounds-deleted. Exit 0
# clean, 1 reports, 2 a compile failed.
set -u
work=$1
src=$2
shift 3
CC=${CC:-clang-19}
mkdir -p "$work"
b=$work/$(basename "$src" .c)
"$CC" "$@" -g0 -Xclang -disable-llvm-passes -S -emit-llvm -o "$b.raw.ll" "$src" || exit 2
"$CC" "$@" -g0 -S -emit-llvm -o "$b.real.ll" "$src" || exit 2
perl -pe '
	next if /^!/ || /^(source_filename|target) /;
	s/ (noundef|nonnull|nsw|nuw|exact|inbounds|nneg|disjoint)\b//g;
	s/ (dereferenceable|dereferenceable_or_null|range)\([^()]*(\([^()]*\))?[^()]*\)//g;
	s/, !(range|nonnull|noundef) ![0-9]+//g;
	s/(?<![\w@%.\$"-])(poison|undef)\b/zeroinitializer/g;
	$_ = "" if /call void \@llvm\.assume\(/;
	if (/^(\s*)(%[\w.]+) = ([us])(div|rem) (i(\d+)) ([^,]+), (%[\w.]+)(.*)$/) {
		my ($ind, $res, $s, $op, $ty, $w, $a, $d, $rest) = ($1, $2, $3, $4, $5, $6, $7, $8, $9);
		our $n; $n++;
		my $odd = "%bk.odd.$n";
		$_ = "$ind$odd = or $ty $d, 1\n";
		if ($s eq "s") {
			my $max = (2 ** ($w - 1)) - 1;
			$max = "9223372036854775807" if $w == 64;
			$_ .= "$ind%bk.pos.$n = and $ty $odd, $max\n";
			$odd = "%bk.pos.$n";
		}
		$_ .= "$ind$res = $s$op $ty $a, $odd$rest\n";
	}
' "$b.raw.ll" > "$b.strip.in.ll"
"$CC" "$@" -g0 -Wno-unused-command-line-argument -S -emit-llvm -o "$b.strip.ll" -x ir "$b.strip.in.ll" || exit 2

# keys FILE [oob]: file:line:col of every ubsan subscript-check datum
# defined in FILE (with oob: only those an out-of-bounds handler call
# names, in the unoptimised IR)
keys() {
	awk -v want="${2:-}" '
	/^@[^ ]+ = private unnamed_addr constant \[[0-9]+ x i8\] c"/ {
		name = $1; s = $0; sub(/^[^"]*c"/, "", s); sub(/\\00".*$/, "", s); str[name] = s; next
	}
	/^@[^ ]+ = private unnamed_addr global \{ \{ ptr, i32, i32 \}, ptr, ptr \} \{ \{ ptr, i32, i32 \} \{ ptr @/ {
		name = $1; s = $0; sub(/^.*\{ ptr, i32, i32 \} \{ ptr /, "", s)
		split(s, f, /[ ,}]+/); def[name] = f[1] " " f[3] " " f[5]; next
	}
	/call void @__ubsan_handle_out_of_bounds_abort\(ptr / {
		s = $0; sub(/^.*@__ubsan_handle_out_of_bounds_abort\(ptr (nonnull )?/, "", s); sub(/,.*$/, "", s); oob[s] = 1
	}
	END {
		for (n in def) {
			if (want != "" && !(n in oob)) continue
			split(def[n], d, " "); print str[d[1]] ":" d[2] ":" d[3]
		}
	}' "$1" | sort -u
}
keys "$b.raw.ll" oob > "$b.subs"
keys "$b.real.ll" > "$b.real.keys"
keys "$b.strip.ll" > "$b.strip.keys"
# kept by value facts, present in the unoptimised IR, gone from the build
comm -12 "$b.subs" "$b.strip.keys" | comm -23 - "$b.real.keys" > "$b.deleted"
if [ -s "$b.deleted" ]; then
	sed 's/$/: bounds-deleted: the optimiser deleted this bounds check with a fact from undefined behaviour (the check survives when such facts are removed)/' "$b.deleted"
	exit 1
fi
exit 0
