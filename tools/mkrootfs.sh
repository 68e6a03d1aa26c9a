#!/usr/bin/env bash
# Build the default initramfs (cpio newc): busybox with every applet
# linked, and the files under user/etc. Usage: mkrootfs.sh BUSYBOX DIR OUT
set -euo pipefail
bb=$1 dir=$2 out=$3
rm -rf "$dir"
mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,tmp,root}
chmod 1777 "$dir/tmp" # world-writable and sticky, as on Linux systems
cp "$bb" "$dir/bin/busybox"
"$bb" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$dir/$(dirname "$applet")"
	ln -sf /bin/busybox "$dir/$applet"
done
cp user/etc/* "$dir/etc/"
(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
