/* null syscall latency: getppid().  User space; see bench.h. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>
#include "bench.h"

static int op(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

const struct bench BENCH = { .name = "null", .unit = "ns/op", .op = op };
