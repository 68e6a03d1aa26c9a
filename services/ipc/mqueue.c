/* POSIX message queues: mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr. Layer: services (safe C).
 * Trusts proc/ for credentials and signals, vfs/ for files, inodes and
 * wait queues, ipc/mqueue_fs.c for the names.
 *
 * A queue is the private object of a regular-file inode of the mqueue
 * file system (ipc/mqueue_fs.c): its name is that inode's entry in the
 * file system's root, its owner and mode are the inode's, and it lives
 * exactly as long as the inode (no name and no open file: evicted). So
 * mq_open and open(2) of /dev/mqueue/NAME give the same kind of
 * descriptor, and unlink(2) there is mq_unlink. A queue keeps its
 * messages in priority order, highest first, FIFO within one priority,
 * so a receive always takes the first. A message's bytes live in a chain
 * of small segments. Descriptors poll readable while the queue holds a
 * message and writable while it has room, read() shows Linux's status
 * line, and they are shared by dup and fork like any file. One wait
 * queue per queue serves blocked senders, blocked receivers and pollers:
 * every change wakes them all and each looks again (one CPU, no
 * preemption: no lost wake-ups). A signal gives -ERESTARTSYS, as Linux's
 * mqueue does.
 *
 * Limits: /proc/sys/fs/mqueue (mq_limit, writable by root) and each
 * user's RLIMIT_MSGQUEUE, charged with Linux's estimate of a queue's
 * pinned memory when it is made and given back when it goes. */
#include "ipc/mq_internal.h"
#include "proc/signal.h"

#define SEG_BYTES 496
#define SI_MESGQ (-3)

FW_POOL_REF(mq_seg);
struct mq_seg {
	uint8_t b[SEG_BYTES];
	struct mq_seg_ref next;
};
FW_POOL_PRIVATE(mq_seg, struct mq_seg);

FW_POOL_REF(mq_msg);
struct mq_msg {
	uint64_t size;
	uint32_t prio;
	struct mq_seg_ref text;
	struct mq_msg_ref next;
};
FW_POOL_PRIVATE(mq_msg, struct mq_msg);

FW_POOL_REF(mqueue);
struct mqueue {
	struct inode_ref ino;      /* its inode in the mqueue file system */
	int64_t maxmsg, msgsize, curmsgs;
	uint64_t qsize;            /* bytes of all messages (QSIZE) */
	struct mq_msg_ref first;   /* highest priority, oldest first */
	struct wq_ref wq;
	uint32_t receivers;        /* receivers asleep (no notification then) */
	int32_t notify_pid;        /* registered process, 0: none */
	int32_t notify_kind, notify_sig;
	uint64_t notify_value;
	uint32_t notify_sock_idx, notify_sock_gen; /* SIGEV_THREAD: libc's netlink socket (a sock handle) */
	uint8_t notify_cookie[MQ_COOKIE_LEN]; /* and what to send it */
	uint32_t user;             /* the real uid charged for it */
	uint64_t charge;           /* bytes charged to RLIMIT_MSGQUEUE */
};
FW_POOL_PRIVATE(mqueue, struct mqueue);

/* RLIMIT_MSGQUEUE: bytes charged per user (real uid), as Linux's ucounts. */
#define MQ_USERS 64
struct mq_user {
	uint32_t uid;
	uint64_t bytes;
};

struct mq_table {
	uint32_t fops;
	int64_t limit[MQ_LIM_COUNT];
	bool limits_set;
	struct mq_user users[MQ_USERS];
};
FW_GLOBAL(struct mq_table, mq_table);

static struct mqueue_ref q_of_inode(struct inode_ref ino)
{
	struct inode *ip = inode_get(ino);
	if (!ip || ip->fops != mq_table()->fops)
		return (struct mqueue_ref){0};
	return (struct mqueue_ref){ip->fs_data[0], ip->fs_data[1]};
}

static struct mqueue_ref q_of(const struct file *fp) { return q_of_inode(fp->inode); }

