/* The console line discipline: termios, canonical editing, echo, signal
 * characters, and the reader task. Layer: services (safe C). Trusts the
 * framework's console for bytes and the process table for process groups.
 * State is one global (the serial console); the kernel is uniprocessor and
 * non-preemptive, so the reader task and syscalls never interleave inside
 * a function. */
#include "tty/tty.h"
#include "proc/proc.h"
#include "signal/signal.h"
#include <abi/fs.h>
#include <fw/console.h>
#include <fw/log.h>
#include <fw/time.h>

#define RING 4096
#define LINES 128

struct tty_state {
	bool active;
	struct linux_termios t;
	struct linux_winsize ws;
	uint8_t ring[RING];        /* input ready for readers */
	uint32_t head, len;
	uint16_t line_len[LINES];  /* canonical: lengths of the ready lines (0: EOF) */
	uint32_t lhead, lcount;
	uint32_t line_used;        /* canonical: bytes of the line being edited, at the ring's tail */
	int32_t pgrp, sid;
	uint64_t gen;
	struct fw_task_ref reader;
};
FW_GLOBAL(struct tty_state, tty);

struct out_buf {
	uint8_t b[512];
	uint32_t n;
};

static void out_flush(struct out_buf *o)
{
	if (o->n)
		fw_console_write(&o->b, o->n);
	o->n = 0;
}

static void out_byte(struct out_buf *o, uint8_t c)
{
	if (o->n >= sizeof(o->b))
		out_flush(o);
	o->b[o->n++] = c;
}

/* Output post-processing (OPOST/ONLCR). */
static void out_char(struct out_buf *o, uint8_t c)
{
	struct tty_state *s = tty();
	if ((s->t.c_oflag & OPOST) && (s->t.c_oflag & ONLCR) && c == '\n')
		out_byte(o, '\r');
	out_byte(o, c);
}

static void defaults(struct tty_state *s)
{
	s->t.c_iflag = ICRNL | IXON;
	s->t.c_oflag = OPOST | ONLCR;
	s->t.c_cflag = B38400 | CS8 | CREAD | HUPCL;
	s->t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	uint8_t cc[17] = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0};
	for (uint32_t i = 0; i < 17; i++)
		s->t.c_cc[i] = cc[i];
	s->ws = (struct linux_winsize){24, 80, 0, 0};
}

static void kill_pgrp(int32_t pgrp, int sig)
{
	if (pgrp <= 0)
		return;
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (p && p->pgid == pgrp && p->state == PROC_ALIVE)
			(void)signal_send_proc(proc_by_pid(pid), sig);
	}
}

static void push(struct tty_state *s, uint8_t c)
{
	if (s->len >= RING)
		return;
	s->ring[(s->head + s->len) % RING] = c;
	s->len++;
}

static void commit_line(struct tty_state *s)
{
	if (s->lcount >= LINES)
		return;
	s->line_len[(s->lhead + s->lcount) % LINES] = (uint16_t)s->line_used;
	s->lcount++;
	s->line_used = 0;
}

static void echo_ctl(struct out_buf *o, uint8_t c)
{
	struct tty_state *s = tty();
	if ((s->t.c_lflag & ECHOCTL) && c < 32 && c != '\n' && c != '\t') {
		out_byte(o, '^');
		out_byte(o, (uint8_t)(c + 64));
	} else {
		out_char(o, c);
	}
}

/* Signal characters; true when c was one. */
static bool isig(struct tty_state *s, uint8_t c, struct out_buf *o)
{
	if (!(s->t.c_lflag & ISIG) || c == 0)
		return false;
	int sig = c == s->t.c_cc[VINTR] ? SIGINT : c == s->t.c_cc[VQUIT] ? SIGQUIT : c == s->t.c_cc[VSUSP] ? SIGTSTP : 0;
	if (!sig)
		return false;
	if (s->t.c_lflag & ECHO)
		echo_ctl(o, c);
	if (!(s->t.c_lflag & NOFLSH)) {
		s->len -= s->line_used;
		s->line_used = 0;
	}
	kill_pgrp(s->pgrp, sig);
	return true;
}

