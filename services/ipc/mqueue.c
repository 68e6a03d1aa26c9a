/* POSIX message queues: mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr. Layer: services (safe C).
 * Trusts proc/ for credentials and signals, vfs/ for files and wait
 * queues.
 *
 * A queue has a name (libc strips the leading '/'), an owner and mode,
 * and a list of messages kept in priority order, highest first, FIFO
 * within one priority, so a receive always takes the first. A message's
 * bytes live in a chain of small segments. Queue descriptors are files
 * (their own operations): they poll readable while the queue holds a
 * message and writable while it has room, read() shows Linux's status
 * line, and they are shared by dup and fork like any file. A queue lives
 * while it has a name or an open file. One wait queue per queue serves
 * blocked senders, blocked receivers and pollers: every change wakes
 * them all and each looks again (one CPU, no preemption: no lost
 * wake-ups). A signal gives -ERESTARTSYS, as Linux's mqueue does.
 *
 * Limits are Linux 6.1's defaults (/proc/sys/fs/mqueue), fixed here. */
#include "ipc/ipc.h"
#include "proc/signal.h"
#include "vfs/vfs.h"

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
	struct kname name;
	struct ipc_perm_k perm;
	int64_t maxmsg, msgsize, curmsgs;
	uint64_t qsize;            /* bytes of all messages (QSIZE) */
	struct mq_msg_ref first;   /* highest priority, oldest first */
	struct wq_ref wq;
	uint32_t opens;            /* open files */
	bool linked;               /* still has its name */
	uint32_t receivers;        /* receivers asleep (no notification then) */
	int32_t notify_pid;        /* registered process, 0: none */
	int32_t notify_kind, notify_sig;
	uint64_t notify_value;
	struct mqueue_ref next;    /* the list of named queues */
};
FW_POOL_PRIVATE(mqueue, struct mqueue);

struct mq_table {
	struct mqueue_ref first;
	uint32_t count; /* named queues (queues_max) */
	uint32_t fops;
};
FW_GLOBAL(struct mq_table, mq_table);

static struct mqueue_ref q_of(const struct file *fp) { return (struct mqueue_ref){fp->priv.idx, fp->priv.gen}; }

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

/* Free a queue that has neither a name nor an open file. */
static void q_maybe_free(struct mqueue_ref r)
{
	struct mqueue *q = mqueue_get(r);
	if (!q || q->opens || q->linked)
		return;
	for (struct mq_msg_ref m = q->first; mq_msg_ref_valid(m);) {
		struct mq_msg_ref next = mq_msg_get(m)->next;
		free_msg(m);
		m = next;
	}
	struct wq_ref w = q->wq;
	mqueue_free(r);
	wq_destroy(w);
}

/* The named queue called name, or an invalid handle. */
static struct mqueue_ref q_find(const struct kname *name)
{
	for (struct mqueue_ref r = mq_table()->first; mqueue_ref_valid(r); r = mqueue_get(r)->next)
		if (kname_eq(&mqueue_get(r)->name, name))
			return r;
	return (struct mqueue_ref){0};
}