uint32_t mq_fops(void) { return mq_table()->fops; }

/* ---- limits ---- */

static const int64_t lim_default[MQ_LIM_COUNT] = {256, 10, 8192, 10, 8192};

int64_t mq_limit(uint32_t which)
{
	struct mq_table *t = mq_table();
	if (which >= MQ_LIM_COUNT)
		return 0;
	if (!t->limits_set) {
		for (uint32_t i = 0; i < MQ_LIM_COUNT; i++)
			t->limit[i] = lim_default[i];
		t->limits_set = true;
	}
	return t->limit[which];
}

/* Linux's ranges: queues_max any int; the message counts 1..65536, the
 * sizes 128..16 MiB. */
int mq_set_limit(uint32_t which, int64_t v)
{
	if (which >= MQ_LIM_COUNT || v < -0x80000000LL || v > 0x7fffffffLL)
		return -EINVAL;
	if (which == MQ_LIM_MSG_MAX || which == MQ_LIM_MSG_DEFAULT) {
		if (v < 1 || v > MQ_HARD_MSGMAX)
			return -EINVAL;
	} else if (which == MQ_LIM_MSGSIZE_MAX || which == MQ_LIM_MSGSIZE_DEFAULT) {
		if (v < 128 || v > MQ_HARD_MSGSIZEMAX)
			return -EINVAL;
	}
	(void)mq_limit(which);
	mq_table()->limit[which] = v;
	return 0;
}

/* The caller's RLIMIT_MSGQUEUE (a limit never set is Linux's 819200). */
static uint64_t msgqueue_rlimit(const struct proc *p)
{
	return (p->rlim_set & (1u << 12)) ? p->rlim[12].cur : 819200;
}

/* Charge bytes to uid; -EMFILE past limit (Linux's answer), -ENOMEM
 * when too many users hold queues. */
static int charge(uint32_t uid, uint64_t bytes, uint64_t limit)
{
	struct mq_table *t = mq_table();
	int32_t slot = -1;
	for (uint32_t i = 0; i < MQ_USERS; i++) {
		if (t->users[i].bytes && t->users[i].uid == uid) {
			slot = (int32_t)i;
			break;
		}
		if (slot < 0 && t->users[i].bytes == 0)
			slot = (int32_t)i;
	}
	if (slot < 0)
		return -ENOMEM;
	uint32_t i = (uint32_t)slot;
	uint64_t now = t->users[i].bytes && t->users[i].uid == uid ? t->users[i].bytes : 0;
	if (now + bytes < now || now + bytes > limit)
		return -EMFILE;
	t->users[i].uid = uid;
	t->users[i].bytes = now + bytes;
	return 0;
}

static void uncharge(uint32_t uid, uint64_t bytes)
{
	struct mq_table *t = mq_table();
	for (uint32_t i = 0; i < MQ_USERS; i++) {
		if (t->users[i].bytes && t->users[i].uid == uid) {
			t->users[i].bytes = t->users[i].bytes > bytes ? t->users[i].bytes - bytes : 0;
			return;
		}
	}
}

/* Linux's estimate of a queue's pinned memory: per possible message one
 * message header (48 bytes) and its text, plus a priority-tree node (48
 * bytes) per possible message up to MQ_PRIO_MAX. */
#define MQ_MSG_HDR 48
#define MQ_TREE_NODE 48

/* ---- making and freeing queues ---- */

static void free_msg(struct mq_msg_ref m)
{
	struct mq_msg *mp = mq_msg_get(m);
	struct mq_seg_ref s = mp ? mp->text : (struct mq_seg_ref){0};
	while (mq_seg_ref_valid(s)) {
		struct mq_seg_ref next = mq_seg_get(s)->next;
		mq_seg_free(s);
		s = next;
	}
	mq_msg_free(m);
}

