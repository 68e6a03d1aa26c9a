#!/usr/bin/env bash
# tools/bench/bench.sh - `./keel bench`: microbenchmarks, Keel versus Linux.
#
# Layer: host tooling.  Trusts: Debian's apt archive, QEMU, musl-gcc, and
# `./keel exec` for the Keel side.
#
# Usage (from the repo root; `./keel bench ARGS` runs `bash tools/bench/bench.sh ARGS`):
#   tools/bench/bench.sh [--filter LIST] [--runs N] [--json FILE]
#                        [--target-ms MS] [--only keel|linux] [--list]
#
#   --filter LIST  comma-separated benchmark names; a name that is not exactly
#                  a benchmark selects every benchmark containing it
#   --runs N       timed runs per benchmark (the figure is their median); 5
#   --json FILE    also write the results as JSON
#   --target-ms MS length of one timed run inside the guest; 300
#   --only K       run one kernel only (the other column shows n/a)
#   --linux-append ARGS  extra Linux command line (e.g. mitigations=off),
#                  for exploring; the default is Debian's defaults
#   --list         list the benchmarks and exit
#
# Every benchmark is a static musl program user/bench/bench_<name>.c built
# with `musl-gcc -static -O2` and started as `/bin/bench_<name> RUNS MS`, cwd
# /, stdin /dev/null, on both kernels: on Keel one `./keel exec` per program;
# on Debian's Linux (linux-image-amd64, fetched with apt-get download and
# unpacked under build/bench/linux) one boot of an initramfs whose /init
# (user/bench/init.c) runs them in turn.  Both boot in the same QEMU
# configuration (tools/qemu.sh's keel_qemu_common_args when it exists).
#
# Each program prints one line
#   BENCH <name> <median> <unit> <better> runs=N min=X max=Y iters=I
# where unit is ns/op (better=lower: time per operation) or MB/s
# (better=higher: bandwidth, 10^6 bytes per second).  A program that fails
# prints BENCHFAIL; its figure is shown as n/a and left out of the mean.
#
# The table shows Keel's and Linux's figure, the spread over runs
# ((max-min)/median), the ratio Keel/Linux of the figures (for ns/op, > 1
# means Keel is slower; for MB/s, < 1 means Keel is slower), and the cost
# factor Keel/Linux (time ratio: ns/op ratio as is, MB/s ratio inverted;
# > 1 always means Keel is slower).  The geometric mean at the bottom is
# taken over the cost factors of the benchmarks that ran on both kernels.

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1

OUT=build/bench
BENCHES=(null devnull_read devnull_write pipe_lat pipe_bw ctxsw ctx2_16k ctx8_16k
	 fork_exit fork_exec exec_big sh_c dyn_true page_fault file_fault mmap_munmap signal
	 sigaction file_cwcu open_close stat clock blk_read blk_write
	 ext2_seq_write ext2_seq_read_cold ext2_seq_read ext2_rand_read_cold ext2_rand_read ext2_rand_write
	 tcp_lat tcp_bw udp_lat unix_lat unix_bw)
