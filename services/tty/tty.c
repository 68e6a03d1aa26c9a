/* The serial console terminal: a reader task feeding console input to the
 * line discipline (services/tty/ldisc.c) and the console's file
 * operations. Layer: services (safe C). Trusts the framework console for
 * bytes. */
#include "tty/tty.h"
#include <abi/fs.h>
#include <fw/console.h>
#include <fw/task.h>

struct tty_state {
	bool active;
	struct ldisc_ref ld;
	struct fw_task_ref reader;
};
FW_GLOBAL(struct tty_state, tty);

struct in_chunk {
	uint8_t b[64];
};

static void reader(uint64_t unused)
{
	struct in_chunk c;
	for (;;) {
		int n = fw_console_read(&c.b, sizeof(c.b), false);
		if (n > 0)
			ld_input(tty()->ld, &c.b, (uint32_t)n);
	}
}

/* The console's discipline, made on first use (init sets the foreground
 * group before it starts the reader). */
static struct ldisc *console_ld(void)
{
	struct tty_state *s = tty();
	if (!ldisc_ref_valid(s->ld) && ld_create(LD_CONSOLE, &s->ld))
		return NULL;
	return ldisc_get(s->ld);
}

int tty_start_console(void)
{
	if (!console_ld())
		return -ENOMEM;
	struct tty_state *s = tty();
	s->active = true;
	return fw_task_create_kernel(reader, 0, &s->reader);
}

bool tty_console_active(void) { return tty()->active; }

void tty_set_foreground(int32_t pgrp, int32_t sid)
{
	struct ldisc *ld = console_ld();
	if (ld) {
		ld->pgrp = pgrp;
		ld->sid = sid;
	}
}

int64_t tty_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	return ld_read(tty()->ld, f, buf, n);
}

int64_t tty_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	struct in_chunk c;
	struct out_buf o = {.n = 0, .sink = LD_CONSOLE};
	uint64_t done = 0;
	while (done < n) {
		uint32_t k = (uint32_t)FW_MIN(n - done, sizeof(c.b));
		if (fw_copy_from_user_n(&c.b, fw_uaddr_add(buf, done), k))
			break;
		struct ldisc *ld = ldisc_get(tty()->ld);
		for (uint32_t i = 0; i < k && ld; i++)
			ld_out_char(ld, &o, c.b[i]);
		done += k;
	}
	ld_out_flush(&o);
	return done || n == 0 ? (int64_t)done : -EFAULT;
}

int64_t tty_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	int64_t r = ld_ioctl(tty()->ld, cmd, arg);
	return r == -ENOIOCTLCMD ? -ENOTTY : r;
}

uint32_t tty_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	struct ldisc *s = ldisc_get(tty()->ld);
	if (!s)
		return POLLOUT | POLLWRNORM;
	poll_wait(pt, s->wq);
	return POLLOUT | POLLWRNORM | (ld_readable(s) ? POLLIN | POLLRDNORM : 0);
}
