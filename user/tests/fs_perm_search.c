/* fs_perm_search: directory search (x) permission on every path component
 * and execve's execute-permission check, for a non-root caller (owner,
 * group, supplementary group, other classes) and for root (who may search
 * anything but execute only what has some x bit). access(2) checks with
 * the real ids, AT_EACCESS with the effective ones. */
#include "t.h"
#include <grp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>

#define USER 1000
#define GROUP 1000
#define SUPP 2000

/* Outcome of a call as "ok" or the errno name. */
static const char *rc(long r) { return r == -1 ? t_errname(errno) : "ok"; }

static void mk(const char *leaf, mode_t mode, uid_t uid, gid_t gid, int dir)
{
	const char *p = t_path(leaf);
	if (dir)
		mkdir(p, 0700);
	else
		close(open(p, O_CREAT | O_WRONLY, 0600));
	chown(p, uid, gid);
	chmod(p, mode);
}

/* Run fn in a child as uid/gid USER with supplementary group SUPP. */
static void as_user(void (*fn)(void))
{
	pid_t c = fork();
	if (c == 0) {
		gid_t g = SUPP;
		if (setgroups(1, &g) || setgid(GROUP) || setuid(USER)) {
			SAY("drop privileges failed\n");
			_exit(1);
		}
		fn();
		fflush(stdout);
		_exit(t_failures ? 1 : 0);
	}
	int st;
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		t_failures++;
}

static void lookups(void)
{
	struct stat st;
	SAY("stat via 0700 root dir: %s\n", rc(stat(t_path("root700/f"), &st)));
	SAY("open via 0700 root dir: %s\n", rc(open(t_path("root700/f"), O_RDONLY)));
	SAY("stat of the 0700 dir itself: %s\n", rc(stat(t_path("root700"), &st)));
	SAY("chdir into 0700 root dir: %s\n", rc(chdir(t_path("root700"))));
	SAY("stat via own 0600 dir (r, no x): %s\n", rc(stat(t_path("own600/f"), &st)));
	SAY("stat via 0711 root dir (x only): %s\n", rc(stat(t_path("root711/f"), &st)));
	SAY("opendir 0711 root dir: %s\n", rc(open(t_path("root711"), O_RDONLY | O_DIRECTORY)));
	SAY("O_NOATIME on root's file: %s\n", rc(open(t_path("root711/f"), O_RDONLY | O_NOATIME)));
	SAY("O_NOATIME on own file: %s\n", rc(open(t_path("open755/mine"), O_RDONLY | O_NOATIME)));
	int nf = open(t_path("root711/f"), O_RDONLY);
	SAY("F_SETFL O_NOATIME on root's file: %s\n", rc(fcntl(nf, F_SETFL, O_NOATIME)));
	close(nf);
	SAY("stat via group-x dir: %s\n", rc(stat(t_path("grp070/f"), &st)));
	SAY("stat via supplementary-group-x dir: %s\n", rc(stat(t_path("supp070/f"), &st)));
	SAY("stat via own 0070 dir (owner bits win): %s\n", rc(stat(t_path("own070/f"), &st)));
	SAY("stat via other-x dir: %s\n", rc(stat(t_path("oth001/f"), &st)));
	SAY("nested: ok dir / 0700 root dir / f: %s\n", rc(stat(t_path("open755/root700/f"), &st)));
	SAY("nested: .. out of a 0700 root dir: %s\n", rc(stat(t_path("open755/root700/.."), &st)));
	SAY("missing name under 0700 root dir: %s\n", rc(stat(t_path("root700/none"), &st)));
	SAY("create under 0700 root dir: %s\n", rc(open(t_path("root700/new"), O_CREAT | O_WRONLY, 0600)));
	SAY("mkdir under 0700 root dir: %s\n", rc(mkdir(t_path("root700/nd"), 0700)));
	SAY("unlink under 0700 root dir: %s\n", rc(unlink(t_path("root700/f"))));
	SAY("rename out of 0700 root dir: %s\n", rc(rename(t_path("root700/f"), t_path("open777/g"))));
	SAY("symlink through 0700 root dir: %s\n", rc(stat(t_path("link"), &st)));
	SAY("lstat of that symlink: %s\n", rc(lstat(t_path("link"), &st)));
	SAY("access F_OK via 0700 root dir: %s\n", rc(access(t_path("root700/f"), F_OK)));
	SAY("truncate via 0700 root dir: %s\n", rc(truncate(t_path("root700/f"), 0)));
	SAY("file not a dir in the middle: %s\n", rc(stat(t_path("open755/file/x"), &st)));
	/* A cwd that is no longer searchable: relative names fail, "/" works. */
	SAY("chdir into own dir: %s\n", rc(chdir(t_path("mine"))));
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	fchmod(dfd, 0600);
	SAY("relative name in unsearchable cwd: %s\n", rc(stat("f", &st)));
	SAY("\".\" in unsearchable cwd: %s\n", rc(stat(".", &st)));
	SAY("chmod \".\" in unsearchable cwd: %s\n", rc(chmod(".", 0700)));
	SAY("absolute name elsewhere: %s\n", rc(stat("/", &st)));
	SAY("fstatat relative to an unsearchable dir fd: %s\n", rc(fstatat(dfd, "f", &st, 0)));
	SAY("fstat of the dir fd itself: %s\n", rc(fstat(dfd, &st)));
	fchmod(dfd, 0700);
	close(dfd);
	SAY("relative name after fchmod back: %s\n", rc(stat("f", &st)));
	chdir("/");
}

