#!/usr/bin/env bash
# Link-time checks against the real kernel (hazards 3 and 4 of
# docs/safety.md): small extra "service" objects, built with the services'
# flags but outside services/, are run through tools/safecheck/import-wall.sh
# with the kernel's own FW_API export list and framework objects, and
# through the checker's signature output plus sigcheck.sh. Every hostile
# object must be refused with the message that names its offence; the
# harmless one must pass next to the real services. Needs a built kernel
# (`make`). Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=build/tests/import-wall
WALL=tools/safecheck/import-wall.sh
SIGCHECK=tools/safecheck/sigcheck.sh
SAFECHECK=build/tools/safecheck
export LLVM_NM=${LLVM_NM:-llvm-nm-19}
CC=${CC:-clang-19}
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

if [ ! -f build/fw-exports.txt ] || [ ! -f build/fw-api.txt ] || [ ! -x "$SAFECHECK" ]; then
	echo "import-wall: build the kernel first (make)"
	echo "0 passed, 1 failed"
	exit 1
fi
svc_cflags=$(make -s --no-print-directory --eval 'print-%: ; @echo $($*)' print-SVC_CFLAGS)
fw_objs=$(find build/framework -name '*.o' | sort | tr '\n' ' ')
svc_objs=$(find services -name '*.c' | sort | sed 's|^|build/|; s|\.c$|.o|')
rm -rf "$B"
mkdir -p "$B"

# name, C source; compiled with the services' flags (not checked: these
# stand for what the checker would have to miss).
obj() {
	printf '%s\n' "$2" > "$B/$1.c"
	# shellcheck disable=SC2086
	$CC $svc_cflags -Wno-missing-prototypes -c "$B/$1.c" -o "$B/$1.o" 2>"$B/$1.err" ||
		{ ko "$1: does not compile"; cat "$B/$1.err"; return 1; }
}

# wall NAME EXPECT-REGEX: the wall must refuse NAME.o next to the real
# services, with a message matching the regex.
wall_refuses() {
	# shellcheck disable=SC2086
	if sh "$WALL" build/fw-exports.txt "$fw_objs" $svc_objs "$B/$1.o" >"$B/$1.out" 2>&1; then
		ko "$1: the import wall accepted it"
	elif grep -qE "$2" "$B/$1.out"; then
		ok "$1 refused ($(grep -E "$2" "$B/$1.out" | head -n1 | sed 's/^import-wall: //'))"
	else
		ko "$1: refused, but without a message matching '$2'"
		cat "$B/$1.out"
	fi
}

obj harmless '#include <fw/log.h>
int svc_wall_probe(int x);
int svc_wall_probe(int x) { fw_info("probe %d", x); return x + 1; }' &&
	# shellcheck disable=SC2086
	if sh "$WALL" build/fw-exports.txt "$fw_objs" $svc_objs "$B/harmless.o" >"$B/harmless.out" 2>&1; then
		ok "harmless service object accepted"
	else
		ko "harmless service object refused"
		cat "$B/harmless.out"
	fi

# Hazard 4: replacing the memcpy every struct copy in the kernel calls.
obj define-memcpy '#include <fw/types.h>
void *memcpy(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n) { (void)s; (void)n; return d; }' &&
	wall_refuses define-memcpy "service symbol 'memcpy' (is in a reserved namespace|collides)"

# Hazard 4: replacing the bounds-check handler turns every trap into a no-op.
obj define-ubsan 'void __ubsan_handle_out_of_bounds_abort(void *d, unsigned long i);
void __ubsan_handle_out_of_bounds_abort(void *d, unsigned long i) { (void)d; (void)i; }' &&
	wall_refuses define-ubsan "service symbol '__ubsan_handle_out_of_bounds_abort'"

# Hazard 4: taking a framework name without the reserved prefix.
obj define-fw-name 'int kalloc_init(void);
int kalloc_init(void) { return 0; }' &&
	wall_refuses define-fw-name "'kalloc_init' collides with a framework symbol"

# Hazard 4: a weak definition another object could silently override.
obj define-weak '__attribute__((weak)) int svc_wall_hook(void);
__attribute__((weak)) int svc_wall_hook(void) { return 0; }' &&
	wall_refuses define-weak "weak symbol 'svc_wall_hook'"

# Hazard 6 and the escape hatch: calling a framework internal (here the
# raw allocator) that no FW_API header exports.
obj import-internal '#include <fw/types.h>
void *kalloc(size_t size);
int svc_wall_grab(void);
int svc_wall_grab(void) { return kalloc(64) != NULL; }' &&
	wall_refuses import-internal "reference 'kalloc', which is not FW_API"

# Hazard 3: two translation units that disagree about a function's type,
# each through its own header, so each passes the checker on its own.
mkdir -p "$B/sig"
printf '%s\n' '#include <fw/types.h>' 'int svc_sig_lie(int x);' > "$B/sig/def.h"
printf '%s\n' '#include <fw/types.h>' 'int svc_sig_lie(uint64_t *p);' 'int svc_sig_call(uint64_t *p);' > "$B/sig/use.h"
printf '%s\n' '/* defines it with an int */' '#include "def.h"' 'int svc_sig_lie(int x) { return x; }' > "$B/sig/def.c"
printf '%s\n' '/* calls it with a pointer */' '#include "use.h"' \
	'int svc_sig_call(uint64_t *p) { return svc_sig_lie(p); }' > "$B/sig/use.c"
