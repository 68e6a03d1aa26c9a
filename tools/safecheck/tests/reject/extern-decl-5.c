// expect: extern-decl
/* attack round 3: a framework name was refused only at file scope. A
 * local (or parameter) named like a framework function captures the name
 * inside a trusted macro expanded in its block: fw_copy_from_user(&p, u)
 * below calls the local function pointer, with the capacity the macro
 * computed. (No FW_API function has a macro-only function's signature,
 * so this only reached service code; the name is the framework's at any
 * scope all the same.) */
#include <fw/user.h>
struct pair { uint64_t a, b; };
static int my_read(void *d, size_t cap, size_t n, struct fw_uaddr s)
{
	(void)d;
	(void)cap;
	(void)n;
	(void)s;
	return 0;
}
static int use(struct fw_uaddr u, int fw_flag)
{
	struct pair p = {0};
	int (*fw_user_read)(void *, size_t, size_t, struct fw_uaddr) = my_read;
	return fw_copy_from_user(&p, u) + fw_flag;
}
int svc_use(struct fw_uaddr u) { return use(u, 1); }
