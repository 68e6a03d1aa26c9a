/* fs_copy_file_range: copy_file_range(2) between regular files of one file
 * system, with and without offsets (which offsets move), short copies at
 * the end of the input, overlapping ranges of one file, and the errors in
 * Linux's order (flags, kinds, access modes, O_APPEND, negative offsets,
 * across file systems). */
#include "t.h"
#include <sys/mount.h>
#include <sys/stat.h>

static const char *rc(long r)
{
	static char b[24];
	if (r < 0)
		return t_errname(errno);
	snprintf(b, sizeof b, "%ld", r);
	return b;
}

static ssize_t cfr(int a, loff_t *oa, int b, loff_t *ob, size_t n, unsigned f)
{
	return syscall(326, a, oa, b, ob, n, f);
}

static void show(const char *what, int fd)
{
	char b[64] = {0};
	pread(fd, b, sizeof b - 1, 0);
	SAY("%s: '%s'\n", what, b);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	int in = open(t_path("in"), O_CREAT | O_RDWR, 0644);
	write(in, "0123456789abcdef", 16);
	int out = open(t_path("out"), O_CREAT | O_RDWR, 0644);
	loff_t oi = 2, oo = 4;
	SAY("copy 5 from offset 2 to offset 4: %s", rc(cfr(in, &oi, out, &oo, 5, 0)));
	SAY(", offsets now %lld %lld\n", (long long)oi, (long long)oo);
	SAY("file offsets: in %lld out %lld\n", (long long)lseek(in, 0, SEEK_CUR), (long long)lseek(out, 0, SEEK_CUR));
	struct stat st;
	fstat(out, &st);
	SAY("out size %lld\n", (long long)st.st_size);
	lseek(in, 10, SEEK_SET);
	SAY("copy 100 at the file offsets: %s", rc(cfr(in, NULL, out, NULL, 100, 0)));
	SAY(", file offsets now in %lld out %lld\n", (long long)lseek(in, 0, SEEK_CUR),
	    (long long)lseek(out, 0, SEEK_CUR));
	oi = 16;
	SAY("copy from the end of the input: %s\n", rc(cfr(in, &oi, out, NULL, 10, 0)));
	oi = 100;
	SAY("copy from past the end: %s\n", rc(cfr(in, &oi, out, NULL, 10, 0)));
	SAY("copy length 0: %s\n", rc(cfr(in, NULL, out, NULL, 0, 0)));
	/* one file: apart is fine, overlapping is not */
	oi = 0;
	oo = 8;
	SAY("same file, ranges apart: %s\n", rc(cfr(in, &oi, in, &oo, 8, 0)));
	show("in now", in);
	oi = 0;
	oo = 4;
	SAY("same file, overlapping: %s\n", rc(cfr(in, &oi, in, &oo, 8, 0)));
	/* errors */
	SAY("flags 1: %s\n", rc(cfr(in, NULL, out, NULL, 4, 1)));
	SAY("bad fds: %s, %s\n", rc(cfr(99, NULL, out, NULL, 4, 0)), rc(cfr(in, NULL, 99, NULL, 4, 0)));
	int ro = open(t_path("out"), O_RDONLY), wo = open(t_path("in"), O_WRONLY);
	SAY("into a read-only descriptor: %s\n", rc(cfr(in, NULL, ro, NULL, 4, 0)));
	SAY("from a write-only descriptor: %s\n", rc(cfr(wo, NULL, out, NULL, 4, 0)));
	int ap = open(t_path("out"), O_WRONLY | O_APPEND);
	SAY("into an O_APPEND descriptor: %s\n", rc(cfr(in, NULL, ap, NULL, 4, 0)));
	int d = open(t_dir, O_RDONLY);
	SAY("from a directory: %s, into a directory: %s\n", rc(cfr(d, NULL, out, NULL, 4, 0)), rc(cfr(in, NULL, d, NULL, 4, 0)));
	int p[2];
	pipe(p);
	SAY("from a pipe: %s, into a pipe: %s\n", rc(cfr(p[0], NULL, out, NULL, 4, 0)), rc(cfr(in, NULL, p[1], NULL, 4, 0)));
	oi = -1;
	SAY("negative input offset: %s\n", rc(cfr(in, &oi, out, NULL, 4, 0)));
	oo = -1;
	SAY("negative output offset: %s\n", rc(cfr(in, NULL, out, &oo, 4, 0)));
	SAY("bad offset pointer: %s\n", rc(cfr(in, (loff_t *)8, out, NULL, 4, 0)));
	int dn = open("/dev/null", O_WRONLY);
	SAY("into /dev/null: %s\n", rc(cfr(in, NULL, dn, NULL, 4, 0)));
	/* another file system (a fresh tmpfs) */
	mkdir(t_path("mnt"), 0755);
	if (mount("tmpfs", t_path("mnt"), "tmpfs", 0, NULL) == 0) {
		int x = open(t_path("mnt/x"), O_CREAT | O_RDWR, 0644);
		oi = 0;
		SAY("across file systems: %s\n", rc(cfr(in, &oi, x, NULL, 4, 0)));
		close(x);
		umount(t_path("mnt"));
	}
	t_cleanup();
	return t_done();
}
