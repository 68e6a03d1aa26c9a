/* The upcall registry. Layer: framework/task (trusted).
 * The framework reaches the services only through the table registered
 * here and the entry point in the .services_main section, so it names no
 * service symbol and links without services/. Trusts: nothing a service
 * registers beyond its C type (the compiler checked each member against
 * struct fw_upcalls); a NULL member is refused. */
#include "internal/upcall.h"
#include "internal/task.h"
#include <abi/errno.h>
#include <fw/log.h>

static void default_syscall(struct fw_uregs *regs) { regs->rax = (uint64_t)-ENOSYS; }

/* Nobody can resolve a user exception: returning would re-run the
 * faulting instruction forever. */
static void default_user_fault(struct fw_uregs *regs, const struct fw_fault *fault)
{
	fw_warn("task %u: user exception %lu at %lx with no services registered; ending it",
		fw_task_current().idx, fault->vector, regs->rip);
	fw_task_exit();
}

static int default_resolve_user_fault(uint64_t addr, bool write)
{
	(void)addr;
	(void)write;
	return -EFAULT;
}

static void default_return_to_user(struct fw_uregs *regs) { (void)regs; }

#define DEFAULT_UPCALLS                                                                                    \
	{                                                                                                  \
		.syscall = default_syscall, .user_fault = default_user_fault,                              \
		.resolve_user_fault = default_resolve_user_fault, .return_to_user = default_return_to_user \
	}

static const struct fw_upcalls defaults = DEFAULT_UPCALLS;
struct fw_upcalls upcalls = DEFAULT_UPCALLS;
static bool registered;

static bool complete(const struct fw_upcalls *u)
{
	return u->syscall && u->user_fault && u->resolve_user_fault && u->return_to_user;
}

int fw_upcalls_register(const struct fw_upcalls *u)
{
	if (!u || !complete(u))
		return -EINVAL;
	if (registered)
		return -EBUSY;
	/* A copy: the framework keeps no pointer a service handed it. Upcalls
	 * happen only in thread context, and the kernel is uniprocessor and
	 * non-preemptive, so no call site sees a half-written table. */
	upcalls = *u;
	registered = true;
	fw_info("upcalls registered");
	return 0;
}

void upcalls_swap(const struct fw_upcalls *u, struct fw_upcalls *old)
{
	*old = upcalls;
	upcalls.syscall = u->syscall ? u->syscall : defaults.syscall;
	upcalls.user_fault = u->user_fault ? u->user_fault : defaults.user_fault;
	upcalls.resolve_user_fault = u->resolve_user_fault ? u->resolve_user_fault : defaults.resolve_user_fault;
	upcalls.return_to_user = u->return_to_user ? u->return_to_user : defaults.return_to_user;
}

extern const struct fw_services_main __services_main_start[], __services_main_end[];

void (*services_main(void))(void)
{
	/* The linker script allows at most one entry. SAFETY: the section
	 * bounds come from the linker; an entry is read only if one is there. */
	uintptr_t bytes = (uintptr_t)__services_main_end - (uintptr_t)__services_main_start;
	return bytes >= sizeof(struct fw_services_main) ? __services_main_start[0].main : NULL;
}
