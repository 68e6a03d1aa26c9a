/* time_vdso: the vDSO. libc's clock_gettime, gettimeofday and time go
 * through it (no system call); their answers must agree with the system
 * calls' to the nanosecond ordering: vdso <= syscall <= vdso. The vDSO is
 * a valid ELF image exporting the four functions, and shows in
 * /proc/self/maps as [vdso] beside its data page [vvar]. */
#include "t.h"
#include <elf.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>

static long long ts_ns(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

static int ordered(clockid_t clk)
{
	for (int i = 0; i < 2000; i++) {
		struct timespec a, b, c;
		clock_gettime(clk, &a);
		syscall(SYS_clock_gettime, clk, &b);
		clock_gettime(clk, &c);
		if (ts_ns(&a) > ts_ns(&b) || ts_ns(&b) > ts_ns(&c))
			return 0;
	}
	return 1;
}

/* Does the vDSO's dynamic symbol table define name? */
static int exports(const unsigned char *base, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	long bias = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			bias = (long)base + (long)ph[i].p_offset - (long)ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const unsigned *hash = NULL;
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const Elf64_Sym *)(bias + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_STRTAB)
			str = (const char *)(bias + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_HASH)
			hash = (const unsigned *)(bias + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return 0;
	for (unsigned i = 0; i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF && ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC &&
		    strcmp(str + sym[i].st_name, name) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	CHECK(vdso != NULL, "AT_SYSINFO_EHDR is set");
	if (!vdso)
		return 1;
	CHECK(memcmp(vdso, ELFMAG, SELFMAG) == 0 && ((const Elf64_Ehdr *)vdso)->e_type == ET_DYN,
	      "it points at an ELF shared object");
	CHECK(exports(vdso, "__vdso_clock_gettime") && exports(vdso, "__vdso_gettimeofday") &&
	      exports(vdso, "__vdso_time") && exports(vdso, "__vdso_getcpu"), "it exports the four functions");
	CHECK(ordered(CLOCK_MONOTONIC), "CLOCK_MONOTONIC agrees with the system call");
	CHECK(ordered(CLOCK_REALTIME), "CLOCK_REALTIME agrees with the system call");
	CHECK(ordered(CLOCK_BOOTTIME), "CLOCK_BOOTTIME agrees with the system call");
	int tv_ok = 1;
	for (int i = 0; i < 1000; i++) {
		struct timeval a, c;
		struct timespec b;
		gettimeofday(&a, NULL);
		syscall(SYS_clock_gettime, CLOCK_REALTIME, &b);
		gettimeofday(&c, NULL);
		long long an = a.tv_sec * 1000000000LL + a.tv_usec * 1000LL;
		long long cn = c.tv_sec * 1000000000LL + c.tv_usec * 1000LL + 999;
		tv_ok &= an <= ts_ns(&b) && ts_ns(&b) <= cn;
	}
	CHECK(tv_ok, "gettimeofday agrees with the realtime clock");
	time_t t0 = time(NULL), t1 = (time_t)syscall(SYS_time, NULL), t2 = time(NULL);
	CHECK(t0 <= t1 && t1 <= t2, "time agrees with the system call");
	int cpu = sched_getcpu();
	CHECK(cpu >= 0 && cpu < 4096, "sched_getcpu (getcpu)");
	struct timespec res;
	CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0, "clock_getres");
	CHECK(clock_gettime(12345, &res) == -1 && errno == EINVAL, "an unknown clock is EINVAL");
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int has_vdso = 0, has_vvar = 0;
	while (f && fgets(line, sizeof line, f)) {
		has_vdso |= strstr(line, "[vdso]") != NULL && strstr(line, "r-xp") != NULL;
		has_vvar |= strstr(line, "[vvar]") != NULL;
	}
	if (f)
		fclose(f);
	CHECK(has_vdso && has_vvar, "/proc/self/maps shows [vdso] and [vvar]");
	SAY(t_failures ? "FAILED\n" : "ok\n");
	return t_failures != 0;
}
