/* net_unix_perm: permission checks on AF_UNIX path names are the file
 * system's: connect needs write on the socket node, bind needs write and
 * search on the directory, judged with the file-system ids and the
 * supplementary groups (a group member gets the group bits), root passes. */
#include "t.h"
#include <grp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

/* In a child: take the given ids (groups: one supplementary group or none)
 * and report what connect to `path` and bind in `dir` give. */
static void try_as(const char *label, uid_t uid, gid_t gid, gid_t extra, const char *path, const char *dir)
{
	pid_t p = fork();
	if (p == 0) {
		gid_t g[1] = {extra};
		if (setgroups(extra ? 1 : 0, g) || setgid(gid) || setuid(uid))
			_exit(90);
		struct sockaddr_un a;
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		int r = connect(c, (struct sockaddr *)&a, path_addr(&a, path));
		SAY("%s: connect %s\n", label, r == 0 ? "ok" : t_errname(errno));
		char leaf[200];
		snprintf(leaf, sizeof leaf, "%s/s%d", dir, (int)uid + (int)extra);
		int b = socket(AF_UNIX, SOCK_STREAM, 0);
		r = bind(b, (struct sockaddr *)&a, path_addr(&a, leaf));
		SAY("%s: bind in dir %s\n", label, r == 0 ? "ok" : t_errname(errno));
		_exit(0);
	}
	SAY("%s: %s\n", label, t_wait_desc(p));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	CHECK(chmod(t_path(""), 0755) == 0, "scratch dir searchable");
	char dir[200], path[200];
	snprintf(dir, sizeof dir, "%s", t_path("d"));
	snprintf(path, sizeof path, "%s", t_path("d/srv"));
	CHECK(mkdir(dir, 0775) == 0 && chown(dir, 0, 4242) == 0 && chmod(dir, 0775) == 0, "group-writable dir");
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(s, (struct sockaddr *)&a, path_addr(&a, path)) == 0 && listen(s, 8) == 0, "listening");
	CHECK(chown(path, 0, 4242) == 0 && chmod(path, 0760) == 0, "socket node rw for group 4242 only");
	try_as("root", 0, 0, 0, path, dir);
	try_as("member by supplementary group", 1000, 1000, 4242, path, dir);
	try_as("member by primary group", 1001, 4242, 0, path, dir);
	try_as("stranger", 1002, 1002, 0, path, dir);
	close(s);
	return t_done();
}
