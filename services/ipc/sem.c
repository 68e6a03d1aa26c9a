/* System V semaphores: semget, semop/semtimedop, semctl, SEM_UNDO.
 * Layer: services (safe C). Trusts the framework's wait queues.
 *
 * A set's values live in a chain of blocks. semop applies its operations
 * all or nothing, in array order (so several operations on one semaphore
 * see each other), as Linux's perform_atomic_semop; if one would block,
 * nothing changes and the caller sleeps on the set's queue (IPC_NOWAIT:
 * -EAGAIN; a timeout: -EAGAIN; a signal: -EINTR, never restarted; removal:
 * -EIDRM). Every change wakes all sleepers of the set, oldest first, and
 * each tries again. A sleeper records the operation that blocked it, which
 * is what GETNCNT and GETZCNT count.
 *
 * SEM_UNDO adjustments are kept per (process, set, semaphore) in one list
 * and applied, clamped to 0..SEMVMX, when the process exits; SETVAL and
 * SETALL clear them, IPC_RMID makes them refer to nothing. */
#include "ipc/ipc.h"
#include <fw/time.h>
#include <fw/wait.h>

#define SEMVMX 32767
#define SEMAEM SEMVMX
#define SEMUSZ 20
#define SEM_UNDO 0x1000
#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_STAT 18
#define SEM_INFO 19
#define SEM_STAT_ANY 20
#define BLK 480

FW_POOL_DEFINE(sem_ops, struct sem_ops);

struct sem_k {
	int32_t val, pid;
};

FW_POOL_REF(sem_blk);
struct sem_blk {
	struct sem_k s[BLK];
	struct sem_blk_ref next;
};
FW_POOL_PRIVATE(sem_blk, struct sem_blk);

FW_POOL_REF(sem_waiter);
struct sem_waiter {
	uint32_t num; /* the operation that blocked */
	int32_t op;
	struct sem_waiter_ref next;
};
FW_POOL_PRIVATE(sem_waiter, struct sem_waiter);

FW_POOL_REF(sem_set);
struct sem_set {
	struct ipc_perm_k perm;
	uint32_t nsems;
	int64_t otime;
	struct sem_blk_ref blocks;
	struct sem_waiter_ref waiters;
	struct fw_waitq_ref wq;
};
FW_POOL_PRIVATE(sem_set, struct sem_set);

/* One SEM_UNDO adjustment. pid: the undo list it belongs to (the
 * owning processes' share id, proc/share.c: CLONE_SYSVSEM shares it). */
FW_POOL_REF(sem_undo);
struct sem_undo {
	int32_t pid, semid;
	uint32_t num;
	int32_t adj;
	struct sem_undo_ref next;
};
FW_POOL_PRIVATE(sem_undo, struct sem_undo);

struct sem_table {
	struct ipc_ids ids;
	uint64_t used_sems;
	struct sem_undo_ref undos;
};
FW_GLOBAL(struct sem_table, sems);

static struct sem_set_ref slot_ref(uint32_t slot)
{
	uint64_t h = ipc_ids_get(&sems()->ids, slot);
	return (struct sem_set_ref){(uint32_t)(h >> 32), (uint32_t)h};
}

struct linux_semid64_ds {
	struct linux_ipc64_perm perm;
	int64_t otime;
	uint64_t unused1;
	int64_t ctime;
	uint64_t unused2, nsems, unused3, unused4;
};

struct linux_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

bool sem_obj_at(uint32_t slot, struct ipc_obj_info *out)
{
	struct sem_set *s = slot < SEMMNI ? sem_set_get(slot_ref(slot)) : NULL;
	if (!s)
		return false;
	ipc_info_perm(out, &s->perm, slot);
	out->a = s->nsems;
	out->t1 = s->otime;
	return true;
}

