/* Stand-in framework object: defines the API and an internal. */
#include <fw/demo.h>
int fw_demo_internal(int a) { return a * 3; }
int fw_demo_add(int a, int b) { return fw_demo_internal(a) + b; }
