#!/bin/sh
# Tests mk/safecheck.mk through the stand-in Makefile: a clean build passes
# the checker, import-wall and sigcheck; an object importing a framework
# internal and defining memset fails import-wall; a TU with a lying
# prototype fails sigcheck. Prints "N passed, N failed".
cd "$(dirname "$0")" || exit 1
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; }
make -s clean
if make -s all >log.txt 2>&1; then ok; else ko "clean build"; cat log.txt; fi
make -s build/evil/e.o >/dev/null 2>&1
if make -s import-wall SVC_OBJS="build/services/demo/a.o build/evil/e.o" >log.txt 2>&1; then
	ko "import-wall accepted an internal import"
else
	grep -q "fw_demo_internal" log.txt && grep -q "memset" log.txt && ok || { ko "import-wall message"; cat log.txt; }
fi
make -s build/evil/util_lie.sig >/dev/null 2>&1
if make -s sigcheck >log.txt 2>&1; then ko "sigcheck accepted a mismatch"; cat log.txt
else grep -q "demo_norm" log.txt && ok || { ko "sigcheck message"; cat log.txt; }; fi
rm -f log.txt
make -s clean
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
