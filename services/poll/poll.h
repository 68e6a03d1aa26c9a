/* Readiness objects and waiting: epoll instances, eventfd, timerfd,
 * signalfd (all "evobj" files), and the poll/select/epoll_wait loops.
 * Layer: services (safe C). */
#ifndef SVC_POLL_POLL_H
#define SVC_POLL_POLL_H

#include "vfs/vfs.h"
#include <abi/fs.h>
#include <fw/time.h>

struct evobj;
FW_POOL_DECLARE(evobj, struct evobj);

enum evobj_type { EV_NONE, EV_EPOLL, EV_EVENTFD, EV_TIMERFD, EV_SIGNALFD };

struct epitem;
FW_POOL_DECLARE(epitem, struct epitem);

/* One registration in an epoll instance. */
struct epitem {
	int32_t fd;
	struct file_ref file;
	uint32_t events;    /* EPOLL* requested, with EPOLLET/EPOLLONESHOT */
	uint64_t data;
	uint64_t seen_gen;  /* edge-triggered: the state last reported */
	struct pollhook_ref hooks; /* on the watched file's queues: they wake the instance */
	bool armed;         /* edge-triggered: report the next readiness */
	bool disabled;      /* EPOLLONESHOT fired */
	struct epitem_ref next;
};

struct evobj {
	uint32_t type;      /* enum evobj_type */
	uint32_t flags;     /* EFD_SEMAPHORE */
	uint64_t count;     /* eventfd counter, timerfd expirations */
	struct wq_ref wq;   /* readers, writers, epoll_wait and pollers of this object */
	struct fw_timer_ref timer;
	uint32_t clockid;
	bool armed;
	uint64_t sigmask;   /* signalfd */
	struct epitem_ref items;
	struct evobj_ref next_epoll; /* every epoll instance, for the nesting checks */
	uint64_t mark_gen;  /* nesting check: marks valid for this check only */
	uint32_t mark_down, mark_up;
};

/* Register the event objects' file operations (boot). */
int evobj_init(void);
int evobj_create(uint32_t type, uint32_t flags, struct file_ref *out, struct evobj_ref *obj);
/* The event object of type `type` behind a file (-EINVAL if it is not one). */
int evobj_of_file(struct file_ref f, uint32_t type, struct evobj_ref *out);

/* The signals a signalfd may report right now (pending for the caller). */
uint64_t signalfd_pending(uint64_t mask);
/* The queue signals to the caller's process wake (signalfd readers wait there). */
struct wq_ref signalfd_queue(void);

/* epoll (services/poll/epoll.c) */
bool epoll_ready_any(struct evobj_ref ep);
int epoll_ctl_do(struct evobj_ref ep, int op, int32_t fd, struct file_ref target, uint32_t events, uint64_t data);
/* Store up to max ready events at uev; returns how many. */
int64_t epoll_collect(struct evobj_ref ep, uint64_t uev, uint32_t max);
/* Keep the list of epoll instances (creation and release). */
void epoll_track(struct evobj_ref o, bool add);
/* EPOLL_CTL_ADD of epoll instance `target` into `ep`: -ELOOP if that
 * closes a loop or nests more than Linux's 5 levels (4 links), counting
 * the instances already above ep and below target. */
int epoll_nest_check(struct evobj_ref ep, struct evobj_ref target);
/* Drop registrations of fd whose file is gone or changed (close). */
void epoll_forget_closed(struct evobj_ref ep);

/* timerfd (services/poll/timerfd.c) */
int timerfd_settime_do(struct evobj_ref o, uint32_t flags, const struct linux_itimerspec *nv,
		       struct linux_itimerspec *old);
void timerfd_gettime_do(struct evobj_ref o, struct linux_itimerspec *cur);
int timerfd_init(struct evobj_ref o, uint32_t clockid);

#endif
