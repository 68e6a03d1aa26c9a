#!/bin/sh
# sigcheck.sh FW_API_TABLE FILE.sig... — the framework boundary, globally
# (hazard 3; issue 9, class 4).
#
# Layer: build check. FW_API_TABLE is safecheck --list-framework-api over
# every framework API header: "K name description annotations", the framework's
# own view of each function and variable it declares (type and
# annotations: FW_API, FW_MACRO_API, FW_UPCALL, FW_FORMAT, FW_POD_DST,
# noreturn, must-check) and each struct it defines (layout, sealed). Each
# .sig line is "K name description source" as one service TU sees the same things
# (safecheck --sig-out). Fails when
#   - a service TU's view of a framework function, variable or struct
#     differs from the framework's (a redeclared upcall with a bigger
#     struct, a macro-only function redeclared without its annotation,
#     a struct fw_* of the service's own), or
#   - two service TUs disagree about a service symbol.
# Struct lines of service-private types are not compared across TUs (C
# lets two files have different private struct foo).
[ $# -gt 0 ] || { echo "sigcheck: usage: sigcheck.sh FW_API_TABLE FILE.sig..."; exit 2; }
table=$1
shift
[ -f "$table" ] || { echo "sigcheck: no framework API table $table"; exit 2; }
[ $# -gt 0 ] || { echo "sigcheck: no .sig files"; exit 0; }
awk -v table="$table" '
	BEGIN { while ((getline l < table) > 0) { split(l, f, " "); fw[f[1] " " f[2]] = f[3]; nfw++ } }
	{ key = $1 " " $2
	  # the compiler runtime the import wall admits for compiler-made calls
	  # only: a service that declares it calls it with any length (attack
	  # round 3: void *memset(struct s *, int, unsigned long))
	  if (($1 == "F" || $1 == "V") && $2 ~ /^(memcpy|memset|memmove|__ubsan_.*|__stack_chk_.*)$/) {
		printf "sigcheck: %s declares %s, the compiler runtime services may not name\n", $4, $2; bad = 1; next
	  }
	  if (key in fw) {
		if (fw[key] != $3) { printf "sigcheck: %s %s: %s sees it differently from the framework\n", ($1 == "T" ? "struct" : "symbol"), $2, $4; bad = 1 }
		next
	  }
	  if ($1 == "T") next
	  if ((key in h) && h[key] != $3) { printf "sigcheck: %s: %s disagrees with %s\n", $2, $4, src[key]; bad = 1 }
	  else if (!(key in h)) { h[key] = $3; src[key] = $4; n++ } }
	END { if (!bad) printf "sigcheck: ok (%d framework names, %d service symbols)\n", nfw, n; exit bad }' "$@"
