/* Stand-in service: calls FW_API and another service file. */
#include <fw/demo.h>
#include "demo/util.h"
int demo_main(void)
{
	struct demo_pt p = { 1, 2 };
	return fw_demo_add(demo_norm(p), 1);
}
