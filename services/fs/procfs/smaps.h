/* /proc/<pid>/smaps, smaps_rollup and coredump_filter (smaps.c), for the
 * generator (procgen.c). Layer: services (safe C). */
#ifndef SVC_FS_PROCFS_SMAPS_H
#define SVC_FS_PROCFS_SMAPS_H

#include "fs/procfs/ptext.h"
#include "mm/mm.h"
#include "proc/proc.h"

/* One line of /proc/<pid>/maps for area v of m (procgen.c). */
void procgen_maps_line(struct ptext *t, const struct mm *m, const struct vma *v, struct kpath_ref pr);
/* smaps (every area with its memory figures) or smaps_rollup (the sums). */
void procgen_smaps(struct ptext *t, struct proc *p, bool rollup);
/* The process's core dump filter (Linux's default 0x33). */
uint32_t procgen_coredump_filter(const struct proc *p);
/* Set it from written text (a number in C's bases; bits above the nine
 * Linux knows are dropped): 0, -EINVAL. */
int procgen_set_coredump_filter(struct proc *p, const struct kchunk *c, uint32_t n);

#endif
