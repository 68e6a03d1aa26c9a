/* /proc/sys text (sysctl.c), for the generator (procgen.c). Layer:
 * services (safe C). */
#ifndef SVC_FS_PROCFS_SYSCTL_H
#define SVC_FS_PROCFS_SYSCTL_H

#include "fs/procfs/ptext.h"

/* A knob's value and a newline. */
void sysctl_show(struct ptext *t, uint32_t knob);

#endif
