/* File leases (fcntl F_SETLEASE, F_GETLEASE) and breaking them.
 * Layer: services (safe C). Trusts its callers for the caller's identity
 * (fsuid, privilege, pid); everything else (the file, the type) is
 * checked here.
 *
 * Model (Linux's): a lease belongs to an open file description and covers
 * its inode. A read lease needs the inode open for writing nowhere; a
 * write lease needs the holder's description to be its only opener and
 * no other lease. An open that conflicts (any open for writing, or an
 * open for reading against a write lease), or a truncate(2), *breaks* the
 * lease: the holder's owner gets its signal (SIGIO, or F_SETSIG's with
 * si_code POLL_MSG and si_fd), and the opener waits until the holder
 * gives way (F_SETLEASE F_RDLCK or F_UNLCK, or a close) or the
 * lease-break time passes (then the lease is downgraded or removed by
 * force); an O_NONBLOCK opener gets -EWOULDBLOCK at once. A lease being
 * broken reports its target type to F_GETLEASE.
 *
 * The leases of all inodes live in one list (they are rare; an open with
 * no lease anywhere costs one test of the count). */
#include "vfs/vfs.h"
#include <fw/time.h>

#define LEASES_MAX 1024

FW_POOL_REF(lease);
struct lease {
	struct inode_ref ino;
	struct file_ref file;       /* the holder */
	int32_t fd;                 /* si_fd of the break signal */
	int32_t pid;                /* /proc/locks */
	uint32_t type;              /* F_RDLCK or F_WRLCK */
	uint64_t downgrade_at;      /* a reader broke it: forced to F_RDLCK then (0: not broken) */
	uint64_t unlock_at;         /* a writer broke it: removed then (0: not broken) */
	uint64_t id;                /* /proc/locks order */
	struct lease_ref next;
};
FW_POOL_PRIVATE(lease, struct lease);

struct lease_table {
	struct lease_ref head;
	uint32_t count;
	struct wq_ref wq;           /* breakers wait here (made on first use) */
	int32_t break_time;         /* /proc/sys/fs/lease-break-time, seconds; stored + 1 (0: default) */
};
FW_GLOBAL(struct lease_table, lease_table);

#define NS_PER_S 1000000000ull

static bool same_ino(struct inode_ref a, struct inode_ref b) { return a.idx == b.idx && a.gen == b.gen; }
static bool same_file(struct file_ref a, struct file_ref b) { return a.idx == b.idx && a.gen == b.gen; }

int32_t lease_break_time(void)
{
	int32_t v = lease_table()->break_time;
	return v ? v - 1 : 45;
}

int lease_set_break_time(int64_t v)
{
	if (v < -0x7fffffffLL || v > 0x7ffffffeLL)
		return -EINVAL;
	lease_table()->break_time = (int32_t)v + 1;
	return 0;
}

/* The type a lease will have once its break is done. */
static uint32_t target_type(const struct lease *l)
{
	if (l->unlock_at)
		return F_UNLCK;
	return l->downgrade_at ? F_RDLCK : l->type;
}

static void wake_breakers(void)
{
	if (wq_ref_valid(lease_table()->wq))
		wq_wake(lease_table()->wq);
}

static void unlink_lease(struct lease_ref r)
{
	struct lease_table *lt = lease_table();
	struct lease *l = lease_get(r);
	if (!l)
		return;
	if (lt->head.idx == r.idx && lt->head.gen == r.gen) {
		lt->head = l->next;
	} else {
		for (struct lease_ref c = lt->head; lease_get(c); c = lease_get(c)->next) {
			struct lease *cp = lease_get(c);
			if (cp->next.idx == r.idx && cp->next.gen == r.gen) {
				cp->next = l->next;
				break;
			}
		}
	}
	lease_free(r);
	lt->count--;
	wake_breakers();
}

/* Change a lease's type (Linux's lease_modify): F_UNLCK removes it; a
 * change ends the break it answers. */