static void canon(struct tty_state *s, uint8_t c, struct out_buf *o)
{
	bool echo = (s->t.c_lflag & ECHO) != 0;
	if (c == s->t.c_cc[VERASE] || c == 8) {
		if (s->line_used > 0) {
			s->line_used--;
			s->len--;
			if (echo && (s->t.c_lflag & ECHOE)) {
				out_byte(o, 8);
				out_byte(o, ' ');
				out_byte(o, 8);
			}
		}
		return;
	}
	if (c == s->t.c_cc[VKILL]) {
		while (s->line_used > 0) {
			s->line_used--;
			s->len--;
			if (echo) {
				out_byte(o, 8);
				out_byte(o, ' ');
				out_byte(o, 8);
			}
		}
		return;
	}
	if (c == s->t.c_cc[VEOF]) {
		commit_line(s);
		return;
	}
	if (s->line_used + 1 >= RING - 1 || s->len >= RING) {
		return;
	}
	push(s, c);
	s->line_used++;
	if (echo || (c == '\n' && (s->t.c_lflag & ECHONL)))
		echo_ctl(o, c);
	if (c == '\n' || (c != 0 && (c == s->t.c_cc[VEOL] || c == s->t.c_cc[VEOL2])))
		commit_line(s);
}

static void input_byte(uint8_t c, struct out_buf *o)
{
	struct tty_state *s = tty();
	if (c == '\r' && (s->t.c_iflag & IGNCR))
		return;
	if (c == '\r' && (s->t.c_iflag & ICRNL))
		c = '\n';
	else if (c == '\n' && (s->t.c_iflag & INLCR))
		c = '\r';
	if (isig(s, c, o))
		return;
	if (s->t.c_lflag & ICANON) {
		canon(s, c, o);
		return;
	}
	push(s, c);
	if (s->t.c_lflag & ECHO)
		echo_ctl(o, c);
}

struct in_chunk {
	uint8_t b[64];
};

static void reader(uint64_t unused)
{
	struct in_chunk c;
	struct out_buf o = {0};
	for (;;) {
		int n = fw_console_read(&c.b, sizeof(c.b), false);
		if (n <= 0)
			continue;
		for (int i = 0; i < n; i++)
			input_byte(c.b[i], &o);
		out_flush(&o);
		tty()->gen++;
		vfs_io_wake();
	}
}

int tty_start_console(void)
{
	struct tty_state *s = tty();
	defaults(s);
	s->active = true;
	return fw_task_create_kernel(reader, 0, &s->reader);
}

bool tty_console_active(void) { return tty()->active; }

void tty_set_foreground(int32_t pgrp, int32_t sid)
{
	tty()->pgrp = pgrp;
	tty()->sid = sid;
}

/* Bytes a reader may take now (canonical: the first complete line). */
static bool readable(struct tty_state *s)
{
	if (s->t.c_lflag & ICANON)
		return s->lcount > 0;
	return s->len - s->line_used > 0;
}

static int64_t take(struct tty_state *s, struct fw_uaddr buf, uint64_t n)
{
	uint64_t avail = s->len - s->line_used;
	bool canon_mode = (s->t.c_lflag & ICANON) != 0;
	if (canon_mode)
		avail = s->line_len[s->lhead];
	uint32_t k = (uint32_t)FW_MIN(n, avail);
	struct in_chunk c;
	uint32_t done = 0;
	while (done < k) {
		uint32_t m = FW_MIN(k - done, (uint32_t)sizeof(c.b));
		for (uint32_t i = 0; i < m; i++)
			c.b[i] = s->ring[(s->head + done + i) % RING];
		if (fw_copy_to_user_n(fw_uaddr_add(buf, done), &c.b, m))
			return done ? (int64_t)done : -EFAULT;
		done += m;
	}
	s->head = (s->head + k) % RING;
	s->len -= k;
	if (canon_mode) {
		s->line_len[s->lhead] = (uint16_t)(s->line_len[s->lhead] - k);
		if (s->line_len[s->lhead] == 0 || avail == 0) {
			s->lhead = (s->lhead + 1) % LINES;
			s->lcount--;
		}
	}
	return k;
}

