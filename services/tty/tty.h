/* Terminals: one line discipline (services/tty/ldisc.c) used by the
 * serial console (tty.c) and by pseudo-terminals (pty.c). Layer: services
 * (safe C). A kernel task reads console input and feeds the discipline, so
 * Ctrl-C reaches the foreground process group even when nobody reads;
 * readers, writers and pollers of a terminal wait on its discipline's
 * queue (a pty's master and slave share it). */
#ifndef SVC_TTY_TTY_H
#define SVC_TTY_TTY_H

#include "vfs/vfs.h"
#include <abi/fs.h>

#define LD_RING 3072
#define LD_LINES 64
#define LD_CONSOLE (-1) /* ldisc.out: echo and output go to the serial console */

/* The line discipline state of one terminal: termios, the input ring with
 * canonical lines, the foreground process group and session. */
struct ldisc;
FW_POOL_DECLARE(ldisc, struct ldisc);
struct ldisc {
	struct linux_termios t;
	struct linux_winsize ws;
	uint8_t ring[LD_RING];       /* input ready for readers */
	uint32_t head, len;
	uint16_t line_len[LD_LINES]; /* canonical: lengths of the ready lines (0: EOF) */
	uint32_t lhead, lcount;
	uint32_t line_used;          /* canonical: bytes of the line being edited, at the ring's tail */
	int32_t pgrp, sid;
	int32_t out;                 /* LD_CONSOLE or the pty index whose master reads the output */
	bool hangup;                 /* the other side is gone: reads give EOF */
	struct wq_ref wq;            /* woken on input, output room, hangup, termios */
};

/* Output of a terminal, gathered before it goes to its sink. */
struct out_buf {
	uint8_t b[256];
	uint32_t n;
	int32_t sink; /* LD_CONSOLE or a pty index */
};

/* A new discipline (defaults as Linux's) whose output goes to `out`. */
int ld_create(int32_t out, struct ldisc_ref *r);
void ld_destroy(struct ldisc_ref r);
/* Process input bytes as typed at the terminal (signals, editing, echo). */
void ld_input(struct ldisc_ref l, const uint8_t (*b)[64], uint32_t n);
int64_t ld_read(struct ldisc_ref l, struct file_ref f, struct fw_uaddr buf, uint64_t n);
bool ld_readable(const struct ldisc *ld);
/* Output post-processing (OPOST/ONLCR) of one byte into o. */
void ld_out_char(const struct ldisc *ld, struct out_buf *o, uint8_t c);
void ld_out_flush(struct out_buf *o);
/* Terminal ioctls shared by all terminals (termios, winsize, pgrp...);
 * -ENOIOCTLCMD when cmd is not one of them. */
int64_t ld_ioctl(struct ldisc_ref l, uint64_t cmd, uint64_t arg);
void ld_kill_pgrp(int32_t pgrp, int sig);
#define ENOIOCTLCMD 515

/* Register the console's and the ptys' device numbers (boot). */
int tty_init(void);
int pty_init(void);
/* The serial console. Start its reader (run mode; exec mode keeps the raw stream). */
int tty_start_console(void);
/* Make the console the controlling terminal of a session (pgrp foreground). */
void tty_set_foreground(int32_t pgrp, int32_t sid);

/* Pseudo-terminals: /dev/ptmx (major 5 minor 2) opens a master and creates
 * /dev/pts/N (major 136 minor N); the slave runs the line discipline. */
/* Output of the slave side (and echo) into the master's read buffer;
 * returns the bytes taken. */
uint32_t pty_sink(int32_t idx, const uint8_t (*b)[256], uint32_t n);

#endif
