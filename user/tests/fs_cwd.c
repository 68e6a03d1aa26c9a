/* fs_cwd: getcwd/chdir/fchdir, relative paths, .. at the root, inheritance. */
#include "t.h"

int main(int argc, char **argv)
{
	t_init(argc, argv);
	char buf[512];
	SAY("start cwd: %s\n", getcwd(buf, sizeof buf));
	t_scratch();
	mkdir(t_path("a"), 0755);
	mkdir(t_path("a/b"), 0755);
	CHECK(chdir(t_path("a/b")) == 0, "chdir");
	SAY("cwd: %s\n", getcwd(buf, sizeof buf));
	close(open("rel", O_CREAT | O_WRONLY, 0644));
	CHECK(access(t_path("a/b/rel"), F_OK) == 0, "relative create lands in cwd");
	CHECK(chdir("..") == 0, "chdir ..");
	SAY("cwd: %s\n", getcwd(buf, sizeof buf));
	CHECK(access("b/rel", F_OK) == 0, "relative lookup");
	CHECK(chdir("./b/../b/./") == 0, "chdir with . and ..");
	SAY("cwd: %s\n", getcwd(buf, sizeof buf));
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(fchdir(dfd) == 0, "fchdir /tmp");
	SAY("cwd: %s\n", getcwd(buf, sizeof buf));
	close(dfd);
	CHECK(chdir("/") == 0 && chdir("..") == 0, "chdir / then ..");
	SAY("cwd: %s\n", getcwd(buf, sizeof buf));
	CHECK_ERR(chdir(t_path("a/b/rel")), ENOTDIR, "chdir to a file");
	CHECK_ERR(chdir(t_path("zzz")), ENOENT, "chdir missing");
	int ffd = open(t_path("a/b/rel"), O_RDONLY);
	CHECK_ERR(fchdir(ffd), ENOTDIR, "fchdir a file");
	close(ffd);
	chdir(t_path("a"));
	CHECK_ERR(getcwd(buf, 3) ? 0 : -1, ERANGE, "getcwd small buffer");
	pid_t c = fork();
	if (c == 0) {
		char b2[512];
		int ok = getcwd(b2, sizeof b2) && !strcmp(b2, t_path("a"));
		chdir("/");
		_exit(ok ? 0 : 1);
	}
	SAY("child inherits cwd: %s\n", t_wait_desc(c));
	SAY("parent cwd unchanged by child: %s\n", getcwd(buf, sizeof buf));
	/* removing the cwd: getcwd then fails with ENOENT on Linux */
	mkdir(t_path("gone"), 0755);
	chdir(t_path("gone"));
	rmdir(t_path("gone"));
	CHECK_ERR(open("new", O_CREAT | O_WRONLY, 0644), ENOENT, "create in removed cwd");
	chdir("/");
	t_cleanup();
	return t_done();
}
