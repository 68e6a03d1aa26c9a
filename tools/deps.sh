#!/usr/bin/env bash
# Install the Debian packages Keel needs, once. As root it runs apt-get;
# otherwise it prints the exact command to run.
set -e
need=()
chk() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
chk clang-19 clang-19
chk ld.lld-19 lld-19
chk llvm-objcopy-19 llvm-19
chk qemu-system-x86_64 qemu-system-x86
chk musl-gcc musl-tools
chk cpio cpio
chk grub-mkrescue grub-common
chk xorriso xorriso
chk mformat mtools
chk mkfs.ext2 e2fsprogs
chk tmux tmux
[ -f /usr/share/doc/busybox-static/copyright ] || need+=(busybox-static)
[ -f /usr/lib/llvm-19/include/clang-c/Index.h ] || need+=(libclang-19-dev)
[ -d /usr/lib/grub/i386-pc ] || need+=(grub-pc-bin)
[ ${#need[@]} -eq 0 ] && exit 0
# dedupe
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq "${need[@]}" >/dev/null
else
	echo "deps: missing packages. Run:  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
	exit 1
fi
