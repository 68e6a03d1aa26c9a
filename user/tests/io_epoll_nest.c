/* io_epoll_nest: epoll instances inside epoll instances (epoll_ctl(2)):
 * adding an instance to itself is EINVAL, a loop is ELOOP, and a chain
 * may hold at most 5 instances (4 links) counting those already above
 * the instance added to and below the one added, as Linux checks. */
#include "t.h"
#include <sys/epoll.h>

static const char *rc(int r) { return r == 0 ? "ok" : t_errname(errno); }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	struct epoll_event ev = {.events = EPOLLIN};
	int e[10], f[10];
	for (int i = 0; i < 10; i++) {
		e[i] = epoll_create1(0);
		f[i] = epoll_create1(0);
	}
	/* each new instance watches the previous chain: the chain grows down */
	for (int i = 0; i < 8; i++)
		SAY("e%d watches e%d: %s\n", i + 1, i, rc(epoll_ctl(e[i + 1], EPOLL_CTL_ADD, e[i], &ev)));
	/* each instance watches a new one: the chain grows up */
	for (int i = 0; i < 8; i++)
		SAY("f%d watches f%d: %s\n", i, i + 1, rc(epoll_ctl(f[i], EPOLL_CTL_ADD, f[i + 1], &ev)));
	int a = epoll_create1(0), b = epoll_create1(0), c = epoll_create1(0);
	SAY("a watches b: %s\n", rc(epoll_ctl(a, EPOLL_CTL_ADD, b, &ev)));
	SAY("b watches c: %s\n", rc(epoll_ctl(b, EPOLL_CTL_ADD, c, &ev)));
	SAY("c watches a (a loop): %s\n", rc(epoll_ctl(c, EPOLL_CTL_ADD, a, &ev)));
	SAY("b watches a (a loop): %s\n", rc(epoll_ctl(b, EPOLL_CTL_ADD, a, &ev)));
	SAY("a watches a: %s\n", rc(epoll_ctl(a, EPOLL_CTL_ADD, a, &ev)));
	SAY("a watches b again: %s\n", rc(epoll_ctl(a, EPOLL_CTL_ADD, b, &ev)));
	SAY("modify a's watch of b: %s\n", rc(epoll_ctl(a, EPOLL_CTL_MOD, b, &ev)));
	SAY("remove it: %s\n", rc(epoll_ctl(a, EPOLL_CTL_DEL, b, &ev)));
	SAY("now b watches a: %s\n", rc(epoll_ctl(b, EPOLL_CTL_ADD, a, &ev)));
	/* closing an inner instance shortens the chain */
	close(e[0]);
	int x = epoll_create1(0);
	SAY("e1 watches a new instance after e0 closed: %s\n",
	    rc(epoll_ctl(e[1], EPOLL_CTL_ADD, x, &ev)));
	/* readiness passes through a nested instance */
	int p[2];
	pipe(p);
	int outer = epoll_create1(0), inner = epoll_create1(0);
	epoll_ctl(inner, EPOLL_CTL_ADD, p[0], &ev);
	epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev);
	struct epoll_event out;
	SAY("nothing ready: %d\n", epoll_wait(outer, &out, 1, 0));
	write(p[1], "x", 1);
	SAY("pipe readable makes the outer ready: %d\n", epoll_wait(outer, &out, 1, 100));
	return t_done();
}
