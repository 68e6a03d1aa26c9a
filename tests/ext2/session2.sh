# ext2 session 2 (inside Keel, "after the reboot"): mount the images
# session 1 wrote, find every file it made with the same contents, then
# remove and make more; unmount. Args: the disks' device nodes.
n=0
for img in "$@"; do
	mkdir -p /mnt$n
	mount -t ext2 "$img" /mnt$n || echo "FAIL mount $img"
	d=/mnt$n
	cd $d || exit 1
	# system calls on cold file pages (the cache is empty after mount)
	e2copy big | grep -q '^e2copy ok$' && echo "ok cold copies $n" || { echo "FAIL cold copies $n"; e2copy big; }
	find . -name .manifest -prune -o -print | sort > /tmp/list
	grep -v '  \./' .manifest | cmp - /tmp/list && echo "ok names $n" || echo "FAIL names $n"
	grep '  \./' .manifest | md5sum -c - >/dev/null && echo "ok contents $n" || echo "FAIL contents $n"
	[ "$(readlink fast.link)" = tree/x/b/c/deep ] && [ "$(cat fast.link)" = deep ] && echo "ok links $n" || echo "FAIL links $n"
	[ "$(stat -c %s sparse)" = 5000001 ] && [ "$(stat -c %s cut)" = 12345 ] && echo "ok sizes $n" || echo "FAIL sizes $n"
	rm -r many tree
	# a shared mapping made writable by mprotect: its writes reach the
	# disk (the host's debugfs reads /mprot after this session)
	e2copy --mprotect mprot | grep -q '^e2copy mprotect ok$' && echo "ok mprotect $n" || { echo "FAIL mprotect $n"; e2copy --mprotect mprot; }
	mkdir again && echo again > again/file
	cd /
	umount $d && echo "ok umount $n" || echo "FAIL umount $n"
	n=$((n + 1))
done
