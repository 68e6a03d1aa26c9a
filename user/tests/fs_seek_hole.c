/* fs_seek_hole: lseek SEEK_DATA and SEEK_HOLE on a tmpfs file with holes
 * (a page never written is a hole), at and past the end (ENXIO), and a
 * user can make its scratch directory in /tmp (mode 1777, as on Linux
 * systems). */
#include "t.h"
#include <sys/statfs.h>

#define PG 4096

static void seek(int fd, off_t off, int whence, const char *what)
{
	errno = 0;
	off_t r = lseek(fd, off, whence);
	if (r < 0)
		SAY("%s from %ld: %s\n", what, (long)off, t_errname(errno));
	else
		SAY("%s from %ld: %ld\n", what, (long)off, (long)r);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	struct stat st;
	stat("/tmp", &st);
	SAY("/tmp mode %04o\n", st.st_mode & 07777);
	t_scratch();
	int fd = open(t_path("holes"), O_CREAT | O_RDWR, 0644);
	/* data in page 0, holes in 1-3, data in 4 and 5, a hole to the end */
	pwrite(fd, "data", 4, 10);
	pwrite(fd, "more", 4, 4 * PG + 100);
	pwrite(fd, "tail", 4, 5 * PG + 4000);
	ftruncate(fd, 9 * PG + 17);
	static const off_t offs[] = {0, 9, 10, 4095, 4096, 3 * PG + 5, 4 * PG, 4 * PG + 200, 5 * PG + 10, 6 * PG,
				     9 * PG, 9 * PG + 16, 9 * PG + 17, 100 * PG, -1};
	for (unsigned i = 0; i < sizeof offs / sizeof offs[0]; i++) {
		seek(fd, offs[i], SEEK_DATA, "SEEK_DATA");
		seek(fd, offs[i], SEEK_HOLE, "SEEK_HOLE");
	}
	seek(fd, 4 * PG + 5, SEEK_DATA, "position after SEEK_DATA");
	SAY("current offset: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	/* an empty file has neither */
	int e = open(t_path("empty"), O_CREAT | O_RDWR, 0644);
	seek(e, 0, SEEK_DATA, "empty SEEK_DATA");
	seek(e, 0, SEEK_HOLE, "empty SEEK_HOLE");
	/* a file all data */
	char buf[3 * PG];
	memset(buf, 'x', sizeof buf);
	write(e, buf, sizeof buf);
	seek(e, 5, SEEK_DATA, "full SEEK_DATA");
	seek(e, 5, SEEK_HOLE, "full SEEK_HOLE");
	close(e);
	close(fd);
	/* another user can create its own directory in /tmp */
	pid_t c = fork();
	if (c == 0) {
		setgid(4242);
		setuid(4242);
		char d[128];
		snprintf(d, sizeof d, "%s/../keeltest-user-dir-%s", t_dir, t_name);
		CHECK(mkdir(d, 0700) == 0, "a user makes a directory in /tmp");
		rmdir(d);
		_exit(t_failures ? 1 : 0);
	}
	SAY("user: %s\n", t_wait_desc(c));
	t_cleanup();
	return t_done();
}
