#!/usr/bin/env bash
# tests/diff/run.sh — differential tests: the same static binary runs on the
# host's Linux and on Keel; output bytes and exit status must match.
#
#   bash tests/diff/run.sh [-j N] [--no-build] [NAME...]     host vs Keel
#   bash tests/diff/run.sh --host-only [-j N] [NAME...]      host only, exit 0
#
# Without NAMEs the diff mode runs tests/diff/enabled.txt and --host-only runs
# every built test and checks it exits 0 (hello: 42, see expected_status).
# Tests are built by tests/diff/build.mk (static musl and glibc, and dynamic
# musl-dyn and glibc-dyn). A NAME is "test" (the two static variants) or one
# variant: "test.musl", "test.glibc", "test.musl-dyn", "test.glibc-dyn". A
# dynamic variant runs on Keel with `keel exec --libs` (its loader and
# libraries copied from the host to the same paths).
# Ends with the line "N passed, N failed"; exits non-zero on any failure.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build/user/tests"
TIMEOUT=${DIFF_TIMEOUT:-60}

# Extra arguments for tests that check their argv.
test_args() {
	case "${1%.*}" in
	hello) echo "a b" ;;
	esac
}

# Exit status a test must have on the host (--host-only); 0 unless listed.
expected_status() {
	case "${1%.*}" in
	hello) echo 42 ;;
	*) echo 0 ;;
	esac
}

