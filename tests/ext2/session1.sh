# ext2 session 1 (inside Keel): mount three disks made by mke2fs (1, 2
# and 4 KiB blocks), check what mke2fs put there, create
# and delete thousands of files, copy a large file, make links, a sparse
# file, device nodes; record a manifest in each file system, unmount, and
# print each image (gzip, base64) for the host to check. Args: images.
n=0
for img in "$@"; do
	mkdir -p /mnt$n
	mount -t ext2 "$img" /mnt$n || echo "FAIL mount $img"
	n=$((n + 1))
done
seq 1 300000 > /tmp/big
n=0
for img in "$@"; do
	d=/mnt$n
	count=$([ $n = 0 ] && echo 3000 || echo 600) # thousands on the first
	cd $d || exit 1
	md5sum -c /seed.md5 >/dev/null && echo "ok seed $n" || echo "FAIL seed files $n"
	mkdir many
	i=0
	while [ $i -lt $count ]; do echo "file $i of $img" > many/f$i; i=$((i + 1)); done
	i=0
	while [ $i -lt $count ]; do rm many/f$i; i=$((i + 2)); done
	[ "$(ls many | wc -l)" = $((count / 2)) ] && echo "ok many $n" || echo "FAIL many $n"
	cp /tmp/big big && cmp /tmp/big big && echo "ok big $n" || echo "FAIL big $n"
	mkdir -p tree/a/b/c tree/x
	echo deep > tree/a/b/c/deep
	mv tree/a/b tree/x/b
	ln big big.hard
	ln -s tree/x/b/c/deep fast.link
	ln -s "$(seq 1 40 | tr '\n' /)end" slow.link
	dd if=/dev/zero of=sparse bs=1 count=1 seek=5000000 2>/dev/null
	head -c 70000 /tmp/big > cut && truncate -s 12345 cut
	mknod cdev c 1 3
	mkfifo pipe
	chmod 600 many/f1
	rm -r seed/gone
	find . -name .manifest -prune -o -print | sort > .manifest
	find . -type f ! -name .manifest | sort | xargs md5sum >> .manifest
	cd /
	n=$((n + 1))
done
sync
n=0
for img in "$@"; do
	umount /mnt$n && echo "ok umount $n" || echo "FAIL umount $n"
	n=$((n + 1))
done