/* The attributes a new queue asks for, as Linux checks them. */
static int attr_ok(const struct linux_mq_attr *a)
{
	if (a->maxmsg <= 0 || a->msgsize <= 0)
		return -EINVAL;
	if (!cred_capable(CAP_SYS_RESOURCE)) {
		if (a->maxmsg > mq_limit(MQ_LIM_MSG_MAX) || a->msgsize > mq_limit(MQ_LIM_MSGSIZE_MAX))
			return -EINVAL;
	} else if (a->maxmsg > MQ_HARD_MSGMAX || a->msgsize > MQ_HARD_MSGSIZEMAX) {
		return -EINVAL;
	}
	return 0;
}

int mq_queue_new(struct inode_ref ino, const struct linux_mq_attr *a)
{
	int64_t maxmsg = a ? a->maxmsg : mq_limit(MQ_LIM_MSG_DEFAULT);
	int64_t msgsize = a ? a->msgsize : mq_limit(MQ_LIM_MSGSIZE_DEFAULT);
	if (a) {
		int e = attr_ok(a);
		if (e)
			return e;
	}
	uint64_t mx = (uint64_t)maxmsg, sz = (uint64_t)msgsize;
	if (sz > UINT64_MAX / mx)
		return -EOVERFLOW;
	uint64_t tree = mx * MQ_MSG_HDR + FW_MIN(mx, (uint64_t)MQ_PRIO_MAX) * MQ_TREE_NODE;
	uint64_t bytes = mx * sz;
	if (bytes + tree < bytes)
		return -EOVERFLOW;
	bytes += tree;
	struct proc *me = cur_proc();
	uint32_t uid = me->uid;
	int e = charge(uid, bytes, msgqueue_rlimit(me));
	if (e)
		return e;
	struct mqueue_ref r;
	if (mqueue_alloc(&r)) {
		uncharge(uid, bytes);
		return -ENOMEM;
	}
	struct mqueue *q = mqueue_get(r);
	if (wq_create(&q->wq)) {
		mqueue_free(r);
		uncharge(uid, bytes);
		return -ENOMEM;
	}
	q = mqueue_get(r);
	q->ino = ino;
	q->maxmsg = maxmsg;
	q->msgsize = msgsize;
	q->user = uid;
	q->charge = bytes;
	struct inode *ip = inode_get(ino);
	ip->fops = mq_table()->fops;
	ip->fs_data[0] = r.idx;
	ip->fs_data[1] = r.gen;
	return 0;
}

void mq_queue_evict(struct inode_ref ino)
{
	struct mqueue_ref r = q_of_inode(ino);
	struct mqueue *q = mqueue_get(r);
	if (!q)
		return;
	for (struct mq_msg_ref m = q->first; mq_msg_ref_valid(m);) {
		struct mq_msg_ref next = mq_msg_get(m)->next;
		free_msg(m);
		m = next;
	}
	q = mqueue_get(r);
	uncharge(q->user, q->charge);
	struct wq_ref w = q->wq;
	mqueue_free(r);
	wq_destroy(w);
}

/* Linux's lookup rules for a name: "" is -ENOENT, ".", ".." and names
 * with a '/' are -EACCES, longer than NAME_MAX -ENAMETOOLONG. */
int mq_name_from_user(uint64_t uname, struct kname *out)
{
	*out = (struct kname){0};
	uint32_t len = 0;
	for (;; len++) {
		char c;
		if (fw_copy_from_user(&c, fw_uaddr(uname + len)))
			return -EFAULT;
		if (c == 0)
			break;
		if (len >= NAME_MAX)
			return -ENAMETOOLONG;
		out->s[len] = c;
		if (c == '/')
			return -EACCES;
	}
	out->len = len;
	if (len == 0)
		return -ENOENT;
	if ((len == 1 && out->s[0] == '.') || (len == 2 && out->s[0] == '.' && out->s[1] == '.'))
		return -EACCES;
	return 0;
}

/* Permission on an existing queue's inode, as ipc permissions. */
static int q_access(struct inode_ref ino, uint32_t want)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	struct ipc_perm_k p = {0};
	p.uid = p.cuid = ip->uid;
	p.gid = p.cgid = ip->gid;
	p.mode = ip->mode & 0777;
	return ipc_check(&p, want);
}