int64_t tty_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	if (n == 0)
		return 0;
	uint64_t deadline = 0;
	for (;;) {
		struct tty_state *s = tty();
		fp = file_get(f);
		if (!fp)
			return -EBADF;
		bool canon_mode = (s->t.c_lflag & ICANON) != 0;
		if (readable(s))
			return take(s, buf, n);
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (!canon_mode && s->t.c_cc[VMIN] == 0) {
			if (s->t.c_cc[VTIME] == 0)
				return 0;
			if (!deadline)
				deadline = fw_time_monotonic_ns() + (uint64_t)s->t.c_cc[VTIME] * 100000000ULL;
		}
		int e = vfs_io_wait(deadline);
		if (e == -EINTR)
			return -ERESTARTSYS;
		if (e == -ETIMEDOUT && !readable(tty()))
			return 0;
	}
}

int64_t tty_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	struct in_chunk c;
	struct out_buf o = {0};
	uint64_t done = 0;
	while (done < n) {
		uint32_t k = (uint32_t)FW_MIN(n - done, sizeof(c.b));
		if (fw_copy_from_user_n(&c.b, fw_uaddr_add(buf, done), k)) {
			out_flush(&o);
			return done ? (int64_t)done : -EFAULT;
		}
		for (uint32_t i = 0; i < k; i++)
			out_char(&o, c.b[i]);
		done += k;
	}
	out_flush(&o);
	return (int64_t)done;
}

static int64_t set_termios(uint64_t cmd, uint64_t arg)
{
	struct linux_termios t;
	if (fw_copy_from_user(&t, fw_uaddr(arg)))
		return -EFAULT;
	struct tty_state *s = tty();
	bool was_canon = (s->t.c_lflag & ICANON) != 0;
	s->t = t;
	if (cmd == TCSETSF) {
		s->head = s->len = s->line_used = 0;
		s->lhead = s->lcount = 0;
	}
	if (was_canon && !(t.c_lflag & ICANON)) {
		/* the partial line becomes readable input */
		s->line_used = 0;
		s->lcount = 0;
		s->lhead = 0;
	}
	s->gen++;
	vfs_io_wake();
	return 0;
}

int64_t tty_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	struct tty_state *s = tty();
	switch (cmd) {
	case TCGETS:
		return fw_copy_to_user(fw_uaddr(arg), &s->t) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(cmd, arg);
	case TIOCGWINSZ:
		return fw_copy_to_user(fw_uaddr(arg), &s->ws) ? -EFAULT : 0;
	case TIOCSWINSZ: {
		struct linux_winsize ws;
		if (fw_copy_from_user(&ws, fw_uaddr(arg)))
			return -EFAULT;
		s->ws = ws;
		kill_pgrp(s->pgrp, SIGWINCH);
		return 0;
	}
	case TIOCGPGRP: {
		int32_t pg = s->pgrp ? s->pgrp : cur_proc()->pgid;
		return fw_copy_to_user(fw_uaddr(arg), &pg) ? -EFAULT : 0;
	}
	case TIOCSPGRP: {
		int32_t pg;
		if (fw_copy_from_user(&pg, fw_uaddr(arg)))
			return -EFAULT;
		if (pg <= 0)
			return -EINVAL;
		s->pgrp = pg;
		return 0;
	}
	case TIOCGSID: {
		int32_t sid = s->sid ? s->sid : cur_proc()->sid;
		return fw_copy_to_user(fw_uaddr(arg), &sid) ? -EFAULT : 0;
	}
	case TIOCSCTTY:
		s->sid = cur_proc()->sid;
		s->pgrp = cur_proc()->pgid;
		return 0;
	case TIOCNOTTY:
		return 0;
	case FIONREAD: {
		int32_t n = (int32_t)(s->len - s->line_used);
		return fw_copy_to_user(fw_uaddr(arg), &n) ? -EFAULT : 0;
	}
	case TCFLSH:
		if (arg == 0 || arg == 2) {
			s->head = s->len = s->line_used = 0;
			s->lhead = s->lcount = 0;
		}
		return 0;
	case TCXONC:
	case TCSBRK:
		return 0;
	default:
		return -ENOTTY;
	}
}

uint32_t tty_poll(struct file_ref f, struct file *fp, uint64_t *gen)
{
	struct tty_state *s = tty();
	*gen = s->gen;
	return POLLOUT | POLLWRNORM | (readable(s) ? POLLIN | POLLRDNORM : 0);
}
