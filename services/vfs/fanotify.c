/* fanotify: listener groups, their marks on inodes and file systems, their
 * event queues and permission decisions. Layer: services (safe C). Trusts
 * the VFS's files and inodes and the process hooks the syscall layer
 * registers (the caller's pid, installing a descriptor in the caller);
 * masks and flags are checked by services/syscall/sys_fanotify.c.
 *
 * Shared plumbing with inotify (vfs/notify.c): inode marks of both kinds
 * hang on the inode's one list (inode.marks, the hooks' one test), and the
 * VFS's file hooks (notify_file) feed both. What fanotify adds:
 *  - mount and file-system marks (one list here: a mount is its file
 *    system's in Keel, which has no bind mounts);
 *  - events about open files only (access, modify, close, open), each
 *    carrying the pid of the process that caused it and, when read, a new
 *    descriptor of the object opened for the listener (the object is kept
 *    in memory until then); unread events of one process on one object
 *    merge into one;
 *  - ignore masks (cleared by a modification unless they survive it),
 *    FAN_ONDIR and FAN_EVENT_ON_CHILD as Linux's fanotify_group_event_mask;
 *  - permission events: the accessing process sleeps until the listener
 *    writes FAN_ALLOW or FAN_DENY (-EPERM) for the descriptor it read, or
 *    the listener goes (allowed). That sleep takes no signal.
 * Not done: reports with file handles (FAN_REPORT_FID and friends). */
#include "vfs/notify_int.h"
#include <fw/wait.h>


FW_POOL_REF(fevent);

struct fevent {
	uint32_t mask;
	int32_t pid;
	struct inode_ref ino;       /* pinned (open_count) until the event goes; zero: overflow */
	uint32_t perm;              /* a permission event: its waiter frees it */
	uint32_t response;          /* FAN_ALLOW, FAN_DENY; 0 while undecided */
	int32_t fd;                 /* a permission event read: the listener's descriptor */
	struct fevent_ref next;
};
FW_POOL_PRIVATE(fevent, struct fevent);

struct fgroup {
	struct wq_ref wq;           /* readers, and permission waiters */
	struct fevent_ref head, tail;
	uint32_t count;
	struct fevent_ref asked;    /* permission events read, awaiting the answer */
	uint32_t flags, f_flags;    /* fanotify_init's */
	uint32_t max_events;        /* 0: unlimited */
	uint32_t overflowed;
	struct nmark_ref marks;
	uint32_t nmarks, max_marks; /* max_marks 0: unlimited */
};
FW_POOL_PRIVATE(fgroup, struct fgroup);

struct fan_state {
	uint32_t fops;
	struct nmark_ref sb_marks;   /* mount and file-system marks of every group */
	uint32_t marks;              /* fanotify marks in the system */
	uint32_t perm_marks;         /* of them, asking permission events */
	uint32_t groups;
	struct fan_hooks hooks;
};
FW_GLOBAL(struct fan_state, fan_state);

#define EVENT_LEN 24u
#define FAN_GROUPS_MAX 128
#define FAN_QUEUE_DEFAULT 16384
#define FAN_MARKS_DEFAULT 8192
#define MERGE_SCAN_MAX 4096

struct fan_event_rec {
	uint32_t event_len;
	uint8_t vers, reserved;
	uint16_t metadata_len;
	uint64_t mask;
	int32_t fd, pid;
};

struct fan_response {
	int32_t fd;
	uint32_t response;
};

void fan_set_hooks(const struct fan_hooks *h) { fan_state()->hooks = *h; }

static bool same(struct vfs_priv a, struct fgroup_ref b) { return a.idx == b.idx && a.gen == b.gen; }
static bool same_ino(struct inode_ref a, struct inode_ref b) { return a.idx == b.idx && a.gen == b.gen; }
static struct fgroup_ref group_of(const struct file *fp) { return (struct fgroup_ref){fp->priv.idx, fp->priv.gen}; }

static void pin(struct inode_ref ino)
{
	struct inode *ip = inode_get(ino);
	if (ip)
		ip->open_count++;
}