/* execve of our own binary (copied with chosen modes): the child exits 7
 * when the program ran, 100+errno when execve failed. */
static const char *run(const char *path)
{
	static char buf[64];
	pid_t c = fork();
	if (c == 0) {
		char *argv[] = {(char *)"prog", (char *)"--probe", NULL};
		execv(path, argv);
		_exit(100 + errno);
	}
	int st;
	waitpid(c, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 7)
		return "ran";
	if (WIFEXITED(st) && WEXITSTATUS(st) >= 100)
		snprintf(buf, sizeof buf, "%s", t_errname(WEXITSTATUS(st) - 100));
	else
		snprintf(buf, sizeof buf, "status 0x%x", st);
	return buf;
}

static void execs_user(void)
{
	SAY("user exec 0755 root file: %s\n", run(t_path("x/p755")));
	SAY("user exec 0744 root file: %s\n", run(t_path("x/p744")));
	SAY("user exec 0711 root file (x, no r): %s\n", run(t_path("x/p711")));
	SAY("user exec 0701 root file (other x only): %s\n", run(t_path("x/p701")));
	SAY("user exec own 0700 file: %s\n", run(t_path("x/own700")));
	SAY("user exec own 0070 file (owner bits win): %s\n", run(t_path("x/own070")));
	SAY("user exec group 0010 file: %s\n", run(t_path("x/grp010")));
	SAY("user exec supplementary-group 0010 file: %s\n", run(t_path("x/supp010")));
	SAY("user exec through 0700 root dir: %s\n", run(t_path("root700/p755")));
	SAY("user exec a directory: %s\n", run(t_path("x")));
	SAY("user exec script, interpreter 0744: %s\n", run(t_path("x/script_bad")));
	SAY("user exec script, interpreter 0755: %s\n", run(t_path("x/script_ok")));
}

static int mode_of(const char *leaf)
{
	struct stat st;
	return stat(t_path(leaf), &st) ? -1 : (int)(st.st_mode & 07777);
}

static int gid_of(const char *leaf)
{
	struct stat st;
	return stat(t_path(leaf), &st) ? -1 : (int)st.st_gid;
}

