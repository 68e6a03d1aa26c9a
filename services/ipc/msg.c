/* System V message queues: msgget, msgsnd, msgrcv, msgctl. Layer:
 * services (safe C). Trusts the framework's wait queues.
 *
 * A queue is a list of messages, oldest first; a message's text lives in a
 * chain of small segments, so many short messages stay cheap. Senders
 * sleep while the queue is full (Linux: bytes + size <= qbytes and
 * count + 1 <= qbytes), receivers while nothing matches; any change wakes
 * every sleeper of the queue, which looks again. IPC_RMID destroys the
 * queue's wait queue: its sleepers wake with -EIDRM. A signal gives
 * -ERESTARTNOHAND (EINTR when a handler runs, as signal(7) says for
 * System V IPC). */
#include "ipc/ipc.h"
#include <fw/wait.h>

#define MSGPOOL (MSGMNI * MSGMNB / 1024)
#define MSGSSZ 16
#define MSG_STAT 11
#define MSG_INFO 12
#define MSG_STAT_ANY 13
#define MSG_NOERROR 010000
#define MSG_EXCEPT 020000
#define MSG_COPY 040000
#define SEG_BYTES 240

FW_POOL_REF(msg_seg);
struct msg_seg {
	uint8_t b[SEG_BYTES];
	struct msg_seg_ref next;
};
FW_POOL_PRIVATE(msg_seg, struct msg_seg);

FW_POOL_REF(msg_k);
struct msg_k {
	int64_t type;
	uint64_t size;
	struct msg_seg_ref text;
	struct msg_k_ref next;
};
FW_POOL_PRIVATE(msg_k, struct msg_k);

FW_POOL_REF(msq);
struct msq {
	struct ipc_perm_k perm;
	int64_t stime, rtime;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	struct msg_k_ref first;
	struct fw_waitq_ref wq;
};
FW_POOL_PRIVATE(msq, struct msq);

struct msq_table {
	struct ipc_ids ids;
	uint64_t msgs, bytes; /* in all queues (MSG_INFO) */
};
FW_GLOBAL(struct msq_table, msqs);

static struct msq_ref slot_ref(uint32_t slot)
{
	uint64_t h = ipc_ids_get(&msqs()->ids, slot);
	return (struct msq_ref){(uint32_t)(h >> 32), (uint32_t)h};
}

static uint64_t packed(struct msq_ref r) { return ((uint64_t)r.idx << 32) | r.gen; }

struct linux_msqid64_ds {
	struct linux_ipc64_perm perm;
	int64_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	uint64_t unused4, unused5;
};

struct linux_msginfo {
	int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	uint16_t msgseg;
	uint16_t pad;
};

static struct msq *q_by_id(int32_t id)
{
	if (id < 0 || ipc_slot(id) >= MSGMNI)
		return NULL;
	struct msq *q = msq_get(slot_ref(ipc_slot(id)));
	return q && q->perm.seq == ipc_seq(id) ? q : NULL;
}

static void free_text(struct msg_seg_ref s)
{
	while (msg_seg_ref_valid(s)) {
		struct msg_seg_ref next = msg_seg_get(s)->next;
		msg_seg_free(s);
		s = next;
	}
}

static void free_msg(struct msg_k_ref m)
{
	struct msg_k *mp = msg_k_get(m);
	if (mp)
		free_text(mp->text);
	msg_k_free(m);
}

/* Copy size bytes of text from user memory into a new message. */
static int load_msg(uint64_t utext, uint64_t size, int64_t type, struct msg_k_ref *out)
{
	if (msg_k_alloc(out))
		return -ENOMEM;
	struct msg_k *m = msg_k_get(*out);
	m->type = type;
	m->size = size;
	struct msg_seg_ref tail = {0};
	for (uint64_t done = 0; done < size;) {
		struct msg_seg_ref s;
		if (msg_seg_alloc(&s)) {
			free_msg(*out);
			return -ENOMEM;
		}
		if (msg_seg_ref_valid(tail))
			msg_seg_get(tail)->next = s;
		else
			msg_k_get(*out)->text = s;
		tail = s;
		uint64_t n = FW_MIN(size - done, (uint64_t)SEG_BYTES);
		if (fw_copy_from_user_n(&msg_seg_get(s)->b, fw_uaddr(utext + done), n)) {
			free_msg(*out);
			return -EFAULT;
		}
		done += n;
	}
	return 0;
}