static void unpin(struct inode_ref ino)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return;
	ip->open_count--;
	inode_put_if_unused(ino);
}

static void free_event(struct fevent_ref er)
{
	struct fevent *ep = fevent_get(er);
	if (!ep)
		return;
	struct inode_ref ino = ep->ino;
	fevent_free(er);
	unpin(ino);
}

/* ---- marks ---- */

static void count_mark(struct nmark *mp, int32_t d)
{
	struct fan_state *st = fan_state();
	st->marks += (uint32_t)d;
	if (mp->mask & FAN_ALL_PERM_EVENTS)
		st->perm_marks += (uint32_t)d;
	notify_count_marks(d);
}

static void unlink_sb_mark(struct nmark_ref m)
{
	struct fan_state *st = fan_state();
	struct nmark *mp = nmark_get(m);
	if (st->sb_marks.idx == m.idx && st->sb_marks.gen == m.gen) {
		st->sb_marks = mp->next_ino;
		return;
	}
	for (struct nmark_ref c = st->sb_marks; nmark_get(c); c = nmark_get(c)->next_ino) {
		if (nmark_get(c)->next_ino.idx == m.idx && nmark_get(c)->next_ino.gen == m.gen) {
			nmark_get(c)->next_ino = mp->next_ino;
			return;
		}
	}
}

/* Off its object and its group, and freed. */
static void mark_drop(struct nmark_ref m)
{
	struct nmark *mp = nmark_get(m);
	if (!mp)
		return;
	if (inode_ref_valid(mp->ino))
		nmark_unlink_inode(m);
	else
		unlink_sb_mark(m);
	mp = nmark_get(m);
	struct fgroup_ref g = {mp->grp.idx, mp->grp.gen};
	struct fgroup *gp = fgroup_get(g);
	if (gp) {
		if (gp->marks.idx == m.idx && gp->marks.gen == m.gen) {
			gp->marks = mp->next_grp;
		} else {
			for (struct nmark_ref c = gp->marks; nmark_get(c); c = nmark_get(c)->next_grp) {
				if (nmark_get(c)->next_grp.idx == m.idx && nmark_get(c)->next_grp.gen == m.gen) {
					nmark_get(c)->next_grp = mp->next_grp;
					break;
				}
			}
		}
		gp->nmarks--;
	}
	count_mark(nmark_get(m), -1);
	nmark_free(m);
}

void fan_inode_gone(struct inode_ref ino)
{
	struct inode *ip = inode_get(ino);
	for (struct nmark_ref m = ip ? ip->marks : (struct nmark_ref){0}; nmark_get(m);) {
		struct nmark_ref next = nmark_get(m)->next_ino;
		if (nmark_get(m)->kind == NMARK_FANOTIFY)
			mark_drop(m);
		m = next;
	}
}

/* The group's mark on the object (an inode, or a super block with type). */
static struct nmark_ref find_mark(struct fgroup_ref g, const struct fan_object *obj)
{
	for (struct nmark_ref c = fgroup_get(g)->marks; nmark_get(c); c = nmark_get(c)->next_grp) {
		struct nmark *mp = nmark_get(c);
		bool hit = obj->type == FAN_MARK_INODE
				   ? same_ino(mp->ino, obj->ino)
				   : !inode_ref_valid(mp->ino) && (mp->mflags & FAN_MARK_TYPES) == obj->type &&
					     mp->sb.idx == obj->sb.idx && mp->sb.gen == obj->sb.gen;
		if (hit)
			return c;
	}
	return (struct nmark_ref){0};
}

