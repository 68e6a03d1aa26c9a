/* ktests for fw_fpu_load_from_user (rt_sigreturn's FPU restore), which
 * copies the user's image straight into the task's save area. Layer:
 * framework/task ktests (trusted: installs its own fault resolver through
 * the internal upcall table, reads the task's save area and MXCSR).
 *
 * Each case runs in a helper kernel task that adopts a user address space
 * holding an XSAVE image: what reaches the registers, what the save area
 * holds after a refused image, and a copy during which the task's
 * registers were saved into the area (what a switch would do) being
 * redone rather than restored half-overwritten. */
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/task.h"
#include "internal/upcall.h"
#include <abi/errno.h>
#include <fw/frame.h>
#include <fw/ktest.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/user.h>
#include <fw/vm.h>

#define FPU_VA 0x40000000UL /* two pages: the image starts in the first */
#define MXCSR_OFF 24
#define MXCSR_DEFAULT 0x1F80u
#define MXCSR_ROUND_ZERO 0x7F80u /* rounding control 11: a valid value */
#define MS 1000000ULL

static struct {
	struct fw_vm_ref vm;
	struct fw_frame_ref page0, page1;
	uint64_t img_va;          /* where the image is in user memory */
	uint32_t mxcsr_in_image;  /* written into the image before the load */
	uint64_t bad_header_word; /* nonzero: put into a reserved XSAVE header word */
	uint32_t bad_header_off;  /* ... at this offset in the header (0: 16) */
	bool unmap_page1;         /* the copy in faults on the second page */
	bool resolver_maps;       /* the resolver maps it (else refuses) */
	bool fake_switch;         /* ... and first does what schedule's save does */
	int resolver_calls;
	int r;
	uint32_t live_mxcsr, area_mxcsr;
	bool area_ok; /* after the load the save area is an image xrstor takes */
	bool done;
} fe;

