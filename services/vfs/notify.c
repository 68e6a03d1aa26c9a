/* File-change notification: inotify instances, their watches ("marks")
 * on inodes and their event queues, and the one entry point every VFS
 * hook calls (vfs.h: notify_name, notify_inode, notify_file). Layer:
 * services (safe C). Trusts the VFS's inodes; everything a user gives
 * (masks, watch descriptors, buffers) is checked by the syscall layer
 * (services/syscall/sys_inotify.c) or here.
 *
 * Model (Linux's inotify): an instance (group) owns a list of marks, one
 * per inode it watches, each with a watch descriptor (wd) numbered from 1
 * and never reused while the instance lives. An inode lists its marks
 * (inode.marks): a hook on an inode nobody watches costs one test of that
 * handle. An event is queued on the group of each mark whose mask asks
 * for it: events on a directory's entries carry the entry's name; a
 * watched directory also hears of events on the files in it. Identical
 * consecutive unread events are merged; a full queue gets one
 * IN_Q_OVERFLOW event and drops the rest. */
#include "vfs/internal.h"
#include <abi/fs.h>

#include "vfs/notify_int.h"

FW_POOL_REF(ngroup);
FW_POOL_REF(nevent);
FW_POOL_DEFINE(nmark, struct nmark);

struct nevent {
	int32_t wd;
	uint32_t mask, cookie;
	struct kname name;          /* len 0: none */
	struct nevent_ref next;
};
FW_POOL_PRIVATE(nevent, struct nevent);

struct ngroup {
	struct wq_ref wq;
	struct nevent_ref head, tail;
	uint32_t count;             /* events queued */
	uint64_t bytes;             /* their size as read(2) gives them (FIONREAD) */
	int32_t next_wd;
	bool overflowed;            /* the IN_Q_OVERFLOW event is queued */
	struct nmark_ref marks;
	uint32_t uid;               /* its creator's: the per-user limits count against it */
	uint32_t max_events;        /* max_queued_events when it was made */
};
FW_POOL_PRIVATE(ngroup, struct ngroup);

/* Instances and watches per user, for the per-user limits. */
#define NOTIFY_USERS 64
struct notify_user {
	uint32_t uid, instances, watches;
};

/* The names of unlinked files still open in watched directories (a few:
 * the oldest is replaced when full; a freed inode's entry goes stale by
 * its handle's generation). */
#define UNLINKED_MAX 16
struct unlinked_name {
	struct inode_ref dir, ino;
	struct kname name;
};

struct notify_state {
	struct unlinked_name unlinked[UNLINKED_MAX];
	uint32_t unlinked_next;
	uint32_t fops;
	uint32_t cookie;
	uint32_t nmarks;            /* live marks in the system */
	uint32_t limit[3];          /* /proc/sys/fs/inotify (INOTIFY_MAX_*); 0: the default */
	struct notify_user users[NOTIFY_USERS];
};
FW_GLOBAL(struct notify_state, notify_state);

static const uint32_t limit_default[3] = {16384, 128, 65536};

uint32_t inotify_limit(uint32_t which)
{
	if (which > INOTIFY_MAX_WATCHES)
		return 0;
	uint32_t v = notify_state()->limit[which];
	return v ? v - 1 : limit_default[which];
}

int inotify_set_limit(uint32_t which, int64_t v)
{
	if (which > INOTIFY_MAX_WATCHES || v < 0 || v > 0x7fffffff)
		return -EINVAL;
	notify_state()->limit[which] = (uint32_t)v + 1;
	return 0;
}

/* The slot of the user's counters (a new one on first use), or
 * NOTIFY_USERS when all are taken. */
static uint32_t user_of(uint32_t uid)
{
	uint32_t free_slot = NOTIFY_USERS;
	for (uint32_t i = 0; i < NOTIFY_USERS; i++) {
		struct notify_user u = notify_state()->users[i];
		if ((u.instances || u.watches) && u.uid == uid)
			return i;
		if (free_slot == NOTIFY_USERS && !u.instances && !u.watches)
			free_slot = i;
	}
	if (free_slot < NOTIFY_USERS)
		notify_state()->users[free_slot].uid = uid;
	return free_slot;
}

#define INOTIFY_EVENT_HDR 16u

