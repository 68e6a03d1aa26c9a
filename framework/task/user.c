/* User tasks: creation, the syscall path, fs base and FPU state.
 * Layer: framework/task (trusted). */
#include "internal/init.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/task.h"
#include <fw/log.h>
#include "internal/upcall.h"
#include <fw/vm.h>
#include <abi/errno.h>

_Static_assert(sizeof(struct fw_uregs) == sizeof(struct trapframe), "fw_uregs mirrors trapframe");

static void user_task_entry(uint64_t tf_addr)
{
	/* SAFETY: tf_addr is the frame fw_task_create_user placed at the top of
	 * this task's own stack. */
	struct trapframe *tf = (struct trapframe *)tf_addr;
	irq_disable();
	return_to_user_prepare(tf);
	user_enter(tf);
}

int fw_task_create_user(const struct fw_uregs *regs, struct fw_vm_ref vm, uint64_t cookie, bool copy_fpu,
			struct fw_task_ref *out)
{
	struct task *t = task_alloc();
	if (!t)
		return -EAGAIN;
	t->vm = vm_task_attach(vm, &t->pml4);
	if (!t->vm) {
		task_discard(t);
		return -EINVAL;
	}
	t->vm_ref = vm;
	t->user = true;
	t->cookie = cookie;
	t->return_work = true; /* the services see every task's first return */
	struct task *cur = current_task();
	t->fs_base = cur->fs_base;
	t->tsc_trap = cur->user && cur->tsc_trap; /* fork and clone keep PR_SET_TSC */
	if (copy_fpu && cur->user) {
		arch_fpu_save(cur->fpu);
		memcpy(t->fpu, cur->fpu, arch_fpu_size);
	}
	/* SAFETY: the top of the new task's own stack; fw_uregs and trapframe
	 * have the same layout (static assert above). */
	struct trapframe *tf = (struct trapframe *)(t->kstack_top - sizeof(struct trapframe));
	memcpy(tf, regs, sizeof(*tf));
	task_start(t, user_task_entry, (uint64_t)tf, (uint64_t)tf);
	*out = (struct fw_task_ref){t->idx, t->gen};
	return 0;
}

void syscall_dispatch(struct trapframe *tf)
{
	irq_enable();
	/* SAFETY: same layout (static assert); every field is plain data the
	 * exit path sanitises before returning to user mode. */
	upcalls.syscall((struct fw_uregs *)tf);
	return_to_user_prepare(tf);
}

struct fw_vm_ref fw_vm_current(void) { return current_task()->vm_ref; }

int fw_task_set_vm(struct fw_vm_ref vm)
{
	struct task *t = current_task();
	uint64_t pml4;
	void *nv = vm_task_attach(vm, &pml4);
	if (!nv)
		return -EINVAL;
	void *old = t->vm;
	t->vm = nv;
	t->vm_ref = vm;
	t->pml4 = pml4;
	arch_set_page_table(pml4);
	vm_task_detach(old);
	return 0;
}

int fw_task_set_fs_base(uint64_t base)
{
	if (base >= FW_USER_TOP)
		return -EPERM; /* as Linux for a non-canonical/kernel base */
	current_task()->fs_base = base;
	arch_set_tls_base(base);
	return 0;
}

uint64_t fw_task_fs_base(void) { return current_task()->fs_base; }

uint32_t fw_fpu_state_size(void) { return arch_fpu_size; }

int fw_fpu_save_to_user(struct fw_uaddr dst)
{
	uint64_t uaddr = dst.a;
	struct task *t = current_task();
	if (!fw_user_range_ok(uaddr, arch_fpu_size))
		return -EFAULT;
	arch_fpu_save(t->fpu);
	return (int)uaccess_copy((void *)uaddr, t->fpu, arch_fpu_size);
}