declare -A DESC=(
	[null]="getppid() syscall"
	[devnull_read]="read 1 byte from /dev/null"
	[devnull_write]="write 1 byte to /dev/null"
	[pipe_lat]="pipe round trip, 2 processes"
	[pipe_bw]="pipe bandwidth, 64 KiB chunks"
	[ctxsw]="context switch, 2 procs over pipes"
	[fork_exit]="fork + exit + wait"
	[fork_exec]="fork + execve tiny static + wait"
	[exec_big]="fork + execve busybox (2 MB static)"
	[sh_c]="fork + sh -c prog + wait"
	[dyn_true]="fork + execve Debian's dynamic true"
	[ctx2_16k]="context switch, 2 procs, 16 KiB each"
	[ctx8_16k]="context switch, 8 procs, 16 KiB each"
	[file_fault]="file page fault, per page"
	[sigaction]="install a signal handler"
	[clock]="clock_gettime(CLOCK_MONOTONIC)"
	[blk_read]="read /dev/vda, 1 MiB O_DIRECT"
	[blk_write]="write /dev/vda, 1 MiB O_DIRECT"
	[ext2_seq_write]="ext2: write 64 MiB file + fsync"
	[ext2_seq_read_cold]="ext2: read 64 MiB file, cold"
	[ext2_seq_read]="ext2: read 64 MiB file, cached"
	[ext2_rand_read_cold]="ext2: 4 KiB random pread, cold"
	[ext2_rand_read]="ext2: 4 KiB random pread, cached"
	[ext2_rand_write]="ext2: 4 KiB random pwrite + fsync"
	[page_fault]="anon page fault, per page"
	[mmap_munmap]="mmap + munmap 1 MiB"
	[signal]="kill self + handler + sigreturn"
	[file_cwcu]="create+write 4K+close+unlink /tmp"
	[open_close]="open + close /tmp file"
	[stat]="stat /tmp file"
	[tcp_lat]="TCP round trip over lo, 1 byte"
	[tcp_bw]="TCP bandwidth over lo, 64 KiB"
	[udp_lat]="UDP round trip over lo, 1 byte"
	[unix_lat]="AF_UNIX stream round trip, 1 byte"
	[unix_bw]="AF_UNIX stream bandwidth, 64 KiB"
)
# Debian's dynamic /usr/bin/true (glibc) for dyn_true, at /bin/dyn_true in
# both guests, with its loader and libraries at their host paths.
DYN_TRUE=/usr/bin/true
# Extra host files a benchmark needs in the guest's /bin.
declare -A EXTRA=([fork_exec]=bench_true [sh_c]=bench_true)
# Benchmarks that need a disk: a 64 MiB virtio-blk /dev/vda (tools/qemu.sh's
# keel_qemu_disk_args) on both kernels; Linux loads Debian's virtio modules.
declare -A NEEDS_DISK=([blk_read]=1 [blk_write]=1)
# Benchmarks on ext2: /dev/vda as above and /dev/vdb, a 160 MiB ext2 image
# (mke2fs -t ext2 -b 4096, fresh for each Keel boot and for the Linux boot;
# Linux mounts it with Debian's ext4 module, which serves ext2).
declare -A NEEDS_EXT2=([ext2_seq_write]=1 [ext2_seq_read_cold]=1 [ext2_seq_read]=1
	[ext2_rand_read_cold]=1 [ext2_rand_read]=1 [ext2_rand_write]=1)
# Debian builds virtio-pci and virtio-blk as modules; /init loads these in
# this order (dependencies first) when /lib/modules-bench exists.
LINUX_MODULES=(drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/block/virtio_blk
	lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4)

FILTER="" RUNS=5 JSON="" TARGET_MS=300 ONLY="" LINUX_APPEND=""

die() { echo "keel bench: $*" >&2; exit 1; }
log() { echo "keel bench: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--filter) FILTER=${2:?--filter needs an argument}; shift 2 ;;
	--filter=*) FILTER=${1#*=}; shift ;;
	--runs) RUNS=${2:?--runs needs an argument}; shift 2 ;;
	--runs=*) RUNS=${1#*=}; shift ;;
	--json) JSON=${2:?--json needs an argument}; shift 2 ;;
	--json=*) JSON=${1#*=}; shift ;;
	--target-ms) TARGET_MS=${2:?}; shift 2 ;;
	--target-ms=*) TARGET_MS=${1#*=}; shift ;;
	--only) ONLY=${2:?}; shift 2 ;;
	--only=*) ONLY=${1#*=}; shift ;;
	--linux-append) LINUX_APPEND=${2?}; shift 2 ;;
	--linux-append=*) LINUX_APPEND=${1#*=}; shift ;;
	--list)
		for b in "${BENCHES[@]}"; do printf '%-14s %s\n' "$b" "${DESC[$b]}"; done
		exit 0 ;;
	-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] && [ "$RUNS" -le 101 ] || die "--runs must be 1..101"