/* struct inotify_event as read(2) gives it, with room for the longest
 * padded name (NAME_MAX + 1 rounded up to 16 is 256). */
struct inotify_rec {
	int32_t wd;
	uint32_t mask, cookie, len;
	char name[NAME_MAX + 1];
};

bool notify_any_watch(void) { return notify_state()->nmarks != 0; }
void notify_count_marks(int32_t delta) { notify_state()->nmarks += (uint32_t)delta; }
uint32_t notify_cookie(void) { return ++notify_state()->cookie; }

/* What read(2) gives for one event: the header and the name padded with
 * NULs to a multiple of the header's size. */
static uint32_t name_field(const struct kname *n)
{
	return n->len ? (n->len + 1 + INOTIFY_EVENT_HDR - 1) / INOTIFY_EVENT_HDR * INOTIFY_EVENT_HDR : 0;
}

static void queue_event(struct ngroup_ref g, int32_t wd, uint32_t mask, uint32_t cookie, const struct kname *name)
{
	struct ngroup *gp = ngroup_get(g);
	if (!gp)
		return;
	bool overflow = gp->count >= gp->max_events;
	if (overflow && gp->overflowed)
		return;
	if (!overflow && gp->count) {
		struct nevent *last = nevent_get(gp->tail);
		if (last && last->wd == wd && last->mask == mask && last->cookie == cookie &&
		    last->name.len == (name ? name->len : 0) && (!name || kname_eq(&last->name, name)))
			return; /* merged with the identical unread one before it */
	}
	struct nevent_ref er;
	if (nevent_alloc(&er))
		return; /* out of memory: the event is lost, as a full queue's */
	struct nevent *ep = nevent_get(er);
	if (overflow) {
		ep->wd = -1;
		ep->mask = IN_Q_OVERFLOW;
		gp->overflowed = true;
	} else {
		ep->wd = wd;
		ep->mask = mask;
		ep->cookie = cookie;
		if (name)
			ep->name = *name;
	}
	gp = ngroup_get(g);
	if (gp->count)
		nevent_get(gp->tail)->next = er;
	else
		gp->head = er;
	gp->tail = er;
	gp->count++;
	gp->bytes += INOTIFY_EVENT_HDR + name_field(&ep->name);
	wq_wake(gp->wq);
}

/* Unlink mark m from its inode's list (clearing inode.marks when the list
 * empties) and its group's list, and free it. */
void nmark_unlink_inode(struct nmark_ref m)
{
	struct nmark *mp = nmark_get(m);
	struct inode *ip = mp ? inode_get(mp->ino) : NULL;
	if (ip) {
		if (ip->marks.idx == m.idx && ip->marks.gen == m.gen) {
			ip->marks = mp->next_ino;
		} else {
			struct nmark_ref c = ip->marks;
			while (nmark_get(c)) {
				struct nmark *cp = nmark_get(c);
				if (cp->next_ino.idx == m.idx && cp->next_ino.gen == m.gen) {
					cp->next_ino = mp->next_ino;
					break;
				}
				c = cp->next_ino;
			}
		}
	}
}

static struct ngroup_ref grp_of(const struct nmark *mp) { return (struct ngroup_ref){mp->grp.idx, mp->grp.gen}; }

static void mark_remove(struct nmark_ref m)
{
	struct nmark *mp = nmark_get(m);
	if (!mp)
		return;
	nmark_unlink_inode(m);
	mp = nmark_get(m);
	struct ngroup *gp = ngroup_get(grp_of(mp));
	uint32_t u = gp ? user_of(gp->uid) : NOTIFY_USERS;
	if (u < NOTIFY_USERS && notify_state()->users[u].watches)
		notify_state()->users[u].watches--;
	if (gp) {
		if (gp->marks.idx == m.idx && gp->marks.gen == m.gen) {
			gp->marks = mp->next_grp;
		} else {
			struct nmark_ref c = gp->marks;
			while (nmark_get(c)) {
				struct nmark *cp = nmark_get(c);
				if (cp->next_grp.idx == m.idx && cp->next_grp.gen == m.gen) {
					cp->next_grp = mp->next_grp;
					break;
				}
				c = cp->next_grp;
			}
		}
	}
	nmark_free(m);
	notify_state()->nmarks--;
}

/* Remove the mark and tell its group (inotify_rm_watch, IN_ONESHOT, the
 * inode going away). */