static void modify(struct lease_ref r, uint32_t type)
{
	struct lease *l = lease_get(r);
	if (!l)
		return;
	if (type == F_UNLCK) {
		/* the file's owner and signal go with it (Linux's lease_modify) */
		struct file *fp = file_get(l->file);
		if (fp) {
			fp->sig_owner = 0;
			fp->sig_owner_type = F_OWNER_PID;
			fp->sig_num = 0;
		}
		unlink_lease(r);
		return;
	}
	l->type = type;
	if (type == F_RDLCK)
		l->downgrade_at = 0;
	wake_breakers();
}

/* Breaks whose time is up end by force. */
static void time_out(struct inode_ref ino)
{
	uint64_t now = fw_time_monotonic_ns();
	for (struct lease_ref c = lease_table()->head; lease_get(c);) {
		struct lease *l = lease_get(c);
		struct lease_ref next = l->next;
		if (same_ino(l->ino, ino)) {
			if (l->downgrade_at && now >= l->downgrade_at)
				modify(c, F_RDLCK);
			l = lease_get(c);
			if (l && l->unlock_at && now >= l->unlock_at)
				modify(c, F_UNLCK);
		}
		c = next;
	}
}

static struct lease_ref lease_of(struct file_ref f)
{
	for (struct lease_ref c = lease_table()->head; lease_get(c); c = lease_get(c)->next)
		if (same_file(lease_get(c)->file, f))
			return c;
	return (struct lease_ref){0};
}

int lease_get_type(struct file_ref f)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	if (lease_table()->count == 0)
		return F_UNLCK;
	time_out(fp->inode);
	struct lease *l = lease_get(lease_of(f));
	return l ? (int)target_type(l) : F_UNLCK;
}

/* Linux's check_conflicting_open: who else has the inode open. */
static int open_conflict(const struct file *fp, uint32_t type)
{
	struct inode *ip = inode_get(fp->inode);
	if (!ip)
		return -EBADF;
	if (type == F_RDLCK)
		return ip->open_writers ? -EAGAIN : 0;
	bool self_w = (fp->flags & O_ACCMODE) != O_RDONLY;
	if (ip->open_writers != (self_w ? 1u : 0u) || ip->open_readers != (self_w ? 0u : 1u))
		return -EAGAIN;
	return 0;
}

static int add_lease(struct file_ref f, int32_t fd, uint32_t type, int32_t pid)
{
	struct file *fp = file_get(f);
	struct lease_table *lt = lease_table();
	if (lt->count >= LEASES_MAX)
		return -ENOLCK;
	struct lease_ref r;
	if (lease_alloc(&r))
		return -ENOMEM;
	struct lease *l = lease_get(r);
	l->ino = fp->inode;
	l->file = f;
	l->fd = fd;
	l->pid = pid;
	l->type = type;
	l->id = lock_seq_next();
	l->next = lt->head;
	lt->head = r;
	lt->count++;
	return 0;
}

int lease_set(struct file_ref f, int32_t fd, uint32_t type, const struct lease_caller *who)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	if (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK)
		return -EINVAL;
	struct inode *ip = inode_get(fp->inode);
	if (!ip)
		return -EINVAL;
	if (who->fsuid != ip->uid && !who->cap_lease)
		return -EACCES;
	if (fp->mode != S_IFREG)
		return -EINVAL;
	time_out(fp->inode);
	struct lease_ref mine = lease_of(f);
	if (type == F_UNLCK) {
		if (!lease_get(mine))
			return -EAGAIN;
		modify(mine, F_UNLCK);
		return 0;
	}
	int e = open_conflict(file_get(f), type);
	if (e)
		return e;
	for (struct lease_ref c = lease_table()->head; lease_get(c); c = lease_get(c)->next) {
		struct lease *l = lease_get(c);
		if (!same_ino(l->ino, fp->inode) || same_file(l->file, f))
			continue;
		if (type == F_WRLCK || l->unlock_at)
			return -EAGAIN; /* no write lease beside another; none beside one being removed */
	}
	if (lease_get(mine)) {
		modify(mine, type);
	} else {
		e = add_lease(f, fd, type, who->pid);
		if (e)
			return e;
	}
	fp = file_get(f);
	if (fp->sig_owner == 0) { /* the break signal goes to the setter unless someone was named */
		fp->sig_owner = who->pid;
		fp->sig_owner_type = F_OWNER_PID;
		fp->sig_owner_uid = who->uid;
		fp->sig_owner_euid = who->euid;
	}
	return 0;
}