static struct sem_set *set_by_id(int32_t id)
{
	if (id < 0 || ipc_slot(id) >= SEMMNI)
		return NULL;
	struct sem_set *s = sem_set_get(slot_ref(ipc_slot(id)));
	return s && s->perm.seq == ipc_seq(id) ? s : NULL;
}

/* The block holding semaphore num (num < nsems): its record is
 * blk->s[num % BLK]. */
static struct sem_blk *blk_of(const struct sem_set *s, uint32_t num)
{
	struct sem_blk_ref b = s->blocks;
	for (uint32_t k = num / BLK; k > 0 && sem_blk_ref_valid(b); k--)
		b = sem_blk_get(b)->next;
	return sem_blk_get(b);
}

static int32_t sem_value(const struct sem_set *s, uint32_t num) { return blk_of(s, num)->s[num % BLK].val; }

static void sem_store(const struct sem_set *s, uint32_t num, int32_t val, int32_t pid)
{
	struct sem_blk *b = blk_of(s, num);
	b->s[num % BLK].val = val;
	b->s[num % BLK].pid = pid;
}

static void free_blocks(struct sem_blk_ref b)
{
	while (sem_blk_ref_valid(b)) {
		struct sem_blk_ref next = sem_blk_get(b)->next;
		sem_blk_free(b);
		b = next;
	}
}

static int find_key(int32_t key) { return ipc_ids_find_key(&sems()->ids, key); }

static int set_create(int32_t key, uint32_t nsems, uint32_t flags)
{
	struct sem_table *t = sems();
	if (nsems == 0)
		return -EINVAL;
	t->ids.max = SEMMNI;
	if ((int64_t)t->used_sems + nsems > ipc_limit(IPC_LIM_SEMMNS))
		return -ENOSPC;
	if ((int64_t)t->ids.used >= ipc_limit(IPC_LIM_SEMMNI))
		return -ENOSPC;
	int32_t want = ipc_take_next_id(IPC_KIND_SEM);
	int slot = want < 0 ? ipc_ids_free_slot(&t->ids) : ipc_ids_free_slot_from(&t->ids, ipc_slot(want));
	uint16_t seq = want < 0 ? t->ids.seq : ipc_seq(want);
	struct sem_set_ref r;
	if (slot < 0 || sem_set_alloc(&r))
		return -ENOSPC;
	struct sem_set *s = sem_set_get(r);
	int e = fw_waitq_create(&s->wq) ? -ENOMEM : 0;
	struct sem_blk_ref tail = {0};
	for (uint32_t made = 0; e == 0 && made < nsems; made += BLK) {
		struct sem_blk_ref b;
		if (sem_blk_alloc(&b)) {
			e = -ENOMEM;
			break;
		}
		s = sem_set_get(r);
		if (sem_blk_ref_valid(tail))
			sem_blk_get(tail)->next = b;
		else
			s->blocks = b;
		tail = b;
	}
	s = sem_set_get(r);
	if (e) {
		free_blocks(s->blocks);
		fw_waitq_destroy(s->wq);
		sem_set_free(r);
		return e;
	}
	t = sems();
	if (ipc_ids_put(&t->ids, (uint32_t)slot, ((uint64_t)r.idx << 32) | r.gen, key)) {
		s = sem_set_get(r);
		free_blocks(s->blocks);
		fw_waitq_destroy(s->wq);
		sem_set_free(r);
		return -ENOMEM;
	}
	s = sem_set_get(r);
	ipc_perm_init(&s->perm, key, flags, seq);
	s->nsems = nsems;
	t->used_sems += nsems;
	int32_t id = ipc_id(seq, (uint32_t)slot);
	if (want < 0)
		t->ids.seq = (uint16_t)(t->ids.seq + 1);
	return id;
}

