/* sys_misc_calls: getdents(2) (the old record format), utime(2),
 * futimesat(2) and the permission rules for setting file times,
 * settimeofday(2)'s checks, membarrier(2), ioprio_get/ioprio_set(2),
 * sched_setattr/sched_getattr(2), epoll_pwait2(2). */
#include "t.h"
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <utime.h>

static const char *rc(long r)
{
	static char b[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(b, sizeof b, "%ld", r);
	return b;
}

struct old_dirent {
	unsigned long d_ino, d_off;
	unsigned short d_reclen;
	char d_name[];
};

static void getdents_old(void)
{
	mkdir(t_path("d"), 0755);
	close(open(t_path("d/file"), O_CREAT | O_WRONLY, 0644));
	mkdir(t_path("d/sub"), 0755);
	symlink("file", t_path("d/link"));
	int fd = open(t_path("d"), O_RDONLY | O_DIRECTORY);
	char buf[4096];
	long n = syscall(SYS_getdents, fd, buf, sizeof buf);
	int count = 0, types = 0;
	for (long off = 0; off < n;) {
		struct old_dirent *d = (struct old_dirent *)(buf + off);
		char type = buf[off + d->d_reclen - 1];
		if (!strcmp(d->d_name, "file") && type == DT_REG)
			types++;
		if (!strcmp(d->d_name, "sub") && type == DT_DIR)
			types++;
		if (!strcmp(d->d_name, "link") && type == DT_LNK)
			types++;
		count++;
		off += d->d_reclen;
	}
	SAY("getdents: %d entries, types right for %d of 3\n", count, types);
	SAY("getdents again at the end: %s\n", rc(syscall(SYS_getdents, fd, buf, sizeof buf)));
	lseek(fd, 0, SEEK_SET);
	SAY("getdents buffer too small: %s\n", rc(syscall(SYS_getdents, fd, buf, 10)));
	SAY("getdents bad pointer: %s\n", rc(syscall(SYS_getdents, fd, (void *)8, 4096)));
	int f = open(t_path("d/file"), O_RDONLY);
	SAY("getdents on a file: %s\n", rc(syscall(SYS_getdents, f, buf, sizeof buf)));
	close(f);
	close(fd);
}

static void times(void)
{
	const char *p = t_path("t");
	close(open(p, O_CREAT | O_WRONLY, 0666));
	chmod(p, 0666);
	struct utimbuf ub = {1000000000, 1200000000};
	SAY("utime explicit: %s\n", rc(utime(p, &ub)));
	struct stat st;
	stat(p, &st);
	SAY("  atime %ld mtime %ld\n", (long)st.st_atime, (long)st.st_mtime);
	struct timeval tv[2] = {{1300000000, 500000}, {1400000000, 0}};
	SAY("futimesat relative to a dir fd: %s\n", rc(syscall(SYS_futimesat, open(t_dir, O_RDONLY), "t", tv)));
	stat(p, &st);
	SAY("  atime %ld.%06ld mtime %ld\n", (long)st.st_atime, st.st_atim.tv_nsec / 1000, (long)st.st_mtime);
	tv[0].tv_usec = 1000000;
	SAY("futimesat usec 1000000: %s\n", rc(syscall(SYS_futimesat, AT_FDCWD, p, tv)));
	SAY("utime NULL (now): %s\n", rc(utime(p, NULL)));
	stat(p, &st);
	SAY("  mtime is recent: %s\n", st.st_mtime > 1500000000 ? "yes" : "no");
	SAY("utime missing file: %s\n", rc(utime(t_path("none"), NULL)));
	pid_t c = fork();
	if (c == 0) {
		setgid(1000);
		setuid(1000);
		SAY("user utime NULL on a 0666 root file: %s\n", rc(utime(p, NULL)));
		SAY("user utime explicit on it: %s\n", rc(utime(p, &ub)));
		chmod(p, 0644);
		SAY("user utimes NULL on a 0644 root file: %s\n", rc(utimes(p, NULL)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	chmod(p, 0644);
	c = fork();
	if (c == 0) {
		setgid(1000);
		setuid(1000);
		SAY("user utime NULL on a 0644 root file: %s\n", rc(utime(p, NULL)));
		struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
		SAY("user utimensat NOW/OMIT on it: %s\n", rc(utimensat(AT_FDCWD, p, ts, 0)));
		struct timespec both[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
		SAY("user utimensat OMIT/OMIT on it: %s\n", rc(utimensat(AT_FDCWD, p, both, 0)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void clocks(void)
{
	struct timeval tv = {1, 1000001};
	struct timezone tz;
	SAY("settimeofday usec 1000001: %s\n", rc(syscall(SYS_settimeofday, &tv, NULL)));
	tv.tv_usec = -1;
	SAY("settimeofday usec -1: %s\n", rc(syscall(SYS_settimeofday, &tv, NULL)));
	SAY("settimeofday bad pointer: %s\n", rc(syscall(SYS_settimeofday, (void *)8, NULL)));
	struct timezone bad = {16 * 60, 0};
	SAY("settimeofday tz 16 hours: %s\n", rc(syscall(SYS_settimeofday, NULL, &bad)));
	SAY("settimeofday nothing: %s\n", rc(syscall(SYS_settimeofday, NULL, NULL)));
	SAY("gettimeofday with tz: %s\n", rc(syscall(SYS_gettimeofday, &tv, &tz)));
	pid_t c = fork();
	if (c == 0) {
		setuid(1000);
		tv = (struct timeval){1, 0};
		SAY("user settimeofday: %s\n", rc(syscall(SYS_settimeofday, &tv, NULL)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void barriers(void)
{
	long q = syscall(SYS_membarrier, 0, 0, 0);
	SAY("membarrier QUERY has GLOBAL, PRIVATE_EXPEDITED, SYNC_CORE: %s\n",
	    q > 0 && (q & 1) && (q & 8) && (q & 32) ? "yes" : "no");
	SAY("GLOBAL: %s\n", rc(syscall(SYS_membarrier, 1, 0, 0)));
	SAY("PRIVATE_EXPEDITED unregistered: %s\n", rc(syscall(SYS_membarrier, 8, 0, 0)));
	SAY("REGISTER_PRIVATE_EXPEDITED: %s\n", rc(syscall(SYS_membarrier, 16, 0, 0)));
	SAY("PRIVATE_EXPEDITED: %s\n", rc(syscall(SYS_membarrier, 8, 0, 0)));
	SAY("SYNC_CORE unregistered: %s\n", rc(syscall(SYS_membarrier, 32, 0, 0)));
	SAY("flags 1: %s\n", rc(syscall(SYS_membarrier, 1, 1, 0)));
	SAY("command 3: %s\n", rc(syscall(SYS_membarrier, 3, 0, 0)));
	pid_t c = fork();
	if (c == 0) {
		SAY("forked child: PRIVATE_EXPEDITED: %s\n", rc(syscall(SYS_membarrier, 8, 0, 0)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

#define IOPRIO(c, l) (((c) << 13) | (l))

static void ioprio(void)
{
	SAY("ioprio_get(PROCESS, 0) default: %#lx\n", syscall(SYS_ioprio_get, 1, 0));
	SAY("ioprio_set BE 7: %s", rc(syscall(SYS_ioprio_set, 1, 0, IOPRIO(2, 7))));
	SAY(" -> %#lx\n", syscall(SYS_ioprio_get, 1, 0));
	SAY("ioprio_set IDLE: %s", rc(syscall(SYS_ioprio_set, 1, 0, IOPRIO(3, 0))));
	SAY(" -> %#lx\n", syscall(SYS_ioprio_get, 1, 0));
	SAY("ioprio_set RT 0 as root: %s\n", rc(syscall(SYS_ioprio_set, 1, 0, IOPRIO(1, 0))));
	SAY("ioprio_set class 4: %s\n", rc(syscall(SYS_ioprio_set, 1, 0, IOPRIO(4, 0))));
	SAY("ioprio_set NONE with a level: %s\n", rc(syscall(SYS_ioprio_set, 1, 0, IOPRIO(0, 3))));
	SAY("ioprio_get which 9: %s\n", rc(syscall(SYS_ioprio_get, 9, 0)));
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	waitpid(c, NULL, 0);
	SAY("ioprio_get dead pid: %s\n", rc(syscall(SYS_ioprio_get, 1, c)));
	syscall(SYS_ioprio_set, 1, 0, IOPRIO(2, 2));
	c = fork();
	if (c == 0) {
		SAY("child inherits: %#lx\n", syscall(SYS_ioprio_get, 1, 0));
		setuid(1000);
		SAY("user ioprio_set RT: %s\n", rc(syscall(SYS_ioprio_set, 1, 0, IOPRIO(1, 0))));
		SAY("user ioprio_set of root's process: %s\n", rc(syscall(SYS_ioprio_set, 1, getppid(), IOPRIO(2, 1))));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	syscall(SYS_ioprio_set, 1, 0, IOPRIO(0, 0));
	SAY("set NONE reads what nice 0 gives: %#lx\n", syscall(SYS_ioprio_get, 1, 0));
}

struct sattr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t prio;
	uint64_t runtime, deadline, period;
	uint32_t umin, umax;
};

static void schedattr(void)
{
	struct sattr a = {.size = 48};
	SAY("sched_getattr: %s", rc(syscall(SYS_sched_getattr, 0, &a, sizeof a, 0)));
	SAY(" size %u policy %u nice %d prio %u\n", a.size, a.policy, a.nice, a.prio);
	struct sattr s = {.size = 48, .policy = SCHED_OTHER, .nice = 5};
	SAY("setattr OTHER nice 5: %s", rc(syscall(SYS_sched_setattr, 0, &s, 0)));
	syscall(SYS_sched_getattr, 0, &a, 48, 0);
	SAY(" -> nice %d, getpriority %ld\n", a.nice, syscall(SYS_getpriority, 0, 0));
	s = (struct sattr){.size = 48, .policy = SCHED_FIFO, .prio = 7};
	SAY("setattr FIFO 7: %s", rc(syscall(SYS_sched_setattr, 0, &s, 0)));
	syscall(SYS_sched_getattr, 0, &a, 48, 0);
	SAY(" -> policy %u prio %u\n", a.policy, a.prio);
	s.flags = 8; /* KEEP_POLICY */
	s.prio = 9;
	SAY("KEEP_POLICY prio 9: %s", rc(syscall(SYS_sched_setattr, 0, &s, 0)));
	syscall(SYS_sched_getattr, 0, &a, 48, 0);
	SAY(" -> policy %u prio %u\n", a.policy, a.prio);
	s = (struct sattr){.size = 48, .policy = 6, .runtime = 10000000, .deadline = 30000000, .period = 100000000};
	SAY("setattr DEADLINE 10/30/100 ms: %s", rc(syscall(SYS_sched_setattr, 0, &s, 0)));
	syscall(SYS_sched_getattr, 0, &a, 48, 0);
	SAY(" -> policy %u runtime %lu deadline %lu period %lu\n", a.policy, (unsigned long)a.runtime,
	    (unsigned long)a.deadline, (unsigned long)a.period);
	s.runtime = 40000000;
	SAY("DEADLINE runtime > deadline: %s\n", rc(syscall(SYS_sched_setattr, 0, &s, 0)));
	s.runtime = 100;
	SAY("DEADLINE runtime 100 ns: %s\n", rc(syscall(SYS_sched_setattr, 0, &s, 0)));
	s = (struct sattr){.size = 48, .policy = SCHED_OTHER};
	syscall(SYS_sched_setattr, 0, &s, 0);
	SAY("setattr size 40: %s", rc(syscall(SYS_sched_setattr, 0, &(struct sattr){.size = 40}, 0)));
	struct sattr back = {.size = 40};
	syscall(SYS_sched_setattr, 0, &back, 0);
	SAY(", size written back %u\n", back.size);
	char big[128] = {0};
	memcpy(big, &s, sizeof s);
	big[0] = 100;
	SAY("setattr size 100 zero tail: %s\n", rc(syscall(SYS_sched_setattr, 0, big, 0)));
	big[90] = 1;
	SAY("setattr size 100 nonzero tail: %s\n", rc(syscall(SYS_sched_setattr, 0, big, 0)));
	SAY("setattr flags arg 1: %s\n", rc(syscall(SYS_sched_setattr, 0, &s, 1)));
	SAY("setattr NULL: %s\n", rc(syscall(SYS_sched_setattr, 0, NULL, 0)));
	s.flags = 0x100;
	SAY("setattr unknown sched_flags: %s\n", rc(syscall(SYS_sched_setattr, 0, &s, 0)));
	SAY("getattr size 47: %s\n", rc(syscall(SYS_sched_getattr, 0, &a, 47, 0)));
	SAY("getattr flags 1: %s\n", rc(syscall(SYS_sched_getattr, 0, &a, 48, 1)));
	SAY("getattr pid -1: %s\n", rc(syscall(SYS_sched_getattr, -1, &a, 48, 0)));
	s = (struct sattr){.size = 48, .policy = SCHED_OTHER};
	syscall(SYS_sched_setattr, 0, &s, 0);
}

static void pwait2(void)
{
	int ep = epoll_create1(0), p[2];
	pipe(p);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	struct timespec t = {0, 20000000};
	SAY("epoll_pwait2 20 ms, nothing: %s\n", rc(syscall(SYS_epoll_pwait2, ep, &out, 1, &t, NULL, 8)));
	write(p[1], "x", 1);
	SAY("epoll_pwait2 with data: %s\n", rc(syscall(SYS_epoll_pwait2, ep, &out, 1, NULL, NULL, 8)));
	t.tv_nsec = 1000000000;
	SAY("epoll_pwait2 bad timeout: %s\n", rc(syscall(SYS_epoll_pwait2, ep, &out, 1, &t, NULL, 8)));
	t.tv_nsec = 0;
	SAY("epoll_pwait2 zero timeout: %s\n", rc(syscall(SYS_epoll_pwait2, ep, &out, 1, &t, NULL, 8)));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	chmod(t_dir, 0755);
	getdents_old();
	times();
	clocks();
	barriers();
	ioprio();
	schedattr();
	pwait2();
	t_cleanup();
	return t_done();
}
