/* proc_fork_limit: fork until fork fails (EAGAIN/ENOMEM) or 4096 children
 * exist; then release and reap them all, and fork still works. */
#include "t.h"

int main(int argc, char **argv)
{
	t_init(argc, argv);
	enum { LIMIT = 4096 };
	int p[2];
	pipe(p);
	static pid_t kids[LIMIT];
	int n = 0, err = 0;
	while (n < LIMIT) {
		pid_t c = fork();
		if (c < 0) { err = errno; break; }
		if (c == 0) { char ch; close(p[1]); read(p[0], &ch, 1); _exit(0); }
		kids[n++] = c;
	}
	SAY("got EAGAIN or limit: %s\n",
	    (n == LIMIT || err == EAGAIN || err == ENOMEM) ? "yes" : "no");
	SAY("forked at least 32: %s\n", n >= 32 ? "yes" : "no");
	close(p[0]);
	close(p[1]); /* every child's read returns 0 */
	int reaped = 0, clean = 1;
	for (int i = 0; i < n; i++) {
		int st;
		if (waitpid(kids[i], &st, 0) == kids[i]) {
			reaped++;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) clean = 0;
		}
	}
	SAY("all reaped: %s, all exited 0: %s\n", reaped == n ? "yes" : "no", clean ? "yes" : "no");
	pid_t c = fork();
	if (c == 0) _exit(5);
	SAY("fork afterwards: %s\n", t_wait_desc(c));
	return t_done();
}