int sem_get(int32_t key, int32_t nsems, uint32_t flags)
{
	if (nsems < 0 || nsems > ipc_limit(IPC_LIM_SEMMSL))
		return -EINVAL;
	int slot = key == IPC_PRIVATE ? -1 : find_key(key);
	int rule = ipc_get_rules(slot >= 0, key, flags);
	if (rule < 0)
		return rule;
	if (rule == 1)
		return set_create(key, (uint32_t)nsems, flags);
	struct sem_set *s = sem_set_get(slot_ref((uint32_t)slot));
	if ((uint32_t)nsems > s->nsems)
		return -EINVAL;
	int e = ipc_check(&s->perm, flags);
	return e ? e : ipc_id(s->perm.seq, (uint32_t)slot);
}

/* --- undo records ------------------------------------------------------ */
static int32_t undo_adj(int32_t pid, int32_t semid, uint32_t num)
{
	for (struct sem_undo_ref u = sems()->undos; sem_undo_ref_valid(u); u = sem_undo_get(u)->next) {
		struct sem_undo *up = sem_undo_get(u);
		if (up->pid == pid && up->semid == semid && up->num == num)
			return up->adj;
	}
	return 0;
}

static int undo_add(int32_t pid, int32_t semid, uint32_t num, int32_t delta)
{
	struct sem_undo_ref u;
	for (u = sems()->undos; sem_undo_ref_valid(u); u = sem_undo_get(u)->next) {
		struct sem_undo *up = sem_undo_get(u);
		if (up->pid == pid && up->semid == semid && up->num == num) {
			up->adj += delta;
			return 0;
		}
	}
	if (sem_undo_alloc(&u))
		return -ENOMEM;
	struct sem_undo *up = sem_undo_get(u);
	*up = (struct sem_undo){pid, semid, num, delta, sems()->undos};
	sems()->undos = u;
	return 0;
}

/* Drop undo records matching the set (and semaphore num, or all: -1) or
 * the process (pid, semid -1). */
static void undo_drop(int32_t pid, int32_t semid, int64_t num)
{
	struct sem_undo_ref prev = {0};
	for (struct sem_undo_ref u = sems()->undos; sem_undo_ref_valid(u);) {
		struct sem_undo *up = sem_undo_get(u);
		struct sem_undo_ref next = up->next;
		bool match = pid ? up->pid == pid : up->semid == semid && (num < 0 || up->num == (uint32_t)num);
		if (match) {
			if (sem_undo_ref_valid(prev))
				sem_undo_get(prev)->next = next;
			else
				sems()->undos = next;
			sem_undo_free(u);
		} else {
			prev = u;
		}
		u = next;
	}
}

/* --- semop --------------------------------------------------------------- */
/* The value semaphore num would have after the first k operations. */
static int32_t value_after(struct sem_set *s, const struct sem_ops *ops, uint32_t k, uint32_t num)
{
	int32_t v = sem_value(s, num);
	for (uint32_t i = 0; i < k; i++)
		if (ops->op[i].num == num)
			v += ops->op[i].op;
	return v;
}

/* 0 done, 1 would block (*blocked set), or -EAGAIN/-ERANGE. */
static int try_ops(struct sem_set *s, int32_t id, const struct sem_ops *ops, uint32_t *blocked)
{
	int32_t pid = cur_proc()->pid;
	for (uint32_t i = 0; i < ops->n; i++) {
		struct linux_sembuf o = ops->op[i];
		int32_t v = value_after(s, ops, i, o.num);
		int32_t r = v + o.op;
		if ((o.op == 0 && v != 0) || r < 0) {
			*blocked = i;
			return (o.flg & IPC_NOWAIT) ? -EAGAIN : 1;
		}
		if (r > SEMVMX)
			return -ERANGE;
		if (o.flg & SEM_UNDO) {
			int32_t adj = undo_adj((int32_t)share_undo_key(cur_proc_ref(), false), id, o.num);
			for (uint32_t j = 0; j < i; j++)
				if ((ops->op[j].flg & SEM_UNDO) && ops->op[j].num == o.num)
					adj -= ops->op[j].op;
			int32_t undo = adj - o.op;
			if (undo < -SEMAEM - 1 || undo > SEMAEM)
				return -ERANGE;
		}
	}
	for (uint32_t i = 0; i < ops->n; i++) {
		struct linux_sembuf o = ops->op[i];
		if ((o.flg & SEM_UNDO) && o.op && undo_add((int32_t)share_undo_key(cur_proc_ref(), true), id, o.num, -o.op))
			return -ENOMEM;
		s = set_by_id(id);
		sem_store(s, o.num, sem_value(s, o.num) + o.op, pid);
	}
	s = set_by_id(id);
	s->otime = ipc_now();
	return 0;
}

