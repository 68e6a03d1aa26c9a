// expect: sealed-copy sealed-access
/* attack round 3: libclang shows a designated initialiser as a void-typed
 * expression (designators, then the value), so the initialiser test saw
 * no sealed type in `{ .q = p->exit_wq }` or `{ [1] = p->exit_wq }`: a
 * copy of a linked object (hazard 5), and `.q.gen = 7` wrote a sealed
 * field. The value is now judged, and a designator naming a sealed
 * struct's field is a sealed access. */
#include <fw/testapi.h>
struct proc_s { int pid; struct fw_waitq exit_wq; };
struct holder { int n; struct fw_waitq q; };
int dup(struct proc_s *p)
{
	struct holder h = { .n = 1, .q = p->exit_wq };
	struct fw_waitq arr[2] = { [1] = p->exit_wq };
	struct holder forged = { .q.gen = 7 };
	(void)arr;
	(void)forged;
	return h.n + (int)__builtin_offsetof(struct fw_waitq, gen);
}