static void q_unlist(struct mqueue_ref r)
{
	struct mq_table *t = mq_table();
	struct mqueue_ref prev = {0};
	for (struct mqueue_ref it = t->first; mqueue_ref_valid(it); prev = it, it = mqueue_get(it)->next) {
		if (it.idx != r.idx || it.gen != r.gen)
			continue;
		struct mqueue_ref next = mqueue_get(it)->next;
		if (mqueue_ref_valid(prev))
			mqueue_get(prev)->next = next;
		else
			t->first = next;
		t->count--;
		return;
	}
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

/* The attributes a new queue asks for, as Linux checks them. */
static int attr_ok(const struct linux_mq_attr *a)
{
	if (a->maxmsg <= 0 || a->msgsize <= 0)
		return -EINVAL;
	if (!cred_capable(CAP_SYS_RESOURCE)) {
		if (a->maxmsg > MQ_MSG_MAX || a->msgsize > MQ_MSGSIZE_MAX)
			return -EINVAL;
	} else if (a->maxmsg > MQ_HARD_MSGMAX || a->msgsize > MQ_HARD_MSGSIZEMAX) {
		return -EINVAL;
	}
	return 0;
}

static int q_create(const struct kname *name, uint32_t mode, const struct linux_mq_attr *a, struct mqueue_ref *out)
{
	struct mq_table *t = mq_table();
	if (t->count >= MQ_QUEUES_MAX && !cred_capable(CAP_SYS_RESOURCE))
		return -ENOSPC;
	if (mqueue_alloc(out))
		return -ENOMEM;
	struct mqueue *q = mqueue_get(*out);
	if (wq_create(&q->wq)) {
		mqueue_free(*out);
		return -ENOMEM;
	}
	q = mqueue_get(*out);
	q->name = *name;
	ipc_perm_init(&q->perm, 0, mode & ~cur_proc()->umask & 0777, 0);
	q->maxmsg = a ? a->maxmsg : MQ_MSG_DEFAULT;
	q->msgsize = a ? a->msgsize : MQ_MSGSIZE_DEFAULT;
	q->linked = true;
	t = mq_table();
	q->next = t->first;
	t->first = *out;
	t->count++;
	return 0;
}

/* A file for queue r with the open flags (O_ACCMODE, O_NONBLOCK). */
static int q_file(struct mqueue_ref r, uint32_t oflag, struct file_ref *out)
{
	int e = file_new(mq_table()->fops, oflag & (O_ACCMODE | O_NONBLOCK), out);
	if (e)
		return e;
	file_get(*out)->priv = (struct vfs_priv){r.idx, r.gen};
	mqueue_get(r)->opens++;
	return 0;
}

int mq_open_name(const struct kname *name, uint32_t oflag, uint32_t mode, const struct linux_mq_attr *a,
		 struct file_ref *out)
{
	struct mqueue_ref r = q_find(name);
	bool created = false;
	if (!mqueue_ref_valid(r)) {
		if (!(oflag & O_CREAT))
			return -ENOENT;
		int e = a ? attr_ok(a) : 0;
		if (e)
			return e;
		e = q_create(name, mode, a, &r);
		if (e)
			return e;
		created = true;
	} else {
		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
		uint32_t acc = oflag & O_ACCMODE;
		if (acc == O_ACCMODE)
			return -EINVAL;
		int e = ipc_check(&mqueue_get(r)->perm, acc == O_RDONLY ? 0444 : acc == O_WRONLY ? 0222 : 0666);
		if (e)
			return e;
	}
	int e = q_file(r, oflag, out);
	if (e && created) {
		q_unlist(r);
		mqueue_get(r)->linked = false;
		q_maybe_free(r);
	}
	return e;
}

int mq_unlink_name(const struct kname *name)
{
	struct mqueue_ref r = q_find(name);
	struct mqueue *q = mqueue_get(r);
	if (!q)
		return -ENOENT;
	/* the mqueue root is sticky (01777): owner or root may remove */
	if (!cred_capable(CAP_FOWNER) && cur_proc()->euid != q->perm.uid)
		return -EACCES;
	q_unlist(r);
	mqueue_get(r)->linked = false;
	q_maybe_free(r);
	return 0;
}

/* The queue behind descriptor fd: -EBADF if it is not a queue. */
static int mq_of_fd(int64_t fd, struct file_ref *f, struct mqueue_ref *out)
{
	int e = fd_get(cur_proc()->files, fd, f);
	if (e)
		return -EBADF;
	struct file *fp = file_get(*f);
	if (!fp || fp->fops != mq_table()->fops || !mqueue_get(q_of(fp)))
		return -EBADF;
	*out = q_of(fp);
	return 0;
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

/* Linux's notification: on a message arriving in an empty queue with no
 * receiver waiting; the registration is used up either way. */
static void q_notify(struct mqueue *q)
{
	if (!q->notify_pid || q->curmsgs != 1 || q->receivers)
		return;
	int32_t pid = q->notify_pid;
	q->notify_pid = 0;
	if (q->notify_kind != MQ_SIGEV_SIGNAL)
		return;
	struct proc_ref target = proc_by_pid(pid);
	struct sig_info_k info = {SI_MESGQ, cur_proc()->pid, cur_proc()->uid, 0, q->notify_value};
	if (q->notify_sig > 0 && proc_get(target))
		(void)signal_send_proc_info(target, q->notify_sig, &info);
}

int64_t mq_send(int64_t fd, uint64_t umsg, uint64_t len, uint32_t prio, bool timed, uint64_t deadline)
{
	struct file_ref f;
	struct mqueue_ref r;
	int e = mq_of_fd(fd, &f, &r);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if ((fp->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
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
			q_insert(q, mr);
			q_notify(q);
			wq_wake(q->wq);
			return 0;
		}
		fp = file_get(f);
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
	int e = mq_of_fd(fd, &f, &r);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if ((fp->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (len < (uint64_t)mqueue_get(r)->msgsize)
		return -EMSGSIZE;
	for (;;) {
		struct mqueue *q = mqueue_get(r);
		if (!q)
			return -EBADF;
		if (q->curmsgs > 0) {
			struct mq_msg_ref mr = q->first;
			struct mq_msg *m = mq_msg_get(mr);
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
		fp = file_get(f);
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

int mq_notify_set(int64_t fd, const struct mq_notify_req *req)
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
			q->notify_pid = 0;
		return 0;
	}
	if (q->notify_pid && proc_get(proc_by_pid(q->notify_pid)))
		return -EBUSY;
	q->notify_pid = me;
	q->notify_kind = req->kind;
	q->notify_sig = req->signo;
	q->notify_value = req->value;
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

static void mq_file_release(struct file_ref f, struct file *fp)
{
	struct mqueue_ref r = q_of(fp);
	struct mqueue *q = mqueue_get(r);
	if (!q)
		return;
	if (q->notify_pid == fp->owner_pid)
		q->notify_pid = 0;
	q->opens--;
	wq_wake(q->wq);
	q_maybe_free(r);
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

int mq_init(void) { return file_ops_register(&mq_ops, &mq_table()->fops); }
