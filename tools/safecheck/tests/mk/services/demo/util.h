/* Stand-in service header. */
#ifndef DEMO_UTIL_H
#define DEMO_UTIL_H
struct demo_pt { int x, y; };
int demo_norm(struct demo_pt p);
#endif
