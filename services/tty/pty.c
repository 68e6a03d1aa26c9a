/* Pseudo-terminals. Opening /dev/ptmx allocates a pty and creates its
 * slave node /dev/pts/N; the slave runs the shared line discipline
 * (ldisc.c), whose output and echo land in the master's read buffer, and
 * bytes written to the master are the slave's typed input. Layer:
 * services (safe C). Trusts the VFS for the /dev/pts nodes. Semantics
 * follow Linux: a new pty is locked until TIOCSPTLCK(0); the node goes
 * away when the master closes, after which slave reads give EOF and
 * writes -EIO; once every slave file closed, master reads give -EIO. */
#include "tty/tty.h"
#include "fs/devpts/devpts.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include <abi/fs.h>

#define PTY_MAX 32
#define PTY_OUT 3584
#define TIOCGPTLCK 0x80045439
#define TIOCGPTPEER 0x5441
#define TIOCPKT 0x5420

struct pty;
FW_POOL_REF(pty);
struct pty {
	struct ldisc_ref ld;
	uint8_t out[PTY_OUT];        /* slave output, read by the master */
	uint32_t ohead, olen;
	int32_t index;
	bool locked, master_open, slave_opened;
	uint32_t slave_files;
	struct inode_ref node;       /* /dev/pts/N while the master is open */
};
FW_POOL_PRIVATE(pty, struct pty);

struct pty_table {
	struct pty_ref slot[PTY_MAX];
};
FW_GLOBAL(struct pty_table, pty_table);

static struct pty_ref by_index(int32_t idx)
{
	struct pty_ref none = {0};
	if (idx < 0 || idx >= PTY_MAX)
		return none;
	return pty_table()->slot[idx];
}

#define TTY_MAJOR 5
#define PTMX_MINOR 2
#define PTS_MAJOR 136

/* The pty a master file opened (it remembers the index + 1). */
static struct pty_ref master_pty(const struct file *fp) { return by_index((int32_t)fp->priv_u32 - 1); }

/* The pty a slave file belongs to: its node's minor. */
static struct pty_ref slave_pty(const struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	return ip ? by_index((int32_t)dev_minor(ip->rdev)) : (struct pty_ref){0};
}

/* Master and slave wait on the discipline's queue. */
static void changed(struct pty *p)
{
	struct ldisc *ld = ldisc_get(p->ld);
	if (ld)
		wq_wake(ld->wq);
}

static int wait_change(struct pty *p)
{
	struct ldisc *ld = ldisc_get(p->ld);
	return ld ? wq_wait(ld->wq, 0) : 0;
}

uint32_t pty_sink(int32_t idx, const uint8_t (*b)[256], uint32_t n)
{
	struct pty *p = pty_get(by_index(idx));
	if (!p)
		return n;
	uint32_t k = 0;
	while (k < n && k < 256 && p->olen < PTY_OUT) {
		p->out[(p->ohead + p->olen) % PTY_OUT] = (*b)[k];
		p->olen++;
		k++;
	}
	changed(p);
	return k;
}

/* ---- /dev/pts nodes ---- */

static int node_create(struct pty_ref r, int32_t idx)
{
	struct inode_ref ino;
	int e = devpts_add((uint32_t)idx, dev_make(PTS_MAJOR, (uint32_t)idx), cur_proc()->euid, &ino);
	if (e == 0)
		pty_get(r)->node = ino;
	return e;
}

static void node_remove(int32_t idx) { devpts_remove((uint32_t)idx); }

/* ---- open and close ---- */

static int master_open(struct file_ref f, struct file *fp)
{
	int32_t idx = 0;
	while (idx < PTY_MAX && pty_ref_valid(pty_table()->slot[idx]))
		idx++;
	if (idx >= PTY_MAX)
		return -ENOSPC;
	struct pty_ref r;
	if (pty_alloc(&r))
		return -ENOMEM;
	struct pty *p = pty_get(r);
	if (ld_create(idx, &p->ld)) {
		pty_free(r);
		return -ENOMEM;
	}
	p->index = idx;
	p->locked = true;
	p->master_open = true;
	pty_table()->slot[idx] = r;
	int e = node_create(r, idx);
	if (e) {
		ld_destroy(pty_get(r)->ld);
		pty_free(r);
		pty_table()->slot[idx] = (struct pty_ref){0};
		return e;
	}
	fp->priv_u32 = (uint32_t)idx + 1;
	return 0;
}

