#!/usr/bin/env bash
# tools/lmbench/run.sh - lmbench3 on Keel and on Debian's Linux, same QEMU.
#
# Layer: host tooling.  Trusts: the lmbench3 sources the user supplies,
# musl-gcc, QEMU, `./keel exec`, and the Debian kernel `keel bench` fetched.
#
# Usage (from the repo root):
#   tools/lmbench/run.sh LMBENCH_SRC [--only keel|linux] [ROW...]
#
#   LMBENCH_SRC  an lmbench3 tree (its src/ directory holds lat_syscall.c
#                ...), e.g. a checkout of a public lmbench3 mirror.  No
#                lmbench code is kept in this repository.
#   ROW          rows of tools/lmbench/guest.sh (default: all of them)
#   KEEL_ICOUNT=shift=2 (environment) counts instructions on both sides,
#                as for `keel bench` (docs/performance.md).
#
# The benchmarks are built static with musl-gcc into build/lmbench/bin
# (lat_rpc and the RPC parts are left out: musl has no Sun RPC; two empty
# headers and three portmapper stubs stand in).  Keel runs them in one
# `keel exec` boot; Linux (build/bench/linux: run `./keel bench` once to
# fetch it) boots an initramfs of busybox, the benchmarks and guest.sh.
# Output: build/lmbench/{keel,linux}.log and a table, cost = Keel/Linux in
# time (> 1: Keel slower), with the geometric mean of the costs.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
die() { echo "lmbench: $*" >&2; exit 1; }

SRC=${1:-}
[ -n "$SRC" ] && [ -f "$SRC/src/lat_syscall.c" ] || die "usage: $0 LMBENCH_SRC [--only keel|linux] [ROW...]"
shift
ONLY=""
if [ "${1:-}" = --only ]; then ONLY=${2:?}; shift 2; fi
OUT=build/lmbench
BIN=$OUT/bin
mkdir -p "$BIN" "$OUT/obj" "$OUT/inc/rpc"

# ---- build --------------------------------------------------------------------
PROGS=(lat_syscall lat_sig lat_pipe lat_unix lat_ctx lat_proc lat_pagefault lat_mmap lat_fs
	bw_pipe bw_unix bw_mem lat_select lat_fcntl hello)
build() {
	printf '#include <sys/types.h>\n' > "$OUT/inc/rpc/rpc.h"
	cp "$OUT/inc/rpc/rpc.h" "$OUT/inc/rpc/types.h"
	cat > "$OUT/inc/rpcstub.c" <<'EOF'
int pmap_unset(unsigned long p, unsigned long v) { (void)p; (void)v; return 0; }
int pmap_set(unsigned long p, unsigned long v, int pr, unsigned short port) { (void)p; (void)v; (void)pr; (void)port; return 0; }
unsigned short pmap_getport(void *a, unsigned long p, unsigned long v, unsigned pr) { (void)a; (void)p; (void)v; (void)pr; return 0; }
EOF
	local cflags=(-O2 -static -w "-I$OUT/inc" "-I$SRC/src" -D_GNU_SOURCE -D_LARGEFILE64_SOURCE -DHAVE_uint=1
		-DHAVE_int64_t=1 -DHAVE_uint64_t=1 -DHAVE_socklen_t -DHAVE_DRAND48 -DHAVE_off64_t -DHAVE_lseek64 -DRUSAGE)
	local objs=() l p
	musl-gcc "${cflags[@]}" -c "$OUT/inc/rpcstub.c" -o "$OUT/obj/rpcstub.o" || die "build failed"
	objs+=("$OUT/obj/rpcstub.o")
	for l in lib_tcp lib_udp lib_unix lib_timing lib_mem lib_stats lib_debug getopt lib_sched; do
		musl-gcc "${cflags[@]}" -c "$SRC/src/$l.c" -o "$OUT/obj/$l.o" || die "building $l failed"
		objs+=("$OUT/obj/$l.o")
	done
	for p in "${PROGS[@]}"; do
		musl-gcc "${cflags[@]}" -o "$BIN/$p" "$SRC/src/$p.c" "${objs[@]}" -lm || die "building $p failed"
	done
}
command -v musl-gcc >/dev/null || die "musl-gcc missing (tools/deps.sh)"
build

