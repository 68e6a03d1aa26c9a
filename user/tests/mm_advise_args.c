/* mm_advise_args: mmap's argument order and flags, what /proc/self/maps
 * shows for each protection, MAP_LOCKED, /dev/zero mappings, and
 * madvise/msync rules: which advice is known, which areas each one
 * refuses, MADV_WIPEONFORK/MADV_DONTFORK in a child, MADV_REMOVE punching
 * a hole in the file, MS_INVALIDATE of locked pages. */
#include "t.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#define PG 4096

static const char *merr(void *p) { return p == MAP_FAILED ? t_errname(errno) : "ok"; }

/* The permission column of the maps line holding addr. */
static void maps_perm(void *addr, char out[8])
{
	strcpy(out, "none");
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perm[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3 && (unsigned long)addr >= lo &&
		    (unsigned long)addr < hi) {
			strcpy(out, perm);
			break;
		}
	}
	if (f)
		fclose(f);
}

static long vmlck_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmLck: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static void mmap_args(int fd)
{
	int closed = open("/dev/null", O_RDONLY);
	close(closed);
	SAY("len 0, closed fd: %s\n", merr(mmap(NULL, 0, PROT_WRITE, MAP_SHARED, closed, 0)));
	SAY("len 0, fd -1, file map: %s\n", merr(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, -1, 0)));
	SAY("unaligned offset, closed fd: %s\n", merr(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, closed, 1)));
	SAY("len 0, anonymous: %s\n", merr(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)));
	SAY("type 0: %s\n", merr(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0)));
	SAY("unknown prot bit: %s\n", merr(mmap(NULL, PG, PROT_READ | 0x10, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)));
	SAY("unaligned MAP_FIXED: %s\n",
	    merr(mmap((void *)0x10000123, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)));
	void *h = mmap((void *)0x30000123, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SAY("unaligned hint: %s, aligned result %s\n", merr(h), ((unsigned long)h & (PG - 1)) ? "no" : "yes");
	SAY("MAP_SHARED_VALIDATE file: %s\n", merr(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE, fd, 0)));
	SAY("MAP_SHARED_VALIDATE file, unknown flag: %s\n",
	    merr(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, fd, 0)));
	SAY("MAP_SHARED file, unknown flag: %s\n", merr(mmap(NULL, PG, PROT_READ, MAP_SHARED | 0x800000, fd, 0)));
	static const unsigned flags[] = {0x4,     0x8,     0x40,     0x80,     0x200,     0x400,     0x800,
					 0x4000,  0x8000,  0x20000,  0x40000,  0x80000,   0x100000,  0x400000,
					 0x800000, 0x2000000, 0x4000000, 0x8000000, 0x40000000};
	for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		void *q = mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | flags[i], fd, 0);
		SAY("MAP_SHARED_VALIDATE|%#x: %s\n", flags[i], merr(q));
		if (q != MAP_FAILED)
			munmap(q, PG);
	}
	SAY("MAP_PRIVATE|0x4: %s\n", merr(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | 0x4, fd, 0)));
	SAY("MAP_PRIVATE|MAP_HUGETLB on a file: %s\n", merr(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd, 0)));
	SAY("MAP_SHARED_VALIDATE anonymous: %s\n",
	    merr(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0)));
	int ro = open(t_path("data"), O_RDONLY);
	SAY("MAP_SHARED_VALIDATE PROT_WRITE, read-only fd: %s\n",
	    merr(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE, ro, 0)));
	close(ro);
}

