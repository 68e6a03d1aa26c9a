/* ktests for the framework's safe APIs, written as a service would use
 * them: pools, frames, vm, wait queues, timers, mutexes and user copies.
 * Layer: services (safe C): the tests themselves pass the checker, so they
 * also show the APIs are usable from the safe subset. Each test tries the
 * misuse the API must survive (stale handles, bad ranges, kernel
 * addresses). */
#include <fw/frame.h>
#include <fw/ktest.h>
#include <fw/pool.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/user.h>
#include <fw/vm.h>
#include <fw/wait.h>

struct kt_obj {
	uint64_t a, b;
};
FW_POOL_REF(kt_obj);
FW_POOL_PRIVATE(kt_obj, struct kt_obj);

FW_KTEST(pool_alloc_zeroed_and_stale_handle_rejected)
{
	struct kt_obj_ref r;
	FW_EXPECT(t, kt_obj_alloc(&r) == 0);
	struct kt_obj *o = kt_obj_get(r);
	FW_EXPECT(t, o && o->a == 0 && o->b == 0);
	o->a = 42;
	kt_obj_free(r);
	FW_EXPECT(t, kt_obj_get(r) == NULL);
	struct kt_obj_ref r2;
	FW_EXPECT(t, kt_obj_alloc(&r2) == 0);
	/* the slot is reused, the old handle stays dead, the object is zeroed */
	FW_EXPECT(t, r2.idx == r.idx && r2.gen != r.gen);
	FW_EXPECT(t, kt_obj_get(r) == NULL && kt_obj_get(r2)->a == 0);
	FW_EXPECT(t, kt_obj_get((struct kt_obj_ref){0, 0}) == NULL);
	FW_EXPECT(t, kt_obj_get((struct kt_obj_ref){100000, 1}) == NULL);
	kt_obj_free(r2);
	kt_obj_free(r2); /* double free is ignored */
}

FW_KTEST(frame_handles_checked)
{
	struct fw_frame_ref f;
	FW_EXPECT(t, fw_frame_alloc(&f) == 0);
	uint8_t buf[16] = {1, 2, 3};
	FW_EXPECT(t, fw_frame_write(f, 4090, &buf, 6) == 0);
	FW_EXPECT(t, fw_frame_write(f, 4091, &buf, 6) == -22); /* past the page */
	FW_EXPECT(t, fw_frame_write(f, 0, &buf, 17) == -22);   /* past the object */
	uint8_t back[16] = {0};
	FW_EXPECT(t, fw_frame_read(f, 4090, &back, 6) == 0 && back[2] == 3);
	fw_frame_put(f);
	FW_EXPECT(t, !fw_frame_valid(f));
	FW_EXPECT(t, fw_frame_read(f, 0, &back, 1) == -22);
}

