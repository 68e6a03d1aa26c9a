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

# Attack round 3: a *static* memset takes the calls the compiler makes in
# its own object (-ftrivial-auto-var-init's zeroing): locals stay stale.
obj static-memset '#include <fw/log.h>
struct ops { void (*fn)(uint64_t); uint64_t pad[40]; };
__attribute__((noinline)) static void memset(void) { fw_info("not zeroed"); }
__attribute__((noinline)) static void use_ops(const struct ops *o) { if (o->fn) o->fn(1); }
void svc_stale(void);
void svc_stale(void) { struct ops o; memset(); use_ops(&o); }' &&
	wall_refuses static-memset "a service object defines 'memset'"

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

# Attack round 3: the compiler runtime declared by a service (the import
# wall admits memset for compiler-made calls) and called with any length.
sig_refuses runtime-decl "declares memset" '#include <fw/types.h>
struct small { uint64_t v; };
void *memset(struct small *d, int c, unsigned long n);
int svc_sig_smash(void);
int svc_sig_smash(void) { struct small s = {0}; (void)memset(&s, 0x41, 256); return (int)s.v; }'

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

# tus_refuse NAME REGEX: service TUs under $B/NAME/*.c, each passing the
# checker on its own, must fail sigcheck together (with every real service
# TU) naming REGEX: their views of one service symbol differ.
tus_refuse() {
	local sigs="" f
	for f in "$B/$1"/*.c; do
		# shellcheck disable=SC2086
		"$SAFECHECK" --framework-api build/fw-api.txt --sig-out "${f%.c}.sig" "$f" -- $svc_cflags \
			>"${f%.c}.chk" 2>&1 || { ko "$1: $(basename "$f") fails the checker"; cat "${f%.c}.chk"; return; }
		sigs="$sigs ${f%.c}.sig"
	done
	# shellcheck disable=SC2086
	if sh "$SIGCHECK" build/fw-api.txt $(find build/services -name '*.sig') $sigs >"$B/$1/out" 2>&1; then
		ko "$1: sigcheck accepted it"
	elif grep -qE "$2" "$B/$1/out"; then
		ok "$1 refused ($(grep -E "$2" "$B/$1/out" | head -n1))"
	else
		ko "$1: refused without a message matching '$2'"
		cat "$B/$1/out"
	fi
}

# Attack round 2: a noreturn function type behind a typedef. One TU calls
# svc_nr_stop as noreturn (so it keeps no code after the call), the other
# defines it returning: execution ran on into the next function. The
# description now carries the function type's noreturn.
mkdir -p "$B/noreturn-lie"
printf '%s\n' '#include <fw/types.h>' 'typedef void svc_nr_fn(uint32_t c) __attribute__((noreturn));' \
	'svc_nr_fn svc_nr_stop;' 'int svc_nr_use(uint32_t c);' > "$B/noreturn-lie/use.h"
printf '%s\n' '#include <fw/types.h>' 'void svc_nr_stop(uint32_t c);' > "$B/noreturn-lie/def.h"
printf '%s\n' '#include "use.h"' 'int svc_nr_use(uint32_t c) { if (c > 10) svc_nr_stop(c); return (int)c; }' \
	> "$B/noreturn-lie/use.c"
printf '%s\n' '#include "def.h"' 'void svc_nr_stop(uint32_t c) { (void)c; }' > "$B/noreturn-lie/def.c"
tus_refuse noreturn-lie "svc_nr_stop"

# Attack round 2: sigcheck compared 64-bit FNV-1a hashes of these
# descriptions. A collision search over field names found a pair: the
# pool's getter returns a 16-byte struct atk_obj in the TU that defines the
# pool and a 4096-byte one in the TU that uses it, with one hash (the
# user wrote 4 KiB into 16-byte slots, into the next page). The full
# descriptions are compared now.
mkdir -p "$B/hash-collision"
printf '%s\n' '#include <fw/pool.h>' 'struct atk_obj { uint8_t n6e533afed3b76e6b[16]; };' \
	'FW_POOL_DECLARE(atkp, struct atk_obj);' > "$B/hash-collision/small.h"
printf '%s\n' '#include <fw/pool.h>' 'struct atk_obj { uint8_t nfbc258b2a0f0876e[4096]; };' \
	'FW_POOL_DECLARE(atkp, struct atk_obj);' 'int svc_atk_poke(struct atkp_ref r);' > "$B/hash-collision/big.h"
printf '%s\n' '#include "small.h"' 'FW_POOL_DEFINE(atkp, struct atk_obj)' > "$B/hash-collision/pool.c"
printf '%s\n' '#include "big.h"' \
	'int svc_atk_poke(struct atkp_ref r) { struct atk_obj *o = atkp_get(r); if (o) o->nfbc258b2a0f0876e[4095] = 1; return 0; }' \
	> "$B/hash-collision/use.c"
tus_refuse hash-collision "atkp_get"

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

# Attack round 2: the checker kept a TU's files in a 512-entry list and
# never scanned the rest; a #pragma in the 601st header silenced
# -Wframe-larger-than for a 64 KiB frame. Every file is scanned now.
mkdir -p "$B/many/ktest/many"
for i in $(seq 0 599); do printf '/* filler %d */\n' "$i" > "$B/many/ktest/many/h$i.h"; done
echo 'int svc_many_probe(int x);' >> "$B/many/ktest/many/h0.h"
printf '%s\n' '#pragma clang diagnostic ignored "-Wframe-larger-than"' > "$B/many/ktest/many/last.h"
{ for i in $(seq 0 599); do echo "#include \"ktest/many/h$i.h\""; done
  echo '#include "ktest/many/last.h"'; echo 'int svc_many_probe(int x) { return x; }'; } \
	> "$B/many/ktest/many.c"
# shellcheck disable=SC2086
if "$SAFECHECK" --root "$B/many" --framework-include framework/include --framework-api build/fw-api.txt "$B/many/ktest/many.c" -- $svc_cflags -I"$B/many" \
	>"$B/many/out" 2>&1; then
	ko "a #pragma in a TU's 601st file was not seen"
elif grep -q "last.h:1:1: pragma:" "$B/many/out" && [ "$(wc -l < "$B/many/out")" = 1 ]; then
	ok "a #pragma in a TU's 601st file refused"
else
	ko "many-files TU refused without naming the pragma"
	tail -3 "$B/many/out"
fi

# Attack round 2: without -fno-finite-loops clang assumes every loop with
# a non-constant condition ends (C11 6.8.5p6), deletes an infinite one and
# keeps what its exit condition implied: a bounds check folded away, a
# 144-byte stack overwrite. Without -Werror=pointer-arith sizeof of a
# function is 1. Both flags are required, -ffinite-loops refused.
weak_flags=$(echo "$svc_cflags" | sed 's/-fno-finite-loops //; s/-Werror=pointer-arith//')
# shellcheck disable=SC2086
if "$SAFECHECK" --require-wall-flags services/syscall/dispatch.c -- $weak_flags -ffinite-loops \
	>"$B/flags2.out" 2>&1; then
	ko "checker accepted a service without -fno-finite-loops / -Werror=pointer-arith"
elif grep -q "flags:.*lack -fno-finite-loops.*lack -Werror=pointer-arith.*-ffinite-loops would switch" "$B/flags2.out"; then
	ok "finite-loops assumption and sizeof(function) flags refused"
else
	ko "weakened loop/pointer-arith flags refused without naming them"
	cat "$B/flags2.out"
fi

# Attack round 4: a division by zero the CPU never executed is still UB
# the optimiser uses: after `q = rd(&zero) / d` (0 / d once rd is
# inlined, then folded away) it took d != 0 and deleted the bounds check
# of `arr[15 - d]`; d == 0 wrote one element past the array (rip =
# 0x4141414141414141). -fsanitize=integer-divide-by-zero is required.
weak_flags=$(echo "$svc_cflags" | sed 's/,integer-divide-by-zero//')
# shellcheck disable=SC2086
if "$SAFECHECK" --require-wall-flags services/syscall/dispatch.c -- $weak_flags \
	>"$B/flags3.out" 2>&1; then
	ko "checker accepted a service without -fsanitize=integer-divide-by-zero"
elif grep -q "flags:.*lack -fsanitize=.*integer-divide-by-zero" "$B/flags3.out"; then
	ok "untrapped division by zero refused (flags)"
else
	ko "missing integer-divide-by-zero refused without naming it"
	cat "$B/flags3.out"
fi

# Attack round 3: a symbol the linker script assigns overrides an
# object's definition of the same name, so a service function named
# KERNEL_VMA was called at 0xffffffff80000000. Every symbol the script
# defines must be in the "__" namespace no service may define.
bad_syms=$(sed 's|/\*.*\*/||g' framework/arch/x86_64/linker.ld |
	grep -oE '(^|[;{[:space:]])(PROVIDE(_HIDDEN)?[[:space:]]*\()?[A-Za-z_][A-Za-z0-9_]*[[:space:]]*=[^=]' |
	sed -E 's/^[;{[:space:]]*(PROVIDE(_HIDDEN)?[[:space:]]*\()?//; s/[[:space:]]*=.*$//' | grep -v '^__' | sort -u)
if [ -z "$bad_syms" ]; then
	ok "every linker-script symbol is in the reserved __ namespace"
else
	ko "linker-script symbols a service could define: $bad_syms"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
