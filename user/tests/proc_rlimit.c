/* proc_rlimit: getrlimit/setrlimit/prlimit64, inheritance over fork. */
#include "t.h"
#include <sys/resource.h>
#include <sys/syscall.h>

struct k_rlimit64 { unsigned long long cur, max; };

int main(int argc, char **argv)
{
	t_init(argc, argv);
	struct rlimit rl, rl2;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0, "getrlimit NOFILE");
	CHECK(rl.rlim_cur <= rl.rlim_max, "NOFILE soft<=hard");
	CHECK(rl.rlim_cur >= 64, "NOFILE soft>=64");
	struct k_rlimit64 k;
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &k) == 0, "prlimit64 get");
	CHECK(k.cur == rl.rlim_cur && k.max == rl.rlim_max, "prlimit64 agrees with getrlimit");
	rl2 = rl;
	rl2.rlim_cur = 100;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl2) == 0, "setrlimit NOFILE soft=100");
	getrlimit(RLIMIT_NOFILE, &rl2);
	SAY("NOFILE soft now %ld\n", (long)rl2.rlim_cur);
	struct k_rlimit64 nw = { 90, rl.rlim_max }, old;
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &nw, &old) == 0, "prlimit64 set+get");
	SAY("prlimit64 old soft %llu\n", old.cur);
	pid_t c = fork();
	if (c == 0) {
		struct rlimit x;
		getrlimit(RLIMIT_NOFILE, &x);
		_exit(x.rlim_cur == 90 ? 0 : 1);
	}
	SAY("child inherits soft=90: %s\n", t_wait_desc(c));
	rl2.rlim_cur = rl2.rlim_max == RLIM_INFINITY ? 1000 : rl2.rlim_max;
	rl2.rlim_max = rl2.rlim_cur - 1;
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl2), EINVAL, "soft>hard");
	CHECK_ERR(getrlimit(1000, &rl2), EINVAL, "unknown resource");
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "restore NOFILE");

	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0, "getrlimit STACK");
	CHECK(rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 1024 * 1024, "STACK soft>=1MiB");
	CHECK(getrlimit(RLIMIT_AS, &rl) == 0, "getrlimit AS");
	CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur <= rl.rlim_max, "getrlimit CORE");
	rl.rlim_cur = 0;
	CHECK(setrlimit(RLIMIT_CORE, &rl) == 0, "setrlimit CORE 0");
	CHECK(getrlimit(RLIMIT_CPU, &rl) == 0, "getrlimit CPU");
	CHECK(getrlimit(RLIMIT_NPROC, &rl) == 0, "getrlimit NPROC");

	/* another process's limits: root may, another user may not */
	pid_t parent = getpid();
	c = fork();
	if (c == 0) {
		struct { unsigned long long cur, max; } v;
		if (syscall(SYS_prlimit64, parent, RLIMIT_NOFILE, NULL, &v) != 0)
			_exit(1);
		if (setuid(65534) != 0)
			_exit(2);
		_exit(syscall(SYS_prlimit64, parent, RLIMIT_NOFILE, NULL, &v) == -1 && errno == EPERM ? 0 : 3);
	}
	SAY("prlimit64 of another process (root yes, nobody EPERM): %s\n", t_wait_desc(c));
	return t_done();
}
