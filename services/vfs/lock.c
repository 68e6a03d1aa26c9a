/* POSIX advisory record locks (fcntl F_GETLK/F_SETLK/F_SETLKW).
 * Layer: services (safe C). Trusts the callers for the owner and pid.
 *
 * As on Linux, a lock belongs to an owner (the descriptor table: the
 * threads of a process share it) and covers the byte range [start, end]
 * of an inode (end LOCK_EOF: to the end of the file, however it grows).
 * An owner's own locks never conflict with each other: a new lock
 * replaces (splits) the owner's locks in its range and merges with
 * adjacent or overlapping ones of the same type. All locks are released
 * when the owner closes any descriptor of the inode (lock_release) and at
 * exit (the table's descriptors are closed). Blocked F_SETLKW callers
 * sleep on the lock table's queue and look again on every unlock.
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
	int32_t pid;
	uint32_t type; /* F_RDLCK or F_WRLCK */
	uint64_t start, end; /* inclusive */
	uint64_t seq;        /* /proc/locks order */
	struct rlock_ref next;
};
FW_POOL_PRIVATE(rlock, struct rlock);

struct lock_table {
	struct rlock_ref head;
	uint32_t count;
	struct wq_ref wq; /* F_SETLKW waiters (made on first use) */
	uint64_t seq;     /* the last lock_seq_next (all kinds of lock) */
};
FW_GLOBAL(struct lock_table, lock_table);

#define LOCKS_MAX 4096 /* system-wide records (Linux: memory bound; ENOLCK) */

static bool same_ino(struct inode_ref a, struct inode_ref b) { return a.idx == b.idx && a.gen == b.gen; }
static bool same_owner(struct fdtable_ref a, struct fdtable_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* The conflicting lock of another owner with the lowest start (Linux keeps
 * an inode's locks sorted by start and reports the first). */
static struct rlock_ref find_conflict(const struct lock_req *rq)
{
	struct rlock_ref best = {0, 0};
	uint64_t best_start = 0;
	for (struct rlock_ref c = lock_table()->head; rlock_ref_valid(c); c = rlock_get(c)->next) {
		struct rlock *l = rlock_get(c);
		if (!same_ino(l->ino, rq->ino) || same_owner(l->owner, rq->owner))
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

static int insert(struct inode_ref ino, struct fdtable_ref owner, int32_t pid, uint32_t type, uint64_t start,
		  uint64_t end)
{
	struct lock_table *lt = lock_table();
	if (lt->count >= LOCKS_MAX)
		return -ENOLCK;
	struct rlock_ref r;
	if (rlock_alloc(&r))
		return -ENOLCK;
	struct rlock *l = rlock_get(r);
	l->ino = ino;
	l->owner = owner;
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
		bool mine = same_ino(l->ino, rq->ino) && same_owner(l->owner, rq->owner);
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
			int e = insert(l->ino, l->owner, l->pid, l->type, rq->end + 1, l->end);
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
	return insert(rq->ino, rq->owner, rq->pid, rq->type, start, end);
}

int lock_set(const struct lock_req *rq, bool wait)
{
	for (;;) {
		if (rq->type == F_UNLCK || !rlock_ref_valid(find_conflict(rq))) {
			int e = apply(rq);
			wq_wake(lock_table()->wq); /* waiters look again */
			return e;
		}
		if (!wait)
			return -EAGAIN;
		struct lock_table *lt = lock_table();
		if (!wq_ref_valid(lt->wq) && wq_create(&lt->wq))
			return -ENOLCK;
		if (wq_wait(lt->wq, 0) == -EINTR)
			return -ERESTARTSYS;
	}
}

void lock_release(struct inode_ref ino, struct fdtable_ref owner)
{
	bool any = false;
	struct rlock_ref prev = {0, 0}, c = lock_table()->head;
	while (rlock_ref_valid(c)) {
		struct rlock *l = rlock_get(c);
		struct rlock_ref next = l->next;
		if (same_ino(l->ino, ino) && same_owner(l->owner, owner)) {
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
