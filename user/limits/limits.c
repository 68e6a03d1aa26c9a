/* limits: Keel-only resilience checks (tests/limits.sh), not a differential
 * test: filling /tmp on the host is not possible. Each mode exhausts one
 * resource, checks the failure is a clean errno, frees it, then shows the
 * system still works (fork+exec, writing a new file).
 *   limits fill | emfile | eloop | pidreuse   prints lines, exits 0 on success
 * pidreuse: a /proc/<pid> directory looked up while one process lived must
 * not describe the next process that gets the same pid (it runs through
 * the whole pid space, which Keel wraps at 32768). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int still_works(void)
{
	pid_t c = fork();
	if (c < 0) {
		printf("fork after: errno %d\n", errno);
		return 1;
	}
	if (c == 0) {
		execl("/bin/busybox", "true", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(c, &st, 0);
	printf("fork+exec after: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "FAILED");
	static char buf[65536];
	memset(buf, 'z', sizeof buf);
	int fd = open("/tmp/limits-after", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, buf, sizeof buf) == (ssize_t)sizeof buf;
	char back[16] = {0};
	ok = ok && pread(fd, back, 8, 60000) == 8 && !memcmp(back, "zzzzzzzz", 8);
	printf("new file after: %s\n", ok ? "ok" : "FAILED");
	close(fd);
	unlink("/tmp/limits-after");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && ok ? 0 : 1;
}

static int fill(void)
{
	static char buf[65536];
	memset(buf, 'x', sizeof buf);
	int fd = open("/tmp/limits-fill", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	long long total = 0;
	int e = 0;
	for (;;) {
		ssize_t n = write(fd, buf, sizeof buf);
		if (n < 0) {
			e = errno;
			break;
		}
		if (n == 0)
			break;
		total += n;
	}
	printf("fill stopped: %s (%s)\n", e == ENOSPC ? "ENOSPC" : e == ENOMEM ? "ENOMEM" : "other",
	       total > (1 << 20) ? "after >1 MiB" : "too early");
	fflush(stdout);
	/* the full state itself must be survivable: a fork may fail cleanly */
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	if (c > 0)
		waitpid(c, NULL, 0);
	printf("fork while full: %s\n", c > 0 || errno == ENOMEM || errno == EAGAIN ? "clean" : "FAILED");
	/* then a child takes every frame left with anonymous memory: it must
	 * fail (mmap ENOMEM or killed at a fault), never the kernel */
	c = fork();
	if (c == 0) {
		for (;;) {
			char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED)
				_exit(3);
			for (int i = 0; i < (1 << 20); i += 4096)
				m[i] = 1;
		}
	}
	int st = 0;
	if (c > 0)
		waitpid(c, &st, 0);
	printf("memory hog: %s\n", c < 0 ? "fork failed" : WIFSIGNALED(st) ? "killed" : WIFEXITED(st) && WEXITSTATUS(st) == 3 ? "mmap failed" : "other");
	close(fd);
	unlink("/tmp/limits-fill");
	if (e != ENOSPC && e != ENOMEM)
		return 1;
	return still_works();
}

static int emfile(void)
{
	int n = 0, e = 0;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			e = errno;
			break;
		}
		n++;
	}
	printf("open until: %s (%s)\n", e == EMFILE ? "EMFILE" : "other", n > 100 ? "many opened" : "too few");
	for (int fd = 3; fd < 100000 && n > 0; fd++)
		if (close(fd) == 0)
			n--;
	fflush(stdout);
	return e == EMFILE ? still_works() : 1;
}

static int eloop(void)
{
	mkdir("/tmp/limits-l", 0755);
	symlink("/tmp/limits-l/b", "/tmp/limits-l/a");
	symlink("/tmp/limits-l/a", "/tmp/limits-l/b");
	int r1 = open("/tmp/limits-l/a", O_RDONLY);
	int e1 = errno;
	/* a chain of 50 links (over the 40-link limit) and one of 30 */
	char from[64], to[64];
	close(open("/tmp/limits-l/t0", O_CREAT | O_WRONLY, 0644));
	for (int i = 1; i <= 50; i++) {
		snprintf(from, sizeof from, "/tmp/limits-l/t%d", i);
		snprintf(to, sizeof to, "t%d", i - 1);
		symlink(to, from);
	}
	int r2 = open("/tmp/limits-l/t50", O_RDONLY);
	int e2 = errno;
	int r3 = open("/tmp/limits-l/t30", O_RDONLY);
	printf("loop: %s\n", r1 < 0 && e1 == ELOOP ? "ELOOP" : "other");
	printf("chain of 50: %s\n", r2 < 0 && e2 == ELOOP ? "ELOOP" : "other");
	printf("chain of 30: %s\n", r3 >= 0 ? "opened" : "FAILED");
	close(r3);
	fflush(stdout);
	int bad = !(r1 < 0 && e1 == ELOOP) || !(r2 < 0 && e2 == ELOOP) || r3 < 0;
	return bad ? 1 : still_works();
}