int fan_mark_change(struct file_ref f, const struct fan_object *obj, uint32_t flags, uint32_t mask)
{
	struct fgroup_ref g;
	int e = fan_group_of(f, &g);
	if (e)
		return e;
	bool ignore = (flags & (FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORE)) != 0;
	struct nmark_ref m = find_mark(g, obj);
	struct nmark *mp = nmark_get(m);
	if (flags & FAN_MARK_REMOVE) {
		if (!mp)
			return -ENOENT;
		count_mark(mp, -1);
		if (ignore)
			mp->ignored &= ~mask;
		else
			mp->mask &= ~mask;
		count_mark(mp, 1);
		if (!(mp->mask & ~(uint32_t)FAN_EVENT_FLAGS) && !(mp->ignored & ~(uint32_t)FAN_EVENT_FLAGS))
			mark_drop(m);
		return 0;
	}
	if (!mp) {
		struct fgroup *gp = fgroup_get(g);
		if (gp->max_marks && gp->nmarks >= gp->max_marks)
			return -ENOSPC;
		if (nmark_alloc(&m))
			return -ENOMEM;
		mp = nmark_get(m);
		*mp = (struct nmark){0};
		mp->kind = NMARK_FANOTIFY;
		mp->grp = (struct vfs_priv){g.idx, g.gen};
		mp->mflags = obj->type;
		if (obj->type == FAN_MARK_INODE) {
			struct inode *ip = inode_get(obj->ino);
			mp->ino = obj->ino;
			mp->next_ino = ip->marks;
			ip->marks = m;
		} else {
			mp->sb = obj->sb;
			mp->next_ino = fan_state()->sb_marks;
			fan_state()->sb_marks = m;
		}
		mp->next_grp = gp->marks;
		gp->marks = m;
		gp->nmarks++;
		count_mark(mp, 1);
	}
	count_mark(mp, -1);
	if (ignore) {
		mp->ignored |= mask;
		if (flags & FAN_MARK_IGNORE)
			mp->mflags |= MARK_IGNORE_FLAGS;
	} else {
		mp->mask |= mask;
	}
	if (flags & FAN_MARK_IGNORED_SURV_MODIFY)
		mp->mflags |= FAN_MARK_IGNORED_SURV_MODIFY;
	count_mark(mp, 1);
	return 0;
}

int fan_mark_flush(struct file_ref f, uint32_t type)
{
	struct fgroup_ref g;
	int e = fan_group_of(f, &g);
	if (e)
		return e;
	for (struct nmark_ref c = fgroup_get(g)->marks; nmark_get(c);) {
		struct nmark_ref next = nmark_get(c)->next_grp;
		if ((nmark_get(c)->mflags & FAN_MARK_TYPES) == type)
			mark_drop(c);
		c = next;
	}
	return 0;
}

/* ---- events ---- */

/* Linux's fsnotify_effective_ignore_mask: which events a mark's ignore
 * mask takes away (its event flags say whether it applies to directories
 * and, on a parent, to children; without FAN_MARK_IGNORE the old rules). */
static uint32_t ignore_of(const struct nmark *mp, bool dir, bool parent)
{
	uint32_t ign = mp->ignored;
	if (!ign)
		return 0;
	if (!(mp->mflags & MARK_IGNORE_FLAGS))
		ign = ((ign | FAN_ONDIR) & ~(uint32_t)FAN_EVENT_ON_CHILD) | (mp->mask & FAN_EVENT_ON_CHILD);
	if (!dir && !parent)
		return ign;
	if (dir && !(ign & FAN_ONDIR))
		return 0;
	if (parent && !(ign & FAN_EVENT_ON_CHILD))
		return 0;
	return ign & ~(uint32_t)FAN_EVENT_FLAGS;
}

static bool applies(const struct nmark *mp, bool dir, bool parent)
{
	if (dir && !(mp->mask & FAN_ONDIR))
		return false;
	return !parent || (mp->mask & FAN_EVENT_ON_CHILD);
}

/* The marks an event on ino may reach, one after another: ino's own, its
 * parent's, then the file-system marks. */
struct mark_walk {
	struct inode_ref ino, parent;
	struct super_ref sb;
	uint32_t stage; /* 1: ino's list, 2: the parent's, 3: file-system marks (0: not started) */
	struct nmark_ref cur;
};

