/* The serial console terminal: a reader task feeding console input to the
 * line discipline (services/tty/ldisc.c) and the file operations of the
 * console's device nodes (/dev/tty, /dev/console, /dev/ttyS0), and of
 * /dev/keel-out, the raw output stream of `keel exec`. Layer: services
 * (safe C). Trusts the framework console for bytes. Until the reader
 * starts (run mode), the console is a plain byte stream to the serial line
 * (exec mode keeps it that way). */
#include "tty/tty.h"
#include <abi/fs.h>
#include <fw/console.h>
#include <fw/task.h>

#define TTY_MAJOR 5
#define TTYS_MAJOR 4
#define KEEL_OUT_MAJOR 240

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

void tty_set_foreground(int32_t pgrp, int32_t sid)
{
	struct ldisc *ld = console_ld();
	if (ld) {
		ld->pgrp = pgrp;
		ld->sid = sid;
	}
}

/* ---- the raw byte stream (before the reader starts, and keel-out) ---- */

struct chunk {
	uint8_t b[512];
};

static int64_t raw_write(struct fw_uaddr buf, uint64_t n)
{
	struct chunk c;
	uint64_t done = 0;
	while (done < n) {
		uint64_t k = FW_MIN(n - done, sizeof(c.b));
		if (fw_copy_from_user_n(&c.b, fw_uaddr_add(buf, done), k))
			return done ? (int64_t)done : -EFAULT;
		fw_console_write(&c.b, k);
		done += k;
	}
	return (int64_t)done;
}

static int64_t raw_read(struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	struct chunk c;
	if (n == 0)
		return 0;
	int r = fw_console_read(&c.b, FW_MIN(n, sizeof(c.b)), (fp->flags & O_NONBLOCK) != 0);
	if (r < 0)
		return r == -EINTR ? -ERESTARTSYS : r;
	if (fw_copy_to_user_n(buf, &c.b, (uint64_t)r))
		return -EFAULT;
	return r;
}

/* ---- the console terminal ---- */

static int64_t console_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	if (!tty()->active)
		return raw_read(fp, buf, n);
	return ld_read(tty()->ld, f, buf, n);
}

static int64_t console_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	if (!tty()->active)
		return raw_write(buf, n);
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

static int64_t console_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	if (tty()->active) {
		int64_t r = ld_ioctl(tty()->ld, cmd, arg);
		return r == -ENOIOCTLCMD ? -ENOTTY : r;
	}
	if (cmd == TIOCGWINSZ) {
		struct linux_winsize ws = {24, 80, 0, 0};
		return fw_copy_to_user(fw_uaddr(arg), &ws) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static uint32_t console_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	if (!tty()->active) {
		if (fw_console_pending() == 0)
			return POLLOUT | POLLWRNORM;
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	}
	struct ldisc *s = ldisc_get(tty()->ld);
	if (!s)
		return POLLOUT | POLLWRNORM;
	poll_wait(pt, s->wq);
	return POLLOUT | POLLWRNORM | (ld_readable(s) ? POLLIN | POLLRDNORM : 0);
}

/* Character devices do not seek: Keel reports offset 0. */
static int64_t no_seek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence) { return 0; }

static const struct file_ops console_ops = {
	.name = "tty",
	.flags = FOP_PREAD | FOP_FASYNC,
	.read = console_read,
	.write = console_write,
	.llseek = no_seek,
	.poll = console_poll,
	.ioctl = console_ioctl,
};

/* ---- keel-out: output only, never a terminal ---- */

static int64_t out_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos) { return 0; }

static int64_t out_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	return raw_write(buf, n);
}

static const struct file_ops keel_out_ops = {
	.name = "keel-out",
	.flags = FOP_PREAD,
	.read = out_read,
	.write = out_write,
	.llseek = no_seek,
};

int tty_init(void)
{
	uint32_t con, out;
	int e = file_ops_register(&console_ops, &con);
	if (e == 0)
		e = file_ops_register(&keel_out_ops, &out);
	if (e == 0)
		e = dev_register(S_IFCHR, TTY_MAJOR, 0, 2, con); /* /dev/tty, /dev/console */
	if (e == 0)
		e = dev_register(S_IFCHR, TTYS_MAJOR, 64, 1, con); /* /dev/ttyS0 */
	if (e == 0)
		e = dev_register(S_IFCHR, KEEL_OUT_MAJOR, 0, 1, out);
	if (e == 0)
		e = pty_init();
	return e;
}
