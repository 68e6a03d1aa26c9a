/* epoll instances: registrations, level/edge-triggered and one-shot
 * reporting. Layer: services (safe C). An epoll instance is an evobj with
 * a chain of epitems. Each item hooks the instance's queue onto the queues
 * of the file it watches (the file's poll operation names them), so a
 * change of any watched object wakes epoll_wait; readiness is then computed
 * from each file's poll operation, and edge-triggered items report only
 * when the file's queue counters moved since their last report. */
#include "poll/poll.h"

static int find(struct evobj *o, int32_t fd, struct file_ref target, struct epitem_ref *out)
{
	for (struct epitem_ref it = o->items; epitem_ref_valid(it); it = epitem_get(it)->next) {
		struct epitem *ip = epitem_get(it);
		if (ip->fd == fd && ip->file.idx == target.idx && ip->file.gen == target.gen) {
			*out = it;
			return 0;
		}
	}
	return -ENOENT;
}

int epoll_ctl_do(struct evobj_ref ep, int op, int32_t fd, struct file_ref target, uint32_t events, uint64_t data)
{
	struct evobj *o = evobj_get(ep);
	if (!o || o->type != EV_EPOLL)
		return -EINVAL;
	struct epitem_ref it;
	int e = find(o, fd, target, &it);
	events |= EPOLLERR | EPOLLHUP;
	switch (op) {
	case EPOLL_CTL_ADD: {
		if (e == 0)
			return -EEXIST;
		if (epitem_alloc(&it))
			return -ENOMEM;
		struct poll_table pt = {.self = evobj_get(ep)->wq, .add = true,
					.exclusive = (events & EPOLLEXCLUSIVE) != 0};
		(void)file_poll(target, &pt);
		if (pt.err) {
			poll_hooks_release(pt.hooks);
			epitem_free(it);
			return pt.err;
		}
		struct epitem *ip = epitem_get(it);
		ip->fd = fd;
		ip->file = target;
		ip->events = events;
		ip->data = data;
		ip->armed = true;
		ip->hooks = pt.hooks;
		o = evobj_get(ep);
		ip->next = o->items;
		o->items = it;
		return 0;
	}
	case EPOLL_CTL_MOD: {
		if (e)
			return e;
		struct epitem *ip = epitem_get(it);
		if (ip->events & EPOLLEXCLUSIVE)
			return -EINVAL; /* an exclusive item cannot be modified */
		ip->events = events;
		ip->data = data;
		ip->armed = true;
		ip->disabled = false;
		return 0;
	}
	case EPOLL_CTL_DEL: {
		if (e)
			return e;
		struct epitem_ref prev = {0};
		for (struct epitem_ref c = o->items; epitem_ref_valid(c); c = epitem_get(c)->next) {
			if (c.idx == it.idx && c.gen == it.gen) {
				struct epitem_ref next = epitem_get(c)->next;
				if (epitem_ref_valid(prev))
					epitem_get(prev)->next = next;
				else
					o->items = next;
				poll_hooks_release(epitem_get(c)->hooks);
				epitem_free(c);
				return 0;
			}
			prev = c;
		}
		return -ENOENT;
	}
	default:
		return -EINVAL;
	}
}

/* What item `it` would report now (0: nothing). */
static uint32_t item_events(struct epitem *ip, uint64_t *gen)
{
	if (ip->disabled)
		return 0;
	struct poll_table pt = {0};
	uint32_t m = file_poll(ip->file, &pt) & ip->events & ~(EPOLLET | EPOLLONESHOT);
	*gen = pt.gen;
	if (m && (ip->events & EPOLLET) && !ip->armed && *gen == ip->seen_gen)
		return 0;
	return m;
}

bool epoll_ready_any(struct evobj_ref ep)
{
	struct evobj *o = evobj_get(ep);
	for (struct epitem_ref it = o ? o->items : (struct epitem_ref){0}; epitem_ref_valid(it);
	     it = epitem_get(it)->next) {
		uint64_t gen;
		if (item_events(epitem_get(it), &gen))
			return true;
	}
	return false;
}

