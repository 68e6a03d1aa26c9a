/* fs_inotify_unlinked: a file unlinked from a watched directory while
 * open. The directory's watch still hears of it under its old name
 * (IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE), except with IN_EXCL_UNLINK,
 * which keeps out the events of open files but not attribute changes;
 * the file's own watch hears IN_ATTRIB at the unlink and IN_DELETE_SELF
 * and IN_IGNORED after the last close. Writes through a shared mapping
 * give no IN_MODIFY, not at msync, munmap or fsync either (Linux). */
#include "t.h"
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>

static void dump(int in, const char *what)
{
	char b[4096];
	int n = read(in, b, sizeof b);
	SAY("%s:", what);
	for (int i = 0; i < n;) {
		struct inotify_event *e = (void *)(b + i);
		SAY(" [wd %d %#x %s]", e->wd, e->mask, e->len ? e->name : "-");
		i += sizeof(*e) + e->len;
	}
	SAY("\n");
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *x = t_path("x");
	int fd = open(x, O_CREAT | O_RDWR, 0644);
	int dir = inotify_init1(IN_NONBLOCK), file = inotify_init1(IN_NONBLOCK), excl = inotify_init1(IN_NONBLOCK);
	inotify_add_watch(dir, t_dir, IN_ALL_EVENTS);
	inotify_add_watch(file, x, IN_ALL_EVENTS);
	inotify_add_watch(excl, t_dir, IN_ALL_EVENTS | IN_EXCL_UNLINK);
	unlink(x);
	dump(dir, "directory, unlink");
	dump(file, "file, unlink");
	dump(excl, "directory with IN_EXCL_UNLINK, unlink");
	write(fd, "a", 1);
	fchmod(fd, 0600);
	dump(dir, "directory, write and chmod");
	dump(file, "file, write and chmod");
	dump(excl, "directory with IN_EXCL_UNLINK, write and chmod");
	close(open(t_path("x"), O_CREAT | O_WRONLY, 0644)); /* a new file of that name */
	dump(dir, "directory, a new x created and closed");
	write(fd, "b", 1);
	dump(dir, "directory, the old x written");
	close(fd);
	dump(dir, "directory, the old x closed");
	dump(file, "file, closed");
	dump(excl, "directory with IN_EXCL_UNLINK, closed");

	const char *m = t_path("m");
	fd = open(m, O_CREAT | O_RDWR | O_TRUNC, 0644);
	ftruncate(fd, 4096);
	int in = inotify_init1(IN_NONBLOCK);
	inotify_add_watch(in, m, IN_ALL_EVENTS);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dump(in, "mmap");
	p[0] = 'x';
	dump(in, "a store through the mapping");
	msync(p, 4096, MS_SYNC);
	dump(in, "msync");
	munmap(p, 4096);
	dump(in, "munmap");
	fsync(fd);
	dump(in, "fsync");
	close(fd);
	dump(in, "close");
	return t_done();
}