static struct nmark_ref walk_next(struct mark_walk *w, bool *is_parent)
{
	for (;;) {
		struct nmark *mp = nmark_get(w->cur);
		if (mp) {
			struct nmark_ref m = w->cur;
			w->cur = mp->next_ino;
			bool sb_ok = w->stage != 3 || (mp->sb.idx == w->sb.idx && mp->sb.gen == w->sb.gen);
			if (mp->kind == NMARK_FANOTIFY && sb_ok) {
				*is_parent = w->stage == 2;
				return m;
			}
			continue;
		}
		w->stage++;
		if (w->stage == 1) {
			struct inode *ip = inode_get(w->ino);
			w->cur = ip ? ip->marks : (struct nmark_ref){0};
		} else if (w->stage == 2) {
			struct inode *pp = same_ino(w->parent, w->ino) ? NULL : inode_get(w->parent);
			w->cur = pp ? pp->marks : (struct nmark_ref){0};
		} else if (w->stage == 3) {
			w->cur = fan_state()->sb_marks;
		} else {
			return (struct nmark_ref){0};
		}
	}
}

/* What group g hears of an event (0: nothing). */
static uint32_t group_mask(struct fgroup_ref g, struct mark_walk w0, uint32_t mask, bool dir)
{
	uint32_t user = mask, marks = 0;
	struct mark_walk w = w0;
	bool parent;
	for (struct nmark_ref m = walk_next(&w, &parent); nmark_get(m); m = walk_next(&w, &parent)) {
		struct nmark *mp = nmark_get(m);
		if (!same(mp->grp, g))
			continue;
		user &= ~ignore_of(mp, dir, parent);
		if (applies(mp, dir, parent))
			marks |= mp->mask;
	}
	/* FAN_ONDIR is not reported to groups without file handles (Linux) */
	return mask & marks & user & FAN_FD_EVENTS;
}

/* A modification clears ignore masks that do not survive it. */
static void clear_ignores(struct mark_walk w)
{
	bool parent;
	for (struct nmark_ref m = walk_next(&w, &parent); nmark_get(m); m = walk_next(&w, &parent)) {
		struct nmark *mp = nmark_get(m);
		if (!(mp->mflags & FAN_MARK_IGNORED_SURV_MODIFY))
			mp->ignored = 0;
	}
}

static void push(struct fgroup *gp, struct fevent_ref er)
{
	if (gp->count)
		fevent_get(gp->tail)->next = er;
	else
		gp->head = er;
	gp->tail = er;
	gp->count++;
}

/* Queue an event for g: merged into an unread one of the same process on
 * the same object, or FAN_Q_OVERFLOW once when the queue is full. For a
 * permission event *out is its handle (zero: not queued, allowed). */
static void queue(struct fgroup_ref g, struct inode_ref ino, uint32_t mask, int32_t pid, bool perm,
		  struct fevent_ref *out)
{
	struct fgroup *gp = fgroup_get(g);
	if (!perm) {
		uint32_t n = 0;
		for (struct fevent_ref c = gp->head; fevent_get(c) && n < MERGE_SCAN_MAX; c = fevent_get(c)->next, n++) {
			struct fevent *ep = fevent_get(c);
			if (!ep->perm && same_ino(ep->ino, ino) && ep->pid == pid && ep->mask != FAN_Q_OVERFLOW) {
				ep->mask |= mask;
				return;
			}
		}
	}
	bool full = gp->max_events && gp->count >= gp->max_events;
	if (full && gp->overflowed)
		return;
	struct fevent_ref er;
	if (fevent_alloc(&er))
		return;
	struct fevent *ep = fevent_get(er);
	*ep = (struct fevent){0};
	if (full) {
		ep->mask = FAN_Q_OVERFLOW;
		ep->fd = FAN_NOFD;
		fgroup_get(g)->overflowed = 1;
	} else {
		ep->mask = mask;
		ep->pid = pid;
		ep->ino = ino;
		ep->perm = perm;
		pin(ino);
		if (perm)
			*out = er;
	}
	push(fgroup_get(g), er);
	wq_wake(fgroup_get(g)->wq);
}

