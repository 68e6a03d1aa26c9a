/* proc_smaps: /proc/self/smaps and smaps_rollup (proc(5)): an anonymous
 * mapping's entry (Size, page sizes, Rss of the pages written, Private_
 * Dirty, Anonymous, Swap, Locked and the "lo" VmFlag while mlocked), the
 * field names in Linux's order, the rollup's first line; and
 * /proc/<pid>/coredump_filter (Linux's default, the number bases it
 * takes, the nine bits kept, EINVAL, inherited by fork). */
#include "t.h"
#include <sys/mman.h>

/* The smaps entry starting at addr: the fields we print, in order. */
static void show_entry(const char *label, void *addr)
{
	char want[32], line[256];
	snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0, names = 0;
	char order[512] = "";
	SAY("%s:", label);
	while (f && fgets(line, sizeof line, f)) {
		if (!in) {
			in = strncmp(line, want, strlen(want)) == 0;
			continue;
		}
		if (strncmp(line, "VmFlags:", 8) == 0) {
			SAY(" lo=%s", strstr(line, " lo ") ? "yes" : "no");
			SAY(" rd=%s wr=%s", strstr(line, " rd ") ? "yes" : "no", strstr(line, " wr ") ? "yes" : "no");
			break;
		}
		char name[64];
		unsigned long v;
		if (sscanf(line, "%63[^:]: %lu", name, &v) == 2) {
			if (!strcmp(name, "Size") || !strcmp(name, "KernelPageSize") || !strcmp(name, "Rss") ||
			    !strcmp(name, "Private_Dirty") || !strcmp(name, "Anonymous") || !strcmp(name, "Swap") ||
			    !strcmp(name, "Locked") || !strcmp(name, "MMUPageSize"))
				SAY(" %s=%lu", name, v);
			if (names++ < 40 && strlen(order) + strlen(name) + 2 < sizeof order) {
				strcat(order, name);
				strcat(order, ",");
			}
		}
	}
	if (f)
		fclose(f);
	SAY("\n");
	SAY("fields: %s\n", order);
}

static const char *filter_write(const char *v)
{
	int fd = open("/proc/self/coredump_filter", O_WRONLY);
	if (fd < 0)
		return t_errname(errno);
	ssize_t r = write(fd, v, strlen(v));
	int e = errno;
	close(fd);
	return r < 0 ? t_errname(e) : "ok";
}

static void filter_show(const char *label)
{
	char buf[32] = "";
	int fd = open("/proc/self/coredump_filter", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	SAY("%s: %s", label, buf);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	long pg = sysconf(_SC_PAGESIZE);
	/* a guard page on each side keeps the area from merging with others */
	char *base = mmap(NULL, 18 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a = mmap(base + pg, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(a == base + pg, "map 16 pages");
	for (int i = 0; i < 5; i++)
		a[i * pg] = 1;
	show_entry("5 pages written", a);
	CHECK(mlock(a, 16 * pg) == 0, "mlock");
	show_entry("mlocked", a);
	CHECK(munlock(a, 16 * pg) == 0, "munlock");
	show_entry("unlocked", a);
	char line[256];
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	CHECK(f && fgets(line, sizeof line, f), "smaps_rollup");
	SAY("rollup first line ends with [rollup]: %s\n", strstr(line, "[rollup]") ? "yes" : "no");
	int n = 0;
	char order[512] = "";
	while (f && fgets(line, sizeof line, f)) {
		char name[64];
		if (sscanf(line, "%63[^:]:", name) == 1 && strlen(order) + strlen(name) + 2 < sizeof order) {
			strcat(order, name);
			strcat(order, ",");
		}
		n++;
	}
	if (f)
		fclose(f);
	SAY("rollup fields: %s\n", order);

	filter_show("coredump_filter");
	SAY("write 0x7: %s\n", filter_write("0x7"));
	filter_show("now");
	SAY("write 017: %s\n", filter_write("017\n"));
	filter_show("now");
	SAY("write 0x3ff: %s\n", filter_write("0x3ff"));
	filter_show("nine bits kept");
	SAY("write x: %s\n", filter_write("x"));
	SAY("write 12z: %s\n", filter_write("12z"));
	filter_show("unchanged");
	filter_write("0x23");
	pid_t pid = fork();
	if (pid == 0) {
		filter_show("child inherits");
		_exit(0);
	}
	SAY("child: %s\n", t_wait_desc(pid));
	munmap(base, 18 * pg);
	return t_done();
}
