/* The process side of signal-driven I/O: the VFS's files name an owner
 * (a thread, a process or a process group) and the VFS calls the sender
 * registered here when one of them must hear of I/O or a lease break.
 * Layer: services (safe C). Trusts the process table; the owner's id may
 * be stale (nothing is sent then).
 *
 * As Linux: the setter of the owner must be allowed to signal each target
 * (its uid or euid is the target's real or saved uid, or its euid is
 * root); with no F_SETSIG signal the owner gets a plain SIGIO (si_code
 * SI_KERNEL), otherwise that signal with si_code POLL_*, si_band, si_fd. */
#include "proc/signal.h"
#include "vfs/vfs.h"

#define SIGIO 29

static bool may_signal(const struct sigio_msg *m, const struct proc *p)
{
	return m->euid == 0 || m->euid == p->suid || m->euid == p->uid || m->uid == p->suid || m->uid == p->uid;
}

static struct sig_info_k info_of(const struct sigio_msg *m)
{
	struct sig_info_k i = {SI_KERNEL, 0, 0, 0, 0, 0};
	if (m->sig != 0) {
		i.code = m->reason;
		i.value = m->band;
		i.status = m->fd;
		i.kind = SIK_POLL;
	}
	return i;
}

static void send_proc(const struct sigio_msg *m, struct proc_ref pr, int sig, const struct sig_info_k *i)
{
	struct proc *p = proc_get(pr);
	if (p && p->state == PROC_ALIVE && may_signal(m, p))
		(void)signal_send_proc_info(pr, sig, i);
}

static void sigio_send(const struct sigio_msg *m)
{
	int sig = m->sig ? m->sig : SIGIO;
	struct sig_info_k i = info_of(m);
	if (m->owner_type == F_OWNER_PGRP) {
		for (int32_t pid = 1; pid < PID_MAX; pid++) {
			struct proc_ref pr = proc_by_pid(pid);
			struct proc *p = proc_get(pr);
			if (p && p->pid == pid && p->pgid == m->owner)
				send_proc(m, pr, sig, &i);
		}
		return;
	}
	struct thread_ref tr = pid_lookup(m->owner);
	struct thread *t = thread_get(tr);
	if (m->owner_type == F_OWNER_TID) {
		struct proc *p = t ? proc_get(t->proc) : NULL;
		if (p && p->state == PROC_ALIVE && may_signal(m, p))
			(void)signal_send_thread_info(tr, sig, &i);
		return;
	}
	send_proc(m, t ? t->proc : proc_by_pid(m->owner), sig, &i);
}

void sigio_init(void) { vfs_set_sigio_sender(sigio_send); }
