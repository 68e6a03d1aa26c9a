/* e2kill: durability under a hard stop. Runs inside Keel on an ext2 disk
 * (/dev/vda, mounted at /mnt): writes files f1, f2, ... (deterministic
 * contents of varying sizes, some in new directories), fsyncs each file and
 * its directory, then prints "SYNCED i" and keeps the system busy with
 * changes it never syncs (new files, a rewrite, an unlink) for a moment,
 * during which the host kills QEMU (tests/ext2.sh). Every file whose
 * fsync returned must be there afterwards, and e2fsck must find nothing
 * to fix.
 *
 *   e2kill run COUNT      the guest side
 *   e2kill gen I          file I's contents on stdout (the host's check)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t size_of(int i) { return (size_t)(1000 + (i * 7919) % 300000); }

static void fill(int i, unsigned char *b, size_t n)
{
	for (size_t j = 0; j < n; j++)
		b[j] = (unsigned char)(i * 131 + j * 7 + (j >> 9));
}

static void path_of(int i, char *p, size_t cap)
{
	if (i % 3 == 0)
		snprintf(p, cap, "/mnt/d%d/f%d", i, i);
	else
		snprintf(p, cap, "/mnt/f%d", i);
}

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		_exit(3);
}

static int run(int count)
{
	mkdir("/mnt", 0755);
	if (mount("/dev/vda", "/mnt", "ext2", 0, NULL)) {
		perror("mount");
		return 1;
	}
	unsigned char *b = malloc(400000);
	if (!b)
		return 1;
	for (int i = 1; i <= count; i++) {
		char p[128], dir[64];
		path_of(i, p, sizeof p);
		if (i % 3 == 0) {
			snprintf(dir, sizeof dir, "/mnt/d%d", i);
			mkdir(dir, 0755);
		} else {
			snprintf(dir, sizeof dir, "/mnt");
		}
		size_t n = size_of(i);
		fill(i, b, n);
		int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0 || write(fd, b, n) != (ssize_t)n || fsync(fd)) {
			perror(p);
			return 1;
		}
		close(fd);
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);
		if (dfd < 0 || fsync(dfd)) {
			perror(dir);
			return 1;
		}
		close(dfd);
		if (i % 3 == 0) {
			dfd = open("/mnt", O_RDONLY | O_DIRECTORY);
			if (dfd < 0 || fsync(dfd))
				return 1;
			close(dfd);
		}
		char line[32];
		snprintf(line, sizeof line, "SYNCED %d\n", i);
		say(line);
		/* busy, never synced: a scratch file, a rewrite, an unlink */
		fd = open("/mnt/scratch", O_CREAT | O_WRONLY | O_APPEND, 0644);
		if (fd >= 0) {
			if (write(fd, b, 50000) < 0)
				return 1;
			close(fd);
		}
		snprintf(p, sizeof p, "/mnt/tmp%d", i);
		fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (fd >= 0)
			close(fd);
		snprintf(p, sizeof p, "/mnt/tmp%d", i - 1);
		unlink(p);
		sleep(1); /* the host kills QEMU about now */
	}
	say("DONE\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "run"))
		return run(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "gen")) {
		int i = atoi(argv[2]);
		size_t n = size_of(i);
		unsigned char *b = malloc(n);
		if (!b)
			return 1;
		fill(i, b, n);
		return fwrite(b, 1, n, stdout) == n ? 0 : 1;
	}
	fprintf(stderr, "usage: e2kill run COUNT | e2kill gen I\n");
	return 2;
}