static void mark_ignore(struct nmark_ref m)
{
	struct nmark *mp = nmark_get(m);
	if (!mp)
		return;
	struct ngroup_ref g = grp_of(mp);
	int32_t wd = mp->wd;
	mark_remove(m);
	queue_event(g, wd, IN_IGNORED, 0, NULL);
}

/* Deliver an event to the marks on `on`: `name` is set for events about
 * an entry of `on` (or a file in it). child: the event is about a file in
 * directory `on` (marks with IN_EXCL_UNLINK skip it when it is unlinked). */
static void deliver(struct inode_ref on, uint32_t mask, uint32_t cookie, const struct kname *name, bool unlinked)
{
	struct inode *ip = inode_get(on);
	struct nmark_ref m = ip ? ip->marks : (struct nmark_ref){0};
	while (nmark_get(m)) {
		struct nmark *mp = nmark_get(m);
		struct nmark_ref next = mp->next_ino;
		bool skip = (unlinked && (mp->mask & IN_EXCL_UNLINK)) || mp->kind != NMARK_INOTIFY;
		if (!skip && (mp->mask & mask & IN_ALL_EVENTS)) {
			uint32_t oneshot = mp->mask & IN_ONESHOT;
			queue_event(grp_of(mp), mp->wd, mask & (IN_ALL_EVENTS | IN_ISDIR | IN_UNMOUNT), cookie, name);
			if (oneshot)
				mark_ignore(m);
		}
		m = next;
	}
}

/* IN_ISDIR for events about a directory, except its own IN_DELETE_SELF
 * and IN_MOVE_SELF (Linux reports those bare). */
static uint32_t with_isdir(struct inode_ref ino, uint32_t mask)
{
	struct inode *ip = inode_get(ino);
	if (mask & (IN_DELETE_SELF | IN_MOVE_SELF))
		return mask;
	return ip && (ip->mode & S_IFMT) == S_IFDIR ? mask | IN_ISDIR : mask;
}

void notify_unlinked(struct inode_ref dir, struct inode_ref ino, const struct kname *name)
{
	struct notify_state *st = notify_state();
	uint32_t i = st->unlinked_next++ % UNLINKED_MAX;
	st->unlinked[i].dir = dir;
	st->unlinked[i].ino = ino;
	st->unlinked[i].name = *name;
}

static bool unlinked_name(struct inode_ref dir, struct inode_ref ino, struct kname *out)
{
	struct notify_state *st = notify_state();
	for (uint32_t i = 0; i < UNLINKED_MAX; i++) {
		struct inode_ref ui = st->unlinked[i].ino, ud = st->unlinked[i].dir;
		if (ui.idx == ino.idx && ui.gen == ino.gen && ud.idx == dir.idx && ud.gen == dir.gen) {
			*out = st->unlinked[i].name;
			return true;
		}
	}
	return false;
}

/* Events IN_EXCL_UNLINK keeps from a directory about its unlinked files:
 * those of open files (Linux: path events); attribute changes still go. */
#define IN_FILE_EVENTS (IN_ACCESS | IN_MODIFY | IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)

void notify_name_slow(struct inode_ref dir, uint32_t mask, uint32_t cookie, const struct kname *name)
{
	deliver(dir, mask, cookie, name, false);
}

void notify_inode_slow(struct inode_ref dir, struct inode_ref ino, uint32_t mask)
{
	mask = with_isdir(ino, mask);
	if (dir.idx != 0 && inode_watched(dir)) {
		struct kname n;
		struct inode *ip = inode_get(ino);
		bool unlinked = ip && ip->nlink == 0;
		if (vfs_get_name(dir, ino, &n) == 0 || (unlinked && unlinked_name(dir, ino, &n)))
			deliver(dir, mask, 0, &n, unlinked && (mask & IN_FILE_EVENTS));
	}
	deliver(ino, mask, 0, NULL, false);
}

/* Its file system is unmounted: IN_UNMOUNT to every watch, asked or not. */
static void deliver_unmount(struct inode_ref ino)
{
	struct inode *ip = inode_get(ino);
	for (struct nmark_ref m = ip ? ip->marks : (struct nmark_ref){0}; nmark_get(m); m = nmark_get(m)->next_ino)
		if (nmark_get(m)->kind == NMARK_INOTIFY)
			queue_event(grp_of(nmark_get(m)), nmark_get(m)->wd, IN_UNMOUNT, 0, NULL);
}