# ---- run ----------------------------------------------------------------------
. tools/qemu.sh
run_keel() {
	local f=() p
	for p in "${PROGS[@]}"; do f+=(--file "$BIN/$p:/bin/$p"); done
	f+=(--file tools/lmbench/guest.sh:/bin/lmb.sh)
	./keel exec --no-net --timeout 3600 "${f[@]}" /bin/sh /bin/lmb.sh "$@" 2>&1 | tr -d '\r' > "$OUT/keel.log"
}
run_linux() {
	local vmlinuz st=$OUT/initramfs a
	vmlinuz=$(ls build/bench/linux/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$vmlinuz" ] || die "no Debian kernel in build/bench/linux: run ./keel bench --filter null once"
	rm -rf "$st" && mkdir -p "$st"/bin "$st"/dev "$st"/proc "$st"/sys "$st"/tmp
	cp "$BIN"/* "$st"/bin/ && cp tools/lmbench/guest.sh "$st"/bin/lmb.sh
	cp "$(command -v busybox || echo /bin/busybox)" "$st"/bin/busybox
	for a in sh mount sed tr dd cp echo poweroff cat uname; do ln -s busybox "$st/bin/$a"; done
	cat > "$st/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1
echo "LMB-KERNEL $(uname -r)"
/bin/sh /bin/lmb.sh $(sed -n 's/.*lmb_rows=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
poweroff -f
EOF
	chmod +x "$st/init"
	if [ "$(id -u)" = 0 ]; then mknod "$st"/dev/console c 5 1; mknod "$st"/dev/null c 1 3; fi
	(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$OUT/initramfs.cpio.gz"
	local rows
	rows=$(IFS=,; echo "$*")
	# shellcheck disable=SC2046
	timeout 3600 qemu-system-x86_64 $(keel_qemu_common_args) -serial stdio -monitor none \
		-kernel "$vmlinuz" -initrd "$OUT/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1 lmb_rows=$rows" </dev/null 2>&1 | tr -d '\r' > "$OUT/linux.log"
}
[ "$ONLY" = linux ] || run_keel "$@"
[ "$ONLY" = keel ] || run_linux "$@"
[ -n "$ONLY" ] && { cat "$OUT/$ONLY.log"; exit 0; }

# ---- table --------------------------------------------------------------------
parse() { # LOG -> "row value better" per figure
	awk '
	/^=== / { row = $2; next }
	row == "fs" && /^[0-9]+k\t/ { printf "fs_create_%s %s higher\nfs_delete_%s %s higher\n", $1, $3, $1, $4; next }
	row ~ /^ctx/ && /^[0-9]+ [0-9.]+$/ { printf "%s %s lower\n", row, $2; next }
	row == "mmap" && NF == 2 && $1 ~ /^[0-9.]+$/ { printf "mmap %s lower\n", $2; next }
	row ~ /^bw_mem/ && NF == 2 && $1 ~ /^[0-9.]+$/ { printf "%s %s higher\n", row, $2; next }
	/MB\/sec/ { for (i = 1; i < NF; i++) if ($(i+1) == "MB/sec") printf "%s %s higher\n", row, $i; next }
	/microseconds/ { for (i = 1; i < NF; i++) if ($(i+1) == "microseconds") printf "%s %s lower\n", row, $i; next }' "$1"
}
echo "lmbench  Keel $(git describe --always --dirty)  Linux $(awk '$1 == "LMB-KERNEL" { print $2 }' "$OUT/linux.log")  ${KEEL_ICOUNT:+icount $KEEL_ICOUNT}"
printf '%-16s %12s %12s %6s\n' row Keel Linux cost
join <(parse "$OUT/keel.log" | sort) <(parse "$OUT/linux.log" | sort | awk '{ print $1, $2 }') | awk '
{ c = ($3 == "higher") ? $4 / $2 : $2 / $4; printf "%-16s %12s %12s %6.2f\n", $1, $2, $4, c; s += log(c); n++ }
END { if (n) printf "geometric mean of cost over %d rows: %.2f (>1: Keel slower)\n", n, exp(s / n) }'
