/* Memory character devices (/dev/null, zero, full, random, urandom).
 * Layer: services (safe C). */
#ifndef SVC_DRIVERS_MEM_MEM_H
#define SVC_DRIVERS_MEM_MEM_H

#include "vfs/vfs.h"

/* Register major 1's devices with the VFS (boot). */
int chr_mem_init(void);

#endif
