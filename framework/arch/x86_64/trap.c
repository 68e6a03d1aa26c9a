/* Exception and interrupt dispatch. Layer: framework/arch (trusted).
 * Kernel-mode faults are kernel bugs and panic with registers and a
 * backtrace, except faults inside the user-copy routine, which either get
 * resolved by the services (demand paging, copy-on-write) or turn into
 * -EFAULT. User-mode exceptions go to the services as struct fw_fault. */
#include "internal/init.h"
#include "internal/arch.h"
#include "internal/cpu.h"
#include "internal/dev.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/task.h"
#include "arch/x86_64/x86.h"
#include <fw/log.h>
#include "internal/upcall.h"

extern char uaccess_insn[], uaccess_insn_tail[], uaccess_end[], uaccess_fault[];

static const char *const exc_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound", "invalid opcode", "no FPU",
	"double fault", "coproc", "invalid TSS", "segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FP", "alignment check", "machine check", "SIMD FP",
};

static void dump_frame(const struct trapframe *tf)
{
	fw_err("vector %lu (%s) error %lx cr2 %lx", tf->vector, tf->vector < 32 && exc_names[tf->vector] ? exc_names[tf->vector] : "?",
	       tf->error, read_cr2());
	fw_err("rip %lx <%s> cs %lx rflags %lx rsp %lx ss %lx", tf->rip, (tf->cs & 3) ? "user" : ksym_lookup(tf->rip),
	       tf->cs, tf->rflags, tf->rsp, tf->ss);
	fw_err("rax %lx rbx %lx rcx %lx rdx %lx", tf->rax, tf->rbx, tf->rcx, tf->rdx);
	fw_err("rsi %lx rdi %lx rbp %lx r8 %lx", tf->rsi, tf->rdi, tf->rbp, tf->r8);
	fw_err("r9 %lx r10 %lx r11 %lx r12 %lx", tf->r9, tf->r10, tf->r11, tf->r12);
	fw_err("r13 %lx r14 %lx r15 %lx", tf->r13, tf->r14, tf->r15);
}

/* Is rip inside the user copy's SMAP-lifted window (after its stac, up to
 * and including its clac)? Only a frame interrupted there may keep AC. */
static bool in_uaccess_window(uint64_t rip) { return rip >= (uint64_t)uaccess_insn && rip <= (uint64_t)uaccess_end; }

static void kernel_fault(struct trapframe *tf)
{
	if (tf->vector == 14 && (tf->rip == (uint64_t)uaccess_insn || tf->rip == (uint64_t)uaccess_insn_tail)) {
		uint64_t addr = read_cr2();
		/* trap_common cleared AC: the resolver is service code and runs
		 * with SMAP on (ktests smap_on_in_fault_resolver,
		 * panic_smap_in_fault_resolver). */
		if (addr < FW_USER_TOP) {
			struct task *cur = current_task();
			/* The services run now: a frame the copy holds by address
			 * must outlive whatever they put (frame_api.c). The record
			 * is kept here, since a copy inside the resolver reuses it. */
			uint64_t frame = cur->copy_frame;
			bool pinned = cur->copy_frame_pinned;
			if (frame && !pinned) {
				frame_pin(frame);
				pinned = true;
			}
			cur->no_sleep++;
			sti();
			int r = upcalls.resolve_user_fault(addr, (tf->error & 2) != 0);
			cli();
			cur->no_sleep--;
			cur->copy_frame = frame;
			cur->copy_frame_pinned = pinned;
			if (r == 0)
				return; /* resume the copy; kernel_trap_return restores AC */
		}
		tf->rip = (uint64_t)uaccess_fault;
		return;
	}
	dump_frame(tf);
	arch_backtrace((void *)tf->rbp);
	fw_panic("kernel %s at %lx", tf->vector < 32 ? exc_names[tf->vector] : "trap", tf->rip);
}

static void user_exception(struct trapframe *tf)
{
	struct fw_fault f = {.vector = tf->vector, .error = tf->error, .addr = tf->vector == 14 ? read_cr2() : tf->rip};
	sti();
	/* SAFETY: fw_uregs mirrors trapframe; the frame is the user's saved
	 * state and is sanitised by return_to_user_prepare. */
	upcalls.user_fault((struct fw_uregs *)tf, &f);
}