[[ $TARGET_MS =~ ^[0-9]+$ ]] && [ "$TARGET_MS" -ge 10 ] || die "--target-ms must be >= 10"
case "$ONLY" in ""|keel|linux) ;; *) die "--only takes keel or linux" ;; esac

# ---- selection ---------------------------------------------------------------
SEL=()
if [ -z "$FILTER" ]; then
	SEL=("${BENCHES[@]}")
else
	declare -A want=()
	IFS=, read -r -a pats <<<"$FILTER"
	for p in "${pats[@]}"; do
		[ -n "$p" ] || continue
		exact=0
		for b in "${BENCHES[@]}"; do [ "$b" = "$p" ] && { want[$b]=1; exact=1; }; done
		if [ $exact = 0 ]; then
			for b in "${BENCHES[@]}"; do [[ $b == *"$p"* ]] && want[$b]=1; done
		fi
	done
	for b in "${BENCHES[@]}"; do [ -n "${want[$b]:-}" ] && SEL+=("$b"); done
fi
[ ${#SEL[@]} -gt 0 ] || die "no benchmark matches '$FILTER' (try --list)"

# ---- dependencies ------------------------------------------------------------
ensure_tools() {
	local missing=() pkgs=()
	command -v musl-gcc >/dev/null || { missing+=(musl-gcc); pkgs+=(musl-tools); }
	command -v qemu-system-x86_64 >/dev/null || { missing+=(qemu-system-x86_64); pkgs+=(qemu-system-x86); }
	[ -x /bin/busybox ] || command -v busybox >/dev/null || { missing+=(busybox); pkgs+=(busybox-static); }
	command -v cpio >/dev/null || { missing+=(cpio); pkgs+=(cpio); }
	[ ${#pkgs[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		die "missing ${missing[*]}: run 'apt-get install ${pkgs[*]}' as root"
	fi
	log "installing ${pkgs[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2 ||
	{ apt-get update -q >&2 &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2; } ||
	die "apt-get install ${pkgs[*]} failed"
}

# Debian's kernel, unpacked (never installed) under build/bench/linux.
LINUX_DIR=$OUT/linux
LINUX_PKG="" LINUX_VER="" VMLINUZ=""
fetch_linux() {
	VMLINUZ=$(ls "$LINUX_DIR"/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
	# (an unpack from before the disk benchmarks kept fewer modules: refetch)
	local want
	for want in "${LINUX_MODULES[@]}"; do
		[ -f "$LINUX_DIR/modules/$(basename "$want").ko" ] || VMLINUZ=""
	done
	if [ -z "$VMLINUZ" ]; then
		local pkg
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		      awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
		if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
			apt-get update -q >&2
			pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			      awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
		fi
		[ -n "$pkg" ] || die "cannot resolve linux-image-amd64 (apt-get update?)"
		log "fetching $pkg"
		rm -rf "$OUT/dl" "$LINUX_DIR"
		mkdir -p "$OUT/dl" "$LINUX_DIR"
		# (as root apt warns that the _apt user cannot write here: harmless)
		(cd "$OUT/dl" && apt-get download "$pkg" > download.log 2>&1) || {
			cat "$OUT/dl/download.log" >&2
			die "apt-get download $pkg failed"
		}
		local deb
		deb=$(ls "$OUT"/dl/"$pkg"_*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || die "apt-get download $pkg produced no .deb"
		dpkg-deb -x "$deb" "$LINUX_DIR" || die "dpkg-deb -x $deb failed"
		# The kernel image, and the virtio modules the disk benchmarks need.
		mkdir -p "$LINUX_DIR/modules"
		local m ko
		for m in "${LINUX_MODULES[@]}"; do
			ko=$(ls "$LINUX_DIR"/lib/modules/*/kernel/"$m".ko* 2>/dev/null | head -n 1)
			[ -n "$ko" ] || die "no $m module in $pkg"
			case $ko in
			*.xz) xz -dc "$ko" > "$LINUX_DIR/modules/$(basename "$m").ko" ;;
			*.zst) zstd -dcq "$ko" > "$LINUX_DIR/modules/$(basename "$m").ko" ;;
			*) cp "$ko" "$LINUX_DIR/modules/" ;;
			esac || die "cannot unpack $ko"
		done
		rm -rf "$LINUX_DIR/lib" "$LINUX_DIR/usr"
		dpkg-deb -f "$deb" Package Version > "$LINUX_DIR/PACKAGE"
		rm -rf "$OUT/dl"
		VMLINUZ=$(ls "$LINUX_DIR"/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
		[ -n "$VMLINUZ" ] || die "no vmlinuz in $pkg"
	fi
	LINUX_VER=${VMLINUZ##*/vmlinuz-}
	LINUX_PKG=$(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 }' "$LINUX_DIR/PACKAGE" 2>/dev/null)
}

# ---- build -------------------------------------------------------------------
BIN=$OUT/bin
CFLAGS=(-static -O2 -Wall -Wextra)
build_programs() {
	mkdir -p "$BIN"
	local src=user/bench b out
	for b in "${BENCHES[@]}" true init; do
		case $b in
		true) out=$BIN/bench_true; set -- "$src/bench_true.c" ;;
		init) out=$BIN/init; set -- "$src/init.c" ;;
		*) out=$BIN/bench_$b; set -- "$src/bench_$b.c" "$src/harness.c" ;;
		esac
		if [ -x "$out" ] && [ -z "$(find "$@" "$src/bench.h" "$src/ctx_ring.h" "$src/blk.h" "$src/ext2b.h" "$src/net_pair.h" "${BASH_SOURCE[0]}" -newer "$out" 2>/dev/null)" ]; then
			continue
		fi
		musl-gcc "${CFLAGS[@]}" -o "$out" "$@" || die "building $out failed"
	done
}

# Same initramfs content for every Linux boot: /init, every benchmark in /bin.
INITRD=$OUT/initramfs.cpio.gz
build_initramfs() {
	local st=$OUT/initramfs
	rm -rf "$st"
	mkdir -p "$st"/bin "$st"/dev "$st"/proc "$st"/sys "$st"/tmp
	cp "$BIN"/bench_* "$st"/bin/
	cp "$BIN"/init "$st"/init
	mkdir -p "$st"/lib/modules-bench
	local m i=0
	for m in "${LINUX_MODULES[@]}"; do
		i=$((i + 1))
		cp "$LINUX_DIR/modules/$(basename "$m").ko" "$st/lib/modules-bench/$(printf %02d $i)-$(basename "$m").ko"
	done
	# exec_big and sh_c run busybox (the same static binary Keel's
	# initramfs holds) and its shell.
	cp "$(command -v busybox || echo /bin/busybox)" "$st"/bin/busybox
	ln -s busybox "$st"/bin/sh
	cp "$DYN_TRUE" "$st"/bin/dyn_true
	local lib
	for lib in $(ldd "$DYN_TRUE" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$st/$(dirname "$lib")"
		cp -L "$lib" "$st/$lib"
	done
	if [ "$(id -u)" = 0 ]; then
		# Linux opens /dev/console for pid 1 before /init runs.
		mknod "$st"/dev/console c 5 1
		mknod "$st"/dev/null c 1 3
	fi  # else: init mounts devtmpfs and reopens /dev/console itself
	if command -v cpio >/dev/null; then
		(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
	else
		(cd "$st" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null)
	fi | gzip -1 > "$INITRD" || die "building $INITRD failed"
}

# ---- QEMU configuration --------------------------------------------------------
qemu_common_args() {
	if [ -f tools/qemu.sh ]; then
		# shellcheck source=/dev/null
		. tools/qemu.sh
	fi
	if declare -F keel_qemu_common_args >/dev/null; then
		keel_qemu_common_args
	else
		echo "-accel tcg -cpu max -m 512M -smp 1 -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4"
	fi
}

# ---- results -------------------------------------------------------------------
declare -A VAL MIN MAX UNIT BETTER ERR
# parse_lines KERNEL FILE: read BENCH/BENCHFAIL lines into the arrays.
parse_lines() {
	local k=$1 f=$2 tag name v unit better rest kv
	while read -r tag name v unit better rest; do
		case $tag in
		BENCH)
			[ -n "${VAL[$k,$name]:-}" ] && continue
			[[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || { ERR[$k,$name]="bad figure '$v'"; continue; }
			VAL[$k,$name]=$v UNIT[$name]=$unit BETTER[$name]=$better
			for kv in $rest; do
				case $kv in
				min=*) MIN[$k,$name]=${kv#min=} ;;
				max=*) MAX[$k,$name]=${kv#max=} ;;
				esac
			done ;;
		BENCHFAIL)
			[ -n "${ERR[$k,$name]:-}" ] || ERR[$k,$name]=$(echo $v $unit $better $rest) ;;
		esac
	done < <(tr -d '\r' < "$f" | grep -aE '^(BENCH|BENCHFAIL) ')
}

run_linux() {
	local log=$OUT/linux.log list n=${#SEL[@]} t
	list=$(IFS=,; echo "${SEL[*]}")
	# boot + per benchmark: calibration and RUNS timed runs, with slack
	t=$(( 60 + n * (RUNS + 4) * TARGET_MS * 3 / 1000 ))
	log "booting Linux $LINUX_VER (${#SEL[@]} benchmarks, timeout ${t}s)"
	# shellcheck disable=SC2086
	timeout "$t" qemu-system-x86_64 $QARGS $QSERIAL $(disk_args linux) \
		-kernel "$VMLINUZ" -initrd "$INITRD" \
		-append "console=ttyS0 quiet panic=-1 bench_list=$list bench_runs=$RUNS bench_target_ms=$TARGET_MS${LINUX_APPEND:+ $LINUX_APPEND}" \
		</dev/null >"$log" 2>&1
	local st=$?
	parse_lines linux "$log"
	local b
	for b in "${SEL[@]}"; do
		if [ -z "${VAL[linux,$b]:-}" ] && [ -z "${ERR[linux,$b]:-}" ]; then
			if [ $st = 124 ]; then ERR[linux,$b]="timeout (see $log)"
			else ERR[linux,$b]="no result, qemu status $st (see $log)"; fi
		fi
	done
	LINUX_BOOTED=$(tr -d '\r' < "$log" | awk '$1 == "KEELBENCH-KERNEL" { print $3; exit }')
	LINUX_INFO=$(tr -d '\r' < "$log" | awk '$1 == "KEELBENCH-INFO" {
		k = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); sub(/;.*/, "")
		printf "%s%s=%s", (n++ ? ", " : ""), k, $0 }')
}

# fresh_disks KERNEL EXT2: a zeroed 64 MiB disk image, and with EXT2=1 a
# fresh 160 MiB ext2 image after it; prints their paths.
fresh_disks() {
	truncate -s 0 "$OUT/disk-$1.img" && truncate -s 64M "$OUT/disk-$1.img"
	echo "$OUT/disk-$1.img"
	if [ "$2" = 1 ]; then
		rm -f "$OUT/ext2-$1.img"
		truncate -s 160M "$OUT/ext2-$1.img"
		mke2fs -q -F -t ext2 -b 4096 "$OUT/ext2-$1.img" >/dev/null || die "mke2fs failed"
		echo "$OUT/ext2-$1.img"
	fi
}

# disk_args KERNEL: the disks the selected benchmarks need (Keel: per
# benchmark, through `keel exec --disk`).
disk_args() {
	local b disk=0 ext2=0
	for b in "${SEL[@]}"; do
		[ -n "${NEEDS_DISK[$b]:-}" ] && disk=1
		[ -n "${NEEDS_EXT2[$b]:-}" ] && ext2=1
	done
	[ $disk = 1 ] || [ $ext2 = 1 ] || return 0
	# shellcheck disable=SC2046
	keel_qemu_disk_args $(fresh_disks "$1" $ext2)
}

run_keel() {
	local b log files t st
	local keel=${KEEL_BENCH_KEEL:-./keel}  # override for testing bench.sh only
	local timeouts=0
	if [ ! -x "$keel" ]; then
		for b in "${SEL[@]}"; do ERR[keel,$b]="$keel not found"; done
		return
	fi
	# boot + calibration + RUNS timed runs, with slack for a slow kernel
	t=$(( 20 + (RUNS + 4) * TARGET_MS * 2 / 1000 ))
	for b in "${SEL[@]}"; do
		if [ $timeouts -ge 2 ]; then
			ERR[keel,$b]="skipped after two timeouts in a row"
			continue
		fi
		log=$OUT/keel-$b.log
		files=(--file "$BIN/bench_$b")
		[ -n "${EXTRA[$b]:-}" ] && files+=(--file "$BIN/${EXTRA[$b]}")
		[ "$b" = dyn_true ] && files+=(--libs --file "$DYN_TRUE:/bin/dyn_true")
		if [ -n "${NEEDS_DISK[$b]:-}" ] || [ -n "${NEEDS_EXT2[$b]:-}" ]; then
			local img
			for img in $(fresh_disks keel "${NEEDS_EXT2[$b]:-0}"); do files+=(--disk "$img"); done
		fi
		log "Keel: $b"
		# --no-net: the Linux guest has no NIC either (the network rows use lo)
		KEEL_LOG=$OUT/keel-$b.kernel.log timeout $((t + 30)) "$keel" exec --no-net --timeout "$t" "${files[@]}" \
			"/bin/bench_$b" "$RUNS" "$TARGET_MS" </dev/null >"$log" 2>&1
		st=$?
		export KEEL_NO_BUILD=1  # the first exec built the kernel
		parse_lines keel "$log"
		if [ $st = 124 ]; then timeouts=$((timeouts + 1)); else timeouts=0; fi
		if [ -z "${VAL[keel,$b]:-}" ] && [ -z "${ERR[keel,$b]:-}" ]; then
			case $st in
			0) ERR[keel,$b]="no BENCH line (see $log)" ;;
			124) ERR[keel,$b]="timeout after ${t}s (see $log)" ;;
			129|13[0-9]|14[0-9]|15[0-9]|16[0-4])
			   ERR[keel,$b]="killed by signal $((st - 128)) (see $log)" ;;
			*) ERR[keel,$b]="exit status $st (see $log)" ;;
			esac
		fi
	done
}

# ---- main ----------------------------------------------------------------------
mkdir -p "$OUT"
# shellcheck source=/dev/null
[ -f tools/qemu.sh ] && . tools/qemu.sh  # keel_qemu_disk_args
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
ensure_tools
build_programs
QARGS=$(qemu_common_args)
# The console on stdio, as `keel exec` has it (the common arguments may say
# -display none rather than -nographic).
case " $QARGS " in
*" -nographic "*) QSERIAL="" ;;
*) QSERIAL="-serial stdio -monitor none" ;;
esac
LINUX_BOOTED="" LINUX_INFO=""
if [ "$ONLY" != keel ]; then
	fetch_linux
	build_initramfs
	run_linux
