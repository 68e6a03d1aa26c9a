// expect: ptr-to-ptr
/* issue 9, class 2: function-pointer types whose parameters are
 * out-parameters of pointers, as a typedef and as a struct field. */
#include <fw/testapi.h>
typedef void (*sink_fn)(int **out);
struct hooks {
	void (*grab)(int *(*out)[2]);
	int n;
};
int nhooks(const struct hooks *h) { return h->n; }