void notify_inode_gone(struct inode_ref ino, bool unmount)
{
	struct inode *ip = inode_get(ino);
	if (!ip || ip->marks.idx == 0)
		return;
	fan_inode_gone(ino); /* fanotify's marks go silently */
	ip = inode_get(ino);
	if (!ip || ip->marks.idx == 0)
		return;
	if (unmount)
		deliver_unmount(ino);
	else if (!(ip->iflags & INODE_NOTIFIED_DELETE))
		deliver(ino, with_isdir(ino, IN_DELETE_SELF), 0, NULL, false);
	ip = inode_get(ino);
	while (ip && nmark_get(ip->marks)) {
		mark_ignore(ip->marks);
		ip = inode_get(ino);
	}
	if (ip)
		ip->marks = (struct nmark_ref){0};
}

/* ---- the instance's file ---- */

static struct ngroup_ref group_of(const struct file *fp) { return (struct ngroup_ref){fp->priv.idx, fp->priv.gen}; }

int inotify_new(uint32_t flags, uint32_t uid, struct file_ref *out)
{
	uint32_t u = user_of(uid);
	if (u >= NOTIFY_USERS || notify_state()->users[u].instances >= inotify_limit(INOTIFY_MAX_INSTANCES))
		return -EMFILE;
	struct ngroup_ref g;
	if (ngroup_alloc(&g))
		return -ENOMEM;
	struct ngroup *gp = ngroup_get(g);
	gp->next_wd = 1;
	gp->uid = uid;
	gp->max_events = inotify_limit(INOTIFY_MAX_QUEUED);
	if (wq_create(&gp->wq)) {
		ngroup_free(g);
		return -ENOMEM;
	}
	int e = file_new(notify_state()->fops, O_RDONLY | (flags & O_NONBLOCK), out);
	if (e) {
		wq_destroy(ngroup_get(g)->wq);
		ngroup_free(g);
		return e;
	}
	file_get(*out)->priv = (struct vfs_priv){g.idx, g.gen};
	notify_state()->users[u].instances++;
	return 0;
}

static int group_of_file(struct file_ref f, struct ngroup_ref *g)
{
	struct file *fp = file_get(f);
	if (!fp || fp->fops != notify_state()->fops || !ngroup_get(group_of(fp)))
		return -EINVAL;
	*g = group_of(fp);
	return 0;
}

int inotify_add(struct file_ref f, struct inode_ref ino, uint32_t mask)
{
	struct ngroup_ref g;
	int e = group_of_file(f, &g);
	if (e)
		return e;
	uint32_t keep = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	for (struct nmark_ref m = ip->marks; nmark_get(m); m = nmark_get(m)->next_ino) {
		struct nmark *mp = nmark_get(m);
		if (mp->kind != NMARK_INOTIFY || mp->grp.idx != g.idx || mp->grp.gen != g.gen)
			continue;
		if (mask & IN_MASK_CREATE)
			return -EEXIST;
		mp->mask = (mask & IN_MASK_ADD) ? mp->mask | keep : keep;
		return mp->wd;
	}
	uint32_t u = user_of(ngroup_get(g)->uid);
	if (u >= NOTIFY_USERS || notify_state()->users[u].watches >= inotify_limit(INOTIFY_MAX_WATCHES))
		return -ENOSPC;
	struct nmark_ref m;
	if (nmark_alloc(&m))
		return -ENOMEM;
	notify_state()->users[u].watches++;
	struct ngroup *gp = ngroup_get(g);
	struct nmark *mp = nmark_get(m);
	ip = inode_get(ino);
	mp->ino = ino;
	mp->grp = (struct vfs_priv){g.idx, g.gen};
	mp->kind = NMARK_INOTIFY;
	mp->wd = gp->next_wd++;
	mp->mask = keep;
	mp->next_ino = ip->marks;
	ip->marks = m;
	mp->next_grp = gp->marks;
	gp->marks = m;
	notify_state()->nmarks++;
	return mp->wd;
}

