/* ktests for every framework API that takes a capacity, length or offset:
 * the zero cases (zero-size objects, zero-length ranges) and the wrap
 * cases (off + n past the end, huge n). Layer: services (safe C): each is
 * the call a service can really make — the checker accepts this file —
 * with guard bytes around the objects to catch a write just outside them.
 * The rule every check follows is `n > len || off > len - n`. */
#include <abi/errno.h>
#include <fw/console.h>
#include <fw/frame.h>
#include <fw/ktest.h>
#include <fw/pool.h>
#include <fw/time.h>
#include <fw/wait.h>
#include <fw/user.h>
#include <fw/vm.h>

struct kt_empty {};

/* An empty struct between guard bytes: a write "just before" the object
 * lands in `before`. */
struct kt_guarded {
	uint8_t before[8];
	struct kt_empty e;
	uint8_t after[8];
};

static void guard_init(struct kt_guarded *g)
{
	for (int i = 0; i < 8; i++)
		g->before[i] = g->after[i] = 0xaa;
}

static bool guard_intact(const struct kt_guarded *g)
{
	for (int i = 0; i < 8; i++)
		if (g->before[i] != 0xaa || g->after[i] != 0xaa)
			return false;
	return true;
}

/* fw_strncpy_from_user into a zero-size struct used to write its NUL at
 * dst[cap - 1] = dst[SIZE_MAX], one byte before the object. */
FW_KTEST(strncpy_from_user_zero_capacity)
{
	struct kt_guarded g;
	guard_init(&g);
	FW_EXPECT(t, sizeof(g.e) == 0);
	FW_EXPECT(t, fw_strncpy_from_user(&g.e, fw_uaddr(0x1000)) == -ENAMETOOLONG);
	FW_EXPECT(t, guard_intact(&g));
	/* the other zero-size destinations touch nothing either */
	FW_EXPECT(t, fw_boot_cmdline(&g.e) == -EINVAL);
	FW_EXPECT(t, fw_copy_from_user(&g.e, fw_uaddr(0x1000)) == 0);
	FW_EXPECT(t, fw_copy_from_user_n(&g.e, fw_uaddr(0x1000), 1) == -EINVAL);
	FW_EXPECT(t, fw_console_read(&g.e, 0, true) == 0);
	FW_EXPECT(t, fw_initrd_read(0, &g.e, 1) == -EINVAL);
	fw_random_fill(&g.e, 8);
	FW_EXPECT(t, guard_intact(&g));
}

FW_KTEST(user_ranges_zero_and_wrap)
{
	uint64_t v = 0;
	const uint64_t top = 0x800000000000UL;
	FW_EXPECT(t, fw_user_range_ok(top - 8, 8) && !fw_user_range_ok(top - 8, 9));
	FW_EXPECT(t, fw_user_range_ok(0, 0) && !fw_user_range_ok(top, 0));
	FW_EXPECT(t, !fw_user_range_ok(top - 8, UINT64_MAX)); /* a + n wraps */
	FW_EXPECT(t, fw_copy_from_user_n(&v, fw_uaddr(top - 8), 0) == 0);
	FW_EXPECT(t, fw_copy_to_user_n(fw_uaddr(UINT64_MAX - 3), &v, 8) == -EFAULT);
	FW_EXPECT(t, fw_clear_user(fw_uaddr(top - 4096), 8192) == -EFAULT);
	FW_EXPECT(t, fw_clear_user(fw_uaddr(0x1000), UINT64_MAX) == -EFAULT);
	FW_EXPECT(t, fw_clear_user(fw_uaddr(UINT64_MAX), 0) == 0);
}

FW_KTEST(frame_ranges_zero_and_wrap)
{
	struct fw_frame_ref a = {0}, b = {0};
	FW_EXPECT(t, fw_frame_alloc(&a) == 0 && fw_frame_alloc(&b) == 0);
	uint64_t obj[2] = {0};
	FW_EXPECT(t, fw_frame_zero(a, 4096, 0) == 0);
	FW_EXPECT(t, fw_frame_zero(a, 4097, 0) == -EINVAL);
	FW_EXPECT(t, fw_frame_zero(a, 1, 4096) == -EINVAL);
	FW_EXPECT(t, fw_frame_zero(a, UINT32_MAX, 2) == -EINVAL); /* off + n wraps 32 bits */
	FW_EXPECT(t, fw_frame_move(a, 4095, b, 0, 2) == -EINVAL);
	FW_EXPECT(t, fw_frame_move(a, 0, b, UINT32_MAX, 2) == -EINVAL);
	FW_EXPECT(t, fw_frame_move(a, 4096, b, 4096, 0) == 0);
	FW_EXPECT(t, fw_frame_read_at(a, 0, &obj, 16, 0) == 0);
	FW_EXPECT(t, fw_frame_read_at(a, 0, &obj, 17, 0) == -EINVAL);
	FW_EXPECT(t, fw_frame_read_at(a, 0, &obj, SIZE_MAX, 2) == -EINVAL); /* objoff + n wraps */
	FW_EXPECT(t, fw_frame_read_at(a, 0, &obj, 8, SIZE_MAX) == -EINVAL);
	FW_EXPECT(t, fw_frame_write_at(a, 4088, &obj, 8, 8) == 0);
	FW_EXPECT(t, fw_frame_write_at(a, 4089, &obj, 8, 8) == -EINVAL);
	FW_EXPECT(t, fw_frame_to_user(a, 0, fw_uaddr(0x800000000000UL - 8), 16) == -EFAULT);
	FW_EXPECT(t, fw_frame_from_user(a, UINT32_MAX, fw_uaddr(0x1000), 2) == -EINVAL);
	FW_EXPECT(t, fw_frame_to_user(a, 4096, fw_uaddr(0x1000), 0) == 0);
	FW_EXPECT(t, fw_initrd_to_frame(UINT64_MAX - 1, a, 0, 4) == -EINVAL);
	FW_EXPECT(t, fw_initrd_to_frame(0, a, 4095, 2) == -EINVAL || fw_initrd_size() < 2);
	uint8_t byte;
	FW_EXPECT(t, fw_initrd_read(UINT64_MAX, &byte, 1) == -EINVAL);
	FW_EXPECT(t, fw_initrd_read(fw_initrd_size(), &byte, 0) == 0);
	FW_EXPECT(t, fw_initrd_read(fw_initrd_size(), &byte, 1) == -EINVAL);
	fw_frame_put(a);
	fw_frame_put(b);
}

