/* Keel framework public API — device interrupts for services.
 *
 * Layer: framework (trusted). A service attaches a handler to an MSI-X
 * entry of a device it claimed, or to the device's legacy INTx line. The
 * framework's interrupt handler never runs service code (hazard 10): it
 * marks the interrupt pending (masking a level-triggered INTx pin), sends
 * the EOI and wakes the framework's IRQ worker task, which calls the
 * service handler in thread context with interrupts enabled. Interrupts of
 * one source coalesce: a handler runs at least once after every interrupt
 * that arrived before it started.
 *
 * Rules for a handler (enforced):
 *  - It must not sleep: every blocking wait (wait queues, sleeps, mutexes,
 *    console reads) returns -EDEADLK at once inside a handler, so a handler
 *    cannot stall the interrupts of every other device. Handlers complete
 *    work and wake the tasks that wait for it (fw_waitq_wake_*).
 *  - It runs to completion before the next handler starts (no nesting, no
 *    re-entry of the same handler).
 *  - fw_task_exit() inside a handler is a kernel bug and panics.
 *  - For INTx the pin stays masked until the handler returns, so the
 *    handler must do what deasserts the line (virtio: read the ISR). A
 *    handler that does not is called again and again, but the worker
 *    yields the CPU between calls, so other tasks still run.
 *
 * Safety contract: handles are generation-checked; detaching masks the
 * source and guarantees no call of the handler *starts* afterwards (the
 * worker copies fn and cookie before each call); `fn` is a function the
 * service named, `cookie` is plain data. Releasing the device detaches all
 * of its interrupts.
 */
#ifndef FW_IRQ_H
#define FW_IRQ_H

#include <fw/pci.h>

struct fw_irq_ref {
	uint32_t idx;
	uint32_t gen;
};

/* Number of MSI-X entries of the device (0: no MSI-X, or stale claim). */
FW_API uint32_t fw_irq_msix_count(struct fw_pci_ref d);
/* Route MSI-X entry `entry` to fn(cookie). Enables MSI-X on the device
 * (which turns INTx off). -EINVAL, -ENODEV (no MSI-X / entry out of range),
 * -EBUSY (entry already attached), -ENOSPC (no vector left). */
FW_API FW_MUST_CHECK int fw_irq_attach_msix(struct fw_pci_ref d, uint32_t entry, void (*fn)(uint64_t cookie),
					    uint64_t cookie, struct fw_irq_ref *out);
/* Route the device's INTx line (level-triggered, possibly shared with
 * other devices) to fn(cookie). -ENODEV (no pin / unknown routing),
 * -EBUSY (MSI-X in use), -ENOSPC. */
FW_API FW_MUST_CHECK int fw_irq_attach_intx(struct fw_pci_ref d, void (*fn)(uint64_t cookie), uint64_t cookie,
					    struct fw_irq_ref *out);
FW_API void fw_irq_detach(struct fw_irq_ref irq);
/* True while the current task runs a device interrupt handler. */
FW_API bool fw_irq_in_handler(void);
/* Number of times the handler was called (diagnostics and tests). */
FW_API uint64_t fw_irq_calls(struct fw_irq_ref irq);

#endif
