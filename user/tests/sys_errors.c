/* Kernel error paths a user can hit: unknown syscalls, bad pointers.
 * Differential: Linux and Keel must answer the same. With argument "segv"
 * it dereferences NULL and must die by SIGSEGV (status 139). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s: %ld errno=%s\n", what, r, r < 0 ? strerror(errno) : "-");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "segv") == 0) {
		volatile int *p = 0;
		return *p;
	}
	show("unknown syscall 1000", syscall(1000));
	show("write from kernel address", syscall(SYS_write, 1, (void *)0xffffffff80000000UL, 8));
	show("write from unmapped page", syscall(SYS_write, 1, (void *)0x1000, 8));
	show("read into kernel address", syscall(SYS_read, 0, (void *)0xffff888000000000UL, 8));
	show("write non-canonical", syscall(SYS_write, 1, (void *)0x0000900000000000UL, 8));
	show("uname to kernel", syscall(SYS_uname, (void *)0xffffffff80001000UL));
	show("clock_gettime bad clock", syscall(SYS_clock_gettime, 12345, (void *)0));
	show("open bad path", syscall(SYS_open, (void *)0x10, 0));
	show("close bad fd", syscall(SYS_close, 999));
	return 0;
}
