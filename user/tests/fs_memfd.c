/* fs_memfd: memfd_create(2) files (anonymous tmpfs files: size, mode,
 * shared mappings, fork) and file seals (F_ADD_SEALS/F_GET_SEALS)
 * enforced on write, truncate, fallocate and mmap. */
#include "t.h"
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1
#define MFD_ALLOW_SEALING 2
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 1
#define F_SEAL_SHRINK 2
#define F_SEAL_GROW 4
#define F_SEAL_WRITE 8
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 16
#endif

static const char *rc(long r)
{
	static char b[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(b, sizeof b, "%ld", r);
	return b;
}

static int mfd(const char *name, unsigned flags) { return (int)syscall(SYS_memfd_create, name, flags); }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	int fd = mfd("test", MFD_CLOEXEC);
	SAY("memfd_create: %s\n", fd >= 0 ? "ok" : t_errname(errno));
	struct stat st;
	fstat(fd, &st);
	SAY("regular %s, mode %o, size %ld, cloexec %s\n", S_ISREG(st.st_mode) ? "yes" : "no", st.st_mode & 07777,
	    (long)st.st_size, fcntl(fd, F_GETFD) == FD_CLOEXEC ? "yes" : "no");
	SAY("write: %s", rc(write(fd, "abc", 3)));
	SAY(", ftruncate 8192: %s\n", rc(ftruncate(fd, 8192)));
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pid_t c = fork();
	if (c == 0) {
		m[5000] = 'Z';
		_exit(0);
	}
	waitpid(c, NULL, 0);
	char buf[8];
	pread(fd, buf, 1, 5000);
	SAY("a child's write through the shared mapping: %c, first bytes %.3s\n", buf[0], m);
	munmap(m, 8192);
	SAY("seals without MFD_ALLOW_SEALING: %s\n", rc(fcntl(fd, F_GET_SEALS)));
	SAY("adding one: %s\n", rc(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW)));
	close(fd);

	fd = mfd("sealed", MFD_ALLOW_SEALING);
	SAY("MFD_ALLOW_SEALING seals: %s\n", rc(fcntl(fd, F_GET_SEALS)));
	write(fd, "0123456789", 10);
	SAY("add SHRINK: %s\n", rc(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)));
	SAY("  shrink: %s", rc(ftruncate(fd, 5)));
	SAY(", grow: %s\n", rc(ftruncate(fd, 20)));
	char self[64];
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	SAY("  open with O_TRUNC: %s\n", rc(open(self, O_RDWR | O_TRUNC)));
	SAY("add GROW: %s\n", rc(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW)));
	SAY("  grow by truncate: %s\n", rc(ftruncate(fd, 30)));
	SAY("  write past the end: %s\n", rc(pwrite(fd, "x", 1, 20)));
	SAY("  write inside: %s\n", rc(pwrite(fd, "x", 1, 3)));
	SAY("  fallocate past the end: %s\n", rc(fallocate(fd, 0, 0, 100)));
	char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	SAY("add WRITE with a writable mapping: %s\n", rc(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE)));
	munmap(w, 4096);
	SAY("add WRITE after munmap: %s\n", rc(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE)));
	SAY("  write: %s\n", rc(pwrite(fd, "y", 1, 0)));
	SAY("  shared writable mmap: %s\n", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED
						      ? t_errname(errno)
						      : "ok");
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	SAY("  shared read-only mmap: %s\n", ro == MAP_FAILED ? t_errname(errno) : "ok");
	SAY("  private writable mmap: %s\n",
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) == MAP_FAILED ? t_errname(errno) : "ok");
	SAY("  punch a hole: %s\n", rc(fallocate(fd, 3, 0, 4)));
	SAY("seals now: %s\n", rc(fcntl(fd, F_GET_SEALS)));
	SAY("add SEAL: %s", rc(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL)));
	SAY(", then anything: %s\n", rc(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE)));
	SAY("unknown seal: %s\n", rc(fcntl(mfd("x", MFD_ALLOW_SEALING), F_ADD_SEALS, 0x100)));
	int rdonly = open("/proc/self/status", O_RDONLY);
	SAY("seals of a non-tmpfs file: %s\n", rc(fcntl(rdonly, F_GET_SEALS)));
	int tf = open(t_path("t"), O_CREAT | O_RDWR, 0600);
	SAY("seals of a tmpfs file: %s\n", rc(fcntl(tf, F_GET_SEALS)));

	SAY("name of 249 bytes: %s\n", mfd("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
					   "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
					   "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
					   "nnnnnnnnn", 0) >= 0 ? "ok" : t_errname(errno));
	SAY("name of 250 bytes: %s\n", rc(mfd("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
					      "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
					      "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
					      "nnnnnnnnnn", 0)));
	SAY("unknown flag: %s\n", rc(mfd("x", 0x100)));
	SAY("bad name pointer: %s\n", rc(syscall(SYS_memfd_create, (void *)8, 0)));
	t_cleanup();
	return t_done();
}
