/* io_epoll_fanout: the epoll nesting check on a wide graph. Five levels
 * of 20 instances, each watching every instance of the level below, then
 * a sixth level and a loop: the counts of accepted and ELOOP-refused
 * registrations are Linux's. (Keel's first check followed every path of
 * the graph: one epoll_ctl here took hours of kernel time, during which
 * nothing else ran; attack round 5, docs/safety.md.) */
#include "t.h"
#include <sys/epoll.h>

#define K 20

static int add(int ep, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN};
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	static int e[6][K];
	for (int l = 0; l < 6; l++)
		for (int j = 0; j < K; j++)
			e[l][j] = epoll_create1(0);
	int ok = 0, eloop = 0, other = 0;
	/* top-down: level l watches all of level l + 1 */
	for (int l = 0; l < 3; l++)
		for (int j = 0; j < K; j++)
			for (int k = 0; k < K; k++) {
				int r = add(e[l][j], e[l + 1][k]);
				ok += r == 0;
				eloop += r != 0 && errno == ELOOP;
				other += r != 0 && errno != ELOOP;
			}
	SAY("levels 0-3: %d accepted, %d ELOOP, %d other\n", ok, eloop, other);
	ok = eloop = other = 0;
	for (int j = 0; j < K; j++) {
		int r = add(e[3][j], e[4][j]);
		ok += r == 0;
		eloop += r != 0 && errno == ELOOP;
	}
	SAY("level 4 under level 3: %d accepted, %d ELOOP\n", ok, eloop);
	ok = eloop = 0;
	for (int j = 0; j < K; j++) {
		int r = add(e[4][j], e[5][j]);
		ok += r == 0;
		eloop += r != 0 && errno == ELOOP;
	}
	SAY("a sixth level: %d accepted, %d ELOOP\n", ok, eloop);
	ok = eloop = 0;
	for (int j = 0; j < K; j++) {
		int r = add(e[3][j], e[0][j]);
		ok += r == 0;
		eloop += r != 0 && errno == ELOOP;
	}
	SAY("a loop back to the top: %d accepted, %d ELOOP\n", ok, eloop);
	/* removing level 0's watches frees room above level 1 */
	for (int j = 0; j < K; j++)
		for (int k = 0; k < K; k++)
			epoll_ctl(e[0][j], EPOLL_CTL_DEL, e[1][k], NULL);
	ok = eloop = 0;
	for (int j = 0; j < K; j++) {
		int r = add(e[4][j], e[5][j]);
		ok += r == 0;
		eloop += r != 0 && errno == ELOOP;
	}
	SAY("a sixth level after level 0 let go: %d accepted, %d ELOOP\n", ok, eloop);
	return t_done();
}