else
	for b in "${SEL[@]}"; do ERR[linux,$b]="not run (--only keel)"; done
fi
if [ "$ONLY" != linux ]; then
	run_keel
else
	for b in "${SEL[@]}"; do ERR[keel,$b]="not run (--only linux)"; done
fi

# QEMU configuration for the header, parsed from the common arguments.
qarg() { # qarg FLAG: value following FLAG in QARGS
	awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }' <<<"$QARGS"
}
ACCEL=$(qarg -accel); [ -n "$ACCEL" ] || ACCEL=$(qarg -machine | sed -n 's/.*accel=\([^,]*\).*/\1/p')
CPU=$(qarg -cpu) MEM=$(qarg -m) SMP=$(qarg -smp)
QVER=$(qemu-system-x86_64 --version | head -n 1 | sed 's/^QEMU emulator version //')
HOSTCPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
KEEL_REV=$(git describe --always --dirty 2>/dev/null || echo unknown)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

fmt() { # fmt VALUE: compact number
	awk -v v="$1" 'BEGIN { if (v >= 100) printf "%.0f", v; else if (v >= 10) printf "%.1f", v; else printf "%.2f", v }'
}
spread() { # spread MIN MAX MEDIAN: percent
	awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN { if (m > 0) printf "%.0f%%", (b - a) / m * 100; else print "-" }'
}

