/* fs_getdents: getdents64 over a directory the test fills, with a small
 * buffer so it takes several calls; sorted names with their d_type. */
#include "t.h"
#include <sys/syscall.h>

struct ld64 { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; };

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	char name[64];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "file-%02d-%s", i, i % 3 ? "x" : "a-much-longer-name-to-vary-record-sizes");
		close(open(t_path(name), O_CREAT | O_WRONLY, 0644));
	}
	mkdir(t_path("subdir"), 0755);
	symlink("file-00", t_path("link"));
	unlink(t_path("file-05-x"));
	int fd = open(t_dir, O_RDONLY | O_DIRECTORY);
	char buf[256];
	char *names[64];
	int n = 0, calls = 0, types_ok = 1;
	long r;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		calls++;
		for (long off = 0; off < r;) {
			struct ld64 *d = (struct ld64 *)(buf + off);
			if (n < 64) names[n++] = strdup(d->name);
			unsigned char want = !strcmp(d->name, "subdir") || !strcmp(d->name, ".") || !strcmp(d->name, "..") ? DT_DIR :
					     !strcmp(d->name, "link") ? DT_LNK : DT_REG;
			if (d->type != want && d->type != DT_UNKNOWN) types_ok = 0;
			if (d->reclen % 8) types_ok = 0;
			off += d->reclen;
		}
	}
	CHECK(r == 0, "getdents64 ends with 0");
	CHECK(calls > 1, "small buffer needs several calls");
	CHECK(types_ok, "d_type right and reclen 8-aligned");
	qsort(names, n, sizeof names[0], cmp);
	SAY("%d entries:\n", n);
	for (int i = 0; i < n; i++) SAY("  %s\n", names[i]);
	/* rewinding lists again */
	lseek(fd, 0, SEEK_SET);
	CHECK_ERR(syscall(SYS_getdents64, fd, buf, 10), EINVAL, "buffer too small for one entry");
	r = syscall(SYS_getdents64, fd, buf, sizeof buf);
	CHECK(r > 0, "lseek 0 rewinds");
	close(fd);
	/* libc readdir agrees */
	DIR *d = opendir(t_dir);
	int m = 0;
	while (readdir(d)) m++;
	closedir(d);
	SAY("readdir count: %d\n", m);
	int f = open(t_path("file-00-a-much-longer-name-to-vary-record-sizes"), O_RDONLY);
	CHECK_ERR(syscall(SYS_getdents64, f, buf, sizeof buf), ENOTDIR, "getdents64 on a file");
	close(f);
	/* an emptied directory lists just . and .. */
	mkdir(t_path("empty"), 0755);
	fd = open(t_path("empty"), O_RDONLY | O_DIRECTORY);
	int cnt = 0;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
		for (long off = 0; off < r; off += ((struct ld64 *)(buf + off))->reclen) cnt++;
	SAY("empty dir entries: %d\n", cnt);
	close(fd);
	t_cleanup();
	return t_done();
}
