/*
 * user/bench/init.c - /init of the initramfs that `keel bench` boots Debian's
 * Linux kernel with.  User space (pid 1); trusts the kernel.
 *
 * Mounts proc, devtmpfs and a tmpfs on /tmp, then runs the benchmarks named
 * on the kernel command line exactly as `keel exec` runs them on Keel:
 *   /bin/bench_<name> <runs>     (cwd /, stdin /dev/null, empty environment)
 * The kernel hands unknown name=value parameters to init as environment:
 *   bench_list=null,pipe_lat,...   bench_runs=5   bench_target_ms=300
 * Output (console): the benchmarks' own BENCH/BENCHFAIL lines, plus
 *   KEELBENCH-KERNEL <release>, KEELBENCH-INFO <key> <value> (clock source,
 *   CPU vulnerability mitigations), BENCHFAIL <name> status=<s>, KEELBENCH-DONE
 * then powers the machine off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

static void console(void)
{
	/* If the initramfs had no /dev/console, fds 0-2 are closed: reopen. */
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
}

/* Print the first line of a sysfs file as "KEELBENCH-INFO key value". */
static void info(const char *key, const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		printf("KEELBENCH-INFO %s %s\n", key, line);
	}
	fclose(f);
}

/* Debian builds virtio-pci and virtio-blk as modules: load the ones the
 * bench put in /lib/modules-bench (named NN-name.ko, in dependency order:
 * the virtio ones, then ext4's for the ext2 benchmarks), then wait for the
 * disks to appear. */
static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void load_modules(void)
{
	struct dirent **ents;
	int n = scandir("/lib/modules-bench", &ents, 0, by_name);
	char path[512];

	for (int i = 0; i < n; i++) {
		struct stat st;
		int fd;
		char *img;

		if (ents[i]->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/lib/modules-bench/%s", ents[i]->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) != 0 || !(img = malloc(st.st_size)) ||
		    read(fd, img, st.st_size) != st.st_size || syscall(SYS_init_module, img, st.st_size, "") != 0)
			printf("KEELBENCH-INFO module %s not loaded: %s\n", ents[i]->d_name, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	for (int tries = 0; n > 0 && tries < 500; tries++) {
		struct stat st;

		if ((stat("/dev/vda", &st) == 0 || access("/sys/block/vda", F_OK) != 0) &&
		    (stat("/dev/vdb", &st) == 0 || access("/sys/block/vdb", F_OK) != 0))
			break;
		usleep(10000);
	}
}

static void run(const char *name, const char *runs, const char *target)
{
	char path[256];
	int st;
	pid_t pid;

	snprintf(path, sizeof path, "/bin/bench_%s", name);
	pid = fork();
	if (pid < 0) {
		printf("BENCHFAIL %s fork failed\n", name);
		return;
	}
	if (pid == 0) {
		char *argv[] = { path, (char *)runs, (char *)target, 0 };
		char *envp[] = { 0 };
		int fd = open("/dev/null", O_RDONLY);

		if (fd >= 0 && fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
		if (chdir("/") != 0)
			_exit(126);
		execve(path, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		printf("BENCHFAIL %s waitpid failed\n", name);
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("BENCHFAIL %s status=%d\n", name,
		       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	fflush(stdout);
}

int main(void)
{
	struct utsname u;
	const char *list = getenv("bench_list");
	const char *runs = getenv("bench_runs");
	const char *target = getenv("bench_target_ms");
	char buf[1024];

	mkdir("/proc", 0555);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, 0);
	mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
	mkdir("/sys", 0555);
	mount("sysfs", "/sys", "sysfs", 0, 0);
	mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
	console();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (uname(&u) == 0)
		printf("KEELBENCH-KERNEL %s %s\n", u.sysname, u.release);
	info("clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	info("meltdown", "/sys/devices/system/cpu/vulnerabilities/meltdown");
	info("spectre_v2", "/sys/devices/system/cpu/vulnerabilities/spectre_v2");
	load_modules();
	if (!runs)
		runs = "5";
	if (!target)
		target = "300";
	if (list) {
		snprintf(buf, sizeof buf, "%s", list);
		for (char *s = strtok(buf, ","); s; s = strtok(0, ","))
			run(s, runs, target);
	}
	printf("KEELBENCH-DONE\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	/* Fallback: QEMU's isa-debug-exit at port 0xf4. */
	if (ioperm(0xf4, 4, 1) == 0)
		outl(0, 0xf4);
	return 0;
}