# Run one binary on the host: cwd /, stdin /dev/null, stdout+stderr through one
# pipe, argv[0] the bare name (found through PATH, as in the guest's /bin).
# As root the host side gets a private, empty /tmp (a mount namespace with its
# own tmpfs), so runs from several checkouts at once cannot share scratch dirs.
# A checkout that itself lives under /tmp keeps its test binaries: the build
# directory, opened before the tmpfs hides it, is bound back at its path.
host_ns() {
	if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
		# shellcheck disable=SC2016
		unshare --mount --propagation private sh -c 'exec 3<"$0" || exit 126
			mount -t tmpfs -o mode=1777 tmpfs /tmp || exit 126
			case "$0" in /tmp/*) mkdir -p "$0" && mount --no-canonicalize --bind /proc/self/fd/3 "$0" || exit 126 ;; esac
			exec 3<&-
			exec "$@"' "$BUILD" "$@"
	else
		"$@"
	fi
}
run_host() { # bin outfile -> prints status
	local bin=$1 out=$2 st
	# Keel's programs start at nice 0 whatever QEMU's nice is; as root, so
	# does the host side, or tests that print priorities differ under `nice`.
	local renice=()
	if [ "$(id -u)" = 0 ] && [ "$(nice)" != 0 ]; then renice=(nice -n "$((-$(nice)))"); fi
	# shellcheck disable=SC2046
	( cd / && PATH="$BUILD:$PATH" host_ns "${renice[@]}" timeout -k 5 "$TIMEOUT" "$bin" $(test_args "$bin") ) \
		</dev/null 2>&1 | cat >"$out"
	st=${PIPESTATUS[0]}
	echo "$st"
}

# keel exec options for a binary: a dynamic one brings its libraries, and
# dyn_link also the library it dlopens (at the host's path, its rpath).
keel_files() {
	echo --file "build/user/tests/$1"
	case $1 in
	*-dyn) echo --libs ;;
	esac
	case $1 in
	dyn_link.musl-dyn) echo --file "build/user/tests/libkeeldl.musl.so:$BUILD/libkeeldl.musl.so" ;;
	dyn_link.glibc-dyn) echo --file "build/user/tests/libkeeldl.glibc.so:$BUILD/libkeeldl.glibc.so" ;;
	esac
}

run_keel() { # bin outfile errfile -> prints status
	local bin=$1 out=$2 err=$3 st
	# shellcheck disable=SC2046
	( cd "$ROOT" && exec ./keel exec --timeout "$TIMEOUT" $(keel_files "$bin") \
		"$bin" $(test_args "$bin") ) </dev/null >"$out" 2>"$err"
	st=$?
	echo "$st"
}

# Internal: one test, result into $RES/<bin>.{res,txt}.
if [ "${1:-}" = "--one" ]; then
	mode=$2 bin=$3 RES=$4
	txt="$RES/$bin.txt"
	if [ ! -x "$BUILD/$bin" ]; then
		echo FAIL >"$RES/$bin.res"; echo "  not built: $BUILD/$bin" >"$txt"; exit 0
	fi
	hst=$(run_host "$bin" "$RES/$bin.host")
	if [ "$mode" = host ]; then
		if [ "$hst" = "$(expected_status "$bin")" ]; then echo PASS >"$RES/$bin.res"; : >"$txt"
		else
			echo FAIL >"$RES/$bin.res"
			{ echo "  host exit status $hst"; sed 's/^/  | /' "$RES/$bin.host" | tail -n 15; } >"$txt"
		fi
		exit 0
	fi
	kst=$(run_keel "$bin" "$RES/$bin.keel" "$RES/$bin.err")
	if [ "$hst" = "$kst" ] && cmp -s "$RES/$bin.host" "$RES/$bin.keel"; then
		echo PASS >"$RES/$bin.res"; : >"$txt"
	else
		echo FAIL >"$RES/$bin.res"
		{
			echo "  exit status: host $hst, keel $kst"
			diff -u --label host --label keel "$RES/$bin.host" "$RES/$bin.keel" | tail -n +3 | head -n 20 | sed 's/^/  /'
			if [ -s "$RES/$bin.err" ]; then echo "  keel stderr:"; tail -n 5 "$RES/$bin.err" | sed 's/^/  ! /'; fi
		} >"$txt"
	fi
	exit 0
fi

mode=diff jobs=$(nproc 2>/dev/null || echo 2) build=1 names=()
while [ $# -gt 0 ]; do
	case "$1" in
	--host-only) mode=host ;;
	--no-build) build=0 ;;
	-j) jobs=$2; shift ;;
	-j*) jobs=${1#-j} ;;
	-h|--help) sed -n '2,10p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) names+=("$1") ;;
	esac
	shift
done

if [ "$build" = 1 ]; then
	make -C "$ROOT" -s -f tests/diff/build.mk -j"$jobs" diff-tests >&2 || { echo "run.sh: build failed" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

if [ ${#names[@]} -eq 0 ]; then
	if [ "$mode" = host ]; then
		for f in "$ROOT"/user/tests/*.c; do n=$(basename "$f" .c); names+=("$n"); done
	else
		while read -r line; do
			line=${line%%#*}; line=$(echo $line)
			[ -n "$line" ] && names+=("$line")
		done <"$ROOT/tests/diff/enabled.txt"
	fi
fi
bins=()
for n in "${names[@]}"; do
	case "$n" in
	*.musl|*.glibc|*.musl-dyn|*.glibc-dyn) bins+=("$n") ;;
	*) bins+=("$n.musl" "$n.glibc") ;;
	esac
done

if [ "$mode" = diff ] && [ ! -x "$ROOT/keel" ]; then
	echo "run.sh: $ROOT/keel not found (use --host-only until keel exec exists)" >&2
	echo "0 passed, ${#bins[@]} failed"; exit 1
fi

RES=$(mktemp -d "${TMPDIR:-/tmp}/keel-diff.XXXXXX")
trap 'rm -rf "$RES"' EXIT
printf '%s\n' "${bins[@]}" | xargs -P "$jobs" -I{} bash "$0" --one "$mode" {} "$RES"

pass=0 fail=0
for b in "${bins[@]}"; do
	r=$(cat "$RES/$b.res" 2>/dev/null || echo FAIL)
	echo "$r $b"
	[ -s "$RES/$b.txt" ] && cat "$RES/$b.txt"
	if [ "$r" = PASS ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
