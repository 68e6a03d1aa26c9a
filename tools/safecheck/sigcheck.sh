#!/bin/sh
# sigcheck.sh FILE.sig... — hazard 3, types across translation units.
#
# Layer: build check. Each .sig line is "symbol hash source" as written by
# safecheck --sig-out. Two TUs that hash the same external symbol
# differently disagree about its signature or the layout of a struct it
# reaches: fail and name both sources.
[ $# -gt 0 ] || { echo "sigcheck: no .sig files"; exit 0; }
cat "$@" | awk '
	{ if (($1 in h) && h[$1] != $2) { printf "sigcheck: %s: %s disagrees with %s\n", $1, $3, src[$1]; bad = 1 }
	  else if (!($1 in h)) { h[$1] = $2; src[$1] = $3; n++ } }
	END { if (!bad) printf "sigcheck: ok (%d symbols)\n", n; exit bad }'