static int pidreuse(void)
{
	pid_t a = fork();
	if (a == 0) {
		if (setuid(1000) == 0)
			pause();
		_exit(0);
	}
	usleep(100000);
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d", (int)a);
	if (stat(path, &st) == 0)
		printf("first owner: %u\n", (unsigned)st.st_uid);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	for (long i = 0; i < 70000; i++) {
		pid_t b = fork();
		if (b == 0) {
			if (getpid() == a)
				pause();
			_exit(0);
		}
		if (b < 0)
			return 1;
		if (b == a) {
			usleep(100000);
			if (stat(path, &st) == 0)
				printf("same pid, next owner: %u\n", (unsigned)st.st_uid);
			kill(b, SIGKILL);
			waitpid(b, NULL, 0);
			return 0;
		}
		waitpid(b, NULL, 0);
	}
	printf("the pid never came back\n");
	return 1;
}

/* Global knobs the host cannot lend a test: vm/max_map_count bounds the
 * areas of a process (mmap ENOMEM; an munmap that would split an area at
 * the limit ENOMEM) and fs/nr_open bounds RLIMIT_NOFILE (EPERM). */
static int knob_rw(const char *path, const char *val, char *old, size_t n)
{
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	ssize_t r = old ? read(fd, old, n - 1) : 0;
	if (old)
		old[r > 0 ? r : 0] = 0;
	int e = 0;
	if (val && pwrite(fd, val, strlen(val), 0) < 0)
		e = -errno;
	close(fd);
	return e;
}

/* Lines of /proc/self/maps, read without allocating (no new areas). */
static int count_areas(void)
{
	static char buf[65536];
	int fd = open("/proc/self/maps", O_RDONLY), n = 0;
	ssize_t r;
	while (fd >= 0 && (r = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < r; i++)
			n += buf[i] == '\n';
	if (fd >= 0)
		close(fd);
	return n;
}

static int knobs(void)
{
	char old[32], v[32];
	int areas = count_areas();
	snprintf(v, sizeof v, "%d", areas + 5);
	if (knob_rw("/proc/sys/vm/max_map_count", v, old, sizeof old))
		return 1;
	char *base = mmap(NULL, 64 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(base, 64 * 4096); /* a free range: map every other page of it */
	int made = 0;
	for (int i = 0; i < 20; i++) {
		void *p = mmap(base + 2 * i * 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p == MAP_FAILED) {
			printf("max_map_count +5: %d more maps, then %s\n", made, errno == ENOMEM ? "ENOMEM" : "other");
			break;
		}
		made++;
	}
	munmap(base, 64 * 4096);
	char *three = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	areas = count_areas();
	snprintf(v, sizeof v, "%d", areas);
	knob_rw("/proc/sys/vm/max_map_count", v, NULL, 0);
	printf("hole in an area at the limit: %s\n", munmap(three + 4096, 4096) ? (errno == ENOMEM ? "ENOMEM" : "other") : "ok");
	knob_rw("/proc/sys/vm/max_map_count", old, NULL, 0);
	printf("hole below the limit: %s\n", munmap(three + 4096, 4096) ? "failed" : "ok");
	printf("nr_open 63: %s\n", knob_rw("/proc/sys/fs/nr_open", "63", old, sizeof old) == -EINVAL ? "EINVAL" : "other");
	knob_rw("/proc/sys/fs/nr_open", "128", NULL, 0);
	struct rlimit rl = {129, 129};
	printf("RLIMIT_NOFILE 129 over nr_open 128: %s\n", setrlimit(RLIMIT_NOFILE, &rl) && errno == EPERM ? "EPERM" : "other");
	rl.rlim_cur = rl.rlim_max = 128;
	printf("RLIMIT_NOFILE 128: %s\n", setrlimit(RLIMIT_NOFILE, &rl) ? "failed" : "ok");
	/* fork copies the table: a descriptor past nr_open's word is EMFILE */
	knob_rw("/proc/sys/fs/nr_open", "64", NULL, 0);
	dup2(1, 100);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	printf("fork with descriptor 100 over nr_open 64: %s\n", c < 0 && errno == EMFILE ? "EMFILE" : "other");
	if (c > 0)
		waitpid(c, NULL, 0);
	close(100);
	c = fork();
	if (c == 0)
		_exit(0);
	printf("after closing it: %s\n", c > 0 ? "ok" : "failed");
	if (c > 0)
		waitpid(c, NULL, 0);
	knob_rw("/proc/sys/fs/nr_open", old, NULL, 0);
	return 0;
}

/* /proc/sys/fs/inode-nr's first figure: inodes in memory. */
static long inodes_now(void)
{
	char buf[64] = "";
	int fd = open("/proc/sys/fs/inode-nr", O_RDONLY);
	ssize_t r = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[r > 0 ? r : 0] = 0;
	return r > 0 ? atol(buf) : -1;
}

/* The inodes a /proc/<pid> directory costs: 60 live children each have
 * /proc/<pid>/stat looked up (what a process-state poller does), then
 * each has its directory listed (what ls does); then 3000 short-lived
 * children are polled and reaped, and the inode count must come back. */
static int procinodes(void)
{
	enum { N = 60 };
	int pfd[2];
	pid_t kids[N];
	if (pipe(pfd))
		return 1;
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char c;
			close(pfd[1]);
			read(pfd[0], &c, 1);
			_exit(0);
		}
	}
	char path[64];
	struct stat st;
	long before = inodes_now();
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof path, "/proc/%d/stat", (int)kids[i]);
		stat(path, &st);
	}
	long looked = inodes_now();
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof path, "/proc/%d", (int)kids[i]);
		DIR *d = opendir(path);
		while (d && readdir(d))
			;
		if (d)
			closedir(d);
	}
	long listed = inodes_now();
	close(pfd[0]);
	close(pfd[1]);
	for (int i = 0; i < N; i++)
		waitpid(kids[i], NULL, 0);
	printf("inodes per /proc/<pid> after a stat of its stat file: %ld\n", (looked - before) / N);
	printf("inodes per /proc/<pid> after a listing: %ld\n", (listed - before) / N);
	long start = inodes_now();
	for (int i = 0; i < 3000; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		snprintf(path, sizeof path, "/proc/%d/stat", (int)c);
		stat(path, &st);
		waitpid(c, NULL, 0);
	}
	long end = inodes_now();
	printf("3000 short-lived children polled: inode count grew by %s\n", end - start < 200 ? "under 200" : "more");
	fprintf(stderr, "inodes: start %ld end %ld\n", start, end);
	return 0;
}

