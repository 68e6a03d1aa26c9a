/* The line discipline shared by the console and the pty slaves: termios,
 * canonical editing, echo, signal characters, blocking reads and the
 * common terminal ioctls. Layer: services (safe C). Trusts the process
 * table for process groups and the framework console / pty.c for output.
 * The kernel is uniprocessor and non-preemptive, so input processing and
 * syscalls never interleave inside a function; borrowed pointers are
 * re-fetched after every wait. */
#include "tty/tty.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include <abi/fs.h>
#include <fw/console.h>
#include <fw/time.h>

FW_POOL_DEFINE(ldisc, struct ldisc);

void ld_out_flush(struct out_buf *o)
{
	if (o->n && o->sink == LD_CONSOLE)
		fw_console_write(&o->b, o->n);
	else if (o->n)
		(void)pty_sink(o->sink, &o->b, o->n);
	o->n = 0;
}

static void out_byte(struct out_buf *o, uint8_t c)
{
	if (o->n >= sizeof(o->b))
		ld_out_flush(o);
	o->b[o->n++] = c;
}

void ld_out_char(const struct ldisc *ld, struct out_buf *o, uint8_t c)
{
	if ((ld->t.c_oflag & OPOST) && (ld->t.c_oflag & ONLCR) && c == '\n')
		out_byte(o, '\r');
	out_byte(o, c);
}

static void ld_init(struct ldisc *ld, int32_t out)
{
	ld->t.c_iflag = ICRNL | IXON;
	ld->t.c_oflag = OPOST | ONLCR;
	ld->t.c_cflag = B38400 | CS8 | CREAD | HUPCL;
	ld->t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	uint8_t cc[17] = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0};
	for (uint32_t i = 0; i < 17; i++)
		ld->t.c_cc[i] = cc[i];
	ld->ws = (struct linux_winsize){24, 80, 0, 0};
	ld->out = out;
}

int ld_create(int32_t out, struct ldisc_ref *r)
{
	if (ldisc_alloc(r))
		return -ENOMEM;
	struct ldisc *ld = ldisc_get(*r);
	ld_init(ld, out);
	if (wq_create(&ld->wq)) {
		ldisc_free(*r);
		return -ENOMEM;
	}
	return 0;
}

void ld_destroy(struct ldisc_ref r)
{
	struct ldisc *ld = ldisc_get(r);
	if (!ld)
		return;
	struct wq_ref wq = ld->wq;
	ldisc_free(r);
	wq_destroy(wq);
}

void ld_kill_pgrp(int32_t pgrp, int sig)
{
	if (pgrp <= 0)
		return;
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (p && p->pgid == pgrp && p->state == PROC_ALIVE)
			(void)signal_send_proc(proc_by_pid(pid), sig);
	}
}

static void push(struct ldisc *s, uint8_t c)
{
	if (s->len >= LD_RING)
		return;
	s->ring[(s->head + s->len) % LD_RING] = c;
	s->len++;
}

static void commit_line(struct ldisc *s)
{
	if (s->lcount >= LD_LINES)
		return;
	s->line_len[(s->lhead + s->lcount) % LD_LINES] = (uint16_t)s->line_used;
	s->lcount++;
	s->line_used = 0;
}

static void echo_ctl(const struct ldisc *s, struct out_buf *o, uint8_t c)
{
	if ((s->t.c_lflag & ECHOCTL) && c < 32 && c != '\n' && c != '\t') {
		out_byte(o, '^');
		out_byte(o, (uint8_t)(c + 64));
	} else {
		ld_out_char(s, o, c);
	}
}

/* Signal characters; true when c was one. */
static bool isig(struct ldisc *s, uint8_t c, struct out_buf *o)
{
	if (!(s->t.c_lflag & ISIG) || c == 0)
		return false;
	int sig = c == s->t.c_cc[VINTR] ? SIGINT : c == s->t.c_cc[VQUIT] ? SIGQUIT : c == s->t.c_cc[VSUSP] ? SIGTSTP : 0;
	if (!sig)
		return false;
	if (!(s->t.c_lflag & NOFLSH)) {
		s->head = s->len = s->line_used = 0;
		s->lhead = s->lcount = 0;
	}
	if (s->t.c_lflag & ECHO)
		echo_ctl(s, o, c);
	ld_kill_pgrp(s->pgrp, sig);
	return true;
}

static void erase_one(struct ldisc *s, struct out_buf *o, bool echo)
{
	s->line_used--;
	s->len--;
	if (echo) {
		out_byte(o, 8);
		out_byte(o, ' ');
		out_byte(o, 8);
	}
}

static void canon(struct ldisc *s, uint8_t c, struct out_buf *o)
{
	bool echo = (s->t.c_lflag & ECHO) != 0;
	if (c == s->t.c_cc[VERASE] || c == 8) {
		if (s->line_used > 0)
			erase_one(s, o, echo && (s->t.c_lflag & ECHOE));
		return;
	}
	if (c == s->t.c_cc[VKILL]) {
		while (s->line_used > 0)
			erase_one(s, o, echo);
		return;
	}
	if (c == s->t.c_cc[VEOF]) {
		commit_line(s);
		return;
	}
	if (s->line_used + 1 >= LD_RING - 1 || s->len >= LD_RING)
		return;
	push(s, c);
	s->line_used++;
	if (echo || (c == '\n' && (s->t.c_lflag & ECHONL)))
		echo_ctl(s, o, c);
	if (c == '\n' || (c != 0 && (c == s->t.c_cc[VEOL] || c == s->t.c_cc[VEOL2])))
		commit_line(s);
}

