/* Boot-time services: the initramfs, device nodes, the first process.
 * Layer: services (safe C). */
#ifndef SVC_INIT_INIT_H
#define SVC_INIT_INIT_H

#include "exec/exec.h"

int initramfs_unpack(void);
/* The root tmpfs (before the initramfs), then /dev, /dev/pts, /dev/shm,
 * /tmp and /proc (after it). */
int root_mount(void);
int boot_mounts(void);
/* keel.root=vdX: that disk's ext2 becomes /, the initramfs /initrd. */
bool root_switch(void);
int boot_remount(void);
/* Probe device drivers (virtio-blk) and create their /dev nodes. */
int drivers_start(void);
/* Hand the framework the services' upcalls (once, first thing at boot). */
int upcalls_register(void);
/* Run the boot program in the current (first) thread. */
void boot_exec_current(struct fw_uregs *regs);

#endif
