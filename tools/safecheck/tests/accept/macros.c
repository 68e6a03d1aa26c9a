/* Accept: the service preprocessing language in use: quoted and <fw/...>
 * includes, an include guard included twice, an X-macro pasting a fixed
 * lower-case prefix, constants and a do/while macro. */
#include "svc_table.h"
#include "svc_table.h"
#include <fw/testapi.h>

typedef int (*svc_op_fn)(int, int);

int svc_op_add(int a, int b) { return a + b; }
int svc_op_sub(int a, int b) { return a - b; }

#define SVC_OP_ENTRY(nr, name) [nr] = svc_op_##name,
static const svc_op_fn svc_ops[SVC_NOPS] = { SVC_OPS_LIST(SVC_OP_ENTRY) };

int svc_run(int op, int a, int b)
{
	int v[4] = { 1, 2, 3, 4 };
	int total = 0;
	SVC_SUM(total, v);
	return svc_ops[op & SVC_MASK](a, b) + total;
}
