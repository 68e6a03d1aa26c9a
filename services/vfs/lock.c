/* Advisory record locks: POSIX (fcntl F_GETLK/F_SETLK/F_SETLKW) and
 * open-file-description ones (F_OFD_GETLK/F_OFD_SETLK/F_OFD_SETLKW).
 * Layer: services (safe C). Trusts the callers for the owner and pid.
 *
 * As on Linux, a lock belongs to an owner (for a POSIX lock the
 * descriptor table: the threads of a process share it; for an OFD lock
 * the open file description) and covers the byte range [start, end]
 * of an inode (end LOCK_EOF: to the end of the file, however it grows).
 * An owner's own locks never conflict with each other: a new lock
 * replaces (splits) the owner's locks in its range and merges with
 * adjacent or overlapping ones of the same type. POSIX locks are released
 * when the owner closes any descriptor of the inode (lock_release) and at
 * exit (the table's descriptors are closed); OFD locks when the open file
 * is released (lock_release_ofd). Blocked F_SETLKW callers sleep on the
 * lock table's queue and look again on every unlock; each is recorded as
 * a waiter, so a POSIX request that would close a cycle of owners waiting
 * for each other fails with EDEADLK (Linux's posix_locks_deadlock).
 *
 * The locks of all inodes live in one list: they are few, and scanning it
 * keeps struct inode unchanged. */
#include "vfs/vfs.h"
#include <abi/fs.h>

struct rlock;
FW_POOL_REF(rlock);
struct rlock {
	struct inode_ref ino;
	struct fdtable_ref owner;
	struct file_ref ofd; /* an OFD lock's open file */
	bool is_ofd;
	int32_t pid;
	uint32_t type; /* F_RDLCK or F_WRLCK */
	uint64_t start, end; /* inclusive */
	uint64_t seq;        /* /proc/locks order */
	struct rlock_ref next;
};
FW_POOL_PRIVATE(rlock, struct rlock);

/* A blocked F_SETLKW request, for deadlock detection. */
struct lwaiter;
FW_POOL_REF(lwaiter);
struct lwaiter {
	struct lock_req rq;
	struct lwaiter_ref next;
};
FW_POOL_PRIVATE(lwaiter, struct lwaiter);

struct lock_table {
	struct rlock_ref head;
	uint32_t count;
	struct wq_ref wq; /* F_SETLKW waiters (made on first use) */
	struct lwaiter_ref waiters;
	uint64_t seq;     /* the last lock_seq_next (all kinds of lock) */
};
FW_GLOBAL(struct lock_table, lock_table);

#define DEADLOCK_STEPS 10 /* owners followed along a chain (Linux: MAX_DEADLK_ITERATIONS) */

#define LOCKS_MAX 4096 /* system-wide records (Linux: memory bound; ENOLCK) */

