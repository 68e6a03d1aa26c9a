/* Accept: handles stored, borrowed pointers in locals only, FW_API calls. */
#include <fw/testapi.h>
#include "svc_local.h"

struct job {
	struct proc_ref owner;   /* a handle, not a pointer */
	uint32_t flags;
	struct fw_waitq done;    /* sealed: embedded, passed by pointer */
};

static int job_owner_alive(struct job *j)
{
	struct proc *p = proc_get(j->owner);  /* borrowed, local only */
	if (p == NULL)
		return 0;
	fw_waitq_wake(&j->done);
	return 1;
}

int job_run(struct job *j)
{
	struct job local = {0};
	struct job partly = { .flags = 1, .done = {0} };
	(void)partly;
	if (!job_owner_alive(j))
		return -1;
	fw_waitq_wake(&local.done);           /* &local as a direct call arg */
	return svc_local_helper(fw_safe_add(1, 2));
}

int svc_local_helper(int x)
{
	return x + SVC_MAX;
}