static void owner_rules(void)
{
	SAY("user chmod root's file: %s\n", rc(chmod(t_path("o/rootf"), 0777)));
	const char *r = rc(chmod(t_path("o/mine"), 02755));
	SAY("user chmod own file 02755 (own group): %s -> %04o\n", r, mode_of("o/mine"));
	r = rc(chmod(t_path("o/foreign"), 02755));
	SAY("user chmod own file 02755 (foreign group): %s -> %04o\n", r, mode_of("o/foreign"));
	SAY("user chown own file to another uid: %s\n", rc(chown(t_path("o/mine"), 0, -1)));
	SAY("user chown own file to own uid: %s\n", rc(chown(t_path("o/mine"), USER, -1)));
	r = rc(chown(t_path("o/mine"), -1, SUPP));
	SAY("user chgrp own file to supplementary group: %s -> gid %d mode %04o\n", r, gid_of("o/mine"),
	    mode_of("o/mine"));
	SAY("user chgrp own file to a foreign group: %s\n", rc(chown(t_path("o/mine"), -1, 3000)));
	SAY("user chgrp root's file to own group: %s\n", rc(chown(t_path("o/rootf"), -1, GROUP)));
	close(open(t_path("o/sgid/u"), O_CREAT | O_WRONLY, 02755));
	SAY("user creates 02755 in setgid dir of a foreign group: gid %d mode %04o\n", gid_of("o/sgid/u"),
	    mode_of("o/sgid/u"));
}

