/* fs_procfs: /proc/self and /proc/<pid> fields a program can check against
 * its own ids: stat (52 fields, pid, comm, state, ppid), status lines,
 * the self/exe/cwd/fd links, cmdline, a child's stat (ppid, zombie state),
 * the /proc listing, meminfo/uptime formats, mounts and statfs. */
#include "t.h"
#include <ctype.h>
#include <sys/vfs.h>

static int slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	return (int)n;
}

/* Field i (1-based) of a stat line, after the "(comm)". */
static long stat_field(const char *line, int i, char *state)
{
	const char *p = strrchr(line, ')');
	if (!p)
		return -99;
	p += 2;
	if (state)
		*state = *p;
	for (int f = 3; f < i && *p; f++) {
		p = strchr(p, ' ');
		if (!p)
			return -99;
		p++;
	}
	return strtol(p, NULL, 10);
}

static int count_fields(const char *line)
{
	const char *p = strrchr(line, ')');
	int n = 2;
	for (; p && *p && *p != '\n'; p++)
		if (*p == ' ')
			n++;
	return n;
}

static long status_num(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -99;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	static char buf[8192];
	char path[256], link[512], comm[32];
	snprintf(comm, sizeof comm, "%.15s", t_name);

	CHECK(slurp("/proc/self/stat", buf, sizeof buf) > 0, "read /proc/self/stat");
	CHECK(strtol(buf, NULL, 10) == getpid(), "stat pid");
	snprintf(path, sizeof path, "(%s)", comm);
	CHECK(strstr(buf, path) != NULL, "stat comm");
	char st = 0;
	CHECK(stat_field(buf, 4, &st) == getppid(), "stat ppid");
	SAY("stat state: %c\n", st);
	CHECK(stat_field(buf, 5, NULL) == getpgrp(), "stat pgrp");
	CHECK(stat_field(buf, 20, NULL) == 1, "stat num_threads");
	SAY("stat fields: %d\n", count_fields(buf));

	CHECK(slurp("/proc/self/status", buf, sizeof buf) > 0, "read /proc/self/status");
	snprintf(path, sizeof path, "Name:\t%s\n", comm);
	CHECK(strncmp(buf, path, strlen(path)) == 0, "status Name first");
	CHECK(strstr(buf, "\nState:\tR (running)\n") != NULL, "status State");
	CHECK(status_num(buf, "\nPid:\t") == getpid(), "status Pid");
	CHECK(status_num(buf, "\nPPid:\t") == getppid(), "status PPid");
	CHECK(status_num(buf, "\nTgid:\t") == getpid(), "status Tgid");
	CHECK(status_num(buf, "\nUid:\t") == (long)getuid(), "status Uid");
	CHECK(status_num(buf, "\nThreads:\t") == 1, "status Threads");

	ssize_t n = readlink("/proc/self", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	CHECK(n > 0 && atoi(link) == getpid(), "readlink /proc/self");
	n = readlink("/proc/self/exe", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	const char *base = strrchr(link, '/');
	CHECK(n > 0 && link[0] == '/' && base && strcmp(base + 1, t_name) == 0, "readlink /proc/self/exe");

	t_scratch();
	CHECK(chdir(t_dir) == 0, "chdir scratch");
	n = readlink("/proc/self/cwd", link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	CHECK(n > 0 && strcmp(link, t_dir) == 0, "readlink /proc/self/cwd");
	chdir("/");

	int fd = open(t_path("f"), O_CREAT | O_RDWR, 0644);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	CHECK(n > 0 && strcmp(link, t_path("f")) == 0, "readlink /proc/self/fd/N");
	int fds[2];
	pipe(fds);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
	n = readlink(path, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	CHECK(n > 0 && strncmp(link, "pipe:[", 6) == 0, "readlink of a pipe");
	DIR *d = opendir("/proc/self/fd");
	int seen = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		int v = atoi(de->d_name);
		if (isdigit((unsigned char)de->d_name[0]) && (v == fd || v == fds[0] || v == fds[1] || v <= 2))
			seen++;
	}
	if (d)
		closedir(d);
	CHECK(seen == 6, "/proc/self/fd lists 0 1 2 and the three new fds");
	close(fds[1]);
	close(fd);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	CHECK_ERR(readlink(path, link, sizeof link), ENOENT, "closed fd link");

	n = slurp("/proc/self/cmdline", buf, sizeof buf);
	CHECK(n == (ssize_t)strlen(argv[0]) + 1 && strcmp(buf, argv[0]) == 0, "cmdline is argv");

	pid_t child = fork();
	if (child == 0) {
		char c;
		read(fds[0], &c, 1);
		_exit(3);
	}
	snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
	int tries = 0;
	st = 0;
	while (tries++ < 500) {
		if (slurp(path, buf, sizeof buf) > 0 && stat_field(buf, 3, &st) >= 0 && st == 'Z')
			break;
		usleep(10000);
	}
	CHECK(stat_field(buf, 4, NULL) == getpid(), "child stat ppid");
	SAY("exited child state: %c\n", st);
	snprintf(path, sizeof path, "/proc/%d", (int)child);
	struct stat sb;
	CHECK(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode), "zombie has a /proc dir");
	int status;
	waitpid(child, &status, 0);
	CHECK_ERR(stat(path, &sb), ENOENT, "reaped child gone from /proc");

	d = opendir("/proc");
	int me = 0, nonnum_bad = 0;
	while (d && (de = readdir(d)) != NULL) {
		if (atoi(de->d_name) == getpid())
			me = 1;
	}
	if (d)
		closedir(d);
	CHECK(me && !nonnum_bad, "ls /proc lists my pid");

	CHECK(slurp("/proc/meminfo", buf, sizeof buf) > 0, "read meminfo");
	unsigned long kb = 0;
	char unit[8] = "";
	CHECK(sscanf(buf, "MemTotal: %lu %7s", &kb, unit) == 2 && kb > 0 && !strcmp(unit, "kB"), "MemTotal line");
	CHECK(strstr(buf, "\nMemFree:") && strstr(buf, "\nSwapTotal:"), "MemFree and SwapTotal lines");
	CHECK(strlen("MemTotal:       ") == (size_t)(strchr(buf, '\n') - buf) - 8 - 3, "MemTotal column layout");
	double up = -1, idle = -1;
	CHECK(slurp("/proc/uptime", buf, sizeof buf) > 0 && sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0,
	      "uptime format");
	CHECK(slurp("/proc/mounts", buf, sizeof buf) > 0 && strstr(buf, " /proc proc rw"), "mounts lists /proc");
	CHECK(slurp("/proc/self/mounts", link, sizeof link) > 0, "self/mounts readable");
	CHECK(slurp("/proc/filesystems", buf, sizeof buf) > 0 && strstr(buf, "\tproc\n") && strstr(buf, "\ttmpfs\n"),
	      "filesystems");
	CHECK(slurp("/proc/loadavg", buf, sizeof buf) > 0 && strchr(buf, '/'), "loadavg");
	struct statfs sf;
	CHECK(statfs("/proc", &sf) == 0 && sf.f_type == 0x9fa0, "statfs /proc is proc");
	CHECK(statfs("/dev/shm", &sf) == 0 && sf.f_type == 0x01021994, "statfs /dev/shm is tmpfs");
	t_cleanup();
	return t_failures ? 1 : 0;
}
