/* proc_rlimit_sig: resource limits that act. RLIMIT_FSIZE (SIGXFSZ and
 * EFBIG at the limit, a write crossing it cut short, truncate and
 * fallocate past it), RLIMIT_CPU (SIGXCPU at the soft limit, which then
 * moves up a second, SIGKILL at the hard one), RLIMIT_NPROC for a non-root
 * fork, RLIMIT_AS and RLIMIT_DATA for mmap and brk. */
#include "t.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static volatile sig_atomic_t xfsz, xcpu;
static void on_xfsz(int s) { (void)s; xfsz++; }

static void fsize(void)
{
	t_scratch();
	signal(SIGXFSZ, on_xfsz);
	struct rlimit rl = {1000, RLIM_INFINITY};
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0, "RLIMIT_FSIZE 1000");
	int fd = open(t_path("f"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	char buf[1500];
	memset(buf, 'x', sizeof buf);
	long r = write(fd, buf, 600);
	SAY("write 600: %ld, SIGXFSZ %d\n", r, (int)xfsz);
	r = write(fd, buf, 600);
	SAY("write 600 more (crosses): %ld, SIGXFSZ %d\n", r, (int)xfsz);
	errno = 0;
	r = write(fd, buf, 1);
	SAY("write at the limit: %ld %s, SIGXFSZ %d\n", r, t_errname(errno), (int)xfsz);
	r = write(fd, buf, 0);
	SAY("write 0 bytes at the limit: %ld, SIGXFSZ %d\n", r, (int)xfsz);
	errno = 0;
	r = pwrite(fd, buf, 10, 5000);
	SAY("pwrite past the limit: %ld %s, SIGXFSZ %d\n", r, t_errname(errno), (int)xfsz);
	r = pwrite(fd, buf, 10, 10);
	SAY("pwrite inside: %ld\n", r);
	errno = 0;
	r = ftruncate(fd, 2000);
	SAY("ftruncate to 2000: %ld %s, SIGXFSZ %d\n", r, t_errname(errno), (int)xfsz);
	r = ftruncate(fd, 500);
	SAY("ftruncate down to 500: %ld, SIGXFSZ %d\n", r, (int)xfsz);
	errno = 0;
	r = truncate(t_path("f"), 1001);
	SAY("truncate to 1001: %ld %s, SIGXFSZ %d\n", r, t_errname(errno), (int)xfsz);
	r = truncate(t_path("f"), 1000);
	SAY("truncate to 1000: %ld\n", r);
	errno = 0;
	r = fallocate(fd, 0, 900, 200);
	SAY("fallocate past: %ld %s, SIGXFSZ %d\n", r, t_errname(errno), (int)xfsz);
	r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 900, 200);
	SAY("fallocate keep size: %ld %s\n", r, r ? t_errname(errno) : "");
	struct stat st;
	fstat(fd, &st);
	SAY("size %lld\n", (long long)st.st_size);
	/* pipes are not limited */
	int p[2];
	pipe(p);
	lseek(fd, 0, SEEK_SET);
	SAY("pipe write past the file limit: %ld\n", (long)write(p[1], buf, 1500));
	close(p[0]);
	close(p[1]);
	/* the default action of SIGXFSZ kills (with a core) */
	pid_t c = fork();
	if (c == 0) {
		signal(SIGXFSZ, SIG_DFL);
		lseek(fd, 2000, SEEK_SET);
		write(fd, buf, 1);
		_exit(3);
	}
	SAY("default SIGXFSZ: %s\n", t_wait_desc(c));
	close(fd);
	rl.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	signal(SIGXFSZ, SIG_DFL);
}

static void on_xcpu(int s)
{
	(void)s;
	xcpu++;
}

