/* fs_xattr: extended attributes on tmpfs (user.*, trusted.*, security.*):
 * set/get/list/remove through paths, links and descriptors, XATTR_CREATE
 * and XATTR_REPLACE, sizes, the namespace rules and the permission rules
 * for another user. */
#include "t.h"
#include <sys/xattr.h>

static const char *rc(long r)
{
	static char b[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(b, sizeof b, "%ld", r);
	return b;
}

/* The NUL-separated list as "a,b,c". */
static const char *list(const char *p)
{
	static char out[512];
	char buf[512];
	long n = listxattr(p, buf, sizeof buf);
	if (n < 0)
		return t_errname(errno);
	out[0] = 0;
	for (long i = 0; i < n; i += (long)strlen(buf + i) + 1) {
		if (out[0])
			strcat(out, ",");
		strcat(out, buf + i);
	}
	return out;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	chmod(t_dir, 0777);
	const char *f = t_path("f");
	close(open(f, O_CREAT | O_WRONLY, 0644));
	SAY("set user.a: %s\n", rc(setxattr(f, "user.a", "hello", 5, 0)));
	char v[128] = {0};
	SAY("get user.a: %s", rc(getxattr(f, "user.a", v, sizeof v)));
	SAY(" '%s'\n", v);
	SAY("get size only: %s\n", rc(getxattr(f, "user.a", NULL, 0)));
	SAY("get into 2 bytes: %s\n", rc(getxattr(f, "user.a", v, 2)));
	SAY("XATTR_CREATE existing: %s\n", rc(setxattr(f, "user.a", "x", 1, XATTR_CREATE)));
	SAY("XATTR_REPLACE missing: %s\n", rc(setxattr(f, "user.b", "x", 1, XATTR_REPLACE)));
	SAY("XATTR_REPLACE existing: %s\n", rc(setxattr(f, "user.a", "world!", 6, XATTR_REPLACE)));
	memset(v, 0, sizeof v);
	getxattr(f, "user.a", v, sizeof v);
	SAY("  now '%s'\n", v);
	SAY("flags 4: %s\n", rc(setxattr(f, "user.b", "x", 1, 4)));
	SAY("empty value: %s", rc(setxattr(f, "user.empty", "", 0, 0)));
	SAY(", size %s\n", rc(getxattr(f, "user.empty", NULL, 0)));
	setxattr(f, "user.c", "3", 1, 0);
	SAY("list: %s\n", list(f));
	SAY("list size only: %s\n", rc(listxattr(f, NULL, 0)));
	char small[4];
	SAY("list into 4 bytes: %s\n", rc(listxattr(f, small, sizeof small)));
	SAY("remove user.c: %s", rc(removexattr(f, "user.c")));
	SAY(", again: %s\n", rc(removexattr(f, "user.c")));
	SAY("get missing: %s\n", rc(getxattr(f, "user.zz", v, sizeof v)));
	static char big[70000];
	SAY("65536-byte value: %s\n", rc(setxattr(f, "user.big", big, 65536, 0)));
	SAY("65537-byte value: %s\n", rc(setxattr(f, "user.big2", big, 65537, 0)));
	SAY("get the big one: %s\n", rc(getxattr(f, "user.big", big, sizeof big)));
	char longname[300];
	memset(longname, 'n', sizeof longname);
	memcpy(longname, "user.", 5);
	longname[255] = 0;
	SAY("name of 255 bytes: %s\n", rc(setxattr(f, longname, "x", 1, 0)));
	longname[255] = 'n';
	longname[256] = 0;
	SAY("name of 256 bytes: %s\n", rc(setxattr(f, longname, "x", 1, 0)));
	SAY("empty name: %s\n", rc(setxattr(f, "", "x", 1, 0)));
	SAY("bare prefix user.: %s\n", rc(setxattr(f, "user.", "x", 1, 0)));
	SAY("unknown namespace: %s\n", rc(setxattr(f, "foo.bar", "x", 1, 0)));
	SAY("trusted.t as root: %s\n", rc(setxattr(f, "trusted.t", "T", 1, 0)));
	SAY("security.s as root: %s\n", rc(setxattr(f, "security.s", "S", 1, 0)));
	SAY("root's list: %s\n", list(f));
	SAY("bad value pointer: %s\n", rc(setxattr(f, "user.q", (void *)8, 4, 0)));
	SAY("bad name pointer: %s\n", rc(setxattr(f, (void *)8, "x", 1, 0)));
	SAY("missing file: %s\n", rc(setxattr(t_path("none"), "user.a", "x", 1, 0)));

	/* symlinks and descriptors */
	symlink("f", t_path("l"));
	SAY("get through a symlink: %s\n", rc(getxattr(t_path("l"), "user.a", v, sizeof v)));
	SAY("lsetxattr user.* on the symlink itself: %s\n", rc(lsetxattr(t_path("l"), "user.x", "x", 1, 0)));
	SAY("lgetxattr user.* on the symlink itself: %s\n", rc(lgetxattr(t_path("l"), "user.a", v, sizeof v)));
	int fd = open(f, O_RDONLY);
	SAY("fsetxattr on a read-only fd: %s\n", rc(fsetxattr(fd, "user.fd", "1", 1, 0)));
	SAY("fgetxattr: %s\n", rc(fgetxattr(fd, "user.fd", v, sizeof v)));
	SAY("fremovexattr: %s\n", rc(fremovexattr(fd, "user.fd")));
	int pp[2];
	pipe(pp);
	SAY("fsetxattr user.* on a pipe: %s\n", rc(fsetxattr(pp[0], "user.x", "x", 1, 0)));
	SAY("flistxattr on a pipe: %s\n", rc(flistxattr(pp[0], v, sizeof v)));
	int op = open(f, O_PATH);
	SAY("fgetxattr on an O_PATH fd: %s\n", rc(fgetxattr(op, "user.a", v, sizeof v)));
	mkdir(t_path("d"), 0777);
	SAY("user.* on a directory: %s\n", rc(setxattr(t_path("d"), "user.d", "d", 1, 0)));
	mkfifo(t_path("fifo"), 0666);
	SAY("user.* on a FIFO: %s\n", rc(setxattr(t_path("fifo"), "user.x", "x", 1, 0)));
	SAY("get user.* on a FIFO: %s\n", rc(getxattr(t_path("fifo"), "user.x", v, sizeof v)));
	SAY("system.posix_acl_access get: %s\n", rc(getxattr(f, "system.posix_acl_access", v, sizeof v)));

	chmod(t_path("d"), 01777);
	pid_t c = fork();
	if (c == 0) {
		setgid(1000);
		setuid(1000);
		SAY("user: get user.a of a 0644 root file: %s\n", rc(getxattr(f, "user.a", v, sizeof v)));
		SAY("user: set user.a on it: %s\n", rc(setxattr(f, "user.a", "x", 1, 0)));
		SAY("user: remove user.a on it: %s\n", rc(removexattr(f, "user.a")));
		SAY("user: get trusted.t: %s\n", rc(getxattr(f, "trusted.t", v, sizeof v)));
		SAY("user: set trusted.u: %s\n", rc(setxattr(f, "trusted.u", "x", 1, 0)));
		SAY("user: list hides trusted.*: %s\n", list(f));
		SAY("user: get security.s: %s\n", rc(getxattr(f, "security.s", v, sizeof v)));
		SAY("user: set security.s: %s\n", rc(setxattr(f, "security.s", "x", 1, 0)));
		SAY("user: set user.* on root's sticky dir: %s\n", rc(setxattr(t_path("d"), "user.d", "x", 1, 0)));
		close(open(t_path("mine"), O_CREAT | O_WRONLY, 0600));
		SAY("user: set user.* on own file: %s\n", rc(setxattr(t_path("mine"), "user.m", "m", 1, 0)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	t_cleanup();
	return t_done();
}
