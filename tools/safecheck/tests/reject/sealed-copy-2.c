// expect: sealed-copy
/* compound literal zeroing a linked object; by-value param and init */
#include <fw/testapi.h>
struct proc_s { int pid; struct fw_waitq exit_wq; };
static void by_value(struct fw_waitq q) { (void)q; }
void reset(struct proc_s *p)
{
	*p = (struct proc_s){ 0 };
	struct fw_waitq copy = p->exit_wq;
	(void)copy;
}