static void access_ids(void)
{
	/* real uid USER, effective uid 0 */
	if (setreuid(USER, 0) != 0) {
		SAY("setreuid failed\n");
		return;
	}
	SAY("access R_OK (real uid) on 0600 root file: %s\n", rc(access(t_path("x/p600"), R_OK)));
	SAY("faccessat2 AT_EACCESS (effective uid 0): %s\n",
	    rc(syscall(SYS_faccessat2, AT_FDCWD, t_path("x/p600"), R_OK, AT_EACCESS)));
	SAY("access via 0700 root dir (real uid): %s\n", rc(access(t_path("root700/f"), F_OK)));
	SAY("open with effective uid 0: %s\n", rc(open(t_path("x/p600"), O_RDONLY)));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--probe"))
		return 7;
	t_init(argc, argv);
	t_scratch();
	umask(0);
	chmod(t_dir, 0755);
	mk("root700", 0700, 0, 0, 1);
	mk("root700/f", 0644, 0, 0, 0);
	mk("own600", 0600, USER, GROUP, 1);
	mk("own600/f", 0644, USER, GROUP, 0);
	mk("root711", 0711, 0, 0, 1);
	mk("root711/f", 0644, 0, 0, 0);
	mk("grp070", 0070, 0, GROUP, 1);
	mk("grp070/f", 0644, 0, 0, 0);
	mk("supp070", 0070, 0, SUPP, 1);
	mk("supp070/f", 0644, 0, 0, 0);
	mk("own070", 0070, USER, GROUP, 1);
	mk("own070/f", 0644, 0, 0, 0);
	mk("oth001", 0001, 0, 0, 1);
	mk("oth001/f", 0644, 0, 0, 0);
	mk("open755", 0755, 0, 0, 1);
	mk("open755/file", 0644, 0, 0, 0);
	mk("open755/mine", 0644, USER, GROUP, 0);
	mk("open755/root700", 0700, 0, 0, 1);
	mk("open755/root700/f", 0644, 0, 0, 0);
	mk("open777", 0777, 0, 0, 1);
	mk("mine", 0700, USER, GROUP, 1);
	mk("mine/f", 0644, USER, GROUP, 0);
	symlink(t_path("root700/f"), t_path("link"));
	as_user(lookups);

	/* Executables: copies of this program with different modes. */
	mk("x", 0755, 0, 0, 1);
	char self[256];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	const struct { const char *leaf; mode_t mode; uid_t uid; gid_t gid; } bins[] = {
		{"x/p755", 0755, 0, 0},       {"x/p744", 0744, 0, 0},          {"x/p711", 0711, 0, 0},
		{"x/p701", 0701, 0, 0},       {"x/own700", 0700, USER, GROUP}, {"x/own070", 0070, USER, GROUP},
		{"x/grp010", 0010, 0, GROUP}, {"x/supp010", 0010, 0, SUPP},    {"root700/p755", 0755, 0, 0},
		{"x/p600", 0600, 0, 0},       {"x/p100", 0100, 0, 0},          {"x/p010", 0010, 0, 0},
		{"x/p001", 0001, 0, 0},       {"x/interp744", 0744, 0, 0},     {"x/interp755", 0755, 0, 0},
	};
	int in = open(self, O_RDONLY);
	for (unsigned i = 0; i < sizeof bins / sizeof bins[0]; i++) {
		int out = open(t_path(bins[i].leaf), O_CREAT | O_WRONLY | O_TRUNC, 0700);
		char buf[65536];
		ssize_t k;
		lseek(in, 0, SEEK_SET);
		while ((k = read(in, buf, sizeof buf)) > 0)
			write(out, buf, (size_t)k);
		close(out);
		chown(t_path(bins[i].leaf), bins[i].uid, bins[i].gid);
		chmod(t_path(bins[i].leaf), bins[i].mode);
	}
	close(in);
	FILE *f = fopen(t_path("x/script_bad"), "w");
	fprintf(f, "#!%s --probe\n", t_path("x/interp744"));
	fclose(f);
	chmod(t_path("x/script_bad"), 0755);
	f = fopen(t_path("x/script_ok"), "w");
	fprintf(f, "#!%s --probe\n", t_path("x/interp755"));
	fclose(f);
	chmod(t_path("x/script_ok"), 0755);
	as_user(execs_user);

	SAY("root exec 0600 file: %s\n", run(t_path("x/p600")));
	SAY("root exec 0100 file: %s\n", run(t_path("x/p100")));
	SAY("root exec 0010 file: %s\n", run(t_path("x/p010")));
	SAY("root exec 0001 file: %s\n", run(t_path("x/p001")));
	SAY("root exec through 0700 root dir: %s\n", run(t_path("root700/p755")));
	struct stat st;
	SAY("root stat via 0001 dir: %s\n", rc(stat(t_path("oth001/f"), &st)));
	chmod(t_path("oth001"), 0);
	SAY("root stat via 0000 dir: %s\n", rc(stat(t_path("oth001/f"), &st)));

	/* chmod/chown rules and set-id bits */
	mk("o", 0777, 0, 0, 1);
	mk("o/rootf", 0644, 0, 0, 0);
	mk("o/mine", 0644, USER, GROUP, 0);
	mk("o/foreign", 0644, USER, 3000, 0);
	mk("o/sgid", 02777, 0, SUPP, 1);
	as_user(owner_rules);
	mk("o/suid", 06755, 0, 0, 0);
	chown(t_path("o/suid"), -1, -1);
	SAY("root chown -1 -1 of 06755 file: %04o\n", mode_of("o/suid"));
	mk("o/lockf", 02745, 0, 0, 0);
	chown(t_path("o/lockf"), 0, 0);
	SAY("root chown of 02745 file: %04o\n", mode_of("o/lockf"));
	mk("o/sgiddir", 02755, 0, 0, 1);
	chown(t_path("o/sgiddir"), 5, 5);
	SAY("root chown of 02755 dir: %04o\n", mode_of("o/sgiddir"));
	close(open(t_path("o/sgid/f"), O_CREAT | O_WRONLY, 02755));
	mkdir(t_path("o/sgid/d"), 0755);
	SAY("in setgid dir: file gid %d mode %04o, subdir gid %d mode %04o\n", gid_of("o/sgid/f"),
	    mode_of("o/sgid/f"), gid_of("o/sgid/d"), mode_of("o/sgid/d"));

	pid_t c = fork();
	if (c == 0) {
		access_ids();
		fflush(stdout);
		_exit(t_failures ? 1 : 0);
	}
	SAY("access child: %s\n", t_wait_desc(c));
	/* access(W_OK) on a read-only file system: EROFS, for root too and
	 * before the mode bits */
	mkdir(t_path("ro"), 0755);
	if (mount("none", t_path("ro"), "tmpfs", MS_RDONLY, NULL) == 0) {
		SAY("read-only mount: access W_OK %s, R_OK %s, faccessat2 W_OK|AT_EACCESS %s\n",
		    access(t_path("ro"), W_OK) ? t_errname(errno) : "ok", access(t_path("ro"), R_OK) ? t_errname(errno) : "ok",
		    syscall(439, AT_FDCWD, t_path("ro"), W_OK, AT_EACCESS) ? t_errname(errno) : "ok");
		pid_t c = fork();
		if (c == 0) {
			setuid(4242);
			SAY("read-only mount, other user: access W_OK %s\n", access(t_path("ro"), W_OK) ? t_errname(errno) : "ok");
			_exit(0);
		}
		waitpid(c, NULL, 0);
		umount(t_path("ro"));
	}
	t_cleanup();
	return t_done();
}