/* The groups an event reaches, each once: queue it for each. For a
 * permission event, wait for the answers in turn: -EPERM on a denial. */
static int deliver(struct mark_walk w, uint32_t mask, bool dir, bool perm)
{
	struct fan_state *st = fan_state();
	int32_t pid = st->hooks.cur_pid ? st->hooks.cur_pid(false) : 0;
	int32_t tid = st->hooks.cur_pid ? st->hooks.cur_pid(true) : 0;
	struct mark_walk seen = w;
	bool parent;
	int result = 0;
	for (struct nmark_ref m = walk_next(&seen, &parent); nmark_get(m); m = walk_next(&seen, &parent)) {
		struct vfs_priv gp = nmark_get(m)->grp;
		struct fgroup_ref g = {gp.idx, gp.gen};
		/* first mark of its group in the walk? */
		struct mark_walk again = w;
		bool first = true, p2;
		for (struct nmark_ref k = walk_next(&again, &p2); nmark_get(k) && !(k.idx == m.idx && k.gen == m.gen);
		     k = walk_next(&again, &p2))
			if (same(nmark_get(k)->grp, g))
				first = false;
		struct fgroup *grp = fgroup_get(g);
		if (!first || !grp)
			continue;
		uint32_t hit = group_mask(g, w, mask, dir);
		if (!hit)
			continue;
		struct fevent_ref er = {0};
		queue(g, w.ino, hit, (grp->flags & FAN_REPORT_TID) ? tid : pid, perm, &er);
		if (!perm || !fevent_get(er))
			continue;
		while (fevent_get(er) && !fevent_get(er)->response) {
			struct fgroup *cur = fgroup_get(g);
			if (!cur)
				break;
			(void)fw_waitq_wait(wq_queue(cur->wq), 0, false);
		}
		struct fevent *ep = fevent_get(er);
		if (ep && ep->response == FAN_DENY)
			result = -EPERM;
		free_event(er);
		if (result)
			return result;
	}
	return 0;
}

static struct mark_walk walk_of(const struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	struct mark_walk w = {fp->inode, fp->notify_dir, {0, 0}, 0, {0, 0}};
	if (ip) {
		w.sb = ip->sb;
		if (!inode_ref_valid(w.parent))
			w.parent = ip->notify_parent;
	}
	return w;
}

static bool is_dir(const struct file *fp) { return fp->mode == S_IFDIR; }

void fan_file_event(const struct file *fp, uint32_t mask)
{
	if (!fan_state()->marks || !inode_ref_valid(fp->inode))
		return;
	struct mark_walk w = walk_of(fp);
	if (mask & FAN_MODIFY)
		clear_ignores(w);
	(void)deliver(w, mask & FAN_FD_EVENTS, is_dir(fp), false);
}

int fan_perm_event(const struct file *fp, uint32_t mask)
{
	if (!fan_state()->perm_marks || fp->nonotify || !inode_ref_valid(fp->inode))
		return 0;
	return deliver(walk_of(fp), mask, is_dir(fp), true);
}

/* ---- the group's file ---- */

int fan_group_of(struct file_ref f, struct fgroup_ref *g)
{
	struct file *fp = file_get(f);
	if (!fp || !fan_state()->fops || fp->fops != fan_state()->fops || !fgroup_get(group_of(fp)))
		return -EINVAL;
	*g = group_of(fp);
	return 0;
}

bool fan_group_is_notif(struct fgroup_ref g)
{
	struct fgroup *gp = fgroup_get(g);
	return !gp || !(gp->flags & (FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT));
}

