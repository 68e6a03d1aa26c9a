/* Accept: const tables of function pointers, function-pointer fields set
 * from named functions, enums, switch with braced cases, NULL. */
#include <fw/testapi.h>

enum op { OP_ADD, OP_SUB, OP_N };
typedef int (*op_fn)(int, int);

static int do_add(int a, int b) { return fw_safe_add(a, b); }
static int do_sub(int a, int b) { return a - b; }

static const op_fn ops[OP_N] = { do_add, do_sub };
static const uint32_t primes[] = { 2, 3, 5, 7 };

struct ops_table { op_fn run; int arity; };
static const struct ops_table table = { do_add, 2 };

int apply(enum op o, int a, int b)
{
	switch (o) {
	case OP_ADD: {
		int r = ops[OP_ADD](a, b);
		return r;
	}
	case OP_SUB:
		return ops[OP_SUB](a, b);
	default:
		break;
	}
	op_fn f = do_add;
	const int *none = NULL;
	if (none != NULL || f == NULL)
		return -1;
	return table.run(a, b) + (int)primes[1];
}
