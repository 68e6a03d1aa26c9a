/* fs_perms: umask, creation modes, chmod/fchmod/fchmodat, access/faccessat
 * (checks that hold for any uid, including root). */
#include "t.h"

static int mode_of(const char *p) { struct stat st; return stat(p, &st) ? -1 : (int)(st.st_mode & 07777); }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	mode_t old = umask(027);
	SAY("umask(027) returned a mode: %s\n", old <= 0777 ? "yes" : "no");
	SAY("umask(027) again returns: %03o\n", umask(027));
	t_scratch();
	close(open(t_path("f"), O_CREAT | O_WRONLY, 0777));
	SAY("created 0777 under 027: %04o\n", mode_of(t_path("f")));
	mkdir(t_path("d"), 0777);
	SAY("mkdir 0777 under 027: %04o\n", mode_of(t_path("d")));
	umask(0);
	close(open(t_path("g"), O_CREAT | O_WRONLY, 0666));
	SAY("created 0666 under 000: %04o\n", mode_of(t_path("g")));
	CHECK(chmod(t_path("f"), 04751) == 0, "chmod 4751");
	SAY("after chmod: %04o\n", mode_of(t_path("f")));
	int fd = open(t_path("g"), O_RDONLY);
	CHECK(fchmod(fd, 0400) == 0, "fchmod 0400");
	SAY("after fchmod: %04o\n", mode_of(t_path("g")));
	CHECK(fchmodat(AT_FDCWD, t_path("g"), 0640, 0) == 0, "fchmodat");
	SAY("after fchmodat: %04o\n", mode_of(t_path("g")));
	close(fd);
	CHECK(chmod(t_path("d"), 01777) == 0, "chmod sticky dir");
	SAY("dir now: %04o\n", mode_of(t_path("d")));
	symlink("g", t_path("s"));
	chmod(t_path("s"), 0604); /* follows the link */
	SAY("chmod through symlink changed target: %04o\n", mode_of(t_path("g")));

	CHECK(access(t_path("g"), F_OK) == 0, "access F_OK");
	CHECK(access(t_path("g"), R_OK) == 0, "access R_OK");
	CHECK_ERR(access(t_path("g"), X_OK), EACCES, "X_OK on 0604 file");
	CHECK(access(t_path("f"), X_OK) == 0, "X_OK on 0751 file");
	CHECK(access(t_path("d"), X_OK) == 0, "X_OK on dir");
	CHECK_ERR(access(t_path("none"), F_OK), ENOENT, "access missing");
	CHECK_ERR(access(t_path("g"), 0x40), EINVAL, "access bad mode");
	CHECK(faccessat(AT_FDCWD, t_path("g"), R_OK, 0) == 0, "faccessat");
	CHECK_ERR(chmod(t_path("none"), 0644), ENOENT, "chmod missing");
	/* umask is inherited by children */
	umask(077);
	pid_t c = fork();
	if (c == 0) _exit(umask(0) == 077 ? 0 : 1);
	SAY("child inherits umask: %s\n", t_wait_desc(c));
	t_cleanup();
	return t_done();
}
