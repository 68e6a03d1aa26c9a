/* Readiness objects and waiting: epoll instances, eventfd, timerfd,
 * signalfd (all "evobj" files), and the poll/select/epoll_wait loops.
 * Layer: services (safe C). */
#ifndef SVC_POLL_POLL_H
#define SVC_POLL_POLL_H

#include "vfs/vfs.h"
#include <abi/fs.h>
#include <fw/time.h>

/* The pool's functions (its handle type lives in vfs.h). */
struct evobj;
FW_MUST_CHECK int evobj_alloc(struct evobj_ref *out);
struct evobj *evobj_get(struct evobj_ref r);
void evobj_free(struct evobj_ref r);
bool evobj_ref_valid(struct evobj_ref r);
uint32_t evobj_count(void);

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
	bool armed;         /* edge-triggered: report the next readiness */
	bool disabled;      /* EPOLLONESHOT fired */
	struct epitem_ref next;
};

struct evobj {
	uint32_t type;      /* enum evobj_type */
	uint32_t flags;     /* EFD_SEMAPHORE */
	uint64_t count;     /* eventfd counter, timerfd expirations */
	uint64_t gen;
	struct fw_timer_ref timer;
	uint32_t clockid;
	bool armed;
	uint64_t sigmask;   /* signalfd */
	struct epitem_ref items;
};

int evobj_create(uint32_t type, uint32_t flags, struct file_ref *out);
int64_t evobj_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t evobj_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
void evobj_release(struct file_ref f, struct file *fp);
uint32_t evobj_poll(struct file_ref f, struct file *fp, uint64_t *gen);

/* The signals a signalfd may report right now (pending for the caller). */
uint64_t signalfd_pending(uint64_t mask);

/* epoll (services/poll/epoll.c) */
bool epoll_ready_any(struct evobj_ref ep);
int epoll_ctl_do(struct evobj_ref ep, int op, int32_t fd, struct file_ref target, uint32_t events, uint64_t data);
/* Store up to max ready events at uev; returns how many. */
int64_t epoll_collect(struct evobj_ref ep, uint64_t uev, uint32_t max);
/* Drop registrations of fd whose file is gone or changed (close). */
void epoll_forget_closed(struct evobj_ref ep);

/* timerfd (services/poll/timerfd.c) */
int timerfd_settime_do(struct evobj_ref o, uint32_t flags, const struct linux_itimerspec *nv,
		       struct linux_itimerspec *old);
void timerfd_gettime_do(struct evobj_ref o, struct linux_itimerspec *cur);
int timerfd_init(struct evobj_ref o, uint32_t clockid);

#endif