static int slave_open(struct file_ref f, struct file *fp)
{
	struct pty *p = pty_get(slave_pty(fp));
	if (!p || !p->master_open)
		return -EIO;
	if (p->locked)
		return -EIO;
	p->slave_files++;
	p->slave_opened = true;
	return 0;
}

static void maybe_free(struct pty_ref r)
{
	struct pty *p = pty_get(r);
	if (!p || p->master_open || p->slave_files)
		return;
	pty_table()->slot[p->index] = (struct pty_ref){0};
	ld_destroy(p->ld);
	pty_free(r);
}

static void master_release(struct file_ref f, struct file *fp)
{
	struct pty_ref r = master_pty(fp);
	struct pty *p = pty_get(r);
	if (!p)
		return;
	p->master_open = false;
	struct ldisc *ld = ldisc_get(p->ld);
	if (ld) {
		ld->hangup = true;
		ld_kill_pgrp(ld->pgrp, SIGHUP);
	}
	node_remove(p->index);
	p = pty_get(r);
	if (p)
		changed(p);
	maybe_free(r);
}

static void slave_release(struct file_ref f, struct file *fp)
{
	struct pty_ref r = slave_pty(fp);
	struct pty *p = pty_get(r);
	if (!p)
		return;
	if (p->slave_files > 0)
		p->slave_files--;
	changed(p);
	maybe_free(r);
}

/* ---- master side ---- */

struct chunk64 {
	uint8_t b[64];
};

static int64_t master_read(struct file_ref f, struct file *fp0, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct pty_ref r = master_pty(fp0);
	for (;;) {
		struct pty *p = pty_get(r);
		struct file *fp = file_get(f);
		if (!p || !fp)
			return -EIO;
		if (p->olen > 0) {
			struct chunk64 c;
			uint32_t k = (uint32_t)FW_MIN(FW_MIN(n, (uint64_t)p->olen), sizeof(c.b));
			for (uint32_t i = 0; i < k; i++)
				c.b[i] = p->out[(p->ohead + i) % PTY_OUT];
			if (fw_copy_to_user_n(buf, &c.b, k))
				return -EFAULT;
			p->ohead = (p->ohead + k) % PTY_OUT;
			p->olen -= k;
			changed(p);
			return k;
		}
		if (p->slave_opened && p->slave_files == 0)
			return -EIO;
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_change(p) == -EINTR)
			return -ERESTARTSYS;
	}
}

static int64_t master_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct pty_ref r = master_pty(fp);
	struct chunk64 c;
	uint64_t done = 0;
	while (done < n) {
		uint32_t k = (uint32_t)FW_MIN(n - done, sizeof(c.b));
		if (fw_copy_from_user_n(&c.b, fw_uaddr_add(buf, done), k))
			return done ? (int64_t)done : -EFAULT;
		struct pty *p = pty_get(r);
		if (!p)
			return -EIO;
		ld_input(p->ld, &c.b, k);
		done += k;
	}
	return (int64_t)done;
}

/* ---- slave side ---- */

static int64_t slave_write(struct file_ref f, struct file *fp0, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct pty_ref r = slave_pty(fp0);
	struct chunk64 c;
	uint64_t done = 0;
	while (done < n) {
		struct pty *p = pty_get(r);
		struct file *fp = file_get(f);
		if (!p || !fp || !p->master_open)
			return done ? (int64_t)done : -EIO;
		uint32_t room = (PTY_OUT - p->olen) / 2; /* ONLCR may double each byte */
		if (room == 0) {
			if (done || (fp->flags & O_NONBLOCK))
				return done ? (int64_t)done : -EAGAIN;
			if (wait_change(p) == -EINTR)
				return -ERESTARTSYS;
			continue;
		}
		uint32_t k = (uint32_t)FW_MIN(FW_MIN(n - done, sizeof(c.b)), (uint64_t)room);
		if (fw_copy_from_user_n(&c.b, fw_uaddr_add(buf, done), k))
			return done ? (int64_t)done : -EFAULT;
		p = pty_get(r);
		struct ldisc *ld = p ? ldisc_get(p->ld) : NULL;
		if (!ld)
			return -EIO;
		struct out_buf o = {.n = 0, .sink = p->index};
		for (uint32_t i = 0; i < k; i++)
			ld_out_char(ld, &o, c.b[i]);
		ld_out_flush(&o);
		done += k;
	}
	return (int64_t)done;
}

