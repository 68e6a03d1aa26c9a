/* mm_mempolicy: NUMA memory policy calls on a machine with one node (the
 * CI host and Keel both): set_mempolicy/get_mempolicy modes, flags and
 * masks, mbind and per-area policies, set_mempolicy_home_node,
 * move_pages status, migrate_pages, and their errors in Linux's order. */
#include "t.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void r(const char *w, long v)
{
	if (v < 0)
		SAY("%s: %s\n", w, t_errname(errno));
	else
		SAY("%s: %ld\n", w, v);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	unsigned long mask = 1, mask2 = 2, big[16] = {1}, got[16] = {0};
	int mode = -1;
	r("get_mempolicy default", syscall(SYS_get_mempolicy, &mode, got, 64, 0, 0));
	SAY("  mode %d mask %lx\n", mode, got[0]);
	r("set_mempolicy BIND {0}", syscall(SYS_set_mempolicy, 2, &mask, 64));
	r("get_mempolicy", syscall(SYS_get_mempolicy, &mode, got, 64, 0, 0));
	SAY("  mode %d mask %lx\n", mode, got[0]);
	r("set_mempolicy BIND {1}", syscall(SYS_set_mempolicy, 2, &mask2, 64));
	r("set_mempolicy BIND empty", syscall(SYS_set_mempolicy, 2, NULL, 0));
	r("set_mempolicy DEFAULT {0}", syscall(SYS_set_mempolicy, 0, &mask, 64));
	r("set_mempolicy DEFAULT none", syscall(SYS_set_mempolicy, 0, NULL, 0));
	r("set_mempolicy PREFERRED none", syscall(SYS_set_mempolicy, 1, NULL, 0));
	r("get_mempolicy", syscall(SYS_get_mempolicy, &mode, got, 64, 0, 0));
	SAY("  mode %d mask %lx\n", mode, got[0]);
	r("set_mempolicy PREFERRED|STATIC none", syscall(SYS_set_mempolicy, 1 | (1 << 15), NULL, 0));
	r("set_mempolicy INTERLEAVE {0}", syscall(SYS_set_mempolicy, 3, &mask, 64));
	r("get_mempolicy F_NODE (interleave)", syscall(SYS_get_mempolicy, &mode, NULL, 0, 0, 1));
	SAY("  node %d\n", mode);
	r("set_mempolicy LOCAL none", syscall(SYS_set_mempolicy, 4, NULL, 0));
	r("set_mempolicy LOCAL {0}", syscall(SYS_set_mempolicy, 4, &mask, 64));
	r("get_mempolicy F_NODE (local)", syscall(SYS_get_mempolicy, &mode, NULL, 0, 0, 1));
	r("set_mempolicy PREFERRED_MANY {0}", syscall(SYS_set_mempolicy, 5, &mask, 64));
	r("set_mempolicy mode 7", syscall(SYS_set_mempolicy, 7, &mask, 64));
	r("set_mempolicy mode 9", syscall(SYS_set_mempolicy, 9, &mask, 64));
	r("set_mempolicy BIND|STATIC", syscall(SYS_set_mempolicy, 2 | (1 << 15), &mask, 64));
	r("get_mempolicy", syscall(SYS_get_mempolicy, &mode, got, 64, 0, 0));
	SAY("  mode %#x mask %lx\n", mode, got[0]);
	r("set_mempolicy STATIC|RELATIVE", syscall(SYS_set_mempolicy, 2 | (1 << 15) | (1 << 14), &mask, 64));
	r("set_mempolicy INTERLEAVE|NUMA_BALANCING", syscall(SYS_set_mempolicy, 3 | (1 << 13), &mask, 64));
	r("set_mempolicy BIND|NUMA_BALANCING", syscall(SYS_set_mempolicy, 2 | (1 << 13), &mask, 64));
	r("set_mempolicy bad mask pointer", syscall(SYS_set_mempolicy, 2, (void *)8, 64));
	r("set_mempolicy maxnode 0", syscall(SYS_set_mempolicy, 2, &mask, 0));
	r("set_mempolicy maxnode 1", syscall(SYS_set_mempolicy, 2, &mask, 1));
	r("set_mempolicy maxnode 1<<20", syscall(SYS_set_mempolicy, 2, big, 1 << 20));
	big[15] = 1;
	r("set_mempolicy a node past 1024", syscall(SYS_set_mempolicy, 2, big, 16 * 64));
	r("get_mempolicy maxnode 0 with a mask", syscall(SYS_get_mempolicy, &mode, got, 0, 0, 0));
	r("get_mempolicy maxnode 1", syscall(SYS_get_mempolicy, &mode, got, 1, 0, 0));
	r("get_mempolicy bad flags", syscall(SYS_get_mempolicy, &mode, got, 64, 0, 8));
	r("get_mempolicy addr without F_ADDR", syscall(SYS_get_mempolicy, &mode, got, 64, 4096, 0));
	got[0] = 0;
	r("get_mempolicy MEMS_ALLOWED", syscall(SYS_get_mempolicy, &mode, got, 64, 0, 4));
	SAY("  mode %d mask %lx\n", mode, got[0]);
	r("get_mempolicy MEMS_ALLOWED|F_NODE", syscall(SYS_get_mempolicy, &mode, got, 64, 0, 5));
	r("get_mempolicy bad policy pointer", syscall(SYS_get_mempolicy, (int *)8, got, 64, 0, 0));
	r("get_mempolicy bad mask pointer", syscall(SYS_get_mempolicy, &mode, (void *)8, 64, 0, 0));
	syscall(SYS_set_mempolicy, 0, NULL, 0);
	r("get_mempolicy F_NODE (default)", syscall(SYS_get_mempolicy, &mode, NULL, 0, 0, 1));

	char *m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + 3 * 4096, 4096);
	r("F_ADDR unmapped", syscall(SYS_get_mempolicy, &mode, got, 64, m + 3 * 4096, 2));
	r("F_ADDR", syscall(SYS_get_mempolicy, &mode, got, 64, m, 2));
	SAY("  mode %d mask %lx\n", mode, got[0]);
	m[0] = 1;
	r("F_NODE|F_ADDR", syscall(SYS_get_mempolicy, &mode, got, 64, m, 3));
	SAY("  node %d\n", mode);
	r("mbind BIND {0} page 1", syscall(SYS_mbind, m + 4096, 4096, 2, &mask, 64, 0));
	r("F_ADDR page 1", syscall(SYS_get_mempolicy, &mode, got, 64, m + 4096, 2));
	SAY("  mode %d mask %lx\n", mode, got[0]);
	r("F_ADDR page 0", syscall(SYS_get_mempolicy, &mode, got, 64, m, 2));
	SAY("  mode %d mask %lx\n", mode, got[0]);
	syscall(SYS_set_mempolicy, 2, &mask, 64);
	r("F_ADDR page 0 with a thread policy", syscall(SYS_get_mempolicy, &mode, got, 64, m, 2));
	SAY("  mode %d\n", mode);
	syscall(SYS_set_mempolicy, 0, NULL, 0);
	r("mbind unaligned", syscall(SYS_mbind, m + 1, 4096, 2, &mask, 64, 0));
	r("mbind STRICT|MOVE", syscall(SYS_mbind, m, 4096, 2, &mask, 64, 3));
	r("mbind MOVE_ALL", syscall(SYS_mbind, m, 4096, 2, &mask, 64, 4));
	r("mbind bad flags", syscall(SYS_mbind, m, 4096, 2, &mask, 64, 0x100));
	r("mbind over a hole", syscall(SYS_mbind, m, 4 * 4096, 2, &mask, 64, 0));
	r("mbind length 0", syscall(SYS_mbind, m, 0, 2, &mask2, 64, 0));
	r("mbind node 1", syscall(SYS_mbind, m, 4096, 2, &mask2, 64, 0));
	r("mbind bad mode", syscall(SYS_mbind, m, 4096, 8, &mask, 64, 0));
	r("mbind DEFAULT page 1", syscall(SYS_mbind, m + 4096, 4096, 0, NULL, 0, 0));
	r("F_ADDR page 1 again", syscall(SYS_get_mempolicy, &mode, got, 64, m + 4096, 2));
	SAY("  mode %d\n", mode);
	syscall(SYS_mbind, m + 2 * 4096, 4096, 3, &mask, 64, 0);
	r("home node over an INTERLEAVE area", syscall(450, m, 3 * 4096, 0, 0));
	syscall(SYS_mbind, m + 2 * 4096, 4096, 2, &mask, 64, 0);
	r("home node over BIND areas", syscall(450, m, 3 * 4096, 0, 0));
	r("home node 1", syscall(450, m, 4096, 1, 0));
	r("home node flags", syscall(450, m, 4096, 0, 1));
	r("home node unaligned", syscall(450, m + 1, 4096, 0, 0));

	void *pages[3] = {m, m + 4096, m + 3 * 4096};
	int nodes[3] = {0, 0, 0}, status[3] = {-99, -99, -99};
	r("move_pages query", syscall(SYS_move_pages, 0, 3, pages, NULL, status, 0));
	SAY("  status %d %d %d\n", status[0], status[1], status[2]);
	status[0] = status[1] = status[2] = -99;
	r("move_pages to node 0", syscall(SYS_move_pages, 0, 3, pages, nodes, status, 0));
	SAY("  status %d %d %d\n", status[0], status[1], status[2]);
	nodes[1] = 1;
	r("move_pages to node 1", syscall(SYS_move_pages, 0, 3, pages, nodes, status, 0));
	nodes[1] = -1;
	r("move_pages to node -1", syscall(SYS_move_pages, 0, 3, pages, nodes, status, 0));
	r("move_pages bad flags", syscall(SYS_move_pages, 0, 3, pages, NULL, status, 8));
	r("move_pages MOVE_ALL", syscall(SYS_move_pages, 0, 3, pages, NULL, status, 4));
	r("move_pages no such pid", syscall(SYS_move_pages, 4000000, 3, pages, NULL, status, 0));
	r("move_pages bad status pointer", syscall(SYS_move_pages, 0, 3, pages, NULL, (int *)8, 0));
	r("migrate_pages 0 -> 0", syscall(SYS_migrate_pages, 0, 64, &mask, &mask));
	r("migrate_pages 0 -> 1", syscall(SYS_migrate_pages, 0, 64, &mask, &mask2));
	r("migrate_pages no such pid", syscall(SYS_migrate_pages, 4000000, 64, &mask, &mask));
	pid_t c = fork();
	if (c == 0) {
		setuid(1000);
		r("user: mbind MOVE_ALL", syscall(SYS_mbind, m, 4096, 2, &mask, 64, 4));
		r("user: move_pages MOVE_ALL", syscall(SYS_move_pages, 0, 1, pages, NULL, status, 4));
		r("user: migrate_pages 0 -> 1", syscall(SYS_migrate_pages, 0, 64, &mask, &mask2));
		r("user: move_pages of init", syscall(SYS_move_pages, 1, 1, pages, NULL, status, 0));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	return t_done();
}