static void input_byte(struct ldisc *s, uint8_t c, struct out_buf *o)
{
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
		echo_ctl(s, o, c);
}

void ld_input(struct ldisc_ref l, const uint8_t (*b)[64], uint32_t n)
{
	struct ldisc *s = ldisc_get(l);
	if (!s)
		return;
	struct out_buf o = {.n = 0, .sink = s->out};
	for (uint32_t i = 0; i < n && i < 64; i++)
		input_byte(s, (*b)[i], &o);
	ld_out_flush(&o);
	s = ldisc_get(l);
	if (s)
		wq_wake(s->wq);
}

/* Bytes a reader may take now (canonical: the first complete line). */
bool ld_readable(const struct ldisc *s)
{
	if (s->t.c_lflag & ICANON)
		return s->lcount > 0;
	return s->len - s->line_used > 0;
}

struct in_chunk {
	uint8_t b[64];
};

static int64_t take(struct ldisc *s, struct fw_uaddr buf, uint64_t n)
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
			c.b[i] = s->ring[(s->head + done + i) % LD_RING];
		if (fw_copy_to_user_n(fw_uaddr_add(buf, done), &c.b, m))
			return done ? (int64_t)done : -EFAULT;
		done += m;
	}
	s->head = (s->head + k) % LD_RING;
	s->len -= k;
	if (canon_mode) {
		s->line_len[s->lhead] = (uint16_t)(s->line_len[s->lhead] - k);
		if (s->line_len[s->lhead] == 0 || avail == 0) {
			s->lhead = (s->lhead + 1) % LD_LINES;
			s->lcount--;
		}
	}
	wq_wake(s->wq);
	return k;
}

/* Job control: a background process group reading its controlling
 * terminal gets SIGTTIN (-EIO when it ignores or blocks it), as in Linux's
 * __tty_check_change. The terminal is the caller's controlling terminal
 * when it belongs to the caller's session. */
static int64_t background_read(const struct ldisc *s)
{
	struct proc *p = cur_proc();
	if (!p || s->sid == 0 || s->sid != p->sid || s->pgrp == 0 || s->pgrp == p->pgid)
		return 0;
	struct thread *t = cur_thread();
	if (p->sigact[SIGTTIN - 1].handler == SIG_IGN || (t && (t->sig_mask & sig_bit(SIGTTIN))))
		return -EIO;
	ld_kill_pgrp(p->pgid, SIGTTIN);
	return -ERESTARTSYS;
}

int64_t ld_read(struct ldisc_ref l, struct file_ref f, struct fw_uaddr buf, uint64_t n)
{
	if (n == 0)
		return 0;

	uint64_t deadline = 0;
	for (;;) {
		struct ldisc *s = ldisc_get(l);
		struct file *fp = file_get(f);
		if (!fp || !s)
			return -EBADF;
		int64_t bg = background_read(s);
		if (bg)
			return bg;
		bool canon_mode = (s->t.c_lflag & ICANON) != 0;
		if (ld_readable(s))
			return take(s, buf, n);
		if (s->hangup)
			return 0;
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (!canon_mode && s->t.c_cc[VMIN] == 0) {
			if (s->t.c_cc[VTIME] == 0)
				return 0;
			if (!deadline)
				deadline = fw_time_monotonic_ns() + (uint64_t)s->t.c_cc[VTIME] * 100000000ULL;
		}
		int e = wq_wait(s->wq, deadline);
		if (e == -EINTR)
			return -ERESTARTSYS;
		s = ldisc_get(l);
		if (e == -ETIMEDOUT && s && !ld_readable(s))
			return 0;
	}
}

static int64_t set_termios(struct ldisc *s, uint64_t cmd, uint64_t arg)
{
	struct linux_termios t;
	if (fw_copy_from_user(&t, fw_uaddr(arg)))
		return -EFAULT;
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
	wq_wake(s->wq);
	return 0;
}

static int64_t put_i32(uint64_t arg, int32_t v) { return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0; }

int64_t ld_ioctl(struct ldisc_ref l, uint64_t cmd, uint64_t arg)
{
	struct ldisc *s = ldisc_get(l);
	if (!s)
		return -EIO;
	switch (cmd) {
	case TCGETS:
		return fw_copy_to_user(fw_uaddr(arg), &s->t) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(s, cmd, arg);
	case TIOCGWINSZ:
		return fw_copy_to_user(fw_uaddr(arg), &s->ws) ? -EFAULT : 0;
	case TIOCSWINSZ: {
		struct linux_winsize ws;
		if (fw_copy_from_user(&ws, fw_uaddr(arg)))
			return -EFAULT;
		s->ws = ws;
		ld_kill_pgrp(s->pgrp, SIGWINCH);
		return 0;
	}
	case TIOCGPGRP:
		return put_i32(arg, s->pgrp ? s->pgrp : cur_proc()->pgid);
	case TIOCSPGRP: {
		int32_t pg;
		if (fw_copy_from_user(&pg, fw_uaddr(arg)))
			return -EFAULT;
		if (pg <= 0)
			return -EINVAL;
		s->pgrp = pg;
		return 0;
	}
	case TIOCGSID:
		return put_i32(arg, s->sid ? s->sid : cur_proc()->sid);
	case TIOCSCTTY:
		s->sid = cur_proc()->sid;
		s->pgrp = cur_proc()->pgid;
		return 0;
	case TIOCNOTTY:
		return 0;
	case FIONREAD:
		return put_i32(arg, (int32_t)(s->len - s->line_used));
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
		return -ENOIOCTLCMD;
	}
}