int mq_open_name(const struct kname *name, uint32_t oflag, uint32_t mode, const struct linux_mq_attr *a,
		 struct file_ref *out)
{
	struct inode_ref ino;
	int e = mqfs_lookup(name, &ino);
	bool created = false;
	if (e == -ENOENT) {
		if (!(oflag & O_CREAT))
			return -ENOENT;
		e = mqfs_create_queue(name, mode & ~cur_proc()->umask & 0777, a, &ino);
		if (e)
			return e;
		created = true;
	} else if (e) {
		return e;
	} else {
		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
		uint32_t acc = oflag & O_ACCMODE;
		if (acc == O_ACCMODE)
			return -EINVAL;
		e = q_access(ino, acc == O_RDONLY ? 0444 : acc == O_WRONLY ? 0222 : 0666);
		if (e)
			return e;
	}
	e = file_open_inode(ino, oflag & (O_ACCMODE | O_NONBLOCK), out);
	if (e && created)
		(void)mqfs_unlink_name(name);
	return e;
}

int mq_unlink_name(const struct kname *name)
{
	struct inode_ref ino;
	int e = mqfs_lookup(name, &ino);
	if (e)
		return e;
	/* the mqueue root is sticky (01777): owner or root may remove */
	if (!cred_capable(CAP_FOWNER) && cur_proc()->euid != inode_get(ino)->uid)
		return -EACCES;
	return mqfs_unlink_name(name);
}

/* The queue behind descriptor fd: -EBADF if it is not a queue. */
static int mq_of_fd(int64_t fd, struct file_ref *f, struct mqueue_ref *out)
{
	int e = fd_get(cur_proc()->files, fd, f);
	if (e)
		return -EBADF;
	struct file *fp = file_get(*f);
	if (!fp || fp->fops != mq_table()->fops || (fp->flags & O_PATH) || !mqueue_get(q_of(fp)))
		return -EBADF;
	*out = q_of(fp);
	return 0;
}

/* mq_of_fd for a transfer: -EBADF also when the descriptor was opened
 * with the access mode `refused` (O_RDONLY for sends, O_WRONLY for
 * receives). */
static int mq_of_fd_for(int64_t fd, uint32_t refused, struct file_ref *f, struct mqueue_ref *out)
{
	int e = mq_of_fd(fd, f, out);
	if (e)
		return e;
	return (file_get(*f)->flags & O_ACCMODE) == refused ? -EBADF : 0;
}

/* Sleep on the queue until a change, the deadline (absolute monotonic
 * ns, 0 none; a past one times out at once) or a signal. */
static int q_sleep(struct mqueue_ref r, uint64_t deadline, bool timed)
{
	if (timed && (deadline == 0 || deadline <= fw_time_monotonic_ns()))
		return -ETIMEDOUT;
	int e = wq_wait(mqueue_get(r)->wq, deadline);
	if (e == -EINTR)
		return -ERESTARTSYS;
	if (e == -ETIMEDOUT)
		return -ETIMEDOUT;
	return mqueue_get(r) ? 0 : -EBADF;
}

static int load_text(struct mq_msg *m, struct mq_msg_ref mr, uint64_t utext)
{
	struct mq_seg_ref tail = {0};
	for (uint64_t done = 0; done < m->size;) {
		struct mq_seg_ref s;
		if (mq_seg_alloc(&s))
			return -ENOMEM;
		if (mq_seg_ref_valid(tail))
			mq_seg_get(tail)->next = s;
		else
			mq_msg_get(mr)->text = s;
		tail = s;
		uint64_t n = FW_MIN(m->size - done, (uint64_t)SEG_BYTES);
		if (fw_copy_from_user_n(&mq_seg_get(s)->b, fw_uaddr(utext + done), n))
			return -EFAULT;
		done += n;
		m = mq_msg_get(mr);
	}
	return 0;
}