static void cpu(void)
{
	pid_t c = fork();
	if (c == 0) {
		signal(SIGXCPU, on_xcpu);
		struct rlimit rl = {1, 2};
		setrlimit(RLIMIT_CPU, &rl);
		volatile unsigned long spin = 0;
		int seen = 0;
		for (;;) {
			spin++;
			if (xcpu != seen) {
				seen = xcpu;
				struct rlimit now;
				getrlimit(RLIMIT_CPU, &now);
				SAY("SIGXCPU %d, soft limit now %ld\n", seen, (long)now.rlim_cur);
			}
		}
	}
	SAY("RLIMIT_CPU child: %s\n", t_wait_desc(c));
	/* a zero soft limit: the signal at once */
	c = fork();
	if (c == 0) {
		struct rlimit rl = {0, 2};
		setrlimit(RLIMIT_CPU, &rl);
		for (volatile unsigned long spin = 0;; spin++)
			;
	}
	SAY("RLIMIT_CPU 0 child: %s\n", t_wait_desc(c));
}

static void nproc(void)
{
	pid_t c = fork();
	if (c == 0) {
		struct rlimit rl = {1, 1};
		setrlimit(RLIMIT_NPROC, &rl);
		pid_t g = fork(); /* root is not limited */
		if (g == 0)
			_exit(0);
		SAY("root fork over RLIMIT_NPROC: %s\n", g > 0 ? "allowed" : t_errname(errno));
		waitpid(g, NULL, 0);
		if (setuid(4242) != 0)
			_exit(9);
		errno = 0;
		g = fork();
		if (g == 0)
			_exit(0);
		SAY("non-root fork over RLIMIT_NPROC: %s\n", g > 0 ? "allowed" : t_errname(errno));
		if (g > 0)
			waitpid(g, NULL, 0);
		_exit(0);
	}
	SAY("nproc child: %s\n", t_wait_desc(c));
}

static int deep(int n)
{
	volatile char frame[4096];
	frame[0] = (char)n;
	return n ? deep(n - 1) + frame[0] : 0;
}

/* A smaller RLIMIT_STACK stops the stack's growth (SIGSEGV). */
static void stack(void)
{
	pid_t c = fork();
	if (c == 0) {
		deep(64); /* 256 KiB: fine */
		struct rlimit rl = {512 << 10, RLIM_INFINITY};
		setrlimit(RLIMIT_STACK, &rl);
		deep(64);
		SAY("256 KiB of stack under a 512 KiB limit: fine\n");
		deep(400); /* 1.6 MiB: past it */
		SAY("1.6 MiB of stack under a 512 KiB limit: not stopped\n");
		_exit(0);
	}
	SAY("stack child: %s\n", t_wait_desc(c));
}

static void as_data(void)
{
	pid_t c = fork();
	if (c == 0) {
		struct rlimit rl = {64 << 20, RLIM_INFINITY};
		setrlimit(RLIMIT_AS, &rl);
		void *a = mmap(NULL, 128 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		SAY("mmap 128 MiB under RLIMIT_AS 64 MiB: %s\n", a == MAP_FAILED ? t_errname(errno) : "mapped");
		a = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		SAY("mmap 1 MiB: %s\n", a == MAP_FAILED ? t_errname(errno) : "mapped");
		void *cur = sbrk(0);
		void *r = (void *)syscall(SYS_brk, (char *)cur + (100 << 20));
		SAY("brk +100 MiB: %s\n", r == cur ? "refused (unchanged)" : "moved");
		rl.rlim_cur = RLIM_INFINITY;
		setrlimit(RLIMIT_AS, &rl);
		rl.rlim_cur = 32 << 20;
		setrlimit(RLIMIT_DATA, &rl);
		a = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		SAY("private writable 64 MiB under RLIMIT_DATA 32 MiB: %s\n", a == MAP_FAILED ? t_errname(errno) : "mapped");
		a = mmap(NULL, 64 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		SAY("read-only 64 MiB: %s\n", a == MAP_FAILED ? t_errname(errno) : "mapped");
		a = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		SAY("shared writable 64 MiB: %s\n", a == MAP_FAILED ? t_errname(errno) : "mapped");
		r = (void *)syscall(SYS_brk, (char *)cur + (40 << 20));
		SAY("brk +40 MiB: %s\n", r == cur ? "refused (unchanged)" : "moved");
		_exit(0);
	}
	SAY("as/data child: %s\n", t_wait_desc(c));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	fsize();
	cpu();
	nproc();
	stack();
	as_data();
	t_cleanup();
	return t_done();
}
