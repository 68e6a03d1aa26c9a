/* NUMA memory policy: set_mempolicy(2), get_mempolicy(2), mbind(2),
 * set_mempolicy_home_node(2), migrate_pages(2), move_pages(2). Layer:
 * services (safe C).
 *
 * Keel's machine has one memory node, node 0, as a Linux on a machine with
 * one node: every policy places memory on node 0, so policies are checked,
 * stored (per thread, per area) and reported exactly as Linux does, and
 * "moving" a page means confirming it is on node 0. Node masks are
 * MAX_NUMNODES (1024) bits wide as on a distribution kernel; a mask naming
 * any other node than 0 is EINVAL (no such node online). Policy encoding in
 * thread.mpol and vma.mpol: POL_SET | mode | mode flags. */
#include "syscall/syscall.h"

#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_PREFERRED_MANY 5
#define MPOL_WEIGHTED_INTERLEAVE 6
#define MPOL_MAX 7
#define MPOL_F_STATIC_NODES (1u << 15)
#define MPOL_F_RELATIVE_NODES (1u << 14)
#define MPOL_F_NUMA_BALANCING (1u << 13)
#define MPOL_MODE_FLAGS (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4
#define MPOL_MF_STRICT 1
#define MPOL_MF_MOVE 2
#define MPOL_MF_MOVE_ALL 4
#define MAX_NUMNODES 1024ULL
#define POL_SET 0x80000000u

/* A node mask from user memory, Linux's get_nodes: maxnode - 1 bits;
 * *node0 says whether node 0 is in it. Bits past MAX_NUMNODES must be
 * clear, all others but node 0 name nodes that are not online. */
static int get_nodes(uint64_t umask, uint64_t maxnode, bool *node0, bool *others)
{
	*node0 = *others = false;
	maxnode--;
	if (maxnode == 0 || !umask)
		return 0;
	if (maxnode > 4096 * 8)
		return -EINVAL;
	uint64_t words = (maxnode + 63) / 64;
	for (uint64_t w = 0; w < words; w++) {
		uint64_t v;
		if (fw_copy_from_user(&v, fw_uaddr(umask + 8 * w)))
			return -EFAULT;
		uint64_t bits = maxnode - 64 * w;
		if (bits < 64)
			v &= (1ULL << bits) - 1;
		if (w * 64 >= MAX_NUMNODES && v)
			return -EINVAL;
		if (w == 0) {
			*node0 = v & 1;
			v &= ~1ULL;
		}
		if (v)
			*others = true;
	}
	return 0;
}

/* Linux's sanitize_mpol_flags. */
static int split_mode(uint64_t raw, uint32_t *mode, uint32_t *flags)
{
	*flags = (uint32_t)raw & MPOL_MODE_FLAGS;
	uint64_t m = raw & ~(uint64_t)MPOL_MODE_FLAGS;
	if (m >= MPOL_MAX)
		return -EINVAL;
	*mode = (uint32_t)m;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if ((*flags & MPOL_F_NUMA_BALANCING) && *mode != MPOL_BIND && *mode != MPOL_PREFERRED_MANY)
		return -EINVAL;
	return 0;
}

/* Linux's mpol_new and mpol_set_nodemask on a one-node machine: the
 * policy to store (0 for MPOL_DEFAULT). */
