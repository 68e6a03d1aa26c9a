/* mm_mmap_file: file mappings: MAP_SHARED writes reach the file and other
 * processes, MAP_PRIVATE writes do not, offsets, SIGBUS past EOF, msync,
 * and access-mode errors. */
#include "t.h"
#include <signal.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	long pg = sysconf(_SC_PAGESIZE);
	t_scratch();
	const char *f = t_path("f");
	int fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
	static char data[3 * 4096];
	for (unsigned i = 0; i < sizeof data; i++) data[i] = 'a' + i / 4096;
	write(fd, data, 3 * pg);
	char *s = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED, "mmap shared");
	SAY("mapped bytes: %c %c %c\n", s[0], s[pg], s[2 * pg + 5]);
	s[10] = 'X';
	char c;
	pread(fd, &c, 1, 10);
	SAY("shared write visible through read: %c\n", c);
	pwrite(fd, "Y", 1, 11);
	SAY("pwrite visible through mapping: %c\n", s[11]);
	CHECK(msync(s, pg, MS_SYNC) == 0, "msync");

	char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	p[20] = 'P';
	pread(fd, &c, 1, 20);
	SAY("private write visible in file: %s\n", c == 'P' ? "yes" : "no");
	SAY("private mapping sees earlier shared write: %c\n", p[10]);

	char *o = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg);
	SAY("offset mapping first byte: %c\n", o[0]);
	CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 100), EINVAL, "unaligned offset");

	/* shared file mapping across fork */
	pid_t ch = fork();
	if (ch == 0) { s[30] = 'C'; _exit(0); }
	waitpid(ch, NULL, 0);
	pread(fd, &c, 1, 30);
	SAY("child's shared write: mapping %c file %c\n", s[30], c);

	/* beyond EOF: the partial last page is zero after EOF, next page SIGBUS */
	ftruncate(fd, pg + 100);
	SAY("byte after EOF in last page: %d\n", s[pg + 200]);
	ch = fork();
	if (ch == 0) { (void)*(volatile char *)(s + 2 * pg); _exit(0); }
	SAY("touch page past EOF: %s\n", t_wait_desc(ch));
	munmap(s, 3 * pg);
	munmap(p, 3 * pg);
	munmap(o, pg);
	close(fd);

	/* access modes */
	int ro = open(f, O_RDONLY);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0) != MAP_FAILED, "PROT_READ shared on O_RDONLY");
	CHECK_ERR(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES, "PROT_WRITE shared on O_RDONLY");
	CHECK(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0) != MAP_FAILED, "PROT_WRITE private on O_RDONLY");
	int wo = open(f, O_WRONLY);
	CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_SHARED, wo, 0), EACCES, "mmap O_WRONLY fd");
	int dfd = open(t_dir, O_RDONLY | O_DIRECTORY);
	CHECK_ERR(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, dfd, 0), ENODEV, "mmap a directory");
	/* the mapping outlives the descriptor and the name */
	char *keep = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
	close(ro);
	unlink(f);
	SAY("after close+unlink: %c\n", keep[0]);
	close(wo);
	close(dfd);
	t_cleanup();
	return t_done();
}