/* A send or receive changes the queue file's times (as Linux's). */
static void q_touch(const struct mqueue *q)
{
	struct inode *ip = inode_get(q->ino);
	if (!ip)
		return;
	int64_t now = (int64_t)fw_time_realtime_ns();
	ip->atime_ns = now;
	ip->mtime_ns = now;
	ip->ctime_ns = now;
}

/* Insert after every message of priority >= prio (FIFO within one). */
static void q_insert(struct mqueue *q, struct mq_msg_ref mr)
{
	uint32_t prio = mq_msg_get(mr)->prio;
	struct mq_msg_ref prev = {0};
	for (struct mq_msg_ref it = q->first; mq_msg_ref_valid(it) && mq_msg_get(it)->prio >= prio;
	     it = mq_msg_get(it)->next)
		prev = it;
	if (mq_msg_ref_valid(prev)) {
		mq_msg_get(mr)->next = mq_msg_get(prev)->next;
		mq_msg_get(prev)->next = mr;
	} else {
		mq_msg_get(mr)->next = q->first;
		q->first = mr;
	}
	q->curmsgs++;
	q->qsize += mq_msg_get(mr)->size;
}

/* SIGEV_THREAD: libc's helper thread reads the cookie from its netlink
 * socket; the last byte says why (Linux's values). ipc/ does not reach
 * the network (the layering forbids the cycle ipc -> net -> procfs ->
 * ipc), so the cookie is handed to the system-call layer, which sends it
 * (sys_mqueue.c). A registration dropped by a close sends nothing
 * (Linux sends NOTIFY_REMOVED; glibc then frees its copy of the thread
 * attributes). */
#define NOTIFY_WOKENUP 1
#define NOTIFY_REMOVED 2
static void thread_note(const struct mqueue *q, uint8_t why, struct mq_thread_note *note)
{
	if (!note)
		return;
	note->due = true;
	note->sock_idx = q->notify_sock_idx;
	note->sock_gen = q->notify_sock_gen;
	for (uint32_t i = 0; i < MQ_COOKIE_LEN; i++)
		note->cookie[i] = q->notify_cookie[i];
	note->cookie[MQ_COOKIE_LEN - 1] = why;
}

/* The registration goes (mq_notify(NULL), the owner's close). */
static void q_unregister(struct mqueue *q, struct mq_thread_note *note)
{
	if (q->notify_pid && q->notify_kind == MQ_SIGEV_THREAD)
		thread_note(q, NOTIFY_REMOVED, note);
	q->notify_pid = 0;
}

/* Linux's notification: on a message arriving in an empty queue with no
 * receiver waiting; the registration is used up either way. */
static void q_notify(struct mqueue *q, struct mq_thread_note *note)
{
	if (!q->notify_pid || q->curmsgs != 1 || q->receivers)
		return;
	int32_t pid = q->notify_pid;
	q->notify_pid = 0;
	if (q->notify_kind == MQ_SIGEV_THREAD) {
		thread_note(q, NOTIFY_WOKENUP, note);
		return;
	}
	if (q->notify_kind != MQ_SIGEV_SIGNAL)
		return;
	struct proc_ref target = proc_by_pid(pid);
	struct sig_info_k info = {SI_MESGQ, cur_proc()->pid, cur_proc()->uid, 0, q->notify_value, 0};
	if (q->notify_sig > 0 && proc_get(target))
		(void)signal_send_proc_info(target, q->notify_sig, &info);
}