FW_KTEST(vm_map_protect_cow)
{
	struct fw_vm_ref vm;
	FW_EXPECT(t, fw_vm_create(&vm) == 0);
	FW_EXPECT(t, fw_vm_map_zeroed(vm, 0x400000, FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_EXPECT(t, fw_vm_map_zeroed(vm, 0x400001, FW_PROT_READ) == -22);        /* unaligned */
	FW_EXPECT(t, fw_vm_map_zeroed(vm, 0xffffffff80000000UL, FW_PROT_READ) == -22); /* kernel half */
	struct fw_vm_page pg;
	FW_EXPECT(t, fw_vm_lookup(vm, 0x400000, &pg) == 0 && pg.present && (pg.prot & FW_PROT_WRITE));
	struct fw_vm_ref child;
	FW_EXPECT(t, fw_vm_create(&child) == 0);
	FW_EXPECT(t, fw_vm_fork(child, vm, 0x400000, 4096, false) == 0);
	FW_EXPECT(t, fw_vm_lookup(vm, 0x400000, &pg) == 0 && pg.cow);
	struct fw_vm_page cpg;
	FW_EXPECT(t, fw_vm_lookup(child, 0x400000, &cpg) == 0 && cpg.cow && fw_frame_ref_eq(pg.frame, cpg.frame));
	FW_EXPECT(t, fw_vm_cow_break(child, 0x400000, FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_EXPECT(t, fw_vm_lookup(child, 0x400000, &cpg) == 0 && !cpg.cow && !fw_frame_ref_eq(pg.frame, cpg.frame));
	/* the parent is now the only mapper: breaking just re-enables writes */
	uint64_t before = fw_frames_free();
	FW_EXPECT(t, fw_vm_cow_break(vm, 0x400000, FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_EXPECT(t, fw_frames_free() == before);
	fw_vm_destroy(child);
	fw_vm_destroy(vm);
	FW_EXPECT(t, fw_vm_map_zeroed(vm, 0x400000, FW_PROT_READ) == -22); /* stale */
}

/* A private fork must keep both sides apart whatever mprotect does later:
 * a read-only page made writable, or a COW page taken through PROT_NONE and
 * back, must still be COW (never a writable shared frame). */
FW_KTEST(vm_private_fork_stays_cow_across_protect)
{
	struct fw_vm_ref a = {0}, b = {0};
	struct fw_vm_page pa, pb;
	FW_EXPECT(t, fw_vm_create(&a) == 0);
	FW_EXPECT(t, fw_vm_create(&b) == 0);
	FW_EXPECT(t, fw_vm_map_zeroed(a, 0x400000, FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_EXPECT(t, fw_vm_map_zeroed(a, 0x401000, FW_PROT_READ) == 0);
	FW_EXPECT(t, fw_vm_fork(b, a, 0x400000, 2 * 4096, false) == 0);
	FW_EXPECT(t, fw_vm_protect(b, 0x400000, 4096, 0) == 0);
	FW_EXPECT(t, fw_vm_protect(b, 0x400000, 2 * 4096, FW_PROT_READ | FW_PROT_WRITE) == 0);
	for (uint64_t va = 0x400000; va < 0x402000; va += 4096) {
		FW_EXPECT(t, fw_vm_lookup(a, va, &pa) == 0 && fw_vm_lookup(b, va, &pb) == 0);
		FW_EXPECT(t, fw_frame_ref_eq(pa.frame, pb.frame) && pb.cow && !(pb.prot & FW_PROT_WRITE));
		FW_EXPECT(t, fw_vm_cow_break(b, va, FW_PROT_READ | FW_PROT_WRITE) == 0);
		FW_EXPECT(t, fw_vm_lookup(b, va, &pb) == 0 && !fw_frame_ref_eq(pa.frame, pb.frame));
	}
	fw_vm_destroy(b);
	fw_vm_destroy(a);
}

/* A frame mapped with fw_vm_map_cow (a file's page in a private mapping)
 * is never writable through that mapping while a handle holds it: neither
 * prot, nor mprotect, nor a COW break that would reuse it in place. */
FW_KTEST(vm_map_cow_never_writes_a_held_frame)
{
	struct fw_vm_ref vm;
	struct fw_frame_ref f = {0};
	struct fw_vm_page pg;
	FW_EXPECT(t, fw_vm_create(&vm) == 0);
	FW_EXPECT(t, fw_frame_alloc(&f) == 0);
	FW_EXPECT(t, fw_vm_map_cow(vm, 0x400001, f, FW_PROT_READ) == -22);
	FW_EXPECT(t, fw_vm_map_cow(vm, 0x400000, f, FW_PROT_READ | FW_PROT_WRITE | FW_PROT_EXEC) == 0);
	FW_EXPECT(t, fw_vm_lookup(vm, 0x400000, &pg) == 0 && pg.present && pg.cow);
	FW_EXPECT(t, !(pg.prot & FW_PROT_WRITE) && (pg.prot & FW_PROT_EXEC) && fw_frame_ref_eq(pg.frame, f));
	FW_EXPECT(t, fw_vm_protect(vm, 0x400000, 4096, FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_EXPECT(t, fw_vm_lookup(vm, 0x400000, &pg) == 0 && pg.cow && !(pg.prot & FW_PROT_WRITE));
	/* sole mapper, but the handle is still held: the break must copy */
	FW_EXPECT(t, fw_vm_cow_break(vm, 0x400000, FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_EXPECT(t, fw_vm_lookup(vm, 0x400000, &pg) == 0 && !pg.cow && (pg.prot & FW_PROT_WRITE));
	FW_EXPECT(t, !fw_frame_ref_eq(pg.frame, f));
	/* once the last handle is gone the sole mapper may take it over */
	FW_EXPECT(t, fw_vm_map_cow(vm, 0x401000, f, FW_PROT_READ) == 0);
	fw_frame_put(f);
	FW_EXPECT(t, fw_vm_cow_break(vm, 0x401000, FW_PROT_READ | FW_PROT_WRITE) == 0);
	FW_EXPECT(t, fw_vm_lookup(vm, 0x401000, &pg) == 0 && fw_frame_ref_eq(pg.frame, f));
	fw_vm_destroy(vm);
	FW_EXPECT(t, !fw_frame_valid(f));
}

FW_KTEST(frame_freed_only_when_unmapped)
{
	struct fw_vm_ref vm;
	struct fw_frame_ref f = {0};
	FW_EXPECT(t, fw_vm_create(&vm) == 0);
	FW_EXPECT(t, fw_frame_alloc(&f) == 0);
	FW_EXPECT(t, fw_vm_map(vm, 0x500000, f, FW_PROT_READ) == 0);
	fw_frame_put(f);
	fw_frame_put(f); /* a put too many must not free a mapped frame */
	FW_EXPECT(t, fw_frame_valid(f));
	fw_vm_destroy(vm);
	FW_EXPECT(t, !fw_frame_valid(f));
}

FW_KTEST(user_copy_rejects_kernel_addresses)
{
	uint64_t v = 0;
	FW_EXPECT(t, fw_copy_from_user(&v, fw_uaddr(0xffffffff80000000UL)) == -14);
	FW_EXPECT(t, fw_copy_from_user(&v, fw_uaddr(0x00007ffffffffffcUL)) == -14); /* crosses the top */
	FW_EXPECT(t, fw_copy_to_user(fw_uaddr(0xffff888000000000UL), &v) == -14);
	FW_EXPECT(t, fw_copy_from_user_n(&v, fw_uaddr(0x1000), 9) == -22); /* more than the object */
	FW_EXPECT(t, fw_user_range_ok(0, 0x800000000000UL));
	FW_EXPECT(t, !fw_user_range_ok(1, 0xffffffffffffffffUL)); /* wraps */
}

FW_KTEST(waitq_timeout_and_stale)
{
	struct fw_waitq_ref q;
	FW_EXPECT(t, fw_waitq_create(&q) == 0);
	uint64_t t0 = fw_time_monotonic_ns();
	FW_EXPECT(t, fw_waitq_wait(q, t0 + 3000000, false) == -110);
	uint64_t dt = fw_time_monotonic_ns() - t0;
	FW_EXPECT(t, dt >= 3000000 && dt < 100000000);
	fw_waitq_destroy(q);
	FW_EXPECT(t, fw_waitq_wait(q, 0, false) == -22);
	FW_EXPECT(t, fw_waitq_wake_all(q) == 0);
}

struct timer_probe {
	uint64_t fired;
};
FW_GLOBAL(struct timer_probe, timer_probe);

static void kt_timer_cb(uint64_t cookie) { timer_probe()->fired += cookie; }

FW_KTEST(timer_runs_in_thread_context)
{
	struct fw_timer_ref tm;
	FW_EXPECT(t, fw_timer_create(kt_timer_cb, 5, &tm) == 0);
	FW_EXPECT(t, fw_timer_arm(tm, fw_time_monotonic_ns() + 2000000, 0) == 0);
	FW_EXPECT(t, fw_sleep_until(fw_time_monotonic_ns() + 10000000, false) == 0);
	FW_EXPECT(t, timer_probe()->fired == 5);
	fw_timer_destroy(tm);
	FW_EXPECT(t, fw_timer_arm(tm, 1, 0) == -22);
}

FW_KTEST(realtime_clock_is_plausible)
{
	/* after 2020-01-01 and before 2100 */
	uint64_t s = fw_time_realtime_ns() / 1000000000ULL;
	FW_EXPECT(t, s > 1577836800ULL && s < 4102444800ULL);
}

struct mutex_probe {
	struct fw_mutex_ref m;
	uint32_t order;
	uint32_t inside;
	bool overlap;
};
FW_GLOBAL(struct mutex_probe, mutex_probe);

static void mutex_contender(uint64_t id)
{
	struct mutex_probe *p = mutex_probe();
	if (fw_mutex_lock(p->m, false) == 0) {
		if (p->inside++)
			p->overlap = true;
		fw_task_yield(); /* hold it across a switch */
		p->inside--;
		p->order = p->order * 10 + (uint32_t)id;
		(void)fw_mutex_unlock(p->m);
	}
	fw_task_exit();
}

FW_KTEST(mutex_excludes_and_hands_over_in_order)
{
	struct mutex_probe *p = mutex_probe();
	FW_EXPECT(t, fw_mutex_create(&p->m) == 0);
	FW_EXPECT(t, fw_mutex_lock(p->m, false) == 0);
	FW_EXPECT(t, fw_mutex_lock(p->m, false) == -35);
	struct fw_task_ref a, b;
	FW_EXPECT(t, fw_task_create_kernel(mutex_contender, 1, &a) == 0);
	FW_EXPECT(t, fw_task_create_kernel(mutex_contender, 2, &b) == 0);
	fw_task_yield(); /* both block on the mutex */
	FW_EXPECT(t, fw_mutex_unlock(p->m) == 0);
	FW_EXPECT(t, fw_mutex_unlock(p->m) == -1); /* not the owner any more */
	FW_EXPECT(t, fw_sleep_until(fw_time_monotonic_ns() + 5000000, false) == 0);
	FW_EXPECT(t, p->order == 12 && !p->overlap);
	fw_mutex_destroy(p->m);
	FW_EXPECT(t, fw_mutex_lock(p->m, false) == -22);
}

FW_KTEST(vm_huge_range_ops_skip_empty_tables)
{
	struct fw_vm_ref vm;
	FW_EXPECT(t, fw_vm_create(&vm) == 0);
	FW_EXPECT(t, fw_vm_map_zeroed(vm, 0x7f0000000000UL, FW_PROT_READ) == 0);
	uint64_t t0 = fw_time_monotonic_ns();
	/* 128 TiB: walking it page by page would take hours */
	FW_EXPECT(t, fw_vm_protect(vm, 0x1000, 0x7ffffffff000UL - 0x1000, FW_PROT_READ | FW_PROT_WRITE) == 0);
	struct fw_vm_page pg;
	FW_EXPECT(t, fw_vm_lookup(vm, 0x7f0000000000UL, &pg) == 0 && pg.present && (pg.prot & FW_PROT_WRITE));
	FW_EXPECT(t, fw_vm_unmap(vm, 0x1000, 0x7ffffffff000UL - 0x1000) == 0);
	FW_EXPECT(t, fw_vm_lookup(vm, 0x7f0000000000UL, &pg) == 0 && !pg.present);
	FW_EXPECT(t, fw_time_monotonic_ns() - t0 < 1000000000ULL);
	fw_vm_destroy(vm);
}
