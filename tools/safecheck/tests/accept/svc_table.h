/* A service header in the shape the services use: an include guard, an
 * X-macro table, integer constants and a statement-like macro with line
 * continuations. */
#ifndef SVC_TABLE_H
#define SVC_TABLE_H

#include <fw/testapi.h>

#define SVC_OPS_LIST(X) \
	X(0, add)        \
	X(1, sub)

#define SVC_NOPS 2
#define SVC_MASK (SVC_NOPS - 1)

int svc_op_add(int a, int b);
int svc_op_sub(int a, int b);

/* statement-like: balanced, local names with a suffix */
#define SVC_SUM(total, arr)                                   \
	do {                                                  \
		for (uint32_t s_i_ = 0; s_i_ < 4; s_i_++)     \
			(total) += (arr)[s_i_];               \
	} while (0)

#endif