static bool alters(const struct sem_ops *ops)
{
	for (uint32_t i = 0; i < ops->n; i++)
		if (ops->op[i].op != 0)
			return true;
	return false;
}

/* Sleep until the set changes; record what blocked us for GETNCNT/GETZCNT. */
static int sleep_blocked(int32_t id, struct linux_sembuf o, uint64_t deadline)
{
	struct sem_waiter_ref w;
	if (sem_waiter_alloc(&w))
		return -ENOMEM;
	struct sem_set *s = set_by_id(id);
	struct sem_waiter *wp = sem_waiter_get(w);
	wp->num = o.num;
	wp->op = o.op;
	wp->next = s->waiters;
	s->waiters = w;
	int e = fw_waitq_wait(s->wq, deadline, true);
	s = set_by_id(id);
	if (s) {
		struct sem_waiter_ref prev = {0};
		for (struct sem_waiter_ref c = s->waiters; sem_waiter_ref_valid(c); c = sem_waiter_get(c)->next) {
			if (c.idx == w.idx && c.gen == w.gen) {
				if (sem_waiter_ref_valid(prev))
					sem_waiter_get(prev)->next = sem_waiter_get(c)->next;
				else
					s->waiters = sem_waiter_get(c)->next;
				break;
			}
			prev = c;
		}
	}
	sem_waiter_free(w);
	if (!s || e == -EIDRM)
		return -EIDRM;
	if (e == -ETIMEDOUT)
		return -EAGAIN;
	return e == -EINTR ? -EINTR : 0;
}

int sem_op(int32_t id, const struct sem_ops *ops, uint64_t deadline)
{
	uint32_t max = 0;
	for (uint32_t i = 0; i < ops->n; i++)
		max = FW_MAX(max, (uint32_t)ops->op[i].num);
	for (;;) {
		struct sem_set *s = set_by_id(id);
		if (!s)
			return -EINVAL;
		if (max >= s->nsems)
			return -EFBIG;
		if (ipc_check(&s->perm, alters(ops) ? 0222 : 0444))
			return -EACCES;
		uint32_t blocked = 0;
		int r = try_ops(s, id, ops, &blocked);
		if (r == 0 && alters(ops))
			fw_waitq_wake_all(set_by_id(id)->wq);
		if (r <= 0)
			return r;
		if (deadline && fw_time_monotonic_ns() >= deadline)
			return -EAGAIN;
		r = sleep_blocked(id, ops->op[blocked], deadline);
		if (r)
			return r;
	}
}

/* --- semctl -------------------------------------------------------------- */
static void fill_ds(struct linux_semid64_ds *d, const struct sem_set *s)
{
	*d = (struct linux_semid64_ds){0};
	ipc_perm_to_user(&d->perm, &s->perm);
	d->otime = s->otime;
	d->ctime = s->perm.ctime;
	d->nsems = s->nsems;
}

