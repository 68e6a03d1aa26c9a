/* Spinlocks with interrupt disabling. Layer: framework/sync (trusted,
 * internal). On the current uniprocessor kernel the spin never contends —
 * disabling interrupts is what excludes the interrupt handlers — but every
 * structure an interrupt handler shares is taken through one of these, so
 * the locking discipline is already written down for SMP. */
#ifndef INTERNAL_SPINLOCK_H
#define INTERNAL_SPINLOCK_H

#include "internal/arch.h"

struct spinlock {
	volatile uint32_t locked;
};

static inline bool spin_lock_irqsave(struct spinlock *l)
{
	bool was = irq_save();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
	return was;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, bool was)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_restore(was);
}

#endif
