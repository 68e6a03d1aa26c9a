/* fs_symloop: ELOOP for symlink cycles and over-long chains; a chain of
 * moderate length resolves. */
#include "t.h"

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	symlink("b", t_path("a"));
	symlink("a", t_path("b"));
	symlink("self", t_path("self"));
	struct stat st;
	CHECK_ERR(open(t_path("a"), O_RDONLY), ELOOP, "open a<->b");
	CHECK_ERR(stat(t_path("a"), &st), ELOOP, "stat a<->b");
	CHECK_ERR(open(t_path("self"), O_RDONLY | O_CREAT, 0644), ELOOP, "O_CREAT on self loop");
	CHECK(lstat(t_path("a"), &st) == 0 && S_ISLNK(st.st_mode), "lstat on loop is fine");
	CHECK_ERR(stat(t_path("a/x"), &st), ELOOP, "loop as a directory component");
	CHECK_ERR(chdir(t_path("self")), ELOOP, "chdir into loop");
	/* chain: l0 -> file, l1 -> l0, ... */
	close(open(t_path("target"), O_CREAT | O_WRONLY, 0644));
	char from[64], to[64];
	symlink("target", t_path("l0"));
	for (int i = 1; i <= 50; i++) {
		snprintf(from, sizeof from, "l%d", i - 1);
		snprintf(to, sizeof to, "l%d", i);
		symlink(from, t_path(to));
	}
	int ok_upto = -1;
	for (int i = 0; i <= 50; i++) {
		snprintf(to, sizeof to, "l%d", i);
		int fd = open(t_path(to), O_RDONLY);
		if (fd >= 0) { close(fd); ok_upto = i; }
		else if (errno != ELOOP) SAY("l%d: unexpected %s\n", i, t_errname(errno));
	}
	SAY("chain of 20 resolves: %s\n", ok_upto >= 19 ? "yes" : "no");
	errno = 0;
	CHECK_ERR(open(t_path("l50"), O_RDONLY), ELOOP, "chain of 51 links");
	SAY("longest resolvable chain: %d links\n", ok_upto + 1);
	/* directory symlink loops via .. */
	mkdir(t_path("d"), 0755);
	symlink("..", t_path("d/up"));
	CHECK(stat(t_path("d/up/d/up/d/up/d"), &st) == 0 && S_ISDIR(st.st_mode), "d/up/d/up/... resolves");
	t_cleanup();
	return t_done();
}
