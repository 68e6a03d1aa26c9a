// expect: sealed-copy
/* struct assignment copies a wait queue with its sleepers (transitively) */
#include <fw/testapi.h>
struct proc_s { int pid; struct fw_waitq exit_wq; };
void clone_proc(struct proc_s *dst, struct proc_s *src)
{
	*dst = *src;
}
