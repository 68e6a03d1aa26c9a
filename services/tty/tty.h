/* The terminal: a line discipline on the serial console. Layer: services
 * (safe C). A kernel task reads console input and feeds the discipline, so
 * Ctrl-C reaches the foreground process group even when nobody reads;
 * readers and pollers wait on the VFS I/O wait queue. */
#ifndef SVC_TTY_TTY_H
#define SVC_TTY_TTY_H

#include "vfs/vfs.h"

/* Start the console reader (run mode; exec mode keeps the raw stream). */
int tty_start_console(void);
bool tty_console_active(void);

int64_t tty_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t tty_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t tty_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg);
uint32_t tty_poll(struct file_ref f, struct file *fp, uint64_t *gen);
/* Make the console the controlling terminal of a session (pgrp foreground). */
void tty_set_foreground(int32_t pgrp, int32_t sid);

#endif
