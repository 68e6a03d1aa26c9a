/* fs_dirops: mkdir/rmdir/unlink/rename/link/symlink/readlink and their
 * error numbers. */
#include "t.h"

static int exists(const char *p) { struct stat st; return lstat(p, &st) == 0; }
static void mkfile(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, text, strlen(text));
	close(fd);
}
static const char *content(const char *p)
{
	static char b[64];
	int fd = open(p, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, b, sizeof b - 1);
	b[n > 0 ? n : 0] = 0;
	if (fd >= 0) close(fd);
	return b;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	umask(022);
	t_scratch();
	CHECK(mkdir(t_path("d"), 0755) == 0, "mkdir");
	CHECK_ERR(mkdir(t_path("d"), 0755), EEXIST, "mkdir existing");
	CHECK_ERR(mkdir(t_path("no/such"), 0755), ENOENT, "mkdir missing parent");
	mkfile(t_path("d/f"), "inner");
	CHECK_ERR(rmdir(t_path("d")), ENOTEMPTY, "rmdir non-empty");
	CHECK_ERR(unlink(t_path("d")), EISDIR, "unlink a directory");
	CHECK_ERR(rmdir(t_path("d/f")), ENOTDIR, "rmdir a file");
	CHECK_ERR(rmdir(t_path("d/.")), EINVAL, "rmdir dot");
	CHECK_ERR(unlink(t_path("nothing")), ENOENT, "unlink missing");

	/* rename */
	mkfile(t_path("a"), "AAA");
	mkfile(t_path("b"), "BBB");
	CHECK(rename(t_path("a"), t_path("b")) == 0, "rename over existing file");
	SAY("b now: %s, a exists: %s\n", content(t_path("b")), exists(t_path("a")) ? "yes" : "no");
	CHECK(rename(t_path("b"), t_path("d/moved")) == 0, "rename into subdir");
	SAY("d/moved: %s\n", content(t_path("d/moved")));
	CHECK(rename(t_path("d"), t_path("e")) == 0, "rename a directory");
	SAY("e/f: %s\n", content(t_path("e/f")));
	CHECK_ERR(rename(t_path("e"), t_path("e/sub")), EINVAL, "rename dir into itself");
	mkdir(t_path("full"), 0755);
	mkfile(t_path("full/x"), "x");
	mkdir(t_path("empty"), 0755);
	CHECK_ERR(rename(t_path("empty"), t_path("full")), ENOTEMPTY, "rename over non-empty dir");
	CHECK(rename(t_path("full"), t_path("empty")) == 0, "rename dir over empty dir");
	CHECK_ERR(rename(t_path("e/f"), t_path("empty")), EISDIR, "rename file over dir");
	CHECK_ERR(rename(t_path("empty"), t_path("e/f")), ENOTDIR, "rename dir over file");
	CHECK(rename(t_path("e/f"), t_path("e/f")) == 0, "rename to itself");
	CHECK_ERR(rename(t_path("ghost"), t_path("x")), ENOENT, "rename missing");

	/* hard links */
	CHECK(link(t_path("e/f"), t_path("hl")) == 0, "link");
	struct stat st;
	stat(t_path("hl"), &st);
	SAY("nlink after link: %ld\n", (long)st.st_nlink);
	unlink(t_path("e/f"));
	stat(t_path("hl"), &st);
	SAY("nlink after unlink of other name: %ld, content: %s\n", (long)st.st_nlink, content(t_path("hl")));
	CHECK_ERR(link(t_path("e"), t_path("dirlink")), EPERM, "link a directory");
	CHECK_ERR(link(t_path("hl"), t_path("e/moved")), EEXIST, "link onto existing");

	/* symlinks */
	CHECK(symlink("hl", t_path("sl")) == 0, "symlink");
	SAY("through symlink: %s\n", content(t_path("sl")));
	char buf[64];
	ssize_t n = readlink(t_path("sl"), buf, sizeof buf);
	SAY("readlink: %ld [%.*s]\n", (long)n, (int)(n > 0 ? n : 0), buf);
	symlink("a/fairly/long/target/path", t_path("sl2"));
	memset(buf, '#', sizeof buf);
	n = readlink(t_path("sl2"), buf, 6);
	SAY("readlink truncated: %ld [%.*s] byte after: %c\n", (long)n, 6, buf, buf[6]);
	CHECK_ERR(readlink(t_path("hl"), buf, sizeof buf), EINVAL, "readlink on a regular file");
	CHECK_ERR(symlink("x", t_path("sl")), EEXIST, "symlink onto existing");
	symlink("nowhere", t_path("dangling"));
	CHECK_ERR(open(t_path("dangling"), O_RDONLY), ENOENT, "open dangling symlink");
	int fd = open(t_path("dangling"), O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0 && exists(t_path("nowhere")), "O_CREAT through dangling symlink creates target");
	close(fd);
	CHECK_ERR(open(t_path("sl"), O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on symlink");
	CHECK(unlink(t_path("sl")) == 0 && exists(t_path("hl")), "unlink removes the link, not the target");
	symlink("e", t_path("dirsym"));
	SAY("path through dir symlink: %s\n", content(t_path("dirsym/moved")));
	CHECK_ERR(rmdir(t_path("dirsym")), ENOTDIR, "rmdir on symlink to dir");

	/* unlinked but open file stays readable */
	fd = open(t_path("hl"), O_RDONLY);
	unlink(t_path("hl"));
	n = read(fd, buf, sizeof buf);
	SAY("read after unlink: %ld\n", (long)n);
	fstat(fd, &st);
	SAY("nlink of open unlinked file: %ld\n", (long)st.st_nlink);
	close(fd);

	char longname[300];
	memset(longname, 'n', 299);
	longname[299] = 0;
	char longpath[512];
	snprintf(longpath, sizeof longpath, "%s/%s", t_dir, longname);
	CHECK_ERR(mkdir(longpath, 0755), ENAMETOOLONG, "component of 299 bytes");
	CHECK_ERR(mkdir("", 0755), ENOENT, "mkdir empty path");
	/* *at variants */
	int dfd = open(t_dir, O_RDONLY | O_DIRECTORY);
	CHECK(mkdirat(dfd, "at", 0700) == 0 && exists(t_path("at")), "mkdirat");
	CHECK(renameat(dfd, "at", dfd, "at2") == 0, "renameat");
	CHECK(unlinkat(dfd, "at2", AT_REMOVEDIR) == 0 && !exists(t_path("at2")), "unlinkat AT_REMOVEDIR");
	CHECK(symlinkat("tgt", dfd, "sa") == 0, "symlinkat");
	n = readlinkat(dfd, "sa", buf, sizeof buf);
	SAY("readlinkat: %ld\n", (long)n);
	CHECK(linkat(dfd, "e/moved", dfd, "la", 0) == 0, "linkat");
	CHECK_ERR(unlinkat(dfd, "e", 0), EISDIR, "unlinkat dir without flag");
	close(dfd);
	t_cleanup();
	CHECK(!exists(t_dir), "scratch removed");
	return t_done();
}