int fan_new(uint32_t flags, uint32_t f_flags, struct file_ref *out)
{
	struct fan_state *st = fan_state();
	if (st->groups >= FAN_GROUPS_MAX)
		return -EMFILE;
	struct fgroup_ref g;
	if (fgroup_alloc(&g))
		return -ENOMEM;
	struct fgroup *gp = fgroup_get(g);
	*gp = (struct fgroup){0};
	gp->flags = flags;
	gp->f_flags = f_flags;
	gp->max_events = (flags & FAN_UNLIMITED_QUEUE) ? 0 : FAN_QUEUE_DEFAULT;
	gp->max_marks = (flags & FAN_UNLIMITED_MARKS) ? 0 : FAN_MARKS_DEFAULT;
	if (wq_create(&gp->wq)) {
		fgroup_free(g);
		return -ENOMEM;
	}
	int e = file_new(st->fops, O_RDWR | ((flags & FAN_NONBLOCK) ? O_NONBLOCK : 0), out);
	if (e) {
		wq_destroy(fgroup_get(g)->wq);
		fgroup_free(g);
		return e;
	}
	file_get(*out)->priv = (struct vfs_priv){g.idx, g.gen};
	st->groups++;
	return 0;
}

/* One event as read(2) gives it; a permission event moves to `asked`. */
static int copy_one(struct fgroup_ref g, struct fevent_ref er, struct fw_uaddr to)
{
	struct fevent *ep = fevent_get(er);
	struct fan_state *st = fan_state();
	struct fan_event_rec rec = {EVENT_LEN, FANOTIFY_METADATA_VERSION, 0, EVENT_LEN, ep->mask, FAN_NOFD, ep->pid};
	if (inode_ref_valid(ep->ino) && st->hooks.install) {
		struct file_ref nf;
		struct fgroup *gp = fgroup_get(g);
		int e = file_open_inode(ep->ino, gp->f_flags & ~(uint32_t)O_CLOEXEC, &nf);
		if (e)
			return e;
		file_get(nf)->nonotify = 1;
		int fd = st->hooks.install(nf, (gp->f_flags & O_CLOEXEC) != 0);
		if (fd < 0) {
			file_drop(nf);
			return fd;
		}
		rec.fd = fd;
	}
	if (fw_copy_to_user_n(to, &rec, sizeof(rec))) {
		if (rec.fd >= 0 && st->hooks.uninstall)
			st->hooks.uninstall(rec.fd);
		return -EFAULT;
	}
	struct fgroup *gp = fgroup_get(g);
	ep = fevent_get(er);
	if (!gp || !ep || gp->head.idx != er.idx || gp->head.gen != er.gen) {
		/* the group or the event went while the open slept */
		if (rec.fd >= 0 && st->hooks.uninstall)
			st->hooks.uninstall(rec.fd);
		return -EAGAIN;
	}
	gp->head = ep->next;
	gp->count--;
	if (ep->mask == FAN_Q_OVERFLOW)
		gp->overflowed = 0;
	if (ep->perm) {
		ep->fd = rec.fd;
		ep->next = gp->asked;
		gp->asked = er;
	} else {
		free_event(er);
	}
	return 0;
}

static int64_t fan_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct fgroup_ref g = group_of(fp);
	for (;;) {
		struct fgroup *gp = fgroup_get(g);
		fp = file_get(f);
		if (!gp || !fp)
			return -EBADF;
		if (gp->count)
			break;
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wq_wait(gp->wq, 0) == -EINTR)
			return -ERESTARTSYS;
	}
	uint64_t done = 0;
	while (done + EVENT_LEN <= n) {
		struct fgroup *gp = fgroup_get(g);
		if (!gp || !gp->count)
			break;
		int e = copy_one(g, gp->head, fw_uaddr_add(buf, done));
		if (e)
			return done ? (int64_t)done : e;
		done += EVENT_LEN;
	}
	return done ? (int64_t)done : -EINVAL;
}