/* The slow path: through a buffer of our own, immune to switches. */
static int fpu_load_buffered(struct task *t, uint64_t uaddr)
{
	uint8_t *tmp = kalloc(arch_fpu_size);
	if (!tmp)
		return -ENOMEM;
	int r = (int)uaccess_copy(tmp, (const void *)uaddr, arch_fpu_size);
	if (r == 0 && !arch_fpu_image_ok(tmp))
		r = -EINVAL;
	if (r == 0) {
		memcpy(t->fpu, tmp, arch_fpu_size);
		arch_fpu_restore(t->fpu);
	}
	kfree(tmp, arch_fpu_size);
	return r;
}

/* rt_sigreturn's hot path copies the image straight into the task's save
 * area, with no buffer to allocate, clear and copy again. While the task
 * runs its registers are live and the save area is scratch: the only reader
 * is schedule's restore at switch-in, and every switch-in of this task
 * follows the switch-out that saved the registers there (fpu_saves++). A
 * copy that faults and sleeps is switched out mid-way, so that save lands
 * in the middle of our copy: fpu_saves tells, and the copy is redone (a
 * few times, then the buffered path). The check, the validation and the
 * xrstor run with interrupts off, so no switch comes between them: only
 * an image validated exactly as copied reaches xrstor. On an error the
 * live registers are saved back, so the area never keeps unchecked bytes:
 * arch_fpu_save clears the XSAVE header xsave itself leaves alone (a
 * refused header kept under the saved registers made the next switch-in's
 * xrstor fault in the kernel: attack round 7). The same holds for a save
 * landing in the middle of the copy. */
int fw_fpu_load_from_user(struct fw_uaddr src)
{
	uint64_t uaddr = src.a;
	struct task *t = current_task();
	if (!fw_user_range_ok(uaddr, arch_fpu_size))
		return -EFAULT;
	for (int tries = 0; tries < 4; tries++) {
		uint64_t saves = t->fpu_saves;
		int r = (int)uaccess_copy(t->fpu, (const void *)uaddr, arch_fpu_size);
		bool was = irq_save();
		if (t->fpu_saves != saves) {
			irq_restore(was);
			continue;
		}
		if (r == 0 && !arch_fpu_image_ok(t->fpu))
			r = -EINVAL;
		if (r == 0)
			arch_fpu_restore(t->fpu);
		else
			arch_fpu_save(t->fpu);
		irq_restore(was);
		return r;
	}
	return fpu_load_buffered(t, uaddr);
}

_Static_assert(sizeof(struct fw_fxsave) == 512, "the FXSAVE legacy region");

void fw_fpu_get_fxsave(struct fw_fxsave *out)
{
	struct task *t = current_task();
	arch_fpu_save(t->fpu);
	/* SAFETY: t->fpu holds arch_fpu_size >= 512 bytes, whose first 512
	 * are the legacy region in both the FXSAVE and XSAVE formats; out is
	 * a plain-data object of exactly 512 bytes (static assert). */
	memcpy(out, t->fpu, sizeof(*out));
}

int fw_fpu_set_fxsave(const struct fw_fxsave *in)
{
	struct task *t = current_task();
	uint8_t *tmp = kalloc(arch_fpu_size);
	if (!tmp)
		return -ENOMEM;
	arch_fpu_save(t->fpu);
	/* SAFETY: tmp and t->fpu both hold arch_fpu_size bytes; in is 512
	 * bytes (static assert) and replaces the legacy region only. */
	memcpy(tmp, t->fpu, arch_fpu_size);
	memcpy(tmp, in, sizeof(*in));
	if (arch_fpu_size > 512) {
		/* XSAVE header: x87 (bit 0) and SSE (bit 1) now come from the
		 * image, not from their initial configuration. */
		uint64_t bv;
		memcpy(&bv, tmp + 512, sizeof(bv));
		bv |= 3;
		memcpy(tmp + 512, &bv, sizeof(bv));
	}
	int r = arch_fpu_image_ok(tmp) ? 0 : -EINVAL;
	if (r == 0) {
		memcpy(t->fpu, tmp, arch_fpu_size);
		arch_fpu_restore(t->fpu);
	}
	kfree(tmp, arch_fpu_size);
	return r;
}
