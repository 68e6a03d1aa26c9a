/* A service header next to the corpus: prototypes of service functions
 * (allowed in headers) and a plain service macro. */
#ifndef SVC_LOCAL_H
#define SVC_LOCAL_H
#define SVC_MAX 16
int svc_local_helper(int x);
struct item {
	int v;
};
struct item *item_lookup(int key);
#endif
