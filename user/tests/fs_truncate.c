/* fs_truncate: truncate/ftruncate grow (zero fill) and shrink, offsets are
 * unaffected, errors for bad lengths and descriptors. */
#include "t.h"

static long size_of(const char *p) { struct stat st; return stat(p, &st) ? -1 : (long)st.st_size; }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *f = t_path("f");
	int fd = open(f, O_RDWR | O_CREAT, 0644);
	write(fd, "abcdefghij", 10);
	CHECK(ftruncate(fd, 4) == 0, "ftruncate shrink to 4");
	SAY("size %ld, offset %ld\n", size_of(f), (long)lseek(fd, 0, SEEK_CUR));
	write(fd, "Z", 1); /* offset 10: leaves a hole 4..9 */
	char buf[16] = { 0 };
	SAY("size after write at 10: %ld\n", size_of(f));
	pread(fd, buf, 11, 0);
	for (int i = 0; i < 11; i++) SAY("%c", buf[i] ? buf[i] : '.');
	SAY("\n");
	CHECK(truncate(f, 100000) == 0, "truncate grow to 100000");
	SAY("size %ld\n", size_of(f));
	static char big[100000];
	long got = pread(fd, big, sizeof big, 0);
	int z = 1;
	for (long i = 11; i < got; i++) if (big[i]) z = 0;
	SAY("read back %ld, tail zero: %s\n", got, z ? "yes" : "no");
	CHECK(truncate(f, 3) == 0 && size_of(f) == 3, "truncate to 3");
	CHECK(ftruncate(fd, 0) == 0 && size_of(f) == 0, "ftruncate to 0");
	CHECK(pread(fd, buf, 16, 0) == 0, "empty after truncate");
	CHECK_ERR(ftruncate(fd, -1), EINVAL, "negative length");
	CHECK_ERR(truncate(t_path("none"), 0), ENOENT, "truncate missing");
	CHECK_ERR(truncate(t_dir, 0), EISDIR, "truncate a directory");
	int ro = open(f, O_RDONLY);
	CHECK_ERR(ftruncate(ro, 0), EINVAL, "ftruncate O_RDONLY fd");
	CHECK_ERR(ftruncate(99, 0), EBADF, "ftruncate closed fd");
	int p[2];
	pipe(p);
	CHECK_ERR(ftruncate(p[0], 0), EINVAL, "ftruncate a pipe");
	close(ro);
	close(fd);
	t_cleanup();
	return t_done();
}
