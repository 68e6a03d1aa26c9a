/* AF_UNIX records and receive queues: a record carries the bytes of one
 * send in frames, with the sender's address, credentials and ancillary
 * data; its size is charged to the sender's send buffer until the
 * receiver consumes it. Layer: services (safe C). Trusts the socket
 * layer's user walks and the framework's frame copies. */
#include "net/unix/unix.h"
#include "proc/proc.h"

FW_POOL_DEFINE(urec, struct urec);

#define REC_OVERHEAD 512

uint32_t urec_truesize(uint32_t n) { return REC_OVERHEAD + (uint32_t)FW_ALIGN_UP(n, 4096U); }

struct linux_ucred unix_sender_cred(const struct sock_msg *m)
{
	struct scm *c = scm_get(m->scm);
	if (c && c->has_cred)
		return c->cred;
	struct proc *p = cur_proc();
	struct linux_ucred u = {p->pid, p->uid, p->gid};
	return u;
}

int urec_new(struct usock_ref from, struct uio *data, uint32_t n, struct urec_ref *out)
{
	if (n > UREC_PAGES * 4096)
		return -EMSGSIZE;
	if (urec_alloc(out))
		return -ENOBUFS;
	uint32_t done = 0;
	for (uint32_t i = 0; done < n; i++) {
		struct fw_frame_ref f;
		int e = net_frame_get(&f);
		struct urec *r = urec_get(*out);
		if (e == 0)
			r->page[i] = f;
		uint32_t k = FW_MIN(n - done, 4096U);
		if (e == 0)
			e = uio_frame(data, f, 0, k, true);
		if (e) {
			urec_destroy(*out);
			return e;
		}
		done += k;
	}
	struct urec *r = urec_get(*out);
	r->len = n;
	r->truesize = urec_truesize(n);
	r->from = from;
	struct usock *u = usock_get(from);
	if (u) {
		r->from_addr = u->addr;
		u->wmem += r->truesize;
	}
	return 0;
}

void urec_destroy(struct urec_ref rr)
{
	struct urec *r = urec_get(rr);
	if (!r)
		return;
	for (uint32_t i = 0; i < UREC_PAGES; i++) {
		if (r->page[i].pfn) {
			net_frame_put(r->page[i]);
			r->page[i] = (struct fw_frame_ref){0};
		}
	}
	struct usock *u = usock_get(r->from);
	if (u && r->truesize) {
		u->wmem = u->wmem > r->truesize ? u->wmem - r->truesize : 0;
		sock_changed(u->sk);
	}
	struct scm_ref c = r->scm;
	r->scm = (struct scm_ref){0};
	urec_free(rr);
	if (scm_ref_valid(c))
		scm_destroy(c);
}

void unix_queue_tail(struct usock_ref ur, struct urec_ref r)
{
	struct usock *u = usock_get(ur);
	struct urec *rp = urec_get(r);
	rp->next = (struct urec_ref){0};
	struct urec *tail = urec_get(u->rq_tail);
	if (tail)
		tail->next = r;
	else
		u->rq_head = r;
	u->rq_tail = r;
	u->rq_len++;
	u->rq_bytes += rp->len;
	sock_changed(u->sk);
}

struct urec_ref unix_queue_pop(struct usock_ref ur)
{
	struct usock *u = usock_get(ur);
	struct urec_ref r = u ? u->rq_head : (struct urec_ref){0};
	struct urec *rp = urec_get(r);
	if (!rp)
		return (struct urec_ref){0};
	u->rq_head = rp->next;
	if (!urec_ref_valid(u->rq_head))
		u->rq_tail = (struct urec_ref){0};
	u->rq_len--;
	u->rq_bytes -= rp->len - rp->off;
	rp->next = (struct urec_ref){0};
	sock_changed(u->sk);
	return r;
}

void unix_queue_purge(struct usock_ref ur)
{
	for (;;) {
		struct urec_ref r = unix_queue_pop(ur);
		if (!urec_ref_valid(r))
			return;
		urec_destroy(r);
	}
}

int urec_copy_out(struct urec_ref rr, uint32_t off, struct uio *data, uint32_t n)
{
	while (n > 0) {
		struct urec *r = urec_get(rr);
		if (!r || off >= UREC_PAGES * 4096)
			return -EINVAL;
		uint32_t pi = off / 4096, po = off % 4096;
		uint32_t k = FW_MIN(n, 4096 - po);
		int e = uio_frame(data, r->page[pi], po, k, false);
		if (e)
			return e;
		off += k;
		n -= k;
	}
	return 0;
}

int unix_wait_sndbuf(struct sock_ref s, struct usock_ref u, bool nonblock, uint64_t deadline)
{
	for (;;) {
		struct sock *sk = sock_get(s);
		struct usock *up = usock_get(u);
		if (!sk || !up)
			return -EBADF;
		int e = sock_take_error(s);
		if (e)
			return e;
		if (sk->shut & SEND_SHUT)
			return -EPIPE;
		if (up->wmem < sk->sndbuf)
			return 0;
		if (nonblock)
			return -EAGAIN;
		e = sock_wait(s, deadline);
		if (e)
			return e;
	}
}