static bool same_ino(struct inode_ref a, struct inode_ref b) { return a.idx == b.idx && a.gen == b.gen; }
static bool same_table(struct fdtable_ref a, struct fdtable_ref b) { return a.idx == b.idx && a.gen == b.gen; }
static bool same_file(struct file_ref a, struct file_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* One owner: the same open file for OFD locks, the same table for POSIX
 * ones; an OFD lock and a POSIX lock never share an owner. */
static bool owner_is(const struct rlock *l, const struct lock_req *rq)
{
	if (l->is_ofd != rq->is_ofd)
		return false;
	if (l->is_ofd)
		return same_file(l->ofd, rq->ofd);
	return same_table(l->owner, rq->owner);
}

/* The conflicting lock of another owner with the lowest start (Linux keeps
 * an inode's locks sorted by start and reports the first). */
static struct rlock_ref find_conflict(const struct lock_req *rq)
{
	struct rlock_ref best = {0, 0};
	uint64_t best_start = 0;
	for (struct rlock_ref c = lock_table()->head; rlock_ref_valid(c); c = rlock_get(c)->next) {
		struct rlock *l = rlock_get(c);
		if (!same_ino(l->ino, rq->ino) || owner_is(l, rq))
			continue;
		if (l->end < rq->start || l->start > rq->end)
			continue;
		if ((l->type == F_WRLCK || rq->type == F_WRLCK) && (!rlock_ref_valid(best) || l->start < best_start)) {
			best = c;
			best_start = l->start;
		}
	}
	return best;
}

int lock_test(struct lock_req *rq)
{
	struct rlock *l = rlock_get(find_conflict(rq));
	if (!l) {
		rq->type = F_UNLCK;
		return 0;
	}
	rq->type = l->type;
	rq->start = l->start;
	rq->end = l->end;
	rq->pid = l->pid;
	return 0;
}

static int insert(const struct lock_req *who, int32_t pid, uint32_t type, uint64_t start, uint64_t end)
{
	struct lock_table *lt = lock_table();
	if (lt->count >= LOCKS_MAX)
		return -ENOLCK;
	struct rlock_ref r;
	if (rlock_alloc(&r))
		return -ENOLCK;
	struct rlock *l = rlock_get(r);
	l->ino = who->ino;
	l->owner = who->owner;
	l->ofd = who->ofd;
	l->is_ofd = who->is_ofd;
	l->pid = pid;
	l->type = type;
	l->start = start;
	l->end = end;
	l->seq = lock_seq_next();
	lt = lock_table();
	l->next = lt->head;
	lt->head = r;
	lt->count++;
	return 0;
}

static void unlink_lock(struct rlock_ref prev, struct rlock_ref c)
{
	struct lock_table *lt = lock_table();
	struct rlock_ref next = rlock_get(c)->next;
	if (rlock_ref_valid(prev))
		rlock_get(prev)->next = next;
	else
		lt->head = next;
	rlock_free(c);
	if (lt->count > 0)
		lt->count--;
}

/* Room for the worst case of one request: a split needs one record more
 * besides the new lock. */
static bool room_for(uint32_t n) { return lock_table()->count + n <= LOCKS_MAX; }

/* Apply the request to the owner's own locks (no conflicts left). */
static int apply(const struct lock_req *rq)
{
	if (!room_for(2))
		return -ENOLCK;
	uint64_t start = rq->start, end = rq->end;
	struct rlock_ref prev = {0, 0}, c = lock_table()->head;
	while (rlock_ref_valid(c)) {
		struct rlock *l = rlock_get(c);
		struct rlock_ref next = l->next;
		bool mine = same_ino(l->ino, rq->ino) && owner_is(l, rq);
		bool adjacent = (l->end != LOCK_EOF && l->end + 1 == rq->start) ||
				(rq->end != LOCK_EOF && rq->end + 1 == l->start);
		bool overlap = !(l->end < rq->start || l->start > rq->end);
		if (!mine || (!overlap && !(adjacent && l->type == rq->type))) {
			prev = c;
			c = next;
			continue;
		}
		if (l->type == rq->type) {
			/* same type: absorb it into the new range */
			start = FW_MIN(start, l->start);
			end = FW_MAX(end, l->end);
			unlink_lock(prev, c);
			c = next;
			continue;
		}
		/* different type: keep the parts outside the request */
		if (l->start < rq->start && l->end > rq->end) {
			int e = insert(rq, l->pid, l->type, rq->end + 1, l->end);
			if (e)
				return e;
			l = rlock_get(c);
			l->end = rq->start - 1;
		} else if (l->start < rq->start) {
			l->end = rq->start - 1;
		} else if (l->end > rq->end) {
			l->start = rq->end + 1;
		} else {
			unlink_lock(prev, c);
			c = next;
			continue;
		}
		prev = c;
		c = next;
	}
	if (rq->type == F_UNLCK)
		return 0;
	return insert(rq, rq->pid, rq->type, start, end);
}

/* The request a POSIX owner is blocked in, if any. */
static bool waiting_request(struct fdtable_ref owner, struct lock_req *out)
{
	for (struct lwaiter_ref w = lock_table()->waiters; lwaiter_ref_valid(w); w = lwaiter_get(w)->next) {
		struct lwaiter *wp = lwaiter_get(w);
		if (!wp->rq.is_ofd && same_table(wp->rq.owner, owner)) {
			*out = wp->rq;
			return true;
		}
	}
	return false;
}

/* Would rq, blocked by lock `c`, wait in a cycle? Follow the owner of the
 * blocking lock to the request it waits in, and that request's blocker,
 * and so on: reaching rq's own owner is a deadlock. OFD locks take no
 * part (as on Linux). */
static bool deadlock(const struct lock_req *rq, struct rlock_ref c)
{
	if (rq->is_ofd)
		return false;
	for (int i = 0; i < DEADLOCK_STEPS; i++) {
		struct rlock *l = rlock_get(c);
		if (!l || l->is_ofd)
			return false;
		if (same_table(l->owner, rq->owner))
			return true;
		struct lock_req next;
		if (!waiting_request(l->owner, &next))
			return false;
		c = find_conflict(&next);
	}
	return false;
}

static int add_waiter(const struct lock_req *rq, struct lwaiter_ref *out)
{
	if (lwaiter_alloc(out))
		return -ENOLCK;
	struct lwaiter *w = lwaiter_get(*out);
	w->rq = *rq;
	struct lock_table *lt = lock_table();
	w->next = lt->waiters;
	lt->waiters = *out;
	return 0;
}

static void drop_waiter(struct lwaiter_ref r)
{
	struct lock_table *lt = lock_table();
	struct lwaiter_ref prev = {0, 0};
	for (struct lwaiter_ref w = lt->waiters; lwaiter_ref_valid(w); w = lwaiter_get(w)->next) {
		if (w.idx == r.idx && w.gen == r.gen) {
			struct lwaiter_ref next = lwaiter_get(w)->next;
			if (lwaiter_ref_valid(prev))
				lwaiter_get(prev)->next = next;
			else
				lt->waiters = next;
			lwaiter_free(w);
			return;
		}
		prev = w;
	}
}

int lock_set(const struct lock_req *rq, bool wait)
{
	for (;;) {
		struct rlock_ref c = rq->type == F_UNLCK ? (struct rlock_ref){0, 0} : find_conflict(rq);
		if (!rlock_ref_valid(c)) {
			int e = apply(rq);
			wq_wake(lock_table()->wq); /* waiters look again */
			return e;
		}
		if (!wait)
			return -EAGAIN;
		if (deadlock(rq, c))
			return -EDEADLK;
		struct lock_table *lt = lock_table();
		if (!wq_ref_valid(lt->wq) && wq_create(&lt->wq))
			return -ENOLCK;
		struct lwaiter_ref w;
		if (add_waiter(rq, &w))
			return -ENOLCK;
		int e = wq_wait(lock_table()->wq, 0);
		drop_waiter(w);
		if (e == -EINTR)
			return -ERESTARTSYS;
	}
}

/* Drop the POSIX locks `owner` holds on ino, or (ofd) every OFD lock of
 * the open file f; wake the waiters if any went. */
static void release_where(bool ofd, struct inode_ref ino, struct fdtable_ref owner, struct file_ref f)
{
	bool any = false;
	struct rlock_ref prev = {0, 0}, c = lock_table()->head;
	while (rlock_ref_valid(c)) {
		struct rlock *l = rlock_get(c);
		struct rlock_ref next = l->next;
		bool mine = ofd ? l->is_ofd && same_file(l->ofd, f)
				: !l->is_ofd && same_ino(l->ino, ino) && same_table(l->owner, owner);
		if (mine) {
			unlink_lock(prev, c);
			any = true;
		} else {
			prev = c;
		}
		c = next;
	}
	if (any)
		wq_wake(lock_table()->wq);
}

void lock_release(struct inode_ref ino, struct fdtable_ref owner)
{
	struct file_ref none = {0};
	release_where(false, ino, owner, none);
}

void lock_release_ofd(struct file_ref f)
{
	struct inode_ref no_ino = {0};
	struct fdtable_ref no_owner = {0};
	release_where(true, no_ino, no_owner, f);
}

uint64_t lock_seq_next(void) { return ++lock_table()->seq; }

int vfs_lock_next(uint64_t below, struct lock_view *out)
{
	struct lock_view best = {0};
	for (struct rlock_ref c = lock_table()->head; rlock_ref_valid(c); c = rlock_get(c)->next) {
		struct rlock *l = rlock_get(c);
		if (l->seq >= below || l->seq <= best.seq)
			continue;
		best = (struct lock_view){l->seq, LOCKV_POSIX, l->type, 0, l->pid, l->ino, l->start, l->end};
	}
	flock_lock_below(below, &best);
	lease_lock_below(below, &best);
	if (!best.seq)
		return -ENOENT;
	*out = best;
	return 0;
}
