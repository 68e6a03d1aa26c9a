// expect: null-reach
/* attack round 2: fw_vm_map maps nothing below FW_USER_MIN (64 KiB), so
 * NULL plus a small offset faults; but a service type may be larger. With
 * `fn` 2 MiB into struct huge, `h->fn(0x42)` on a NULL h read the function
 * pointer from a user page and called it (shown at run time under
 * -cpu max,-smap, a CPU the kernel supports). Every part that is not plain
 * data must end below FW_USER_MIN, in a type and in what a pointer of the
 * service's points to. */
#include <fw/testapi.h>
struct huge {
	uint8_t pad[0x200000];
	void (*fn)(uint64_t);
};
struct flags_far {
	uint32_t n[20000];
	bool on;
};
struct entry {
	void (*fn)(uint64_t);
	uint64_t arg;
};
typedef struct entry table_t[5000];
struct hold_far {
	uint8_t pad[70000];
	struct fw_waitq q;
};

void call(struct huge *h, struct flags_far *f, table_t *t)
{
	if (f->on)
		h->fn(0x42);
	(*t)[4999].fn(1);
}