int64_t mq_send(int64_t fd, uint64_t umsg, uint64_t len, uint32_t prio, bool timed, uint64_t deadline,
		struct mq_thread_note *note)
{
	struct file_ref f;
	struct mqueue_ref r;
	int e = mq_of_fd_for(fd, O_RDONLY, &f, &r);
	if (e)
		return e;
	if (len > (uint64_t)mqueue_get(r)->msgsize)
		return -EMSGSIZE;
	struct mq_msg_ref mr;
	if (mq_msg_alloc(&mr))
		return -ENOMEM;
	struct mq_msg *m = mq_msg_get(mr);
	*m = (struct mq_msg){len, prio, {0}, {0}};
	e = load_text(m, mr, umsg);
	for (; !e;) {
		struct mqueue *q = mqueue_get(r);
		if (!q) {
			e = -EBADF;
			break;
		}
		if (q->curmsgs < q->maxmsg) {
			q_touch(q);
			q_insert(q, mr);
			q_notify(q, note);
			wq_wake(q->wq);
			return 0;
		}
		struct file *fp = file_get(f);
		if (!fp || (fp->flags & O_NONBLOCK)) {
			e = -EAGAIN;
			break;
		}
		e = q_sleep(r, deadline, timed);
	}
	free_msg(mr);
	return e;
}

static int store_text(const struct mq_msg *m, uint64_t ubuf)
{
	uint64_t done = 0;
	for (struct mq_seg_ref s = m->text; mq_seg_ref_valid(s) && done < m->size; s = mq_seg_get(s)->next) {
		uint64_t k = FW_MIN(m->size - done, (uint64_t)SEG_BYTES);
		if (fw_copy_to_user_n(fw_uaddr(ubuf + done), &mq_seg_get(s)->b, k))
			return -EFAULT;
		done += k;
	}
	return 0;
}

int64_t mq_receive(int64_t fd, uint64_t ubuf, uint64_t len, uint64_t uprio, bool timed, uint64_t deadline)
{
	struct file_ref f;
	struct mqueue_ref r;
	int e = mq_of_fd_for(fd, O_WRONLY, &f, &r);
	if (e)
		return e;
	if (len < (uint64_t)mqueue_get(r)->msgsize)
		return -EMSGSIZE;
	for (;;) {
		struct mqueue *q = mqueue_get(r);
		if (!q)
			return -EBADF;
		if (q->curmsgs > 0) {
			struct mq_msg_ref mr = q->first;
			struct mq_msg *m = mq_msg_get(mr);
			q_touch(q);
			q->first = m->next;
			q->curmsgs--;
			q->qsize -= m->size;
			wq_wake(q->wq);
			uint32_t prio = m->prio;
			int64_t n = (int64_t)m->size;
			e = store_text(m, ubuf);
			free_msg(mr);
			if (!e && uprio && fw_copy_to_user(fw_uaddr(uprio), &prio))
				e = -EFAULT;
			return e ? e : n;
		}
		struct file *fp = file_get(f);
		if (!fp || (fp->flags & O_NONBLOCK))
			return -EAGAIN;
		q->receivers++;
		e = q_sleep(r, deadline, timed);
		q = mqueue_get(r);
		if (q)
			q->receivers--;
		if (e)
			return e;
	}
}

int mq_notify_set(int64_t fd, const struct mq_notify_req *req, struct mq_thread_note *note)
{
	struct file_ref f;
	struct mqueue_ref r;
	int e = mq_of_fd(fd, &f, &r);
	if (e)
		return e;
	struct mqueue *q = mqueue_get(r);
	int32_t me = cur_proc()->pid;
	if (!req) {
		if (q->notify_pid == me)
			q_unregister(q, note);
		return 0;
	}
	if (q->notify_pid && proc_get(proc_by_pid(q->notify_pid)))
		return -EBUSY;
	q->notify_pid = me;
	q->notify_kind = req->kind;
	q->notify_sig = req->signo;
	q->notify_value = req->value;
	q->notify_sock_idx = req->sock_idx;
	q->notify_sock_gen = req->sock_gen;
	for (uint32_t i = 0; i < MQ_COOKIE_LEN; i++)
		q->notify_cookie[i] = req->cookie[i];
	return 0;
}

int mq_getsetattr_fd(int64_t fd, const struct linux_mq_attr *set, struct linux_mq_attr *old)
{
	struct file_ref f;
	struct mqueue_ref r;
	int e = mq_of_fd(fd, &f, &r);
	if (e)
		return e;
	struct mqueue *q = mqueue_get(r);
	struct file *fp = file_get(f);
	*old = (struct linux_mq_attr){0};
	old->flags = fp->flags & O_NONBLOCK;
	old->maxmsg = q->maxmsg;
	old->msgsize = q->msgsize;
	old->curmsgs = q->curmsgs;
	if (set)
		fp->flags = (fp->flags & ~(uint32_t)O_NONBLOCK) | ((uint32_t)set->flags & O_NONBLOCK);
	return 0;
}

