/* Accept: bytes copied out of objects whose every byte is a member's
 * (explicit padding fields, bit-fields filling their unit, arrays of
 * such, char arrays, string literals). */
#include <fw/console.h>
#include <fw/frame.h>
#include <fw/user.h>

struct wire {
	uint8_t kind;
	uint8_t pad_[7];
	uint64_t len;
};
struct flags {
	uint32_t a : 4;
	uint32_t b : 28;
};
struct rec {
	struct wire w[2];
	struct flags f;
	uint32_t n;
};

int out(struct fw_frame_ref f, struct fw_uaddr u, const struct rec *r)
{
	char msg[8] = "hello";
	int e = fw_frame_write(f, 0, r, sizeof(*r));
	e |= fw_copy_to_user(u, &r->f) | fw_copy_to_user(u, &msg);
	return e | fw_console_write("hi", 2);
}