void epoll_forget_closed(struct evobj_ref ep)
{
	struct evobj *o = evobj_get(ep);
	if (!o)
		return;
	struct epitem_ref prev = {0};
	struct epitem_ref c = o->items;
	while (epitem_ref_valid(c)) {
		struct epitem *ip = epitem_get(c);
		struct epitem_ref next = ip->next;
		if (!file_ref_valid(ip->file)) {
			if (epitem_ref_valid(prev))
				epitem_get(prev)->next = next;
			else
				o->items = next;
			poll_hooks_release(ip->hooks);
			epitem_free(c);
		} else {
			prev = c;
		}
		c = next;
	}
}

/* Fairness: the items up to the last one reported move behind the rest,
 * so the next call starts after it (Linux puts a reported level-triggered
 * item at the back of its ready list) and with more ready items than
 * maxevents every one is reported in turn. */
static void rotate_after(struct evobj *o, struct epitem_ref last)
{
	struct epitem *lp = epitem_get(last);
	if (!lp || !epitem_ref_valid(lp->next))
		return;
	struct epitem_ref first = o->items, tail = lp->next;
	while (epitem_ref_valid(epitem_get(tail)->next))
		tail = epitem_get(tail)->next;
	o->items = lp->next;
	epitem_get(tail)->next = first;
	epitem_get(last)->next = (struct epitem_ref){0};
}

int64_t epoll_collect(struct evobj_ref ep, uint64_t uev, uint32_t max)
{
	epoll_forget_closed(ep);
	struct evobj *o = evobj_get(ep);
	if (!o)
		return -EBADF;
	uint32_t n = 0;
	struct epitem_ref last = {0};
	for (struct epitem_ref it = o->items; epitem_ref_valid(it) && n < max; it = epitem_get(it)->next) {
		struct epitem *ip = epitem_get(it);
		uint64_t gen = 0;
		uint32_t m = item_events(ip, &gen);
		if (!m)
			continue;
		struct linux_epoll_event ev = {m, (uint32_t)ip->data, (uint32_t)(ip->data >> 32)};
		if (fw_copy_to_user(fw_uaddr(uev + (uint64_t)n * sizeof(ev)), &ev))
			return n ? (int64_t)n : -EFAULT;
		ip = epitem_get(it);
		ip->seen_gen = gen;
		ip->armed = false;
		if (ip->events & EPOLLONESHOT)
			ip->disabled = true;
		n++;
		last = it;
	}
	if (n == max)
		rotate_after(evobj_get(ep), last);
	return n;
}

/* --- nesting -------------------------------------------------------------
 * Linux allows epoll instances inside epoll instances up to 5 levels (4
 * links, EP_MAX_NESTS) and no loops. Adding target into ep measures the
 * longest chain of instances below target (a loop back to ep is -ELOOP)
 * and above ep (the instances that watch ep, found through the list of all
 * instances); the chain through the new link must stay within 4 links. */
#define EP_MAX_NESTS 4
#define TOO_DEEP 1000

struct epoll_list {
	struct evobj_ref head;
};
FW_GLOBAL(struct epoll_list, epoll_list);

void epoll_track(struct evobj_ref o, bool add)
{
	struct epoll_list *l = epoll_list();
	if (add) {
		evobj_get(o)->next_epoll = l->head;
		l->head = o;
		return;
	}
	struct evobj_ref prev = {0};
	for (struct evobj_ref c = l->head; evobj_ref_valid(c); c = evobj_get(c)->next_epoll) {
		if (c.idx == o.idx && c.gen == o.gen) {
			struct evobj_ref next = evobj_get(c)->next_epoll;
			if (evobj_ref_valid(prev))
				evobj_get(prev)->next_epoll = next;
			else
				l->head = next;
			return;
		}
		prev = c;
	}
}