/* pipe-max-size caps an unprivileged user's new pipe (root's stays 64
 * KiB) and its F_SETPIPE_SZ; past pipe-user-pages-soft a user's new pipes
 * get two pages; past pipe-user-pages-hard pipe() fails (ENFILE). */
static int user_pipe_size(void)
{
	int q[2];
	if (pipe(q))
		return -errno;
	int n = fcntl(q[1], F_GETPIPE_SZ);
	close(q[0]);
	close(q[1]);
	return n;
}

static int pipeknobs(void)
{
	char old[32], soft[32], hard[32];
	knob_rw("/proc/sys/fs/pipe-max-size", "4096", old, sizeof old);
	printf("root's new pipe: %d\n", user_pipe_size());
	pid_t c = fork();
	if (c == 0) {
		if (setuid(1000))
			_exit(3);
		int n = user_pipe_size();
		int q[2];
		pipe(q);
		int grow = fcntl(q[1], F_SETPIPE_SZ, 8192);
		printf("user's new pipe under pipe-max-size 4096: %d, grow to 8192: %s\n", n,
		       grow < 0 && errno == EPERM ? "EPERM" : "other");
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	knob_rw("/proc/sys/fs/pipe-max-size", old, NULL, 0);
	knob_rw("/proc/sys/fs/pipe-user-pages-soft", "20", soft, sizeof soft);
	knob_rw("/proc/sys/fs/pipe-user-pages-hard", "0", hard, sizeof hard);
	c = fork();
	if (c == 0) {
		if (setuid(1000))
			_exit(3);
		int a[2], b[2];
		pipe(a);
		pipe(b);
		printf("user past pipe-user-pages-soft 20: first %d, second %d\n", fcntl(a[1], F_GETPIPE_SZ),
		       fcntl(b[1], F_GETPIPE_SZ));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	knob_rw("/proc/sys/fs/pipe-user-pages-hard", "17", NULL, 0);
	c = fork();
	if (c == 0) {
		if (setuid(1000))
			_exit(3);
		int a[2], b[2];
		pipe(a);
		int r = pipe(b);
		printf("user past pipe-user-pages-hard 17: %s\n", r < 0 && errno == ENFILE ? "ENFILE" : "other");
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	knob_rw("/proc/sys/fs/pipe-user-pages-soft", soft, NULL, 0);
	knob_rw("/proc/sys/fs/pipe-user-pages-hard", hard, NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "fill"))
		return fill();
	if (!strcmp(argv[1], "emfile"))
		return emfile();
	if (!strcmp(argv[1], "eloop"))
		return eloop();
	if (!strcmp(argv[1], "pidreuse"))
		return pidreuse();
	if (!strcmp(argv[1], "knobs"))
		return knobs();
	if (!strcmp(argv[1], "procinodes"))
		return procinodes();
	if (!strcmp(argv[1], "pipeknobs"))
		return pipeknobs();
	return 2;
}
