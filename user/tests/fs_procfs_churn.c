/* fs_procfs_churn: a parent that reads /proc/<child>/stat of thousands of
 * short-lived children, never listing /proc (as LTP's process-state wait
 * does), must leave the kernel able to make files, pipes and processes.
 * Keel once kept every looked-up child's /proc directory until /proc was
 * listed; some 2400 children filled the inode pool and exec, pipe and
 * open failed with EAGAIN. */
#include "t.h"

#define ROUNDS 50
#define BATCH 60 /* 3000 children: past Keel's old limit of about 2400 */

/* The state letter of /proc/pid/stat ("pid (comm) S ..."), or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* One round: BATCH children block reading a pipe; the parent reads each
 * one's state, then closes the pipe so all exit, and reaps them. */
static int round_ok(int *seen, int *reaped)
{
	int fds[2];
	if (pipe(fds))
		return 0;
	pid_t kids[BATCH];
	int n = 0;
	for (; n < BATCH; n++) {
		kids[n] = fork();
		if (kids[n] < 0)
			break;
		if (kids[n] == 0) {
			char c;
			close(fds[1]);
			_exit(read(fds[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < n; i++) {
		char s = proc_state(kids[i]);
		if (s == 'S' || s == 'R')
			(*seen)++;
	}
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < n; i++) {
		int st;
		if (waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			(*reaped)++;
	}
	return n == BATCH;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return 7;
	t_init(argc, argv);
	t_scratch();
	int seen = 0, reaped = 0, forked = 1;
	for (int r = 0; r < ROUNDS && forked; r++)
		forked = round_ok(&seen, &reaped);
	CHECK(forked, "3000 children forked");
	CHECK(seen == ROUNDS * BATCH, "each child's /proc/pid/stat read while it lived");
	CHECK(reaped == ROUNDS * BATCH, "each child exited 0 and was reaped");
	CHECK(proc_state(getpid()) == 'R', "own /proc/pid/stat still readable");

	/* Things that need a fresh inode still work. */
	int fds[2];
	CHECK(pipe(fds) == 0, "pipe after the churn");
	close(fds[0]);
	close(fds[1]);
	const char *path = t_path("f");
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0, "create a file after the churn");
	if (fd >= 0)
		close(fd);
	unlink(path);
	pid_t p = fork();
	if (p == 0) {
		execl("/proc/self/exe", "/proc/self/exe", "--child", (char *)NULL);
		_exit(errno == EAGAIN ? 3 : 2);
	}
	int st = 0;
	CHECK(p > 0 && waitpid(p, &st, 0) == p, "fork after the churn");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "exec after the churn");
	return t_done();
}