static int64_t info_cmd(int32_t cmd, uint64_t ubuf)
{
	struct sem_table *t = sems();
	int32_t semmni = (int32_t)ipc_limit(IPC_LIM_SEMMNI), semmns = (int32_t)ipc_limit(IPC_LIM_SEMMNS);
	int32_t semmsl = (int32_t)ipc_limit(IPC_LIM_SEMMSL), semopm = (int32_t)ipc_limit(IPC_LIM_SEMOPM);
	struct linux_seminfo in = {SEMMNS, semmni, semmns, SEMMNS, semmsl, semopm, SEMOPM, SEMUSZ, SEMVMX, SEMAEM};
	if (cmd == SEM_INFO) {
		in.semusz = (int32_t)t->ids.used;
		in.semaem = (int32_t)t->used_sems;
	}
	int32_t highest = 0;
	for (uint32_t i = 0, seen = 0; i < SEMMNI && seen < t->ids.used; i++)
		if (ipc_ids_get(&t->ids, i)) {
			highest = (int32_t)i;
			seen++;
		}
	return fw_copy_to_user(fw_uaddr(ubuf), &in) ? -EFAULT : highest;
}

static int64_t stat_cmd(int32_t id, int32_t cmd, uint64_t ubuf)
{
	struct sem_set *s;
	int32_t ret = 0;
	if (cmd == IPC_STAT) {
		s = set_by_id(id);
	} else {
		s = id < SEMMNI ? sem_set_get(slot_ref((uint32_t)id)) : NULL;
		if (s)
			ret = ipc_id(s->perm.seq, (uint32_t)id);
	}
	if (!s)
		return -EINVAL;
	if (cmd != SEM_STAT_ANY && ipc_check(&s->perm, 0444))
		return -EACCES;
	struct linux_semid64_ds d;
	fill_ds(&d, s);
	return fw_copy_to_user(fw_uaddr(ubuf), &d) ? -EFAULT : ret;
}

static int32_t count_waiters(const struct sem_set *s, uint32_t num, bool zero)
{
	int32_t n = 0;
	for (struct sem_waiter_ref c = s->waiters; sem_waiter_ref_valid(c); c = sem_waiter_get(c)->next) {
		struct sem_waiter *w = sem_waiter_get(c);
		if (w->num == num && (zero ? w->op == 0 : w->op < 0))
			n++;
	}
	return n;
}

static int64_t get_all(struct sem_set *s, uint64_t ubuf)
{
	uint16_t buf[256];
	for (uint32_t i = 0; i < s->nsems; i += 256) {
		uint32_t n = FW_MIN(256u, s->nsems - i);
		for (uint32_t k = 0; k < n; k++)
			buf[k] = (uint16_t)sem_value(s, i + k);
		if (fw_copy_to_user_n(fw_uaddr(ubuf + 2ULL * i), &buf, 2ULL * n))
			return -EFAULT;
	}
	return 0;
}

static int64_t set_all(int32_t id, uint64_t ubuf)
{
	struct sem_set *s = set_by_id(id);
	uint16_t buf[256];
	for (uint32_t i = 0; i < s->nsems; i += 256) { /* check everything first */
		uint32_t n = FW_MIN(256u, s->nsems - i);
		if (fw_copy_from_user_n(&buf, fw_uaddr(ubuf + 2ULL * i), 2ULL * n))
			return -EFAULT;
		for (uint32_t k = 0; k < n; k++)
			if (buf[k] > SEMVMX)
				return -ERANGE;
	}
	int32_t pid = cur_proc()->pid;
	for (uint32_t i = 0; i < s->nsems; i += 256) {
		uint32_t n = FW_MIN(256u, s->nsems - i);
		if (fw_copy_from_user_n(&buf, fw_uaddr(ubuf + 2ULL * i), 2ULL * n))
			return -EFAULT;
		for (uint32_t k = 0; k < n; k++)
			sem_store(s, i + k, buf[k], pid);
	}
	undo_drop(0, id, -1);
	s = set_by_id(id);
	s->perm.ctime = ipc_now();
	fw_waitq_wake_all(s->wq);
	return 0;
}