/* The earliest break deadline among the leases that conflict with an
 * open (0: none conflicts). */
static uint64_t conflicts(struct inode_ref ino, bool want_write)
{
	uint64_t first = 0;
	for (struct lease_ref c = lease_table()->head; lease_get(c); c = lease_get(c)->next) {
		struct lease *l = lease_get(c);
		if (!same_ino(l->ino, ino) || (!want_write && l->type != F_WRLCK))
			continue;
		uint64_t at = l->unlock_at;
		if (!want_write && l->downgrade_at && (!at || l->downgrade_at < at))
			at = l->downgrade_at;
		if (!at)
			at = 1; /* no break under way (cannot happen after start_breaks) */
		if (!first || at < first)
			first = at;
	}
	return first;
}

/* Start the break of every conflicting lease not yet being broken that
 * way: set its deadline and signal its holder. */
static void start_breaks(struct inode_ref ino, bool want_write)
{
	int64_t secs = lease_break_time();
	uint64_t now = fw_time_monotonic_ns();
	uint64_t at = secs > 0 ? now + (uint64_t)secs * NS_PER_S : now + 1;
	for (struct lease_ref c = lease_table()->head; lease_get(c);) {
		struct lease *l = lease_get(c);
		struct lease_ref next = l->next;
		if (!same_ino(l->ino, ino) || (!want_write && l->type != F_WRLCK)) {
			c = next;
			continue;
		}
		if (want_write) {
			if (l->unlock_at) {
				c = next;
				continue;
			}
			l->unlock_at = at;
		} else {
			if (l->unlock_at || l->downgrade_at) {
				c = next;
				continue;
			}
			l->downgrade_at = at;
		}
		file_send_sigio(l->file, l->fd, POLL_MSG);
		c = next;
	}
}

int lease_break_slow(struct inode_ref ino, uint32_t oflags)
{
	bool want_write = (oflags & O_ACCMODE) != O_RDONLY;
	time_out(ino);
	if (!conflicts(ino, want_write))
		return 0;
	start_breaks(ino, want_write);
	if (oflags & O_NONBLOCK)
		return -EAGAIN; /* EWOULDBLOCK */
	struct lease_table *lt = lease_table();
	if (!wq_ref_valid(lt->wq) && wq_create(&lt->wq))
		return -ENOMEM;
	for (;;) {
		time_out(ino);
		uint64_t at = conflicts(ino, want_write);
		if (!at)
			return 0;
		int e = wq_wait(lease_table()->wq, at);
		if (e == -EINTR)
			return -ERESTARTSYS;
	}
}

int lease_break_truncate(struct inode_ref ino)
{
	if (!lease_count_any())
		return 0;
	/* the truncater counts as a writer while it waits (Linux takes write
	 * access first): the holder cannot answer with a read lease */
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	ip->open_writers++;
	int e = lease_break_slow(ino, O_WRONLY);
	ip = inode_get(ino);
	if (ip)
		ip->open_writers--;
	return e;
}

void lease_release_file(struct file_ref f)
{
	if (lease_table()->count == 0)
		return;
	struct lease_ref r = lease_of(f);
	if (lease_get(r))
		unlink_lease(r);
}

bool lease_count_any(void) { return lease_table()->count != 0; }

void lease_lock_below(uint64_t below, struct lock_view *best)
{
	for (struct lease_ref c = lease_table()->head; lease_get(c); c = lease_get(c)->next) {
		struct lease *l = lease_get(c);
		if (l->id >= below || l->id <= best->seq)
			continue;
		uint32_t breaking = l->unlock_at || l->downgrade_at;
		*best = (struct lock_view){l->id, LOCKV_LEASE, target_type(l), breaking, l->pid, l->ino, 0, LOCK_EOF};
	}
}
