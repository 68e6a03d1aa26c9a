/* Keel framework public API — wait queues and sleeping.
 *
 * Layer: framework (trusted). Wait queues are framework objects named by
 * handles; the framework owns every link between a sleeping task and a
 * queue, so nothing a service stores can dangle (hazard 6).
 *
 * Safety contract: every call checks the handle; a stale one gives -EINVAL
 * (wait) or is ignored (wake). Destroying a queue wakes its sleepers with
 * -EIDRM. Waits run in thread context only; inside the fault resolver
 * upcall they fail at once with -EDEADLK (<fw/upcall.h>).
 *
 * Usage: on this uniprocessor, non-preemptive kernel a service checks its
 * condition and then waits, and no other service code can run in between;
 * wakers are other tasks. Conditions changed by interrupts are waited for
 * inside the framework (console input, timers), never by services.
 */
#ifndef FW_WAIT_H
#define FW_WAIT_H

#include <fw/types.h>

struct fw_waitq_ref {
	uint32_t idx;
	uint32_t gen;
};

FW_API FW_MUST_CHECK int fw_waitq_create(struct fw_waitq_ref *out);
FW_API void fw_waitq_destroy(struct fw_waitq_ref q);
/* Sleep until woken (0), the absolute monotonic deadline passes
 * (-ETIMEDOUT; deadline 0 = none) or, if interruptible, fw_task_interrupt
 * (-EINTR). */
FW_API int fw_waitq_wait(struct fw_waitq_ref q, uint64_t deadline_ns, bool interruptible);
FW_API int fw_waitq_wake_one(struct fw_waitq_ref q);
FW_API int fw_waitq_wake_all(struct fw_waitq_ref q);
FW_API bool fw_waitq_has_waiters(struct fw_waitq_ref q);
/* Sleep until the absolute monotonic time `deadline_ns`: 0, or -EINTR. */
FW_API int fw_sleep_until(uint64_t deadline_ns, bool interruptible);

#endif
