/* flock(2) locks: whole-file advisory locks held by an open file
 * description. Layer: services (safe C). Trusts the file table.
 *
 * As on Linux, a lock belongs to the open file description (dup and fork
 * share it; a second open() of the same file is another holder), covers
 * the inode (for files without one, the provider's object: both ends of a
 * pipe are one file to lock), is independent of POSIX record locks, and
 * goes when the description's last reference is closed. Converting
 * between shared and exclusive drops the old lock first (not atomic, as
 * Linux). Waiters sleep on one queue and look again at every release. */
#include "vfs/vfs.h"

struct flock_rec;
FW_POOL_REF(flock_rec);
struct flock_rec {
	uint64_t key_a, key_b;
	struct file_ref holder;
	bool exclusive;
	int32_t pid;    /* who took it (/proc/locks) */
	uint64_t seq;   /* lock_seq_next */
	struct flock_rec_ref next;
};
FW_POOL_PRIVATE(flock_rec, struct flock_rec);

struct flock_table {
	struct flock_rec_ref head;
	struct wq_ref wq; /* blocked flock callers (made on first use) */
};
FW_GLOBAL(struct flock_table, flock_table);

static bool same_file(struct file_ref a, struct file_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* What a lock covers: the inode, else the provider's object. */
static void key_of(const struct file *fp, uint64_t *a, uint64_t *b)
{
	if (inode_ref_valid(fp->inode)) {
		*a = ((uint64_t)fp->inode.idx << 32) | fp->inode.gen;
		*b = 0;
		return;
	}
	*a = ((uint64_t)fp->priv.idx << 32) | fp->priv.gen;
	*b = ((uint64_t)fp->fops << 1) | 1;
}

static void drop(struct file_ref f)
{
	struct flock_table *t = flock_table();
	struct flock_rec_ref prev = {0};
	for (struct flock_rec_ref c = t->head; flock_rec_ref_valid(c); c = flock_rec_get(c)->next) {
		struct flock_rec *r = flock_rec_get(c);
		if (same_file(r->holder, f)) {
			if (flock_rec_ref_valid(prev))
				flock_rec_get(prev)->next = r->next;
			else
				t->head = r->next;
			flock_rec_free(c);
			if (t->wq.gen)
				wq_wake(t->wq);
			return;
		}
		prev = c;
	}
}

void flock_release_file(struct file_ref f) { drop(f); }

/* Another description's lock on the key that conflicts. */
static bool conflict(uint64_t a, uint64_t b, struct file_ref f, bool exclusive)
{
	for (struct flock_rec_ref c = flock_table()->head; flock_rec_ref_valid(c); c = flock_rec_get(c)->next) {
		struct flock_rec *r = flock_rec_get(c);
		if (r->key_a == a && r->key_b == b && !same_file(r->holder, f) && (exclusive || r->exclusive))
			return true;
	}
	return false;
}

static bool holds(struct file_ref f, bool exclusive)
{
	for (struct flock_rec_ref c = flock_table()->head; flock_rec_ref_valid(c); c = flock_rec_get(c)->next) {
		struct flock_rec *r = flock_rec_get(c);
		if (same_file(r->holder, f))
			return r->exclusive == exclusive;
	}
	return false;
}

int flock_file(struct file_ref f, uint32_t op, bool wait, int32_t pid)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	if (op == FLOCK_UN) {
		drop(f);
		return 0;
	}
	bool exclusive = op == FLOCK_EX;
	if (holds(f, exclusive))
		return 0;
	drop(f); /* a conversion releases the old lock first */
	uint64_t a, b;
	key_of(file_get(f), &a, &b);
	while (conflict(a, b, f, exclusive)) {
		if (!wait)
			return -EAGAIN;
		struct flock_table *t = flock_table();
		if (!t->wq.gen && wq_create(&t->wq))
			return -ENOMEM;
		if (wq_wait(t->wq, 0) == -EINTR)
			return -ERESTARTSYS;
		if (!file_get(f))
			return -EBADF;
	}
	struct flock_rec_ref r;
	if (flock_rec_alloc(&r))
		return -ENOLCK;
	struct flock_rec *rp = flock_rec_get(r);
	rp->key_a = a;
	rp->key_b = b;
	rp->holder = f;
	rp->exclusive = exclusive;
	rp->pid = pid;
	rp->seq = lock_seq_next();
	rp->next = flock_table()->head;
	flock_table()->head = r;
	return 0;
}

void flock_lock_below(uint64_t below, struct lock_view *best)
{
	for (struct flock_rec_ref c = flock_table()->head; flock_rec_ref_valid(c); c = flock_rec_get(c)->next) {
		struct flock_rec *r = flock_rec_get(c);
		struct file *fp = file_get(r->holder);
		if (r->seq >= below || r->seq <= best->seq || !fp || !inode_ref_valid(fp->inode))
			continue;
		uint32_t type = r->exclusive ? F_WRLCK : F_RDLCK;
		*best = (struct lock_view){r->seq, LOCKV_FLOCK, type, 0, r->pid, fp->inode, 0, LOCK_EOF};
	}
}