/* Back to kernel code: SMAP is lifted again exactly for a copy interrupted
 * inside its window (a resolved fault, or an interrupt during the copy),
 * and for nothing else, whatever the frame held. */
static void kernel_trap_return(struct trapframe *tf)
{
	if (in_uaccess_window(tf->rip))
		tf->rflags |= RFLAGS_AC;
	else
		tf->rflags &= ~RFLAGS_AC;
}

void trap_dispatch(struct trapframe *tf)
{
	bool from_user = (tf->cs & 3) != 0;
	if (tf->vector < 32) {
		if (!from_user)
			kernel_fault(tf);
		else
			user_exception(tf);
	} else if (tf->vector == VEC_TIMER) {
		arch_eoi();
		account_tick(from_user, tf->rip, tf->rbp);
		timer_tick();
	} else if (tf->vector == VEC_SERIAL) {
		console_rx_irq();
		arch_eoi();
	} else if (irq_vector_is_device((uint32_t)tf->vector)) {
		irq_dispatch((uint32_t)tf->vector); /* marks pending, EOI, wakes the IRQ worker */
	} else if (tf->vector != VEC_SPURIOUS) {
		arch_eoi();
	}
	if (from_user)
		return_to_user_prepare(tf);
	else
		kernel_trap_return(tf);
}

/* Everything that must hold before any iret/sysret to user mode: pending
 * preemption and requested return work handled, and a frame the CPU can
 * return through without faulting in ring 0 whatever the services wrote
 * into it. The sanitising and the checks run on every return; the
 * return_to_user upcall only when the task's return_work flag asks for it
 * (<fw/upcall.h>), at most once per pass, so a null system call costs no
 * upcall and no service lookups on its way out. Entered with interrupts
 * on or off; leaves with them off. */
void return_to_user_prepare(struct trapframe *tf)
{
	struct task *cur = current_task();
	for (;;) {
		if (cur->return_work) {
			/* Cleared first: work the upcall leaves or creates is
			 * requested again and waits for the next pass or return. */
			cur->return_work = false;
			sti();
			upcalls.return_to_user((struct fw_uregs *)tf);
		}
		cli();
		tf->cs = SEL_UCODE;
		tf->ss = SEL_UDATA;
		/* IF on; keep arithmetic flags, TF, DF, NT, RF, AC, ID (NT is
		 * harmless: entry paths clear it); IOPL and VM always 0 */
		tf->rflags = (tf->rflags & 0x254DD5) | 0x202;
		if (tf->rip >= FW_USER_TOP - FW_PAGE_SIZE || tf->rsp >= FW_USER_TOP) {
			/* A return address the CPU would fault on in ring 0: make
			 * it the user's fault at that address instead. */
			struct fw_fault f = {.vector = 14, .error = 0x15, .addr = tf->rip};
			if (tf->rip < FW_USER_TOP - FW_PAGE_SIZE)
				f.addr = tf->rsp;
			sti();
			upcalls.user_fault((struct fw_uregs *)tf, &f);
			continue;
		}
		/* Interrupts stay off from here to sysret/iret: a tick that
		 * sets need_resched now is taken in user mode and handled on
		 * its own return. */
		if (!sched_need_resched())
			break;
		sti();
		sched_yield_current();
	}
	cur->kernel_ticks = 0; /* progress, for the lockup detector */
}

void arch_backtrace(void *frame)
{
	uint64_t *fp = frame;
	for (int depth = 0; fp && depth < 16; depth++) {
		uint64_t a = (uint64_t)fp;
		if (a < KERNEL_VMA && (a < PHYSMAP_BASE || a >= 0xffffffff00000000UL))
			break;
		if (a & 7)
			break;
		uint64_t ret = fp[1];
		if (ret < KERNEL_VMA)
			break;
		fw_err("  #%d %lx %s", depth, ret, ksym_lookup(ret));
		fp = (uint64_t *)fp[0]; /* SAFETY: checked above to lie in kernel memory, aligned */
	}
}