static void maps_perms(void)
{
	static const int prots[] = {PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC, PROT_READ | PROT_WRITE,
				    PROT_WRITE | PROT_EXEC, PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC};
	for (unsigned i = 0; i < sizeof prots / sizeof prots[0]; i++)
		for (int sh = 0; sh < 2; sh++) {
			char perm[8];
			void *p = mmap(NULL, PG, prots[i], (sh ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
			maps_perm(p, perm);
			SAY("prot %d %s: %s\n", prots[i], sh ? "shared" : "private", perm);
			munmap(p, PG);
		}
	char perm[8];
	char *p = mmap(NULL, PG, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 7;
	CHECK(p[0] == 7, "a write-only mapping still reads back on x86");
	mprotect(p, PG, PROT_READ);
	maps_perm(p, perm);
	SAY("after mprotect(PROT_READ): %s\n", perm);
	mprotect(p, PG, PROT_EXEC);
	maps_perm(p, perm);
	SAY("after mprotect(PROT_EXEC): %s\n", perm);
	munmap(p, PG);
}

static void map_locked(void)
{
	long before = vmlck_kb();
	void *p = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	SAY("MAP_LOCKED: %s, VmLck grew by %ld kB\n", merr(p), vmlck_kb() - before);
	unsigned char vec[16];
	mincore(p, 16 * PG, vec);
	int res = 0;
	for (int i = 0; i < 16; i++)
		res += vec[i] & 1;
	SAY("MAP_LOCKED pages resident: %d\n", res);
	CHECK_ERR(madvise(p, PG, MADV_DONTNEED), EINVAL, "MADV_DONTNEED of a locked page");
	CHECK_ERR(msync(p, PG, MS_INVALIDATE), EBUSY, "msync(MS_INVALIDATE) of a locked page");
	CHECK(msync(p, PG, MS_SYNC) == 0, "msync(MS_SYNC) of a locked page");
	munmap(p, 16 * PG);
	SAY("after munmap VmLck back: %s\n", vmlck_kb() == before ? "yes" : "no");
	pid_t c = fork();
	if (c == 0) {
		setuid(4242);
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_MEMLOCK, &rl);
		SAY("MAP_LOCKED, no memlock allowance: %s\n",
		    merr(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0)));
		_exit(0);
	}
	t_wait_desc(c);
	c = fork();
	if (c == 0) {
		struct rlimit rl = {2 * PG, 2 * PG};
		setrlimit(RLIMIT_MEMLOCK, &rl);
		setuid(4242);
		SAY("MAP_LOCKED over RLIMIT_MEMLOCK: %s\n",
		    merr(mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0)));
		SAY("MAP_LOCKED within RLIMIT_MEMLOCK: %s\n",
		    merr(mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0)));
		_exit(0);
	}
	t_wait_desc(c);
}

static void dev_zero(void)
{
	int z = open("/dev/zero", O_RDONLY);
	char *p = mmap(NULL, PG, PROT_READ, MAP_SHARED, z, 0);
	SAY("/dev/zero shared read-only: %s\n", merr(p));
	if (p != MAP_FAILED) {
		SAY("reads zero: %s\n", p[100] == 0 ? "yes" : "no");
		CHECK_ERR(mprotect(p, PG, PROT_READ | PROT_WRITE), EACCES, "mprotect write on O_RDONLY /dev/zero");
		munmap(p, PG);
	}
	SAY("/dev/zero shared PROT_WRITE on O_RDONLY: %s\n", merr(mmap(NULL, PG, PROT_WRITE, MAP_SHARED, z, 0)));
	char *q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	SAY("/dev/zero private writable: %s\n", merr(q));
	if (q != MAP_FAILED) {
		q[5] = 3;
		CHECK(q[5] == 3 && q[6] == 0, "private /dev/zero is ordinary memory");
	}
	close(z);
	z = open("/dev/zero", O_RDWR);
	char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
	close(z);
	if (s != MAP_FAILED) {
		pid_t c = fork();
		if (c == 0) {
			s[1] = 42;
			_exit(0);
		}
		t_wait_desc(c);
		SAY("shared /dev/zero is shared with a child: %s\n", s[1] == 42 ? "yes" : "no");
	}
}

