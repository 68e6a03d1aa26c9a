/* Keel framework public API — sleeping mutexes.
 *
 * Layer: framework (trusted). Service code is never preempted, so it needs
 * a lock only to keep a critical section whole across a call that may
 * sleep (a pipe write that blocks half-way, a multi-step file update that
 * waits on I/O). A fw_mutex is a framework object named by a handle.
 *
 * Safety contract: handles are generation-checked (a stale one gives
 * -EINVAL); unlocking a mutex the caller does not own gives -EPERM;
 * destroying a held mutex wakes its waiters with -EIDRM. Locking is
 * interruptible on request (-EINTR). Waiters are served in FIFO order.
 * Inside the fault resolver upcall a held mutex gives -EDEADLK.
 */
#ifndef FW_SYNC_H
#define FW_SYNC_H

#include <fw/types.h>

struct fw_mutex_ref {
	uint32_t idx;
	uint32_t gen;
};

FW_API FW_MUST_CHECK int fw_mutex_create(struct fw_mutex_ref *out);
FW_API void fw_mutex_destroy(struct fw_mutex_ref m);
FW_API FW_MUST_CHECK int fw_mutex_lock(struct fw_mutex_ref m, bool interruptible);
FW_API int fw_mutex_unlock(struct fw_mutex_ref m);
FW_API bool fw_mutex_held_by_me(struct fw_mutex_ref m);

#endif
