/* Accept: allowed attributes, static prototypes, const locals and
 * pointers to const, function-local const tables. */
#include <fw/testapi.h>

static int helper(int x);
__attribute__((unused)) static int spare(void) { return 0; }
FW_MUST_CHECK static int checked(void) { return 1; }

_Noreturn void svc_die(const char *why)
{
	fw_panic(why);
}

int use(const int *p)
{
	static const int k[3] = { 1, 2, 3 };
	const int *q = p;
	if (q != p)
		svc_die("impossible");
	return helper(k[2]) + checked() + *q;
}

static int helper(int x) { return x * 2; }
