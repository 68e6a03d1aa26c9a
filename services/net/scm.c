/* Ancillary data: parsing a sender's control messages (SCM_RIGHTS,
 * SCM_CREDENTIALS) and writing the receiver's, with Linux's truncation
 * rules (MSG_CTRUNC, descriptors that do not fit are closed). Layer:
 * services (safe C). Control buffers stay in user memory; every header
 * is copied in and checked before its payload is read. */
#include "net/socket.h"
#include "proc/proc.h"

#define CMSG_ALIGN(n) (((n) + 7) & ~(uint64_t)7)

static int scm_ensure(struct sock_msg *m)
{
	if (scm_ref_valid(m->scm))
		return 0;
	if (scm_alloc(&m->scm))
		return -ENOBUFS;
	return 0;
}

/* SCM_RIGHTS: n descriptors at user address `data`. */
static int add_rights(struct sock_msg *m, uint64_t data, uint64_t n)
{
	if (n == 0)
		return 0;
	if (n > SCM_MAX_FD)
		return -EINVAL;
	int e = scm_ensure(m);
	if (e)
		return e;
	struct scm *c = scm_get(m->scm);
	if (c->nfd + n > SCM_MAX_FD)
		return -EINVAL;
	for (uint64_t i = 0; i < n; i++) {
		int32_t fd;
		if (fw_copy_from_user(&fd, fw_uaddr(data + i * 4)))
			return -EFAULT;
		struct file_ref f;
		if (fd_get(cur_proc()->files, fd, &f))
			return -EBADF;
		file_hold(f);
		c = scm_get(m->scm);
		c->fd[c->nfd++] = f;
	}
	return 0;
}

static bool id_ok(uint32_t want, uint32_t a, uint32_t b, uint32_t c) { return want == a || want == b || want == c; }

static int add_cred(struct sock_msg *m, uint64_t data)
{
	struct linux_ucred uc;
	if (fw_copy_from_user(&uc, fw_uaddr(data)))
		return -EFAULT;
	struct proc *p = cur_proc();
	if (uc.pid != p->pid && !proc_capable(p, CAP_SYS_ADMIN))
		return -EPERM;
	if (!proc_capable(p, CAP_SETUID) && !id_ok(uc.uid, p->uid, p->euid, p->suid))
		return -EPERM;
	if (!proc_capable(p, CAP_SETGID) && !id_ok(uc.gid, p->gid, p->egid, p->sgid))
		return -EPERM;
	if (!proc_ref_valid(proc_by_pid(uc.pid)))
		return -ESRCH;
	int e = scm_ensure(m);
	if (e)
		return e;
	struct scm *c = scm_get(m->scm);
	c->has_cred = true;
	c->cred = uc;
	return 0;
}

int scm_from_user(struct sock_msg *m)
{
	uint64_t len = m->ctllen, off = 0;
	if (len > INT32_MAX)
		return -ENOBUFS;
	while (off + sizeof(struct linux_cmsghdr) <= len) {
		struct linux_cmsghdr h;
		if (fw_copy_from_user(&h, fw_uaddr(m->ctl + off)))
			return -EFAULT;
		if (h.cmsg_len < CMSG_HDR_LEN || h.cmsg_len > len - off)
			return -EINVAL;
		uint64_t data = m->ctl + off + CMSG_HDR_LEN, dlen = h.cmsg_len - CMSG_HDR_LEN;
		if (h.cmsg_level == SOL_SOCKET) {
			int e;
			if (h.cmsg_type == SCM_RIGHTS)
				e = add_rights(m, data, dlen / 4);
			else if (h.cmsg_type == SCM_CREDENTIALS)
				e = dlen == sizeof(struct linux_ucred) ? add_cred(m, data) : -EINVAL;
			else
				e = -EINVAL;
			if (e)
				return e;
		}
		off += CMSG_ALIGN(h.cmsg_len);
	}
	return 0;
}

void cmsg_put(struct sock_msg *m, int32_t level, int32_t type, const struct optval *data)
{
	if (!m->ctl || m->ctllen < CMSG_HDR_LEN) {
		m->oflags |= MSG_CTRUNC;
		return;
	}
	uint64_t cmlen = CMSG_HDR_LEN + data->len;
	if (m->ctllen < cmlen) {
		m->oflags |= MSG_CTRUNC;
		cmlen = m->ctllen;
	}
	struct linux_cmsghdr h = {cmlen, level, type};
	if (fw_copy_to_user(fw_uaddr(m->ctl), &h) ||
	    fw_copy_to_user_n(fw_uaddr(m->ctl + CMSG_HDR_LEN), &data->b, cmlen - CMSG_HDR_LEN)) {
		m->oflags |= MSG_CTRUNC;
		return;
	}
	uint64_t adv = FW_MIN(CMSG_ALIGN(CMSG_HDR_LEN + data->len), m->ctllen);
	m->ctl += adv;
	m->ctllen -= adv;
	m->ctl_used += adv;
}

void scm_put_cred(struct sock_msg *m, const struct linux_ucred *c)
{
	struct optval v = {0};
	struct optval t = {0};
	optval_int(&v, c->pid);
	optval_int(&t, (int32_t)c->uid);
	for (uint32_t i = 0; i < 4; i++)
		v.b[4 + i] = t.b[i];
	optval_int(&t, (int32_t)c->gid);
	for (uint32_t i = 0; i < 4; i++)
		v.b[8 + i] = t.b[i];
	v.len = 12;
	cmsg_put(m, SOL_SOCKET, SCM_CREDENTIALS, &v);
}

void scm_put_files(struct sock_msg *m, struct scm_ref r, bool peek)
{
	struct scm *c = scm_get(r);
	if (!c || c->nfd == 0)
		return;
	uint32_t count = c->nfd;
	uint64_t room = m->ctl && m->ctllen > CMSG_HDR_LEN ? (m->ctllen - CMSG_HDR_LEN) / 4 : 0;
	uint32_t fdmax = (uint32_t)FW_MIN(room, (uint64_t)count);
	bool cloexec = (m->flags & MSG_CMSG_CLOEXEC) != 0;
	uint32_t i = 0;
	for (; i < fdmax; i++) {
		c = scm_get(r);
		struct file_ref f = c->fd[i];
		int fd = net_fd_install(f, cloexec);
		if (fd < 0)
			break;
		file_hold(f);
		int32_t v = fd;
		if (fw_copy_to_user(fw_uaddr(m->ctl + CMSG_HDR_LEN + (uint64_t)i * 4), &v)) {
			(void)fd_close(cur_proc()->files, fd);
			break;
		}
	}
	if (i > 0) {
		uint64_t cmlen = CMSG_HDR_LEN + (uint64_t)i * 4;
		struct linux_cmsghdr h = {cmlen, SOL_SOCKET, SCM_RIGHTS};
		if (fw_copy_to_user(fw_uaddr(m->ctl), &h) == 0) {
			uint64_t adv = FW_MIN(CMSG_ALIGN(cmlen), m->ctllen);
			m->ctl += adv;
			m->ctllen -= adv;
			m->ctl_used += adv;
		}
	}
	if (i < count)
		m->oflags |= MSG_CTRUNC;
	if (!peek)
		scm_destroy(r);
}
