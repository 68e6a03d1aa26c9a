// expect: pod-src
/* attack round 3: -ftrivial-auto-var-init zeroes declared variables, but
 * not the temporaries clang makes for a struct a function returns (its
 * sret slot in the caller) or for a compound literal, and nothing in C
 * writes padding. `h(f, mk(x))` passed such a temporary by value and
 * fw_frame_write copied its 7 padding bytes: 3e 01 00 00 c9 ff ff, a
 * stale kernel stack address (shown at run time; with `aligned` members
 * the padding, and the leak, grow to kilobytes). Bytes copied out of a
 * service object (user memory, frames, devices, the console) must all be
 * members': FW_POD_SRC sources have no padding, no unnamed bit-fields,
 * and no pointer (a pointer's bytes are a kernel address). */
#include <fw/console.h>
#include <fw/frame.h>
#include <fw/user.h>

struct big {
	uint8_t a;
	uint64_t b, c, d;
};

static struct big mk(uint8_t a, uint64_t b)
{
	return (struct big){ .a = a, .b = b, .c = b, .d = b };
}

static int h(struct fw_frame_ref f, struct big v)
{
	return fw_frame_write(f, 0, &v, sizeof(v));
}

int leak(struct fw_frame_ref f, struct fw_uaddr u, uint64_t x)
{
	return h(f, mk((uint8_t)x, x));
}

struct bits {
	uint32_t kind : 4;
	uint32_t : 12;   /* an unnamed bit-field is not a member: nothing writes it */
	uint32_t len : 16;
};
struct tail {
	uint64_t a;
	uint32_t b;   /* 4 bytes of tail padding */
};
struct holder {
	struct tail t[2];
};

int leak2(struct fw_uaddr u, const struct bits *b, const struct holder *h2, const struct tail *t)
{
	return fw_copy_to_user(u, b) | fw_copy_to_user_n(u, h2, 8) | fw_console_write(t, 4);
}

struct ops {
	void (*fn)(uint64_t);
	uint64_t arg;
};

int leak3(struct fw_uaddr u, const struct ops *o, const uint64_t *p)
{
	return fw_copy_to_user(u, &p) | fw_copy_to_user(u, o);
}
