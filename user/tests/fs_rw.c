/* fs_rw: open/read/write/lseek/pread/pwrite/readv/writev/O_APPEND/O_TRUNC,
 * holes, and the common error numbers, on files under /tmp. */
#include "t.h"
#include <sys/uio.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *f = t_path("file");
	int fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0, "open O_CREAT|O_EXCL");
	CHECK_ERR(open(f, O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST, "O_EXCL on existing file");
	SAY("write: %ld\n", (long)write(fd, "hello, world\n", 13));
	SAY("lseek CUR: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	SAY("lseek SET 7: %ld\n", (long)lseek(fd, 7, SEEK_SET));
	char buf[64] = { 0 };
	SAY("read: %ld [%.*s]\n", (long)read(fd, buf, 5), 5, buf);
	SAY("lseek END -6: %ld\n", (long)lseek(fd, -6, SEEK_END));
	SAY("read at EOF-6: %ld\n", (long)read(fd, buf, 64));
	SAY("read at EOF: %ld\n", (long)read(fd, buf, 64));
	CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL, "negative offset");
	CHECK_ERR(lseek(fd, 0, 42), EINVAL, "bad whence");

	/* pread/pwrite do not move the offset */
	lseek(fd, 2, SEEK_SET);
	SAY("pwrite at 0: %ld\n", (long)pwrite(fd, "J", 1, 0));
	memset(buf, 0, sizeof buf);
	SAY("pread 5 at 0: %ld [%s]\n", (long)pread(fd, buf, 5, 0), buf);
	SAY("offset still: %ld\n", (long)lseek(fd, 0, SEEK_CUR));

	/* writev/readv */
	struct iovec wv[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
	lseek(fd, 0, SEEK_SET);
	SAY("writev: %ld\n", (long)writev(fd, wv, 3));
	char x[2], y[4], z[10];
	struct iovec rv[3] = { { x, 2 }, { y, 4 }, { z, 10 } };
	lseek(fd, 0, SEEK_SET);
	memset(z, 0, sizeof z);
	ssize_t n = readv(fd, rv, 3);
	SAY("readv: %ld [%.2s|%.4s|%.7s]\n", (long)n, x, y, z);
	CHECK_ERR(readv(fd, rv, -1), EINVAL, "readv negative count");

	/* a hole past EOF reads as zeros */
	SAY("lseek to 100000: %ld\n", (long)lseek(fd, 100000, SEEK_SET));
	write(fd, "end", 3);
	struct stat st;
	fstat(fd, &st);
	SAY("size with hole: %ld\n", (long)st.st_size);
	int zeros = 1;
	char big[4096];
	pread(fd, big, sizeof big, 50000);
	for (unsigned i = 0; i < sizeof big; i++) if (big[i]) zeros = 0;
	CHECK(zeros, "hole reads zero");
	close(fd);

	/* O_APPEND writes at the end whatever the offset */
	fd = open(f, O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write(fd, "++", 2);
	SAY("O_APPEND offset after write: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	close(fd);
	/* O_TRUNC */
	fd = open(f, O_RDWR | O_TRUNC);
	fstat(fd, &st);
	SAY("after O_TRUNC size: %ld\n", (long)st.st_size);
	/* large write and read back */
	static char blk[300000];
	for (unsigned i = 0; i < sizeof blk; i++) blk[i] = (char)(i * 7);
	SAY("write 300000: %ld\n", (long)write(fd, blk, sizeof blk));
	static char back[300000];
	lseek(fd, 0, SEEK_SET);
	long tot = 0, k;
	while ((k = read(fd, back + tot, sizeof back - tot)) > 0) tot += k;
	CHECK(tot == 300000 && memcmp(blk, back, sizeof blk) == 0, "300000 bytes read back");
	close(fd);

	/* errors */
	CHECK_ERR(open(t_path("missing"), O_RDONLY), ENOENT, "open missing");
	CHECK_ERR(open(t_path("missing/x"), O_RDONLY | O_CREAT, 0644), ENOENT, "create in missing dir");
	CHECK_ERR(open(t_path("file/x"), O_RDONLY), ENOTDIR, "file used as dir");
	CHECK_ERR(open(t_dir, O_WRONLY), EISDIR, "open dir for writing");
	CHECK_ERR(read(fd, buf, 1), EBADF, "read closed fd");
	CHECK_ERR(write(-1, buf, 1), EBADF, "write fd -1");
	fd = open(f, O_RDONLY);
	CHECK_ERR(write(fd, "x", 1), EBADF, "write to O_RDONLY");
	int dfd = open(t_dir, O_RDONLY | O_DIRECTORY);
	CHECK_ERR(read(dfd, buf, 1), EISDIR, "read a directory");
	CHECK_ERR(open(f, O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on file");
	CHECK_ERR(read(fd, (void *)8, 10), EFAULT, "read into bad pointer");
	close(fd);
	close(dfd);
	/* creat */
	fd = creat(t_path("c"), 0600);
	CHECK_ERR(read(fd, buf, 1), EBADF, "creat opens write-only");
	close(fd);
	unlink(t_path("c"));
	unlink(f);
	CHECK(rmdir(t_dir) == 0, "scratch dir empty and removed");
	return t_done();
}