static uint32_t read_mxcsr(void)
{
	uint32_t v;
	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static uint32_t area_mxcsr(const struct task *t)
{
	uint32_t v;
	/* SAFETY: t->fpu holds arch_fpu_size >= 512 bytes; MXCSR is at byte 24. */
	memcpy(&v, (const uint8_t *)t->fpu + MXCSR_OFF, sizeof(v));
	return v;
}

static int fpu_resolve(uint64_t addr, bool write)
{
	(void)write;
	fe.resolver_calls++;
	if (!fe.resolver_maps || (addr & ~4095UL) != FPU_VA + 4096)
		return -EFAULT;
	if (fe.fake_switch && fe.resolver_calls == 1) {
		struct task *cur = current_task();
		arch_fpu_save(cur->fpu); /* overwrites the part already copied */
		cur->fpu_saves++;
	}
	return fw_vm_map(fe.vm, FPU_VA + 4096, fe.page1, FW_PROT_READ | FW_PROT_WRITE) ? -EFAULT : 0;
}

static void loader(uint64_t unused)
{
	(void)unused;
	struct task *me = current_task();
	fe.r = 1;
	if (fw_task_set_vm(fe.vm) == 0) {
		/* a valid image: this task's own state with a known MXCSR */
		arch_fpu_init_area(me->fpu);
		arch_fpu_restore(me->fpu);
		int s = fw_fpu_save_to_user(fw_uaddr(fe.img_va));
		uint32_t m = fe.mxcsr_in_image;
		if (s == 0)
			s = fw_copy_to_user_n(fw_uaddr(fe.img_va + MXCSR_OFF), &m, sizeof(m));
		if (s == 0 && fe.bad_header_word)
			s = fw_copy_to_user_n(fw_uaddr(fe.img_va + 512 + (fe.bad_header_off ? fe.bad_header_off : 16)),
					      &fe.bad_header_word, 8);
		if (s == 0 && fe.unmap_page1) /* the copy in must fault on page 1 */
			s = fw_vm_unmap(fe.vm, FPU_VA + 4096, 4096);
		if (s == 0) {
			fe.r = fw_fpu_load_from_user(fw_uaddr(fe.img_va));
			fe.live_mxcsr = read_mxcsr();
			fe.area_mxcsr = area_mxcsr(me);
			fe.area_ok = arch_fpu_image_ok(me->fpu);
		}
		/* leave the registers clean for whoever runs next */
		arch_fpu_init_area(me->fpu);
		arch_fpu_restore(me->fpu);
	}
	fe.done = true;
	fw_task_exit();
}

/* Run one load in a helper task with fpu_resolve installed. */
static void run_load(struct fw_ktest_ctx *t)
{
	fe.done = false;
	fe.resolver_calls = 0;
	FW_EXPECT(t, fw_vm_create(&fe.vm) == 0);
	FW_EXPECT(t, fw_frame_alloc(&fe.page0) == 0 && fw_frame_alloc(&fe.page1) == 0);
	FW_EXPECT(t, fw_vm_map(fe.vm, FPU_VA, fe.page0, FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_EXPECT(t, fw_vm_map(fe.vm, FPU_VA + 4096, fe.page1, FW_PROT_READ | FW_PROT_WRITE) == 0);
	struct fw_upcalls mine = {.resolve_user_fault = fpu_resolve}, old;
	upcalls_swap(&mine, &old);
	struct fw_task_ref task;
	FW_EXPECT(t, fw_task_create_kernel(loader, 0, &task) == 0);
	uint64_t until = fw_time_monotonic_ns() + 2000 * MS;
	while (!fe.done && fw_time_monotonic_ns() < until)
		fw_task_yield();
	upcalls_swap(&old, &mine);
	FW_EXPECT(t, fe.done);
	fw_vm_destroy(fe.vm);
	fw_frame_put(fe.page0);
	fw_frame_put(fe.page1);
}

static void setup(uint64_t img_off, uint32_t mxcsr, uint64_t bad_word, bool unmap, bool maps, bool fake_switch)
{
	fe.img_va = FPU_VA + img_off;
	fe.mxcsr_in_image = mxcsr;
	fe.bad_header_word = bad_word;
	fe.unmap_page1 = unmap;
	fe.resolver_maps = maps;
	fe.fake_switch = fake_switch;
	fe.bad_header_off = 0;
}

/* A valid image reaches the registers. */
FW_KTEST(fpu_load_valid_image_restored)
{
	setup(0, MXCSR_ROUND_ZERO, 0, false, false, false);
	run_load(t);
	FW_EXPECT(t, fe.r == 0 && fe.live_mxcsr == MXCSR_ROUND_ZERO && fe.resolver_calls == 0);
}

/* Reserved MXCSR bits or XSAVE header words: -EINVAL, the registers keep
 * their state and the save area holds it again, not the refused bytes. */
FW_KTEST(fpu_load_bad_image_refused_area_resaved)
{
	setup(0, MXCSR_ROUND_ZERO | 0x10000u, 0, false, false, false);
	run_load(t);
	FW_EXPECT(t, fe.r == -EINVAL && fe.live_mxcsr == MXCSR_DEFAULT && fe.area_mxcsr == MXCSR_DEFAULT);
	if (fw_fpu_state_size() > 512) {
		setup(0, MXCSR_ROUND_ZERO, 0x1, false, false, false);
		run_load(t);
		FW_EXPECT(t, fe.r == -EINVAL && fe.live_mxcsr == MXCSR_DEFAULT && fe.area_mxcsr == MXCSR_DEFAULT);
	}
}

/* An image running into a page the resolver refuses: -EFAULT, registers
 * and save area as before (the area's first 256 bytes were overwritten by
 * the copy). One it maps: the image is loaded. Outside user space:
 * -EFAULT before any copy. */
FW_KTEST(fpu_load_fault_leaves_state)
{
	setup(4096 - 256, MXCSR_ROUND_ZERO, 0, true, false, false);
	run_load(t);
	FW_EXPECT(t, fe.r == -EFAULT && fe.resolver_calls >= 1);
	FW_EXPECT(t, fe.live_mxcsr == MXCSR_DEFAULT && fe.area_mxcsr == MXCSR_DEFAULT);
	setup(4096 - 256, MXCSR_ROUND_ZERO, 0, true, true, false);
	run_load(t);
	FW_EXPECT(t, fe.r == 0 && fe.resolver_calls == 1 && fe.live_mxcsr == MXCSR_ROUND_ZERO);
	FW_EXPECT(t, fw_fpu_load_from_user(fw_uaddr(FW_USER_TOP - 16)) == -EFAULT);
}

/* The registers are saved into the area in the middle of the copy (as a
 * switch would): the copy is redone, and the image, not the mix, is loaded
 * (without the redo the registers would get the default MXCSR the save
 * put over the image's first bytes). */
FW_KTEST(fpu_load_redone_after_save_during_copy)
{
	setup(4096 - 256, MXCSR_ROUND_ZERO, 0, true, true, true);
	run_load(t);
	FW_EXPECT(t, fe.r == 0 && fe.resolver_calls == 1 && fe.live_mxcsr == MXCSR_ROUND_ZERO);
	FW_EXPECT(t, fe.area_mxcsr == MXCSR_ROUND_ZERO);
}

/* Attack round 7: xsave writes only XSTATE_BV's bits of XCR0 in the
 * header, never XCOMP_BV or the reserved words. A refused image (its
 * header, or a fault after the copy passed the header) must not leave the
 * user's header bytes in the save area under the registers saved back: the
 * next switch-in's xrstor would #GP in the kernel (a panic any user could
 * cause with rt_sigreturn and a stop). Likewise a save landing in the
 * middle of the copy (what a switch would do). After every load, refused
 * or not, the area is one xrstor accepts. */
FW_KTEST(fpu_load_refused_image_leaves_a_restorable_area)
{
	if (fw_fpu_state_size() <= 512)
		return; /* fxsave: no header */
	static const struct {
		uint32_t off;
		uint64_t word;
	} bad[] = {
		{8, 1ULL << 63 | 3}, /* XCOMP_BV: the compacted form */
		{8, 1},              /* XCOMP_BV, standard form */
		{16, 1},             /* reserved words */
		{56, 1ULL << 40},
		{0, 3 | 1ULL << 5},  /* XSTATE_BV with a bit outside XCR0 */
		{0, 3 | 1ULL << 63},
	};
	for (uint32_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup(0, MXCSR_ROUND_ZERO, bad[i].word, false, false, false);
		fe.bad_header_off = bad[i].off;
		run_load(t);
		FW_EXPECT(t, fe.r == -EINVAL && fe.area_ok);
		/* the same header, the copy faulting after it (page 1 refused) */
		setup(4096 - 640, MXCSR_ROUND_ZERO, bad[i].word, true, false, false);
		fe.bad_header_off = bad[i].off;
		run_load(t);
		FW_EXPECT(t, fe.r == -EFAULT && fe.area_ok);
		/* a save in the middle of the copy, after the header: redone,
		 * then refused */
		setup(4096 - 640, MXCSR_ROUND_ZERO, bad[i].word, true, true, true);
		fe.bad_header_off = bad[i].off;
		run_load(t);
		FW_EXPECT(t, fe.r == -EINVAL && fe.area_ok);
	}
}