static bool same_obj(struct evobj_ref a, struct evobj_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* Both walks visit each instance once per check (attack round 5): the
 * first version followed every path, and a layered graph of K instances
 * per level (each watching every instance of the next level) made one
 * epoll_ctl cost about K^4 steps below and K^3 scans of every
 * registration above — 9 s of kernel time, during which nothing else
 * runs, at K = 10, and hours at K = 20 (Linux: under a millisecond).
 * The marks live in the instances and are valid for one check. */
struct epoll_check {
	uint64_t gen;
};
FW_GLOBAL(struct epoll_check, epoll_check);

/* the instance a registration watches, if it watches one */
static int watched(struct epitem_ref it, struct evobj_ref *out)
{
	struct epitem *ip = epitem_get(it);
	return ip ? evobj_of_file(ip->file, EV_EPOLL, out) : -EINVAL;
}

/* Links below o (0: it watches no instance); TOO_DEEP on a loop to `into`
 * or past the limit. */
static uint32_t depth_down(struct evobj_ref o, struct evobj_ref into, uint32_t depth)
{
	struct evobj *op = evobj_get(o);
	if (!op)
		return 0;
	if (op->mark_gen == epoll_check()->gen && op->mark_down != UINT32_MAX)
		return op->mark_down;
	uint32_t best = 0;
	for (struct epitem_ref it = op->items; epitem_ref_valid(it); it = epitem_get(it)->next) {
		struct evobj_ref child;
		if (watched(it, &child))
			continue;
		if (same_obj(child, into) || depth > EP_MAX_NESTS) {
			best = TOO_DEEP;
			break;
		}
		uint32_t d = depth_down(child, into, depth + 1);
		if (d >= TOO_DEEP) {
			best = TOO_DEEP;
			break;
		}
		best = FW_MAX(best, d + 1);
	}
	op = evobj_get(o);
	op->mark_gen = epoll_check()->gen;
	op->mark_down = best;
	return best;
}

/* Links above o: instances watching it, and so on. Longest paths in the
 * watch graph, relaxed over every registration EP_MAX_NESTS + 1 times
 * (a chain longer than that is TOO_DEEP anyway): linear in the number of
 * registrations, whatever the shape. */
static uint32_t up_of(struct evobj_ref o)
{
	struct evobj *op = evobj_get(o);
	return op && op->mark_gen == epoll_check()->gen ? op->mark_up : 0;
}

static uint32_t depth_up(struct evobj_ref o)
{
	for (struct evobj_ref c = epoll_list()->head; evobj_ref_valid(c); c = evobj_get(c)->next_epoll) {
		struct evobj *cp = evobj_get(c);
		if (cp->mark_gen != epoll_check()->gen) {
			cp->mark_gen = epoll_check()->gen;
			cp->mark_down = UINT32_MAX; /* not measured in this check */
		}
		cp->mark_up = 0;
	}
	for (uint32_t round = 0; round <= EP_MAX_NESTS; round++) {
		bool changed = false;
		for (struct evobj_ref c = epoll_list()->head; evobj_ref_valid(c); c = evobj_get(c)->next_epoll) {
			uint32_t above = FW_MIN(up_of(c) + 1, (uint32_t)TOO_DEEP);
			for (struct epitem_ref it = evobj_get(c)->items; epitem_ref_valid(it); it = epitem_get(it)->next) {
				struct evobj_ref child;
				struct evobj *chp;
				if (watched(it, &child) || !(chp = evobj_get(child)) || chp->mark_up >= above)
					continue;
				chp->mark_up = above;
				changed = true;
			}
		}
		if (!changed)
			break;
	}
	return up_of(o) > EP_MAX_NESTS ? TOO_DEEP : up_of(o);
}

int epoll_nest_check(struct evobj_ref ep, struct evobj_ref target)
{
	epoll_check()->gen++;
	uint32_t down = depth_down(target, ep, 0);
	if (down > EP_MAX_NESTS)
		return -ELOOP;
	return down + 1 + depth_up(ep) > EP_MAX_NESTS ? -ELOOP : 0;
}