static int store_msg(const struct msg_k *m, uint64_t umsg, uint64_t n)
{
	int64_t type = m->type;
	if (fw_copy_to_user(fw_uaddr(umsg), &type))
		return -EFAULT;
	uint64_t done = 0;
	for (struct msg_seg_ref s = m->text; msg_seg_ref_valid(s) && done < n; s = msg_seg_get(s)->next) {
		uint64_t k = FW_MIN(n - done, (uint64_t)SEG_BYTES);
		if (fw_copy_to_user_n(fw_uaddr(umsg + 8 + done), &msg_seg_get(s)->b, k))
			return -EFAULT;
		done += k;
	}
	return 0;
}

static int find_key(int32_t key) { return ipc_ids_find_key(&msqs()->ids, key); }

bool msg_obj_at(uint32_t slot, struct ipc_obj_info *out)
{
	struct msq *q = slot < MSGMNI ? msq_get(slot_ref(slot)) : NULL;
	if (!q)
		return false;
	ipc_info_perm(out, &q->perm, slot);
	out->a = q->cbytes;
	out->b = q->qnum;
	out->pid1 = q->lspid;
	out->pid2 = q->lrpid;
	out->t1 = q->stime;
	out->t2 = q->rtime;
	return true;
}

static int q_create(int32_t key, uint32_t flags)
{
	struct msq_table *t = msqs();
	t->ids.max = MSGMNI;
	if ((int64_t)t->ids.used >= ipc_limit(IPC_LIM_MSGMNI))
		return -ENOSPC; /* /proc/sys/kernel/msgmni */
	int32_t want = ipc_take_next_id(IPC_KIND_MSG);
	int slot = want < 0 ? ipc_ids_free_slot(&t->ids) : ipc_ids_free_slot_from(&t->ids, ipc_slot(want));
	uint16_t seq = want < 0 ? t->ids.seq : ipc_seq(want);
	struct msq_ref r;
	if (slot < 0 || msq_alloc(&r))
		return -ENOSPC;
	struct msq *q = msq_get(r);
	if (fw_waitq_create(&q->wq)) {
		msq_free(r);
		return -ENOMEM;
	}
	t = msqs();
	if (ipc_ids_put(&t->ids, (uint32_t)slot, packed(r), key)) {
		fw_waitq_destroy(msq_get(r)->wq);
		msq_free(r);
		return -ENOMEM;
	}
	ipc_perm_init(&q->perm, key, flags, seq);
	q->qbytes = (uint64_t)ipc_limit(IPC_LIM_MSGMNB);
	int32_t id = ipc_id(seq, (uint32_t)slot);
	if (want < 0)
		t->ids.seq = (uint16_t)(t->ids.seq + 1);
	return id;
}

int msg_get(int32_t key, uint32_t flags)
{
	int slot = key == IPC_PRIVATE ? -1 : find_key(key);
	int rule = ipc_get_rules(slot >= 0, key, flags);
	if (rule < 0)
		return rule;
	if (rule == 1)
		return q_create(key, flags);
	struct msq *q = msq_get(slot_ref((uint32_t)slot));
	int e = ipc_check(&q->perm, flags);
	return e ? e : ipc_id(q->perm.seq, (uint32_t)slot);
}

/* Sleep on the queue after a look found nothing to do. */
static int q_sleep(int32_t id)
{
	struct msq *q = q_by_id(id);
	if (!q)
		return -EIDRM;
	int e = fw_waitq_wait(q->wq, 0, true);
	if (e == -EIDRM || !q_by_id(id))
		return -EIDRM;
	return e == -EINTR ? -ERESTARTNOHAND : 0;
}