sigs=""
for f in def use; do
	# shellcheck disable=SC2086
	"$SAFECHECK" --framework-api build/fw-api.txt --sig-out "$B/sig/$f.sig" "$B/sig/$f.c" -- $svc_cflags \
		>"$B/sig/$f.chk" 2>&1 || { ko "sigcheck setup: $f.c fails the checker"; cat "$B/sig/$f.chk"; }
	sigs="$sigs $B/sig/$f.sig"
done
# shellcheck disable=SC2086
if sh "$SIGCHECK" build/fw-api.txt $sigs >"$B/sig/out" 2>&1; then
	ko "sigcheck accepted two different types for svc_sig_lie"
elif grep -q "svc_sig_lie" "$B/sig/out"; then
	ok "lying prototype refused ($(head -n1 "$B/sig/out"))"
else
	ko "sigcheck refused without naming svc_sig_lie"
	cat "$B/sig/out"
fi

# sig_refuses NAME REGEX SOURCE: a TU's view of the framework, written by
# the checker's --sig-out (its verdict on the file is ignored: these stand
# for what the checker would have to miss), next to every real service
# TU's, must fail sigcheck against the framework's own table (issue 9,
# class 4: the boundary is checked globally, with annotations).
sig_refuses() {
	printf '%s\n' "$3" > "$B/sig/$1.c"
	# shellcheck disable=SC2086
	"$SAFECHECK" --framework-api build/fw-api.txt --sig-out "$B/sig/$1.sig" "$B/sig/$1.c" -- $svc_cflags \
		>/dev/null 2>&1
	# shellcheck disable=SC2086
	if [ ! -s "$B/sig/$1.sig" ]; then
		ko "$1: no signature written"
	elif sh "$SIGCHECK" build/fw-api.txt $(find services -name '*.c' | sed 's|^|build/|; s|\.c$|.sig|') "$B/sig/$1.sig" \
		>"$B/sig/$1.out" 2>&1; then
		ko "$1: sigcheck accepted it"
	elif grep -qE "$2" "$B/sig/$1.out"; then
		ok "$1 refused ($(grep -E "$2" "$B/sig/$1.out" | head -n1))"
	else
		ko "$1: refused without a message matching '$2'"
		cat "$B/sig/$1.out"
	fi
}

# The real services alone agree with the framework's table.
# shellcheck disable=SC2086
if sh "$SIGCHECK" build/fw-api.txt $(find services -name '*.c' | sed 's|^|build/|; s|\.c$|.sig|') >"$B/sig/real.out" 2>&1; then
	ok "services agree with the framework API table ($(cat "$B/sig/real.out"))"
else
	ko "the real services fail sigcheck"
	cat "$B/sig/real.out"
fi

# A macro-only function redeclared without FW_MACRO_API / FW_POD_DST (so
# its own TU may call it with any capacity): same C type, other promises.
sig_refuses macro-only-lie "symbol fw_user_read" '#include <fw/types.h>
struct fw_uaddr { uint64_t a; };
int fw_user_read(void *dst, size_t cap, size_t n, struct fw_uaddr src);
int svc_sig_grab(void);
int svc_sig_grab(void) { char b[8] = {0}; return fw_user_read(b, 4096, 4096, (struct fw_uaddr){0}); }'

# A framework struct declared the service'"'"'s own way: the fault upcall
# reading a 64-word register frame the framework passes as 22 words.
sig_refuses struct-lie "struct fw_uregs" '#include <fw/types.h>
struct fw_uregs { uint64_t w[64]; };
uint64_t svc_sig_peek(struct fw_uregs *r);
uint64_t svc_sig_peek(struct fw_uregs *r) { return r->w[63]; }'

# A framework function redeclared with another parameter type.
sig_refuses type-lie "symbol fw_frame_put" '#include <fw/types.h>
void fw_frame_put(uint64_t f);
void svc_sig_put(void);
void svc_sig_put(void) { fw_frame_put(0); }'

# The checker refuses to bless a service built without the wall'"'"'s flags
# (here: the format and stack-frame diagnostics demoted).
weak_flags=$(echo "$svc_cflags" | sed 's/-Werror=format //; s/-Werror=frame-larger-than //')
# shellcheck disable=SC2086
if "$SAFECHECK" --require-wall-flags services/syscall/dispatch.c -- $weak_flags -Wno-frame-larger-than \
	>"$B/flags.out" 2>&1; then
	ko "checker accepted a service without -Werror=format / -Werror=frame-larger-than"
elif grep -q "flags:.*-Werror=format.*frame-larger-than" "$B/flags.out"; then
	ok "weakened service flags refused"
else
	ko "weakened flags refused without naming them"
	cat "$B/flags.out"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
