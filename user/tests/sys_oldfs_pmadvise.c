/* sys_oldfs_pmadvise: sysfs(2) and ustat(2) (the old file-system queries,
 * checked for consistency with /proc/filesystems-style numbering rather
 * than for the host's list), process_madvise(2) on our own and a child's
 * memory, process_mrelease(2). */
#include "t.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

static void r(const char *w, long v)
{
	if (v < 0)
		SAY("%s: %s\n", w, t_errname(errno));
	else
		SAY("%s: %ld\n", w, v);
}

struct ustat_k {
	int32_t tfree, pad;
	uint64_t tinode;
	char fname[6], fpack[6], pad2[4];
};

int main(int argc, char **argv)
{
	t_init(argc, argv);
	long n = syscall(SYS_sysfs, 3);
	SAY("sysfs(3) counts some types: %s\n", n > 2 ? "yes" : "no");
	int ok = 1, proc = 0, tmpfs = 0;
	for (long i = 0; i < n; i++) {
		char name[64] = {0};
		if (syscall(SYS_sysfs, 2, i, name) != 0 || syscall(SYS_sysfs, 1, name) != i)
			ok = 0;
		proc |= !strcmp(name, "proc");
		tmpfs |= !strcmp(name, "tmpfs");
	}
	SAY("names and indexes agree: %s, proc: %s, tmpfs: %s\n", ok ? "yes" : "no", proc ? "yes" : "no",
	    tmpfs ? "yes" : "no");
	char nb[64];
	r("sysfs(2) past the end", syscall(SYS_sysfs, 2, n, nb));
	r("sysfs(1) unknown", syscall(SYS_sysfs, 1, "nosuchfs"));
	r("sysfs(1) bad pointer", syscall(SYS_sysfs, 1, (char *)8));
	r("sysfs(2) bad buffer", syscall(SYS_sysfs, 2, 0, (char *)8));
	r("sysfs(4)", syscall(SYS_sysfs, 4));
	struct stat st;
	struct ustat_k u;
	stat("/proc", &st);
	r("ustat of /proc's device", syscall(SYS_ustat, (unsigned)st.st_dev, &u));
	stat("/tmp", &st);
	r("ustat of /tmp's device", syscall(SYS_ustat, (unsigned)st.st_dev, &u));
	r("ustat of no device", syscall(SYS_ustat, 0x7ff00, &u));
	r("ustat bad buffer", syscall(SYS_ustat, (unsigned)st.st_dev, (void *)8));

	int self = (int)syscall(434, getpid(), 0);
	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + 2 * 4096, 4096);
	m[0] = 7;
	struct iovec iv = {m, 8192};
	r("process_madvise self COLD", syscall(440, self, &iv, 1, 20, 0));
	r("process_madvise self PAGEOUT", syscall(440, self, &iv, 1, 21, 0));
	r("process_madvise self WILLNEED", syscall(440, self, &iv, 1, 3, 0));
	SAY("  data kept: %s\n", m[0] == 7 ? "yes" : "no");
	r("process_madvise self DONTNEED", syscall(440, self, &iv, 1, 4, 0));
	SAY("  page dropped: %s\n", m[0] == 0 ? "yes" : "no");
	r("process_madvise flags 1", syscall(440, self, &iv, 1, 20, 1));
	r("process_madvise not a pidfd", syscall(440, 0, &iv, 1, 20, 0));
	r("process_madvise no vectors", syscall(440, self, &iv, 0, 20, 0));
	r("process_madvise 1025 vectors", syscall(440, self, &iv, 1025, 20, 0));
	r("process_madvise bad vector pointer", syscall(440, self, (void *)8, 1, 20, 0));
	struct iovec two[2] = {{m, 4096}, {m + 2 * 4096, 4096}};
	r("process_madvise second range unmapped", syscall(440, self, two, 2, 20, 0));
	r("process_madvise first range unmapped", syscall(440, self, two + 1, 1, 20, 0));
	struct iovec un = {m + 1, 4096};
	r("process_madvise unaligned", syscall(440, self, &un, 1, 20, 0));
	int pp[2];
	pipe(pp);
	pid_t c = fork();
	if (c == 0) {
		char x;
		read(pp[0], &x, 1);
		_exit(0);
	}
	int cfd = (int)syscall(434, c, 0);
	r("process_madvise child COLD", syscall(440, cfd, &iv, 1, 20, 0));
	r("process_madvise child DONTNEED", syscall(440, cfd, &iv, 1, 4, 0));
	r("process_mrelease of a live child", syscall(448, cfd, 0));
	r("process_mrelease flags 1", syscall(448, cfd, 1));
	r("process_mrelease bad fd", syscall(448, 99, 0));
	r("process_mrelease not a pidfd", syscall(448, 0, 0));
	pid_t u2 = fork();
	if (u2 == 0) {
		int pfd = (int)syscall(434, getppid(), 0);
		setuid(1000);
		r("user: process_madvise root's process", syscall(440, pfd, &iv, 1, 20, 0));
		_exit(0);
	}
	waitpid(u2, NULL, 0);
	write(pp[1], "x", 1);
	waitpid(c, NULL, 0);
	r("process_mrelease of a reaped child", syscall(448, cfd, 0));
	r("process_madvise of a reaped child", syscall(440, cfd, &iv, 1, 20, 0));
	return t_done();
}