static int make_policy(uint32_t mode, uint32_t flags, bool node0, bool others, uint32_t *out)
{
	bool empty = !node0 && !others;
	*out = 0;
	if (mode == MPOL_DEFAULT)
		return empty ? 0 : -EINVAL;
	if (mode == MPOL_PREFERRED && empty) {
		if (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
			return -EINVAL;
		mode = MPOL_LOCAL;
	} else if (mode == MPOL_LOCAL) {
		if (!empty || (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
			return -EINVAL;
	} else if (empty) {
		return -EINVAL;
	}
	/* only node 0 is online (relative masks are folded onto it) */
	if (mode != MPOL_LOCAL && !node0 && !(flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	*out = POL_SET | mode | flags;
	return 0;
}

int64_t sys_set_mempolicy(struct fw_uregs *r)
{
	uint32_t mode, flags, pol;
	bool node0, others;
	int e = split_mode(a0(r), &mode, &flags);
	if (e == 0)
		e = get_nodes(a1(r), a2(r), &node0, &others);
	if (e == 0)
		e = make_policy(mode, flags, node0, others, &pol);
	if (e)
		return e;
	cur_thread()->mpol = pol;
	return 0;
}

/* A policy's mode as get_mempolicy reports it, and its node mask. */
static uint32_t pol_mode(uint32_t pol) { return pol ? pol & ~POL_SET : MPOL_DEFAULT; }
static bool pol_node0(uint32_t pol) { return pol && (pol & 0xff) != MPOL_LOCAL; }

static int put_nodes(uint64_t umask, uint64_t maxnode, bool node0)
{
	uint64_t words = (maxnode + 63) / 64;
	if (words * 8 > 4096)
		return -EINVAL;
	for (uint64_t w = 0; w < words; w++) {
		uint64_t v = w == 0 && node0 ? 1 : 0;
		if (fw_copy_to_user(fw_uaddr(umask + 8 * w), &v))
			return -EFAULT;
	}
	return 0;
}

int64_t sys_get_mempolicy(struct fw_uregs *r)
{
	uint64_t upol = a0(r), umask = a1(r), maxnode = a2(r), addr = a3(r), flags = a4(r);
	if (umask && maxnode < 1)
		return -EINVAL;
	if (flags & ~(uint64_t)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
		return -EINVAL;
	int32_t val;
	bool node0;
	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -EINVAL;
		val = 0;
		node0 = true;
	} else {
		uint32_t pol = cur_thread()->mpol;
		if (flags & MPOL_F_ADDR) {
			int e = mm_policy_at(cur_proc()->mm, addr, &pol);
			if (e)
				return e;
		} else if (addr) {
			return -EINVAL;
		}
		if (flags & MPOL_F_NODE) {
			if (flags & MPOL_F_ADDR) {
				/* the node of the page there: fault it in, it is on 0 */
				uint8_t b;
				if (fw_copy_from_user(&b, fw_uaddr(addr)))
					return -EFAULT;
				val = 0;
			} else if ((pol & 0xff) == MPOL_INTERLEAVE || (pol & 0xff) == MPOL_WEIGHTED_INTERLEAVE) {
				val = 0; /* the next interleave node */
			} else {
				return -EINVAL;
			}
		} else {
			val = (int32_t)pol_mode(pol);
		}
		node0 = pol_node0(pol);
	}
	if (upol && fw_copy_to_user(fw_uaddr(upol), &val))
		return -EFAULT;
	return umask ? put_nodes(umask, maxnode, node0) : 0;
}

int64_t sys_mbind(struct fw_uregs *r)
{
	uint64_t start = a0(r), len = a1(r), flags = a5(r);
	uint32_t mode, mflags, pol;
	bool node0, others;
	int e = split_mode(a2(r), &mode, &mflags);
	if (e == 0)
		e = get_nodes(a3(r), a4(r), &node0, &others);
	if (e)
		return e;
	if (flags & ~(uint64_t)(MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) && !cred_capable(CAP_SYS_NICE))
		return -EPERM;
	if (start & 4095)
		return -EINVAL;
	len = FW_ALIGN_UP(len, 4096);
	if (start + len < start)
		return -EINVAL;
	if (len == 0)
		return 0;
	e = make_policy(mode, mflags, node0, others, &pol);
	return e ? e : mm_set_policy(cur_proc()->mm, start, len, pol);
}

int64_t sys_set_mempolicy_home_node(struct fw_uregs *r)
{
	uint64_t start = a0(r), len = a1(r), node = a2(r);
	if (start & 4095)
		return -EINVAL;
	if (a3(r))
		return -EINVAL;
	if (node != 0)
		return -EINVAL; /* not an online node */
	len = FW_ALIGN_UP(len, 4096);
	if (start + len < start)
		return -EINVAL;
	/* areas without a policy are left alone; BIND and PREFERRED_MANY
	 * ones take the home node (always 0 here: nothing to record); any
	 * other policy is EOPNOTSUPP */
	for (uint64_t a = start; a < start + len; a += 4096) {
		uint32_t pol;
		if (mm_policy_at(cur_proc()->mm, a, &pol) || !pol)
			continue;
		if ((pol & 0xff) != MPOL_BIND && (pol & 0xff) != MPOL_PREFERRED_MANY)
			return -EOPNOTSUPP;
	}
	return 0;
}

/* The process a migration names (0: the caller): -ESRCH; Linux's
 * ptrace_may_access(PTRACE_MODE_READ_REALCREDS) without a tracer: -EPERM. */
static int target_mm(int32_t pid, struct mm_ref *out)
{
	struct proc *me = cur_proc(), *p = pid ? proc_get(proc_by_pid(pid)) : me;
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	if (p != me && !proc_capable(me, CAP_SYS_NICE) &&
	    (me->uid != p->uid || me->uid != p->euid || me->uid != p->suid || me->gid != p->gid ||
	     me->gid != p->egid || me->gid != p->sgid))
		return -EPERM;
	*out = p->mm;
	return 0;
}

int64_t sys_migrate_pages(struct fw_uregs *r)
{
	bool o0, oo, n0, no;
	int e = get_nodes(a2(r), a1(r), &o0, &oo);
	if (e == 0)
		e = get_nodes(a3(r), a1(r), &n0, &no);
	if (e)
		return e;
	struct mm_ref m;
	e = target_mm((int32_t)a0(r), &m);
	if (e)
		return e;
	if (no && !cred_capable(CAP_SYS_NICE))
		return -EPERM; /* nodes the task may not use */
	if (!n0)
		return -EINVAL; /* no allowed node left */
	return 0; /* every page is on node 0 already: none left behind */
}

int64_t sys_move_pages(struct fw_uregs *r)
{
	uint64_t count = a1(r), upages = a2(r), unodes = a3(r), ustatus = a4(r), flags = a5(r);
	if (flags & ~(uint64_t)(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) && !cred_capable(CAP_SYS_NICE))
		return -EPERM;
	struct mm_ref m;
	int e = target_mm((int32_t)a0(r), &m);
	if (e)
		return e;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t addr;
		if (fw_copy_from_user(&addr, fw_uaddr(upages + 8 * i)))
			return -EFAULT;
		if (unodes) {
			int32_t node;
			if (fw_copy_from_user(&node, fw_uaddr(unodes + 4 * i)))
				return -EFAULT;
			if (node != 0)
				return node < 0 || (uint64_t)node >= MAX_NUMNODES ? -ENODEV : -ENODEV;
		}
		/* the page's node (0), or why it has none */
		int32_t st = (int32_t)(mm_pagemap_entry(m, addr & ~4095ULL, false) >> 63) ? 0 : -ENOENT;
		uint32_t pol;
		if (mm_policy_at(m, addr, &pol))
			st = -EFAULT;
		if (fw_copy_to_user(fw_uaddr(ustatus + 4 * i), &st))
			return -EFAULT;
	}
	return 0;
}