FW_KTEST(vm_ranges_zero_and_wrap)
{
	struct fw_vm_ref vm = {0}, other = {0};
	const uint64_t top = 0x800000000000UL;
	FW_EXPECT(t, fw_vm_create(&vm) == 0 && fw_vm_create(&other) == 0);
	FW_EXPECT(t, fw_vm_unmap(vm, 0x1000, UINT64_MAX) == -EINVAL);
	FW_EXPECT(t, fw_vm_unmap(vm, 0x1000, 0) == 0);
	FW_EXPECT(t, fw_vm_protect(vm, top - 4096, 8192, FW_PROT_READ) == -EINVAL);
	FW_EXPECT(t, fw_vm_protect(vm, top - 4096, 4096, FW_PROT_READ) == 0);
	FW_EXPECT(t, fw_vm_fork(other, vm, top - 4096, UINT64_MAX - 4000, false) == -EINVAL);
	FW_EXPECT(t, fw_vm_map_zeroed(vm, top, FW_PROT_READ) == -EINVAL);
	FW_EXPECT(t, fw_vm_map_zeroed(vm, UINT64_MAX & ~4095UL, FW_PROT_READ) == -EINVAL);
	/* NULL + offset: nothing below FW_USER_MIN is ever mapped */
	FW_EXPECT(t, fw_vm_map_zeroed(vm, 0, FW_PROT_READ | FW_PROT_EXEC) == -EINVAL);
	FW_EXPECT(t, fw_vm_map_zeroed(vm, FW_USER_MIN - 4096, FW_PROT_READ) == -EINVAL);
	FW_EXPECT(t, fw_vm_map_zeroed(vm, FW_USER_MIN, FW_PROT_READ) == 0);
	struct fw_frame_ref f = {0};
	FW_EXPECT(t, fw_frame_alloc(&f) == 0);
	FW_EXPECT(t, fw_vm_map(vm, 0, f, FW_PROT_READ) == -EINVAL);
	FW_EXPECT(t, fw_vm_map_cow(vm, 0, f, FW_PROT_READ | FW_PROT_EXEC) == -EINVAL);
	FW_EXPECT(t, fw_vm_map_cow(vm, FW_USER_MIN - 4096, f, FW_PROT_READ) == -EINVAL);
	FW_EXPECT(t, fw_vm_map_cow(vm, FW_USER_MIN + 4096, f, FW_PROT_READ) == 0);
	fw_frame_put(f);
	fw_vm_destroy(other);
	fw_vm_destroy(vm);
}

FW_KTEST(console_counts_bounded)
{
	char buf[4] = "ok\n";
	FW_EXPECT(t, fw_console_write(&buf, 0) == 0);
	FW_EXPECT(t, fw_console_write(&buf, 5) == -EINVAL);
	FW_EXPECT(t, fw_console_read(&buf, 5, true) == -EINVAL);
}

struct period_probe {
	uint64_t hits;
};
FW_GLOBAL(struct period_probe, period_probe);
static void count_period_hit(uint64_t cookie) { period_probe()->hits += cookie; }

/* A period so large that deadline + period wraps: the timer fires once
 * and then not again (saturated), instead of on every tick. */
FW_KTEST(timer_huge_period_does_not_wrap)
{
	struct fw_timer_ref tm;
	period_probe()->hits = 0;
	FW_EXPECT(t, fw_timer_create(count_period_hit, 1, &tm) == 0);
	FW_EXPECT(t, fw_timer_arm(tm, fw_time_monotonic_ns() + 1000000, UINT64_MAX - 1000) == 0);
	FW_EXPECT(t, fw_sleep_until(fw_time_monotonic_ns() + 20000000, false) == 0);
	FW_EXPECT(t, period_probe()->hits == 1);
	fw_timer_destroy(tm);
}
