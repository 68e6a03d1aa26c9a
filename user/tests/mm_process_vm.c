/* mm_process_vm: process_vm_readv(2) and process_vm_writev(2) between a
 * parent and its forked child: scatter/gather across page boundaries,
 * copy-on-write pages written remotely (the writer's own copy stays),
 * partial transfers, read-only remote pages and the documented errors. */
#include "t.h"
#include <sys/mman.h>
#include <sys/uio.h>

static char buf[3 * 4096];
static const char *ro_page;

static const char *rc(long r)
{
	static char s[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(s, sizeof s, "%ld", r);
	return s;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)('a' + i % 26);
	char *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(ro, "read-only in the child");
	ro_page = ro;
	int go[2], back[2];
	pipe(go);
	pipe(back);
	pid_t c = fork();
	if (c == 0) {
		mprotect(ro, 4096, PROT_READ);
		write(back[1], "r", 1);
		char ch;
		read(go[0], &ch, 1);
		SAY("child sees: %.12s|%.12s\n", buf + 4090, buf + 8190);
		_exit(0);
	}
	char ch;
	read(back[0], &ch, 1);

	/* read 20 bytes around the first page boundary into two local pieces */
	char l1[8] = {0}, l2[14] = {0};
	struct iovec lv[2] = {{l1, 7}, {l2, 13}};
	struct iovec rv[1] = {{buf + 4086, 20}};
	SAY("readv across a page boundary: %s\n", rc(process_vm_readv(c, lv, 2, rv, 1, 0)));
	SAY("  got %s + %s\n", l1, l2);
	/* several remote pieces into one local buffer */
	char one[16] = {0};
	struct iovec lo = {one, 15};
	struct iovec rs[3] = {{buf, 5}, {buf + 100, 5}, {buf + 8000, 5}};
	const char *r3 = rc(process_vm_readv(c, &lo, 1, rs, 3, 0));
	SAY("readv of three remote pieces: %s, got %s\n", r3, one);

	/* write into the child's copy-on-write page */
	char msg[] = "FROM-PARENT!";
	struct iovec wl = {msg, 12};
	struct iovec wr[2] = {{buf + 4090, 6}, {buf + 8190, 6}};
	SAY("writev into the child: %s\n", rc(process_vm_writev(c, &wl, 1, wr, 2, 0)));
	SAY("parent's own copy unchanged: %.6s %.6s\n", buf + 4090, buf + 8190);

	/* partial transfers and errors */
	char big[64];
	struct iovec bl = {big, 64};
	struct iovec part[2] = {{buf + sizeof buf - 10, 10}, {(void *)8, 50}};
	SAY("remote bad second piece: %s\n", rc(process_vm_readv(c, &bl, 1, part, 2, 0)));
	struct iovec bad = {(void *)8, 10};
	SAY("remote bad address: %s\n", rc(process_vm_readv(c, &bl, 1, &bad, 1, 0)));
	struct iovec lbad = {(void *)8, 10};
	SAY("local bad address: %s\n", rc(process_vm_readv(c, &lbad, 1, rv, 1, 0)));
	struct iovec zero = {big, 0};
	SAY("zero local length, bad remote: %s\n", rc(process_vm_readv(c, &zero, 1, &bad, 1, 0)));
	struct iovec rop = {(void *)ro_page, 5};
	SAY("write to a read-only remote page: %s\n", rc(process_vm_writev(c, &wl, 1, &rop, 1, 0)));
	SAY("read it: %s\n", rc(process_vm_readv(c, &bl, 1, &rop, 1, 0)));
	SAY("flags 1: %s\n", rc(process_vm_readv(c, &bl, 1, rv, 1, 1)));
	SAY("1025 local pieces: %s\n", rc(process_vm_readv(c, &bl, 1025, rv, 1, 0)));
	SAY("local vector bad pointer: %s\n", rc(process_vm_readv(c, (struct iovec *)8, 1, rv, 1, 0)));
	pid_t u = fork();
	if (u == 0) {
		setgid(1000);
		setuid(1000);
		SAY("user reads root's process: %s\n", rc(process_vm_readv(c, &bl, 1, rv, 1, 0)));
		_exit(0);
	}
	waitpid(u, NULL, 0);
	write(go[1], "g", 1);
	waitpid(c, NULL, 0);
	SAY("dead pid: %s\n", rc(process_vm_readv(c, &bl, 1, rv, 1, 0)));
	return t_done();
}
