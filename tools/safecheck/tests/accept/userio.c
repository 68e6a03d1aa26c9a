/* Accept: copying plain data from user memory, literal formats, trusted
 * framework macros (their bodies are framework code), typeof/_Generic
 * used harmlessly, __builtin_expect. */
#include <fw/testapi.h>

struct stat_req {
	uint32_t fd;
	uint32_t flags;
	uint8_t name[16];
	struct { uint16_t a, b; } pair[2];
};

int sys_statreq(uaddr_t u)
{
	struct stat_req req = {0};
	uint32_t word = 0;
	uint8_t raw[8] = {0};
	int rc = fw_copy_from_user(&req, u);
	if (__builtin_expect(rc != 0, 0))
		return rc;
	rc = fw_copy_from_user(&word, u);
	rc |= fw_copy_from_user(&raw, u);
	fw_printk("fd=%u flags=%u\n", req.fd, req.flags);
	__typeof__(word) w2 = FW_MIN(word, 10u);
	int kind = _Generic(w2, uint32_t: 1, default: 0);
	FW_POKE_SCRATCH(w2);  /* framework macro: its body may call internals */
	return rc + kind + fw_inline_helper(&kind);
}