echo "keel bench  $DATE"
echo "host:    $HOSTCPU, $(nproc) cores, $(uname -sr)"
echo "qemu:    $QVER  accel=${ACCEL:-?} cpu=${CPU:-?} mem=${MEM:-?} smp=${SMP:-1} (same for both kernels)"
echo "         $QARGS"
echo "kernels: Keel $KEEL_REV (./keel exec, one boot per benchmark)"
echo "         Linux ${LINUX_BOOTED:-$LINUX_VER} (${LINUX_PKG:-Debian linux-image-amd64}, one boot for all)"
[ -n "$LINUX_INFO" ] && echo "         Linux guest: $LINUX_INFO"
[ -n "$LINUX_APPEND" ] && echo "         Linux extra command line: $LINUX_APPEND"
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
echo "load:    host load average $LOAD_START at start, $LOAD_END at end$(
	awk -v a="$LOAD_START" -v b="$LOAD_END" -v n="$(nproc)" \
	    'BEGIN { if (a > n - 0.5 || b > n + 0.5) printf " -- BUSY HOST: other work competes with QEMU, figures are noisy" }')"
echo "method:  figure = median of $RUNS run(s) of ~${TARGET_MS} ms, iteration count calibrated in the guest"
echo "         ratio = Keel/Linux of the figures; cost = Keel/Linux in time (>1: Keel slower)"
echo
printf '%-14s %-6s %-6s %11s %5s %11s %5s %8s %7s\n' \
	benchmark unit better Keel spread Linux spread ratio cost