int64_t msg_send(int32_t id, uint64_t umsg, uint64_t size, uint32_t flags)
{
	int64_t type;
	if (fw_copy_from_user(&type, fw_uaddr(umsg)))
		return -EFAULT;
	if ((int64_t)size > ipc_limit(IPC_LIM_MSGMAX) || (int64_t)size < 0 || id < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	struct msg_k_ref m;
	int e = load_msg(umsg + 8, size, type, &m);
	if (e)
		return e;
	for (;;) {
		struct msq *q = q_by_id(id);
		if (!q) {
			e = -EINVAL;
			break;
		}
		e = ipc_check(&q->perm, 0222);
		if (e)
			break;
		if (size + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes) {
			q->lspid = cur_proc()->pid;
			q->stime = ipc_now();
			/* append at the tail */
			struct msg_k_ref it = q->first, last = {0};
			for (; msg_k_ref_valid(it); it = msg_k_get(it)->next)
				last = it;
			if (msg_k_ref_valid(last))
				msg_k_get(last)->next = m;
			else
				q->first = m;
			q->cbytes += size;
			q->qnum++;
			msqs()->msgs++;
			msqs()->bytes += size;
			fw_waitq_wake_all(q->wq);
			return 0;
		}
		if (flags & IPC_NOWAIT) {
			e = -EAGAIN;
			break;
		}
		e = q_sleep(id);
		if (e)
			break;
	}
	free_msg(m);
	return e;
}

enum search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

/* Linux's find_msg: the first message that matches; for LESSEQUAL the
 * first of the lowest type not above `type`; for NUMBER the type-th. */
static bool find_msg(const struct msq *q, int64_t type, uint32_t mode, struct msg_k_ref *out, struct msg_k_ref *prev)
{
	bool found = false;
	int64_t count = 0;
	struct msg_k_ref p = {0};
	for (struct msg_k_ref it = q->first; msg_k_ref_valid(it); p = it, it = msg_k_get(it)->next) {
		struct msg_k *m = msg_k_get(it);
		bool match = mode == SEARCH_ANY || mode == SEARCH_NUMBER || (mode == SEARCH_EQUAL && m->type == type) ||
			     (mode == SEARCH_NOTEQUAL && m->type != type) || (mode == SEARCH_LESSEQUAL && m->type <= type);
		if (!match)
			continue;
		if (mode == SEARCH_LESSEQUAL && m->type != 1) {
			type = m->type - 1;
			*out = it;
			*prev = p;
			found = true;
			continue;
		}
		if (mode == SEARCH_NUMBER && count++ != type)
			continue;
		*out = it;
		*prev = p;
		return true;
	}
	return found;
}

static uint32_t search_mode(int64_t *type, uint32_t flags)
{
	if (flags & MSG_COPY)
		return SEARCH_NUMBER;
	if (*type == 0)
		return SEARCH_ANY;
	if (*type < 0) {
		*type = *type == -INT64_MAX - 1 ? INT64_MAX : -*type;
		return SEARCH_LESSEQUAL;
	}
	return (flags & MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
}

int64_t msg_receive(int32_t id, uint64_t umsg, uint64_t size, int64_t type, uint32_t flags)
{
	if (id < 0 || (int64_t)size < 0)
		return -EINVAL;
	if ((flags & MSG_COPY) && ((flags & MSG_EXCEPT) || !(flags & IPC_NOWAIT)))
		return -EINVAL;
	uint32_t mode = search_mode(&type, flags);
	for (;;) {
		struct msq *q = q_by_id(id);
		if (!q)
			return -EINVAL;
		int e = ipc_check(&q->perm, 0444);
		if (e)
			return e;
		struct msg_k_ref m, prev;
		if (find_msg(q, type, mode, &m, &prev)) {
			struct msg_k *mp = msg_k_get(m);
			if (size < mp->size && !(flags & MSG_NOERROR))
				return -E2BIG;
			uint64_t n = FW_MIN(size, mp->size);
			if (flags & MSG_COPY)
				return store_msg(mp, umsg, n) ? -EFAULT : (int64_t)n;
			if (msg_k_ref_valid(prev))
				msg_k_get(prev)->next = mp->next;
			else
				q->first = mp->next;
			q->qnum--;
			q->cbytes -= mp->size;
			q->rtime = ipc_now();
			q->lrpid = cur_proc()->pid;
			msqs()->msgs--;
			msqs()->bytes -= mp->size;
			fw_waitq_wake_all(q->wq);
			e = store_msg(mp, umsg, n);
			free_msg(m);
			return e ? e : (int64_t)n;
		}
		if (flags & IPC_NOWAIT)
			return -ENOMSG;
		e = q_sleep(id);
		if (e)
			return e;
	}
}

static void q_remove(int32_t id)
{
	struct msq_table *t = msqs();
	struct msq_ref r = slot_ref(ipc_slot(id));
	struct msq *q = msq_get(r);
	for (struct msg_k_ref it = q->first; msg_k_ref_valid(it);) {
		struct msg_k *m = msg_k_get(it);
		struct msg_k_ref next = m->next;
		t->msgs--;
		t->bytes -= m->size;
		free_msg(it);
		it = next;
	}
	fw_waitq_destroy(q->wq); /* sleepers wake with -EIDRM */
	msq_free(r);
	(void)ipc_ids_put(&msqs()->ids, ipc_slot(id), 0, IPC_PRIVATE);
}

static void fill_ds(struct linux_msqid64_ds *d, const struct msq *q)
{
	*d = (struct linux_msqid64_ds){0};
	ipc_perm_to_user(&d->perm, &q->perm);
	d->stime = q->stime;
	d->rtime = q->rtime;
	d->ctime = q->perm.ctime;
	d->cbytes = q->cbytes;
	d->qnum = q->qnum;
	d->qbytes = q->qbytes;
	d->lspid = q->lspid;
	d->lrpid = q->lrpid;
}

static int64_t info_cmd(int32_t cmd, uint64_t ubuf)
{
	struct msq_table *t = msqs();
	int32_t msgmax = (int32_t)ipc_limit(IPC_LIM_MSGMAX), msgmnb = (int32_t)ipc_limit(IPC_LIM_MSGMNB);
	int32_t msgmni = (int32_t)ipc_limit(IPC_LIM_MSGMNI);
	struct linux_msginfo in = {MSGPOOL, MSGMNB, msgmax, msgmnb, msgmni, MSGSSZ, MSGMNB, 0xffff, 0};
	if (cmd == MSG_INFO) {
		in.msgpool = (int32_t)t->ids.used;
		in.msgmap = (int32_t)t->msgs;
		in.msgtql = (int32_t)t->bytes;
	}
	int32_t highest = 0;
	for (uint32_t i = 0, seen = 0; i < MSGMNI && seen < t->ids.used; i++)
		if (ipc_ids_get(&t->ids, i)) {
			highest = (int32_t)i;
			seen++;
		}
	return fw_copy_to_user(fw_uaddr(ubuf), &in) ? -EFAULT : highest;
}

int64_t msg_ctl(int32_t id, int32_t cmd, uint64_t ubuf)
{
	cmd &= ~IPC_64;
	if (cmd < 0 || id < 0)
		return -EINVAL;
	if (cmd == IPC_INFO || cmd == MSG_INFO)
		return info_cmd(cmd, ubuf);
	struct linux_msqid64_ds d;
	if (cmd == MSG_STAT || cmd == MSG_STAT_ANY) {
		if (id >= MSGMNI)
			return -EINVAL;
		struct msq *q = msq_get(slot_ref((uint32_t)id));
		if (!q)
			return -EINVAL;
		if (cmd == MSG_STAT && ipc_check(&q->perm, 0444))
			return -EACCES;
		fill_ds(&d, q);
		int32_t rid = ipc_id(q->perm.seq, (uint32_t)id);
		return fw_copy_to_user(fw_uaddr(ubuf), &d) ? -EFAULT : rid;
	}
	if (cmd != IPC_STAT && cmd != IPC_SET && cmd != IPC_RMID)
		return -EINVAL;
	if (cmd == IPC_SET && fw_copy_from_user(&d, fw_uaddr(ubuf)))
		return -EFAULT;
	struct msq *q = q_by_id(id);
	if (!q)
		return -EINVAL;
	if (cmd == IPC_STAT) {
		if (ipc_check(&q->perm, 0444))
			return -EACCES;
		fill_ds(&d, q);
		return fw_copy_to_user(fw_uaddr(ubuf), &d) ? -EFAULT : 0;
	}
	int e = ipc_may_own(&q->perm);
	if (e)
		return e;
	if (cmd == IPC_RMID) {
		q_remove(id);
		return 0;
	}
	if ((int64_t)d.qbytes > ipc_limit(IPC_LIM_MSGMNB) && !cred_capable(CAP_SYS_RESOURCE))
		return -EPERM;
	q->qbytes = d.qbytes;
	ipc_perm_set(&q->perm, &d.perm);
	fw_waitq_wake_all(q->wq); /* senders may fit now */
	return 0;
}