static void advice(int fd)
{
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int adv = 0; adv <= 25; adv++) {
		if (adv == MADV_DONTNEED || adv == MADV_FREE || adv == MADV_REMOVE || adv == MADV_DONTFORK ||
		    adv == MADV_MERGEABLE || adv == MADV_UNMERGEABLE || adv == 14 || adv == 15 || adv == 21 ||
		    adv == 22 || adv == 23 || adv == 25 || adv == 18 || adv == 19 || adv == 24)
			continue; /* destructive, KSM/THP-dependent, or checked below */
		int r = madvise(a, PG, adv);
		SAY("advice %d: %s\n", adv, r ? t_errname(errno) : "ok");
	}
	CHECK_ERR(madvise(a, PG, 1212), EINVAL, "advice 1212");
	CHECK_ERR(madvise(a + 1, PG, MADV_NORMAL), EINVAL, "unaligned start");
	CHECK(madvise(a, 0, 5) != 0 && errno == EINVAL, "unknown advice with length 0 is still EINVAL");
	int ksm = access("/sys/kernel/mm/ksm", F_OK) == 0;
	int r = madvise(a, PG, MADV_MERGEABLE);
	CHECK(ksm ? r == 0 : (r == -1 && errno == EINVAL), "MADV_MERGEABLE as the KSM support says");
	char *f = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *fp = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	char *sa = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK_ERR(madvise(f, PG, MADV_FREE), EINVAL, "MADV_FREE of a shared file area");
	CHECK_ERR(madvise(fp, PG, MADV_FREE), EINVAL, "MADV_FREE of a private file area");
	CHECK(madvise(a, PG, MADV_FREE) == 0, "MADV_FREE of private anonymous memory");
	CHECK_ERR(madvise(f, PG, MADV_WIPEONFORK), EINVAL, "MADV_WIPEONFORK of a shared file area");
	CHECK_ERR(madvise(fp, PG, MADV_WIPEONFORK), EINVAL, "MADV_WIPEONFORK of a private file area");
	CHECK_ERR(madvise(sa, PG, MADV_WIPEONFORK), EINVAL, "MADV_WIPEONFORK of shared anonymous memory");
	CHECK_ERR(madvise(fp, PG, MADV_REMOVE), EACCES, "MADV_REMOVE of a private file area");
	CHECK_ERR(madvise(a, PG, MADV_REMOVE), EINVAL, "MADV_REMOVE of private anonymous memory");
	/* a hole in the range */
	char *g = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(g + PG, PG);
	CHECK_ERR(madvise(g, 3 * PG, MADV_WILLNEED), ENOMEM, "MADV_WILLNEED over a hole");
	CHECK_ERR(madvise(g, 3 * PG, MADV_NORMAL), ENOMEM, "MADV_NORMAL over a hole");

	/* MADV_REMOVE punches a hole in the file */
	f[0] = 'A';
	f[PG] = 'B';
	CHECK(madvise(f, PG, MADV_REMOVE) == 0, "MADV_REMOVE of a shared file page");
	char buf[2] = {9, 9};
	pread(fd, buf, 1, 0);
	pread(fd, buf + 1, 1, PG);
	SAY("after MADV_REMOVE: file byte 0 is %d, byte %d is %c, mapping reads %d\n", buf[0], PG, buf[1], f[0]);
	struct stat st;
	fstat(fd, &st);
	SAY("file size kept: %s\n", st.st_size == 4 * PG ? "yes" : "no");

	/* fork wiping and not copying */
	memset(a, 1, 4 * PG);
	CHECK(madvise(a + PG, PG, MADV_WIPEONFORK) == 0, "MADV_WIPEONFORK page 1");
	CHECK(madvise(a + 2 * PG, PG, MADV_DONTFORK) == 0, "MADV_DONTFORK page 2");
	char perm[8];
	maps_perm(a + PG, perm);
	pid_t c = fork();
	if (c == 0) {
		unsigned char vec[1];
		int gone = mincore(a + 2 * PG, PG, vec) == -1 && errno == ENOMEM;
		SAY("child: page 0 %d, page 1 %d, page 3 %d, page 2 unmapped %s\n", a[0], a[PG], a[3 * PG],
		    gone ? "yes" : "no");
		a[PG] = 7;
		pid_t g3 = fork();
		if (g3 == 0) {
			SAY("grandchild of the child: page 1 %d\n", a[PG]);
			_exit(0);
		}
		waitpid(g3, NULL, 0);
		_exit(0);
	}
	t_wait_desc(c);
	SAY("parent keeps its data: %d %d %d\n", a[0], a[PG], a[2 * PG]);
	CHECK(madvise(a + PG, PG, MADV_KEEPONFORK) == 0, "MADV_KEEPONFORK");
	CHECK(madvise(a + 2 * PG, PG, MADV_DOFORK) == 0, "MADV_DOFORK");
	c = fork();
	if (c == 0) {
		SAY("child after KEEPONFORK/DOFORK: %d %d\n", a[PG], a[2 * PG]);
		_exit(0);
	}
	t_wait_desc(c);
	/* wipe an area, then exec: gone with the old address space */
	munmap(a, 4 * PG);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	int fd = open(t_path("data"), O_CREAT | O_RDWR, 0644);
	char page[PG];
	memset(page, 'x', sizeof page);
	for (int i = 0; i < 4; i++)
		write(fd, page, sizeof page);
	mmap_args(fd);
	maps_perms();
	map_locked();
	dev_zero();
	advice(fd);
	close(fd);
	t_cleanup();
	return t_done();
}
