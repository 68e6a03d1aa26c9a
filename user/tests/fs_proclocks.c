/* fs_proclocks: /proc/locks lists POSIX record locks (with their ranges),
 * flock locks and leases (active, then breaking) with the holder's pid,
 * the file's device and inode, newest first; the lines go when the locks
 * do. Only this test's own lines are shown, with the pid, device and
 * inode checked against getpid and stat, and sorted (the host lists every
 * process's locks, its per-CPU lists in any order). */
#include "t.h"
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char names[3][64];
static struct stat sts[3];

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void show(const char *when)
{
	SAY("%s:\n", when);
	FILE *f = fopen("/proc/locks", "r");
	if (!f) {
		SAY("  no /proc/locks\n");
		return;
	}
	char line[256], *out[64];
	int n = 0;
	while (fgets(line, sizeof line, f) && n < 64) {
		long long id, start;
		char kind[16], mode[16], type[16], devino[64], end[32];
		int pid;
		if (sscanf(line, "%lld: %15s %15s %15s %d %63s %lld %31s", &id, kind, mode, type, &pid, devino, &start,
			   end) != 8 || pid != getpid())
			continue;
		const char *which = "?";
		for (int i = 0; i < 3; i++) {
			char want[64];
			snprintf(want, sizeof want, "%02x:%02x:%lu", major(sts[i].st_dev), minor(sts[i].st_dev),
				 (unsigned long)sts[i].st_ino);
			if (!strcmp(want, devino))
				which = names[i];
		}
		out[n] = malloc(400);
		snprintf(out[n], 400, "  %s %s %s file %s %lld %s", kind, mode, type, which, start, end);
		n++;
	}
	fclose(f);
	qsort(out, n, sizeof out[0], cmp);
	for (int i = 0; i < n; i++)
		SAY("%s\n", out[i]);
	SAY("  (%d lines)\n", n);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	signal(SIGIO, SIG_IGN); /* the lease break's signal */
	int fd[3];
	for (int i = 0; i < 3; i++) {
		snprintf(names[i], sizeof names[i], "%c", 'a' + i);
		fd[i] = open(t_path(names[i]), O_CREAT | (i == 2 ? O_RDONLY : O_RDWR), 0644);
		fstat(fd[i], &sts[i]);
	}
	show("no locks");
	struct flock w = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 5};
	struct flock r = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 0};
	CHECK(fcntl(fd[0], F_SETLK, &w) == 0 && fcntl(fd[0], F_SETLK, &r) == 0, "two record locks on a");
	CHECK(flock(fd[1], LOCK_SH) == 0, "flock LOCK_SH on b");
	CHECK(fcntl(fd[2], F_SETLEASE, F_RDLCK) == 0, "read lease on c");
	show("locked");
	int other = open(t_path("c"), O_WRONLY | O_NONBLOCK);
	SAY("an open for writing breaks the lease: %s\n", other < 0 && errno == EWOULDBLOCK ? "yes" : "no");
	show("lease breaking");
	fcntl(fd[2], F_SETLEASE, F_UNLCK);
	flock(fd[1], LOCK_EX);
	show("lease gone, flock now exclusive");
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	show("all closed");
	return t_done();
}
