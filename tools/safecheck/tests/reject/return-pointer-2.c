// expect: return-pointer
/* A local that was set from a parameter is no better. */
#include <fw/testapi.h>
struct node {
	int v;
};
struct node *pick(struct node *a, struct node *b, int which)
{
	struct node *r = NULL;
	if (which)
		r = a;
	else
		r = b;
	return r;
}
