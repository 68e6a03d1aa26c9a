/* proc_pidfd_procdir: a descriptor of a /proc/<pid> directory works as a
 * pidfd for pidfd_send_signal (pidfd_send_signal(2)): the signal reaches
 * the process, a reaped process gives ESRCH, and descriptors of other
 * /proc files (a task directory, a file) or of other files are EBADF. */
#include "t.h"
#include <signal.h>
#include <sys/syscall.h>

static long send_sig(int fd, int sig) { return syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0); }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0, "open /proc/<pid>");
	CHECK(send_sig(fd, 0) == 0, "signal 0 through it");
	CHECK(send_sig(fd, SIGTERM) == 0, "SIGTERM through it");
	SAY("child: %s\n", t_wait_desc(pid));
	CHECK_ERR(send_sig(fd, SIGTERM), ESRCH, "after the child was reaped");
	close(fd);
	int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
	CHECK(self >= 0 && send_sig(self, 0) == 0, "/proc/self names this process");
	close(self);
	snprintf(path, sizeof path, "/proc/self/task/%d", (int)getpid());
	int task = open(path, O_RDONLY | O_DIRECTORY);
	CHECK_ERR(send_sig(task, 0), EBADF, "a task directory");
	close(task);
	int st = open("/proc/self/stat", O_RDONLY);
	CHECK_ERR(send_sig(st, 0), EBADF, "a /proc file");
	close(st);
	int root = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(send_sig(root, 0), EBADF, "the root directory");
	close(root);
	return t_done();
}