/* ---- the descriptor as a file ---- */

struct status_line {
	char s[80];
	uint32_t len;
};

static void put_char(struct status_line *l, char c)
{
	if (l->len < sizeof(l->s))
		l->s[l->len++] = c;
}

/* tag, then v left-justified in width columns ("%-10lu"-style). */
static void put_field(struct status_line *l, const struct kname *tag, uint64_t v, uint32_t width)
{
	for (uint32_t i = 0; i < tag->len && i < sizeof(tag->s); i++)
		put_char(l, tag->s[i]);
	uint64_t div = 1;
	uint32_t nd = 1;
	while (v / div >= 10) {
		div *= 10;
		nd++;
	}
	for (; div; div /= 10)
		put_char(l, (char)('0' + (v / div) % 10));
	for (; nd < width; nd++)
		put_char(l, ' ');
}

static void status_line(const struct mqueue *q, struct status_line *l)
{
	bool reg = q->notify_pid != 0;
	l->len = 0;
	static const struct kname qsize = {"QSIZE:", 6}, notify = {" NOTIFY:", 8}, signo = {" SIGNO:", 7},
				  pid = {" NOTIFY_PID:", 12};
	put_field(l, &qsize, q->qsize, 10);
	put_field(l, &notify, reg ? (uint64_t)q->notify_kind : 0, 5);
	put_field(l, &signo, reg && q->notify_kind == MQ_SIGEV_SIGNAL ? (uint64_t)q->notify_sig : 0, 5);
	put_field(l, &pid, reg ? (uint64_t)q->notify_pid : 0, 6);
	put_char(l, '\n');
}

static int64_t mq_file_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct mqueue *q = mqueue_get(q_of(fp));
	if (!q)
		return -EBADF;
	struct status_line l;
	status_line(q, &l);
	if (*pos >= l.len)
		return 0;
	uint64_t k = FW_MIN(n, l.len - *pos);
	for (uint64_t i = 0; i < k; i++) {
		char c = l.s[*pos + i];
		if (fw_copy_to_user(fw_uaddr_add(buf, i), &c))
			return -EFAULT;
	}
	*pos += k;
	return (int64_t)k;
}

static int64_t mq_file_llseek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence)
{
	int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)fp->off : whence == 2 ? 0 : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	fp->off = (uint64_t)(base + off);
	return base + off;
}

static uint32_t mq_file_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	struct mqueue *q = mqueue_get(q_of(fp));
	if (!q)
		return POLLERR;
	poll_wait(pt, q->wq);
	uint32_t m = 0;
	if (q->curmsgs > 0)
		m |= POLLIN | POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		m |= POLLOUT | POLLWRNORM;
	return m;
}

/* The last reference to a descriptor: a registration of the closing
 * process goes (Linux drops it on the registering process's close). The
 * queue itself goes with its inode (mq_queue_evict). */
static void mq_file_release(struct file_ref f, struct file *fp)
{
	struct mqueue *q = mqueue_get(q_of(fp));
	if (!q)
		return;
	struct proc *me = cur_proc(); /* none while a process exits */
	if (me && q->notify_pid == me->pid)
		q_unregister(q, NULL);
	wq_wake(q->wq);
}

static const struct file_ops mq_ops = {
	.name = "mqueue",
	.mode = S_IFREG,
	.flags = FOP_PREAD,
	.release = mq_file_release,
	.read = mq_file_read,
	.llseek = mq_file_llseek,
	.poll = mq_file_poll,
};

int mq_init(void)
{
	int e = file_ops_register(&mq_ops, &mq_table()->fops);
	return e ? e : mqfs_init();
}
