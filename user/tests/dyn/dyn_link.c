/* dyn_link: a dynamically linked program (built only as musl-dyn and
 * glibc-dyn): a DT_NEEDED library with static TLS, dlopen/dlsym of a
 * second library with dynamic TLS, threads seeing their own TLS copies,
 * and the auxiliary vector the kernel gave the loader. */
#include "../t.h"
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <sys/auxv.h>

#ifdef __GLIBC__
#define DL_NAME "libkeeldl.glibc.so"
#else
#define DL_NAME "libkeeldl.musl.so"
#endif

extern int kt_add(int, int);
extern int *kt_tls_addr(void);
extern int kt_ctor_ran;
extern __thread int kt_tls;

static long (*tls_sum)(void);
static long *dl_tls_var;
static void *h;

static void *thread_main(void *arg)
{
	(void)arg;
	int ok = kt_tls == 5 && kt_tls_addr() == &kt_tls;
	kt_tls = 77;
	long *mine = dlsym(h, "dl_tls");
	ok = ok && mine && mine != dl_tls_var && mine[0] == 11 && tls_sum() == 11;
	mine[1] = 100;
	ok = ok && tls_sum() == 111;
	return (void *)(long)ok;
}

static int count_phdr(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_phnum > 0)
		++*(int *)data;
	return 0;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	CHECK(kt_add(2, 3) == 5, "call into a DT_NEEDED library");
	CHECK(kt_ctor_ran == 1, "library constructor ran before main");
	CHECK(kt_tls == 5 && kt_tls_addr() == &kt_tls, "static TLS of a shared library");
	kt_tls = 6;

	h = dlopen(DL_NAME, RTLD_NOW);
	CHECK(h != NULL, "dlopen by name (found through the program's rpath)");
	if (!h) {
		SAY("dlerror: %s\n", dlerror() ? "set" : "none");
		return 1;
	}
	int (*mul)(int, int) = (int (*)(int, int))dlsym(h, "dl_mul");
	int *loaded = dlsym(h, "dl_loaded");
	tls_sum = (long (*)(void))dlsym(h, "dl_tls_sum");
	dl_tls_var = dlsym(h, "dl_tls");
	CHECK(mul && mul(6, 7) == 42, "dlsym a function and call it");
	CHECK(loaded && *loaded == 1, "dlopen ran the constructor once");
	CHECK(dl_tls_var && dl_tls_var[0] == 11 && tls_sum && tls_sum() == 11, "dynamic TLS of a dlopened library");
	CHECK(dlsym(h, "no_such_symbol") == NULL && dlerror() != NULL, "dlsym of a missing symbol fails");
	CHECK(dlopen("libkeel-no-such-library.so", RTLD_NOW) == NULL, "dlopen of a missing library fails");
	void *h2 = dlopen(DL_NAME, RTLD_NOW);
	CHECK(h2 == h && *loaded == 1, "a second dlopen returns the same handle");
	dlclose(h2);

	pthread_t th;
	void *res = NULL;
	CHECK(pthread_create(&th, NULL, thread_main, NULL) == 0 && pthread_join(th, &res) == 0 && res == (void *)1L,
	      "a thread has its own copies of both TLS blocks");
	CHECK(kt_tls == 6 && tls_sum() == 11, "the main thread's TLS is untouched");

	int nobj = 0;
	dl_iterate_phdr(count_phdr, &nobj);
	CHECK(nobj >= 3, "dl_iterate_phdr sees the program and its libraries");
	CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ");
	CHECK(getauxval(AT_BASE) != 0, "AT_BASE (the loader's address)");
	CHECK(getauxval(AT_ENTRY) != 0 && getauxval(AT_PHNUM) > 0 && getauxval(AT_PHENT) == sizeof(ElfW(Phdr)),
	      "AT_ENTRY, AT_PHNUM, AT_PHENT");
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	int has_load = 0;
	for (unsigned long i = 0; ph && i < getauxval(AT_PHNUM); i++)
		has_load |= ph[i].p_type == PT_LOAD;
	CHECK(has_load, "AT_PHDR points at the program headers");
	const char *fn = (const char *)getauxval(AT_EXECFN);
	const char *base = fn ? strrchr(fn, '/') : NULL;
	CHECK(base && strcmp(base + 1, t_name) == 0, "AT_EXECFN names the program");
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	int nz = 0;
	for (int i = 0; rnd && i < 16; i++)
		nz |= rnd[i];
	CHECK(nz, "AT_RANDOM points at random bytes");
	CHECK(getauxval(AT_SECURE) == 0 && getauxval(AT_UID) == getuid() && getauxval(AT_EGID) == getegid(),
	      "AT_SECURE, AT_UID, AT_EGID");
	CHECK(strcmp((const char *)getauxval(AT_PLATFORM), "x86_64") == 0, "AT_PLATFORM");
	dlclose(h);
	SAY(t_failures ? "FAILED\n" : "ok\n");
	return t_failures != 0;
}