jnum() { [ -n "$1" ] && echo "$1" || echo null; }
jstr() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; echo "\"$s\""; }
LOGSUM=0 NGEO=0
ROWS_JSON=()
NOTES=()
for b in "${SEL[@]}"; do
	unit=${UNIT[$b]:-?} better=${BETTER[$b]:--}
	kv=${VAL[keel,$b]:-} lv=${VAL[linux,$b]:-}
	kcol=n/a ksp=- lcol=n/a lsp=- ratio=n/a cost=n/a
	if [ -n "$kv" ]; then
		kcol=$(fmt "$kv"); ksp=$(spread "${MIN[keel,$b]:-$kv}" "${MAX[keel,$b]:-$kv}" "$kv")
	else
		NOTES+=("$b on Keel: ${ERR[keel,$b]:-no result}")
	fi
	if [ -n "$lv" ]; then
		lcol=$(fmt "$lv"); lsp=$(spread "${MIN[linux,$b]:-$lv}" "${MAX[linux,$b]:-$lv}" "$lv")
	else
		NOTES+=("$b on Linux: ${ERR[linux,$b]:-no result}")
	fi
	if [ -n "$kv" ] && [ -n "$lv" ] &&
	   awk -v k="$kv" -v l="$lv" 'BEGIN { exit !(k > 0 && l > 0) }'; then
		ratio=$(awk -v k="$kv" -v l="$lv" 'BEGIN { printf "%.2f", k / l }')
		cost=$(awk -v k="$kv" -v l="$lv" -v h="$better" \
			'BEGIN { printf "%.2f", (h == "higher") ? l / k : k / l }')
		LOGSUM=$(awk -v s="$LOGSUM" -v c="$cost" 'BEGIN { printf "%.9f", s + log(c) }')
		NGEO=$((NGEO + 1))
	fi
	printf '%-14s %-6s %-6s %11s %5s %11s %5s %8s %7s\n' \
		"$b" "$unit" "$better" "$kcol" "$ksp" "$lcol" "$lsp" "$ratio" "$cost"
	ROWS_JSON+=("    {\"name\": $(jstr "$b"), \"description\": $(jstr "${DESC[$b]}"), \"unit\": $(jstr "$unit"), \"better\": $(jstr "$better"), \"keel\": $(jnum "$kv"), \"keel_min\": $(jnum "${MIN[keel,$b]:-}"), \"keel_max\": $(jnum "${MAX[keel,$b]:-}"), \"keel_error\": $( [ -n "$kv" ] && echo null || jstr "${ERR[keel,$b]:-no result}"), \"linux\": $(jnum "$lv"), \"linux_min\": $(jnum "${MIN[linux,$b]:-}"), \"linux_max\": $(jnum "${MAX[linux,$b]:-}"), \"linux_error\": $( [ -n "$lv" ] && echo null || jstr "${ERR[linux,$b]:-no result}"), \"ratio\": $( [ "$ratio" = n/a ] && echo null || echo "$ratio"), \"cost\": $( [ "$cost" = n/a ] && echo null || echo "$cost")}")