static int64_t main_cmd(int32_t id, int32_t num, int32_t cmd, uint64_t arg)
{
	struct sem_set *s = set_by_id(id);
	if (!s)
		return -EINVAL;
	if (ipc_check(&s->perm, cmd == SETALL ? 0222 : 0444))
		return -EACCES;
	if (cmd == GETALL)
		return get_all(s, arg);
	if (cmd == SETALL)
		return set_all(id, arg);
	if (num < 0 || (uint32_t)num >= s->nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL:
		return sem_value(s, (uint32_t)num);
	case GETPID:
		return blk_of(s, (uint32_t)num)->s[(uint32_t)num % BLK].pid;
	case GETNCNT:
		return count_waiters(s, (uint32_t)num, false);
	default:
		return count_waiters(s, (uint32_t)num, true);
	}
}

static int64_t set_val(int32_t id, int32_t num, int32_t val)
{
	if (val > SEMVMX || val < 0)
		return -ERANGE;
	struct sem_set *s = set_by_id(id);
	if (!s)
		return -EINVAL;
	if (num < 0 || (uint32_t)num >= s->nsems)
		return -EINVAL;
	if (ipc_check(&s->perm, 0222))
		return -EACCES;
	undo_drop(0, id, num);
	s = set_by_id(id);
	sem_store(s, (uint32_t)num, val, cur_proc()->pid);
	s->perm.ctime = ipc_now();
	fw_waitq_wake_all(s->wq);
	return 0;
}

static void set_remove(int32_t id)
{
	struct sem_table *t = sems();
	struct sem_set_ref r = slot_ref(ipc_slot(id));
	struct sem_set *s = sem_set_get(r);
	t->used_sems -= s->nsems;
	free_blocks(s->blocks);
	s = sem_set_get(r);
	fw_waitq_destroy(s->wq); /* sleepers wake with -EIDRM */
	sem_set_free(r);
	(void)ipc_ids_put(&sems()->ids, ipc_slot(id), 0, IPC_PRIVATE);
	undo_drop(0, id, -1);
}

int64_t sem_ctl(int32_t id, int32_t num, int32_t cmd, uint64_t arg)
{
	if (id < 0)
		return -EINVAL;
	cmd &= ~IPC_64;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return info_cmd(cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return stat_cmd(id, cmd, arg);
	case GETALL:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETALL:
		return main_cmd(id, num, cmd, arg);
	case SETVAL:
		return set_val(id, num, (int32_t)arg);
	case IPC_SET:
	case IPC_RMID: {
		struct linux_semid64_ds d;
		if (cmd == IPC_SET && fw_copy_from_user(&d, fw_uaddr(arg)))
			return -EFAULT;
		struct sem_set *s = set_by_id(id);
		if (!s)
			return -EINVAL;
		int e = ipc_may_own(&s->perm);
		if (e)
			return e;
		if (cmd == IPC_RMID)
			set_remove(id);
		else
			ipc_perm_set(&s->perm, &d.perm);
		return 0;
	}
	default:
		return -EINVAL;
	}
}

/* Linux's exit_sem: the last process holding an undo list applies its
 * adjustments (clamped), is recorded as the last operator and wakes the
 * sets' sleepers; a list other processes still share (CLONE_SYSVSEM) is
 * left to them. */
void sem_exit(int32_t pid)
{
	struct proc_ref pr = proc_by_pid(pid);
	int32_t key = (int32_t)share_undo_key(pr, false);
	if (key == 0 || share_shared(pr, SHARE_SYSVSEM))
		return;
	for (struct sem_undo_ref u = sems()->undos; sem_undo_ref_valid(u); u = sem_undo_get(u)->next) {
		struct sem_undo *up = sem_undo_get(u);
		struct sem_set *s = set_by_id(up->semid);
		if (up->pid != key || !s || up->num >= s->nsems)
			continue;
		int32_t nv = sem_value(s, up->num) + up->adj;
		sem_store(s, up->num, nv < 0 ? 0 : nv > SEMVMX ? SEMVMX : nv, pid);
		fw_waitq_wake_all(s->wq);
	}
	undo_drop(key, -1, -1);
}