static int64_t slave_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct pty *p = pty_get(slave_pty(fp));
	return p ? ld_read(p->ld, f, buf, n) : 0;
}

/* TIOCGPTPEER: open the slave without a path lookup (glibc openpty). */
static int64_t open_peer(struct inode_ref node, uint64_t flags)
{
	if (flags & ~(uint64_t)(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	struct file_ref f;
	int e = file_open_inode(node, (uint32_t)flags, &f);
	if (e)
		return e;
	int fd = fd_install(cur_proc()->files, f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		file_drop(f);
	return fd;
}

static int64_t master_ioctl(struct pty *p, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case TIOCGPTN: {
		uint32_t v = (uint32_t)p->index;
		return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
	}
	case TIOCSPTLCK: {
		int32_t v;
		if (fw_copy_from_user(&v, fw_uaddr(arg)))
			return -EFAULT;
		p->locked = v != 0;
		return 0;
	}
	case TIOCGPTLCK: {
		int32_t v = p->locked;
		return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
	}
	case FIONREAD: {
		int32_t v = (int32_t)p->olen;
		return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
	}
	case TIOCGPTPEER:
		return open_peer(p->node, arg);
	case TIOCPKT:
		return -EINVAL;
	case TIOCSCTTY:
		return -EINVAL;
	default:
		return -ENOIOCTLCMD;
	}
}

static int64_t master_ioctl_op(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	struct pty *p = pty_get(master_pty(fp));
	if (!p)
		return -EIO;
	int64_t r = master_ioctl(p, cmd, arg);
	if (r != -ENOIOCTLCMD)
		return r;
	r = ld_ioctl(p->ld, cmd, arg);
	return r == -ENOIOCTLCMD ? -ENOTTY : r;
}

static int64_t slave_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	struct pty *p = pty_get(slave_pty(fp));
	if (!p)
		return -EIO;
	if (cmd == TIOCGPTN || cmd == TIOCSPTLCK || cmd == TIOCGPTLCK)
		return -ENOTTY;
	int64_t r = ld_ioctl(p->ld, cmd, arg);
	return r == -ENOIOCTLCMD ? -ENOTTY : r;
}

static uint32_t master_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	struct pty *p = pty_get(master_pty(fp));
	if (!p)
		return POLLHUP | POLLIN | POLLOUT;
	struct ldisc *ld = ldisc_get(p->ld);
	if (ld)
		poll_wait(pt, ld->wq);
	uint32_t ev = POLLOUT | POLLWRNORM;
	if (p->olen)
		ev |= POLLIN | POLLRDNORM;
	if (p->slave_opened && p->slave_files == 0)
		ev |= POLLHUP;
	return ev;
}

static uint32_t slave_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	struct pty *p = pty_get(slave_pty(fp));
	if (!p)
		return POLLHUP | POLLIN | POLLOUT;
	struct ldisc *ld = ldisc_get(p->ld);
	if (ld)
		poll_wait(pt, ld->wq);
	uint32_t ev = 0;
	if (!p->master_open)
		return POLLHUP | POLLIN | POLLRDNORM;
	if (p->olen < PTY_OUT / 2)
		ev |= POLLOUT | POLLWRNORM;
	if (ld && ld_readable(ld))
		ev |= POLLIN | POLLRDNORM;
	return ev;
}

/* Character devices do not seek: Keel reports offset 0. */
static int64_t no_seek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence) { return 0; }

static const struct file_ops master_ops = {
	.name = "ptmx",
	.flags = FOP_PREAD | FOP_FASYNC,
	.open = master_open,
	.release = master_release,
	.read = master_read,
	.write = master_write,
	.llseek = no_seek,
	.poll = master_poll,
	.ioctl = master_ioctl_op,
};

static const struct file_ops slave_ops = {
	.name = "pts",
	.flags = FOP_PREAD | FOP_FASYNC,
	.open = slave_open,
	.release = slave_release,
	.read = slave_read,
	.write = slave_write,
	.llseek = no_seek,
	.poll = slave_poll,
	.ioctl = slave_ioctl,
};

int pty_init(void)
{
	uint32_t m, sl;
	int e = file_ops_register(&master_ops, &m);
	if (e == 0)
		e = file_ops_register(&slave_ops, &sl);
	if (e == 0)
		e = dev_register(S_IFCHR, TTY_MAJOR, PTMX_MINOR, 1, m);
	if (e == 0)
		e = dev_register(S_IFCHR, PTS_MAJOR, 0, PTY_MAX, sl);
	return e;
}
