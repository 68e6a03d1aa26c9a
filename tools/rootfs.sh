#!/usr/bin/env bash
# tools/rootfs.sh — `./keel rootfs`: a Debian root file system for Keel.
#
# Layer: host tooling. Trusts: Debian's apt archive (the only network it
# uses: `apt-get download`), dpkg-deb, tar, cpio.
#
# Builds build/debian/root/ from Debian packages of this machine's release
# (bash, coreutils, findutils, grep, sed, gawk, tar, gzip, python3, sqlite3,
# perl-base, busybox, dash, strace and what they depend on), unpacked with
# `dpkg-deb` (no maintainer scripts run: the tree gets the few links and
# files they would make), and packs it as build/debian/rootfs.cpio, which
# `keel exec --rootfs-initramfs` and `keel run --rootfs-initramfs` boot
# instead of the busybox initramfs. Downloaded packages are cached in
# build/debian/debs/; a second run rebuilds nothing unless this script or a
# package changed. Prints the cpio's path.
set -euo pipefail
ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT_DIR"
OUT=build/debian
DEBS=$OUT/debs
TREE=$OUT/root
CPIO=$OUT/rootfs.cpio
PKGS=(bash coreutils findutils grep sed gawk tar gzip python3 sqlite3 perl-base busybox dash strace)
# Pulled in only through alternatives or for maintainer scripts the tree
# never runs (perl itself comes in through mailcap; perl-base is kept).
SKIP=" perl perl-modules-5.36 libperl5.36 mailcap mime-support dpkg install-info original-awk "

log() { echo "keel rootfs: $*" >&2; }
die() { log "$*"; exit 1; }

resolve() {
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "${PKGS[@]}" 2>/dev/null | grep '^[a-z0-9]' | sort -u
}

mkdir -p "$DEBS"
list=$(resolve || true)
if ! echo "$list" | grep -qx bash; then
	[ "$(id -u)" = 0 ] || die "apt-cache knows no 'bash': run 'apt-get update' as root"
	log "apt-get update"
	apt-get update -q >&2
	list=$(resolve)
fi
want=()
for p in $list; do
	case "$SKIP" in *" $p "*) continue ;; esac
	want+=("$p")
done
missing=()
for p in "${want[@]}"; do
	ls "$DEBS/${p}_"*.deb >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "downloading ${#missing[@]} packages"
	# (as root apt warns that the _apt user cannot write here: harmless)
	(cd "$DEBS" && apt-get download "${missing[@]}" >download.log 2>&1) || {
		cat "$DEBS/download.log" >&2
		die "apt-get download failed"
	}
fi
debs=()
for p in "${want[@]}"; do
	d=$(ls "$DEBS/${p}_"*.deb 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || die "no package file for $p"
	debs+=("$d")
done

if [ -f "$CPIO" ] && [ -z "$(find "${debs[@]}" "${BASH_SOURCE[0]}" user/etc -newer "$CPIO" 2>/dev/null)" ]; then
	echo "$CPIO"
	exit 0
fi

log "unpacking ${#debs[@]} packages into $TREE"
rm -rf "$TREE"
mkdir -p "$TREE"/usr/{bin,sbin,lib,lib64}
# Debian 12 has a merged /usr: the top-level directories are links.
for d in bin sbin lib lib64; do ln -s "usr/$d" "$TREE/$d"; done
for d in "${debs[@]}"; do
	dpkg-deb --fsys-tarfile "$d" | tar -x --keep-directory-symlink -C "$TREE" ||
		die "unpacking $d failed"
done
# What maintainer scripts and the installer would have made.
[ -e "$TREE/usr/bin/sh" ] || ln -s dash "$TREE/usr/bin/sh"
[ -e "$TREE/usr/bin/awk" ] || ln -s gawk "$TREE/usr/bin/awk"
mkdir -p "$TREE"/{dev,proc,sys,tmp,root,run,var/tmp}
chmod 1777 "$TREE/tmp" "$TREE/var/tmp"
cp user/etc/passwd user/etc/group user/etc/hostname "$TREE/etc/"
# Documentation is not needed to run anything.
rm -rf "$TREE"/usr/share/{doc,man,info,locale,lintian,linda}
# newc stores a hard-linked file's data once; give each name its own copy.
find "$TREE" -type f -links +1 -print0 | while IFS= read -r -d '' f; do
	cp -p "$f" "$f.keel-tmp" && mv -f "$f.keel-tmp" "$f"
done
(cd "$TREE" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
log "$(du -sh "$TREE" | cut -f1) in $(find "$TREE" | wc -l) files"
echo "$CPIO"
