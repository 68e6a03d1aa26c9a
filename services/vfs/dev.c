/* Character devices: null, zero, full, random/urandom, the console.
 * Layer: services (safe C). The console here is a plain byte stream to
 * the serial line; the TTY line discipline sits in services/tty. */
#include "vfs/vfs.h"
#include "tty/tty.h"
#include <abi/fs.h>
#include <fw/console.h>

#define DEV_KEEL_OUT 240 /* keel exec: program output stream, not a tty */

static uint32_t dev_major(const struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	return ip ? ip->rdev >> 8 : 0;
}

static uint32_t dev_minor(const struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	return ip ? ip->rdev & 0xff : 0;
}

struct chunk {
	uint8_t b[512];
};

static int64_t fill_user(struct fw_uaddr buf, uint64_t n, bool random)
{
	struct chunk c = {0};
	uint64_t done = 0;
	while (done < n) {
		uint64_t k = FW_MIN(n - done, sizeof(c.b));
		if (random)
			fw_random_fill(&c.b, k);
		if (fw_copy_to_user_n(fw_uaddr_add(buf, done), &c.b, k))
			return done ? (int64_t)done : -EFAULT;
		done += k;
	}
	return (int64_t)done;
}

static int64_t console_write(struct fw_uaddr buf, uint64_t n)
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

static int64_t console_read(struct file *fp, struct fw_uaddr buf, uint64_t n)
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

int64_t chr_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	uint32_t maj = dev_major(fp), min = dev_minor(fp);
	if (pty_is_master(fp) || pty_is_slave(fp))
		return pty_read(f, fp, buf, n);
	if (maj == DEV_MEM_MAJOR) {
		if (min == 3)
			return 0;
		return fill_user(buf, n, min == 8 || min == 9);
	}
	if ((maj == DEV_TTY_MAJOR || maj == DEV_TTYS_MAJOR) && tty_console_active())
		return tty_read(f, fp, buf, n);
	if (maj == DEV_TTY_MAJOR || maj == DEV_TTYS_MAJOR)
		return console_read(fp, buf, n);
	if (maj == DEV_KEEL_OUT)
		return 0;
	return -ENXIO;
}

int64_t chr_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	uint32_t maj = dev_major(fp), min = dev_minor(fp);
	if (pty_is_master(fp) || pty_is_slave(fp))
		return pty_write(f, fp, buf, n);
	if (maj == DEV_MEM_MAJOR)
		return min == 7 ? -ENOSPC : (int64_t)n;
	if ((maj == DEV_TTY_MAJOR || maj == DEV_TTYS_MAJOR) && tty_console_active())
		return tty_write(f, fp, buf, n);
	if (maj == DEV_TTY_MAJOR || maj == DEV_TTYS_MAJOR || maj == DEV_KEEL_OUT)
		return console_write(buf, n);
	return -ENXIO;
}

int64_t chr_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	uint32_t maj = dev_major(fp);
	if (pty_is_master(fp) || pty_is_slave(fp))
		return pty_ioctl(f, fp, cmd, arg);
	if (maj != DEV_TTY_MAJOR && maj != DEV_TTYS_MAJOR)
		return -ENOTTY;
	if (tty_console_active())
		return tty_ioctl(f, fp, cmd, arg);
	if (cmd == TIOCGWINSZ) {
		struct linux_winsize ws = {24, 80, 0, 0};
		return fw_copy_to_user(fw_uaddr(arg), &ws) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

int chr_open(struct file_ref f, struct file *fp)
{
	if (pty_is_master(fp) || pty_is_slave(fp))
		return pty_open(f, fp);
	return 0;
}

void chr_release(struct file_ref f, struct file *fp)
{
	if (pty_is_master(fp) || pty_is_slave(fp))
		pty_release(f, fp);
}

uint32_t chr_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	if (pty_is_master(fp) || pty_is_slave(fp))
		return pty_poll(f, fp, pt);
	uint32_t maj = dev_major(fp);
	if ((maj == DEV_TTY_MAJOR || maj == DEV_TTYS_MAJOR) && tty_console_active())
		return tty_poll(f, fp, pt);
	if ((maj == DEV_TTY_MAJOR || maj == DEV_TTYS_MAJOR) && fw_console_pending() == 0)
		return POLLOUT | POLLWRNORM;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}
