// expect: sizeof
/* attack round 2: GNU C gives sizeof of a function (and of void) as 1. A
 * trusted macro sizes its copy by sizeof(*(p)), so fw_console_write(f, 1)
 * or fw_frame_write(frame, 0, f, 1) copied the first byte of a function:
 * a read of kernel text (shown at run time: 0x55, push %rbp, of
 * fw_time_monotonic_ns), and NULL a read of address 0. */
#include <fw/console.h>
#include <fw/frame.h>
#include <fw/time.h>
#include <fw/user.h>

static void victim(void)
{
}

int text_byte(struct fw_frame_ref f, struct fw_uaddr u)
{
	void (*fp)(void) = victim;
	int r = fw_console_write(victim, 1);
	r |= fw_copy_to_user(u, fp);
	r |= fw_frame_write(f, 0, fw_time_monotonic_ns, 1);
	r |= fw_frame_write(f, 0, NULL, 1);
	return r + (int)sizeof(victim);
}