int inotify_rm(struct file_ref f, int32_t wd)
{
	struct ngroup_ref g;
	int e = group_of_file(f, &g);
	if (e)
		return e;
	for (struct nmark_ref m = ngroup_get(g)->marks; nmark_get(m); m = nmark_get(m)->next_grp) {
		if (nmark_get(m)->wd == wd) {
			mark_ignore(m);
			return 0;
		}
	}
	return -EINVAL;
}

/* Copy queued events that fit into buf; -EINVAL if the first does not. */
static int64_t copy_events(struct ngroup_ref g, struct fw_uaddr buf, uint64_t n)
{
	uint64_t done = 0;
	for (;;) {
		struct ngroup *gp = ngroup_get(g);
		struct nevent *ep = gp ? nevent_get(gp->head) : NULL;
		if (!ep)
			return (int64_t)done;
		uint32_t pad = name_field(&ep->name), size = INOTIFY_EVENT_HDR + pad;
		if (done + size > n)
			return done ? (int64_t)done : -EINVAL;
		struct inotify_rec rec = {ep->wd, ep->mask, ep->cookie, pad, {0}};
		for (uint32_t i = 0; i < ep->name.len && i < sizeof(rec.name); i++)
			rec.name[i] = ep->name.s[i];
		if (fw_copy_to_user_n(fw_uaddr_add(buf, done), &rec, size))
			return done ? (int64_t)done : -EFAULT;
		done += size;
		struct nevent_ref er = gp->head;
		gp->head = ep->next;
		gp->count--;
		gp->bytes -= size;
		if (ep->mask == IN_Q_OVERFLOW && ep->wd == -1)
			gp->overflowed = false;
		nevent_free(er);
	}
}

static int64_t inotify_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct ngroup_ref g = group_of(fp);
	for (;;) {
		struct ngroup *gp = ngroup_get(g);
		fp = file_get(f);
		if (!gp || !fp)
			return -EBADF;
		if (gp->count)
			return copy_events(g, buf, n);
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wq_wait(gp->wq, 0) == -EINTR)
			return -ERESTARTSYS;
	}
}

static uint32_t inotify_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	struct ngroup *gp = ngroup_get(group_of(fp));
	if (!gp)
		return POLLERR;
	poll_wait(pt, gp->wq);
	return gp->count ? POLLIN | POLLRDNORM : 0;
}

static int64_t inotify_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	struct ngroup *gp = ngroup_get(group_of(fp));
	if (!gp)
		return -EBADF;
	if (cmd != FIONREAD)
		return -EINVAL; /* Linux's inotify answers other commands so */
	int32_t v = (int32_t)gp->bytes;
	return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
}

static void inotify_release(struct file_ref f, struct file *fp)
{
	struct ngroup_ref g = group_of(fp);
	struct ngroup *gp = ngroup_get(g);
	while (gp && nmark_get(gp->marks)) {
		mark_remove(gp->marks);
		gp = ngroup_get(g);
	}
	while (gp && nevent_get(gp->head)) {
		struct nevent_ref er = gp->head;
		gp->head = nevent_get(er)->next;
		nevent_free(er);
	}
	if (!gp)
		return;
	uint32_t u = user_of(gp->uid);
	if (u < NOTIFY_USERS && notify_state()->users[u].instances)
		notify_state()->users[u].instances--;
	struct wq_ref wq = gp->wq;
	ngroup_free(g);
	wq_destroy(wq);
}

int notify_fdinfo_mark(struct file_ref f, uint32_t i, struct notify_mark_view *out)
{
	struct ngroup_ref g;
	if (group_of_file(f, &g))
		return fan_fdinfo_mark(f, i, out);
	uint32_t k = 0;
	for (struct nmark_ref m = ngroup_get(g)->marks; nmark_get(m); m = nmark_get(m)->next_grp, k++) {
		if (k != i)
			continue;
		struct nmark *mp = nmark_get(m);
		*out = (struct notify_mark_view){0};
		out->wd = mp->wd;
		out->ino = mp->ino;
		out->mask = mp->mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
		return 0;
	}
	return -ENOENT;
}

int inotify_fops_init(void)
{
	struct file_ops ops = {
		.name = "inotify",
		.flags = FOP_FASYNC,
		.read = inotify_read,
		.poll = inotify_poll,
		.ioctl = inotify_ioctl,
		.release = inotify_release,
	};
	return file_ops_register(&ops, &notify_state()->fops);
}
