/* e2mutate: mount and walk many corrupted copies of an ext2 image on a
 * loop device; the kernel must refuse or survive every one (no panic, no
 * hang). Runs inside Keel (tests/ext2.sh).
 *
 *   e2mutate IMAGE COUNT SEED
 *
 * Each round copies IMAGE, changes a few bytes (mostly in the metadata at
 * the start of the image: superblock, descriptors, bitmaps, inode table,
 * directories), attaches it to /dev/loop1, mounts it, walks the whole tree
 * (readdir, lstat, read, readlink), tries some changes (create, write,
 * mkdir, rename, unlink, rmdir), unmounts and detaches. Reproducible from
 * SEED. The last line says what happened. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOOP_SET_FD 0x4C00
#define LOOP_CLR_FD 0x4C01

static uint64_t rng;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static long walked, read_bytes, io_errors, changes;

static void walk(const char *dir, int depth)
{
	if (depth > 12)
		return;
	DIR *d = opendir(dir);
	if (!d) {
		io_errors++;
		return;
	}
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)) && n++ < 3000) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		struct stat st;
		walked++;
		if (lstat(p, &st)) {
			io_errors++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			walk(p, depth + 1);
		} else if (S_ISLNK(st.st_mode)) {
			char t[4096];
			if (readlink(p, t, sizeof t) < 0)
				io_errors++;
		} else if (S_ISREG(st.st_mode)) {
			int fd = open(p, O_RDONLY);
			if (fd < 0) {
				io_errors++;
				continue;
			}
			char buf[8192];
			ssize_t r;
			long total = 0;
			while ((r = read(fd, buf, sizeof buf)) > 0 && total < (1 << 20))
				total += r;
			if (r < 0)
				io_errors++;
			read_bytes += total;
			close(fd);
		}
	}
	closedir(d);
}

/* Try to change the file system; errors are fine, crashes are not. */
static void mutate_fs(void)
{
	char buf[10000];
	memset(buf, 'z', sizeof buf);
	int fd = open("/m/new_file", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, buf, sizeof buf) == sizeof buf)
			changes++;
		fsync(fd);
		close(fd);
	}
	if (mkdir("/m/new_dir", 0755) == 0)
		changes++;
	if (rename("/m/new_file", "/m/new_dir/moved") == 0)
		changes++;
	if (unlink("/m/new_dir/moved") == 0)
		changes++;
	if (rmdir("/m/new_dir") == 0)
		changes++;
	DIR *d = opendir("/m");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[512];
		snprintf(p, sizeof p, "/m/%s", de->d_name);
		if (unlink(p) == 0 || rmdir(p) == 0)
			changes++;
		break;
	}
	if (d)
		closedir(d);
	sync();
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: e2mutate IMAGE COUNT SEED\n");
		return 2;
	}
	long count = atol(argv[2]);
	rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)atoll(argv[3]);
	int in = open(argv[1], O_RDONLY);
	struct stat st;
	if (in < 0 || fstat(in, &st) || st.st_size < 65536) {
		perror("image");
		return 1;
	}
	size_t size = (size_t)st.st_size;
	unsigned char *base = malloc(size), *img = malloc(size);
	if (!base || !img || read(in, base, size) != (ssize_t)size) {
		perror("read");
		return 1;
	}
	close(in);
	mkdir("/m", 0755);
	long mounted = 0, refused = 0, einval = 0, euclean = 0, eio = 0;
	for (long i = 0; i < count; i++) {
		memcpy(img, base, size);
		int k = 1 + rnd() % 8;
		size_t meta = size < 131072 ? size : 131072;
		for (int j = 0; j < k; j++) {
			/* the superblock's fields, the first descriptors, or
			 * anywhere in the metadata at the start of the image */
			uint32_t where = rnd() % 8;
			size_t at = where == 0 ? 1024 + rnd() % 208 : where == 1 ? 2048 + rnd() % 64
				    : where < 7 ? rnd() % meta : rnd() % size;
			switch (rnd() % 6) {
			case 0: img[at] = (unsigned char)rnd(); break;
			case 1: img[at] ^= (unsigned char)(1u << (rnd() % 8)); break;
			case 2: img[at] = 0; break;
			case 3: img[at] = 0xff; break;
			default: {
				/* a whole 32-bit field: random, huge or small */
				uint32_t v = rnd() % 3 == 0 ? 0xffffffffu : rnd() % 2 ? rnd() : rnd() % 64;
				at &= ~(size_t)3;
				if (at + 4 <= size)
					memcpy(img + at, &v, 4);
			}
			}
		}
		int fd = open("/tmp/m.img", O_CREAT | O_RDWR | O_TRUNC, 0600);
		if (fd < 0 || write(fd, img, size) != (ssize_t)size) {
			perror("tmp image");
			return 1;
		}
		int lo = open("/dev/loop1", O_RDWR);
		if (lo < 0 || ioctl(lo, LOOP_SET_FD, fd) != 0) {
			perror("loop");
			return 1;
		}
		close(fd);
		if (mount("/dev/loop1", "/m", "ext2", 0, NULL) == 0) {
			mounted++;
			walk("/m", 0);
			mutate_fs();
			walk("/m", 0);
			if (umount("/m") != 0) {
				perror("umount");
				return 1;
			}
		} else {
			refused++;
			if (errno == EINVAL)
				einval++;
			else if (errno == EUCLEAN)
				euclean++;
			else if (errno == EIO)
				eio++;
		}
		if (ioctl(lo, LOOP_CLR_FD, 0) != 0) {
			perror("loop clear");
			return 1;
		}
		close(lo);
	}
	printf("e2mutate: %ld images, %ld mounted and walked (%ld entries, %ld bytes read, %ld I/O errors, %ld changes), "
	       "%ld refused (EINVAL %ld, EUCLEAN %ld, EIO %ld)\n",
	       count, mounted, walked, read_bytes, io_errors, changes, refused, einval, euclean, eio);
	return 0;
}