done
if [ "$NGEO" -gt 0 ]; then
	GEO=$(awk -v s="$LOGSUM" -v n="$NGEO" 'BEGIN { printf "%.2f", exp(s / n) }')
	echo
	echo "geometric mean of cost Keel/Linux over $NGEO benchmark(s): $GEO (>1: Keel slower)"
else
	GEO=""
	echo
	echo "geometric mean: n/a (no benchmark ran on both kernels)"
fi
if [ ${#NOTES[@]} -gt 0 ]; then
	echo
	echo "n/a:"
	for n in "${NOTES[@]}"; do echo "  $n"; done
fi

if [ -n "$JSON" ]; then
	{
		echo "{"
		echo "  \"date\": \"$DATE\","
		echo "  \"host_cpu\": $(jstr "$HOSTCPU"), \"host_cores\": $(nproc),"
		echo "  \"qemu\": {\"version\": $(jstr "$QVER"), \"accel\": $(jstr "${ACCEL:-}"), \"cpu\": $(jstr "${CPU:-}"), \"mem\": $(jstr "${MEM:-}"), \"smp\": $(jstr "${SMP:-1}"), \"args\": $(jstr "$QARGS")},"
		echo "  \"kernels\": {\"keel\": $(jstr "$KEEL_REV"), \"linux\": $(jstr "${LINUX_BOOTED:-$LINUX_VER}"), \"linux_package\": $(jstr "$LINUX_PKG"), \"linux_info\": $(jstr "$LINUX_INFO")},"
		echo "  \"runs\": $RUNS, \"target_ms\": $TARGET_MS, \"host_load\": [$LOAD_START, $LOAD_END],"
		echo "  \"benchmarks\": ["
		for i in "${!ROWS_JSON[@]}"; do
			sep=,; [ "$i" -eq $((${#ROWS_JSON[@]} - 1)) ] && sep=
			echo "${ROWS_JSON[$i]}$sep"
		done
		echo "  ],"
		echo "  \"geomean_cost\": ${GEO:-null}, \"geomean_count\": $NGEO"
		echo "}"
	} > "$JSON" || die "cannot write $JSON"
fi
exit 0