static int64_t fan_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct fgroup_ref g = group_of(fp);
	struct fan_response r;
	if (n < sizeof(r))
		return -EINVAL;
	if (fw_copy_from_user(&r, buf))
		return -EFAULT;
	uint32_t verdict = r.response & ~(uint32_t)FAN_AUDIT;
	if ((verdict != FAN_ALLOW && verdict != FAN_DENY) || r.fd < 0)
		return -EINVAL;
	struct fgroup *gp = fgroup_get(g);
	if (!gp)
		return -EBADF;
	struct fevent_ref prev = {0};
	for (struct fevent_ref c = gp->asked; fevent_get(c); prev = c, c = fevent_get(c)->next) {
		struct fevent *ep = fevent_get(c);
		if (ep->fd != r.fd)
			continue;
		if (fevent_get(prev))
			fevent_get(prev)->next = ep->next;
		else
			gp->asked = ep->next;
		ep->response = verdict;
		wq_wake(gp->wq);
		return sizeof(r);
	}
	return -ENOENT;
}

static uint32_t fan_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	struct fgroup *gp = fgroup_get(group_of(fp));
	if (!gp)
		return POLLERR;
	poll_wait(pt, gp->wq);
	return gp->count ? POLLIN | POLLRDNORM : 0;
}

static int64_t fan_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	struct fgroup *gp = fgroup_get(group_of(fp));
	if (!gp)
		return -EBADF;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int32_t v = (int32_t)(gp->count * EVENT_LEN);
	return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
}

/* Every permission event still undecided is allowed. */
static void allow_all(struct fevent_ref c)
{
	while (fevent_get(c)) {
		struct fevent *ep = fevent_get(c);
		struct fevent_ref next = ep->next;
		if (ep->perm)
			ep->response = FAN_ALLOW; /* its waiter frees it */
		else
			free_event(c);
		c = next;
	}
}

static void fan_release(struct file_ref f, struct file *fp)
{
	struct fgroup_ref g = group_of(fp);
	struct fgroup *gp = fgroup_get(g);
	while (gp && nmark_get(gp->marks)) {
		mark_drop(gp->marks);
		gp = fgroup_get(g);
	}
	if (!gp)
		return;
	struct fevent_ref queued = gp->head, asked = gp->asked;
	gp->head = gp->asked = (struct fevent_ref){0};
	gp->count = 0;
	allow_all(queued);
	allow_all(asked);
	struct wq_ref wq = fgroup_get(g)->wq;
	fgroup_free(g);
	fan_state()->groups--;
	wq_destroy(wq); /* wakes the waiters: their events are allowed */
}

int fan_fdinfo_flags(struct file_ref f, uint32_t *flags, uint32_t *f_flags)
{
	struct fgroup_ref g;
	int e = fan_group_of(f, &g);
	if (e)
		return e;
	*flags = fgroup_get(g)->flags;
	*f_flags = fgroup_get(g)->f_flags;
	return 0;
}

int fan_fdinfo_mark(struct file_ref f, uint32_t i, struct notify_mark_view *out)
{
	struct fgroup_ref g;
	if (fan_group_of(f, &g))
		return -ENOENT;
	uint32_t k = 0;
	for (struct nmark_ref m = fgroup_get(g)->marks; nmark_get(m); m = nmark_get(m)->next_grp, k++) {
		if (k != i)
			continue;
		struct nmark *mp = nmark_get(m);
		*out = (struct notify_mark_view){0};
		out->mark_type = mp->mflags & FAN_MARK_TYPES;
		out->ino = mp->ino;
		out->sb = mp->sb;
		struct super *sp = super_get(mp->sb);
		if (sp)
			out->sdev = (dev_major(sp->dev) << 20) | dev_minor(sp->dev);
		out->mask = mp->mask;
		out->ignored = mp->ignored;
		out->mflags = (mp->mflags & FAN_MARK_IGNORED_SURV_MODIFY) | ((mp->mflags & MARK_IGNORE_FLAGS) ? FAN_MARK_IGNORE : 0);
		return 0;
	}
	return -ENOENT;
}

int fanotify_fops_init(void)
{
	struct file_ops ops = {
		.name = "[fanotify]",
		.flags = FOP_FASYNC,
		.read = fan_read,
		.write = fan_write,
		.poll = fan_poll,
		.ioctl = fan_ioctl,
		.release = fan_release,
	};
	return file_ops_register(&ops, &fan_state()->fops);
}
