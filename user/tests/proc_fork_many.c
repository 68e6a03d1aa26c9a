/* proc_fork_many: fork 20 children that exit with 0..19; sum the statuses. */
#include "t.h"

int main(int argc, char **argv)
{
	t_init(argc, argv);
	pid_t me = getpid(), kids[20];
	int sum = 0, ppid_ok = 1, distinct = 1;
	for (int i = 0; i < 20; i++) {
		kids[i] = fork();
		if (kids[i] < 0) { CHECK(0, "fork"); return 1; }
		if (kids[i] == 0)
			_exit(getppid() == me ? i : 100 + i);
	}
	for (int i = 0; i < 20; i++)
		for (int j = 0; j < i; j++)
			if (kids[i] == kids[j] || kids[i] == me) distinct = 0;
	for (int i = 0; i < 20; i++) {
		int st;
		pid_t p = wait(&st);
		int idx = -1;
		for (int j = 0; j < 20; j++) if (kids[j] == p) idx = j;
		if (idx < 0 || !WIFEXITED(st)) { CHECK(0, "wait returns our child"); continue; }
		if (WEXITSTATUS(st) >= 100) ppid_ok = 0;
		sum += WEXITSTATUS(st);
	}
	CHECK(distinct, "20 distinct child pids");
	CHECK(ppid_ok, "children see getppid()==parent");
	SAY("sum of exit codes: %d\n", sum);
	CHECK(sum == 190, "sum==190");
	CHECK(wait(NULL) == -1 && errno == ECHILD, "no more children (ECHILD)");
	return t_done();
}
