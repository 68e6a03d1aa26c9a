/* Namespaces: which namespace of each kind a process is in, making new
 * ones (unshare, clone) and entering them (setns). Layer: services (safe
 * C). Trusts its callers for privilege checks (sys_ns.c, fork.c).
 *
 * Each kind has a table of slots; slot 0 is the initial namespace and has
 * the inode number Linux gives it, later ones count up from where Linux's
 * first dynamic numbers start. A slot's `refs` counts the processes in it;
 * the last one leaving frees it (a mount namespace's mounts are dropped).
 * Mount namespaces' mount tables live in the VFS (vfs/mount.c), UTS
 * names in proc/uts.c; this file only does the bookkeeping. */
#include "proc/proc.h"

static const uint32_t initial_inum[NSK_KINDS] = {
	[NSK_CGROUP] = 4026531835u, [NSK_IPC] = 4026531839u, [NSK_MNT] = 4026531841u, [NSK_NET] = 4026531840u,
	[NSK_PID] = 4026531836u,	   [NSK_TIME] = 4026531834u, [NSK_USER] = 4026531837u, [NSK_UTS] = 4026531838u,
};

static const uint64_t clone_flag[NSK_KINDS] = {
	[NSK_CGROUP] = 0x02000000, [NSK_IPC] = 0x08000000, [NSK_MNT] = 0x00020000, [NSK_NET] = 0x40000000,
	[NSK_PID] = 0x20000000,	  [NSK_TIME] = 0x80,	  [NSK_USER] = 0x10000000, [NSK_UTS] = 0x04000000,
};

struct ns_slot {
	uint32_t refs;
	uint32_t inum;
	struct inode_ref node; /* what /proc/<pid>/ns/<kind> opens (made on first use) */
	uint8_t used;
	uint8_t pad[7];
};

struct ns_table {
	struct ns_slot s[NSK_KINDS][NSK_SLOTS];
	uint32_t next_inum;
};
FW_GLOBAL(struct ns_table, ns_table);

static uint32_t kind_ok(uint32_t k) { return k < NSK_KINDS ? k : 0; }

uint64_t ns_clone_flag(enum ns_kind k) { return clone_flag[kind_ok(k)]; }

uint32_t ns_slot(const struct proc *p, enum ns_kind k)
{
	uint32_t s = p ? p->ns[kind_ok(k)] : 0;
	return s < NSK_SLOTS ? s : 0;
}

uint32_t ns_inum(const struct proc *p, enum ns_kind k)
{
	return ns_table()->s[kind_ok(k)][ns_slot(p, k)].inum;
}

uint32_t ns_cur_mnt(void) { return ns_slot(cur_proc(), NSK_MNT); }

bool ns_live(enum ns_kind k, uint32_t slot)
{
	return slot < NSK_SLOTS && ns_table()->s[kind_ok(k)][slot].used;
}

void ns_init(void)
{
	struct ns_table *t = ns_table();
	for (uint32_t k = 0; k < NSK_KINDS; k++) {
		t->s[k][0].used = 1;
		t->s[k][0].inum = initial_inum[k];
		t->s[k][0].refs = 1; /* the initial namespaces never go */
	}
	t->next_inum = 4026532160u; /* where Linux's dynamic numbers begin after boot */
	vfs_set_ns_query(ns_cur_mnt);
}

/* Free a namespace nobody is in any more. An open descriptor of its
 * /proc/<pid>/ns file keeps it (setns can still enter it, as on Linux):
 * such a slot waits with refs 0 until ns_reap finds the file closed. */
static void slot_free(uint32_t k, uint32_t slot)
{
	struct ns_table *t = ns_table();
	struct inode_ref node = t->s[k][slot].node;
	struct inode *np = inode_get(node);
	if (np && np->open_count)
		return;
	t->s[k][slot] = (struct ns_slot){0};
	if (k == NSK_MNT)
		vfs_mount_ns_drop(slot);
	if (inode_ref_valid(node)) {
		struct inode *ip = inode_get(node);
		if (ip)
			ip->nlink = 0;
		inode_put_if_unused(node);
	}
}

static void slot_put(uint32_t k, uint32_t slot)
{
	struct ns_table *t = ns_table();
	if (k >= NSK_KINDS || slot == 0 || slot >= NSK_SLOTS || !t->s[k][slot].used || t->s[k][slot].refs == 0)
		return;
	if (--t->s[k][slot].refs == 0)
		slot_free(k, slot);
}

/* Free the namespaces only a since-closed descriptor kept. */
static void ns_reap(void)
{
	struct ns_table *t = ns_table();
	for (uint32_t k = 0; k < NSK_KINDS; k++)
		for (uint32_t i = 1; i < NSK_SLOTS; i++)
			if (t->s[k][i].used && t->s[k][i].refs == 0)
				slot_free(k, i);
}

static void slot_get(uint32_t k, uint32_t slot)
{
	if (slot < NSK_SLOTS && ns_table()->s[k][slot].used)
		ns_table()->s[k][slot].refs++;
}

void ns_fork(struct proc *child, const struct proc *parent)
{
	for (uint32_t k = 0; k < NSK_KINDS; k++) {
		child->ns[k] = (uint8_t)ns_slot(parent, k);
		slot_get(k, child->ns[k]);
	}
}

void ns_exit(struct proc *p)
{
	uint8_t mine[NSK_KINDS];
	for (uint32_t k = 0; k < NSK_KINDS; k++) {
		mine[k] = p->ns[k];
		p->ns[k] = 0;
	}
	for (uint32_t k = 0; k < NSK_KINDS; k++)
		slot_put(k, mine[k]);
}

int ns_make(struct proc_ref who, enum ns_kind k)
{
	if (k != NSK_MNT && k != NSK_UTS)
		return -EINVAL;
	ns_reap();
	struct ns_table *t = ns_table();
	uint32_t slot = 1;
	while (slot < NSK_SLOTS && t->s[k][slot].used)
		slot++;
	if (slot >= NSK_SLOTS)
		return -ENOSPC;
	struct proc *p = proc_get(who);
	if (!p)
		return -ESRCH;
	uint32_t from = ns_slot(p, k);
	int e = k == NSK_MNT ? vfs_mount_ns_copy(from, slot) : uts_copy(from, slot);
	if (e)
		return e;
	t = ns_table();
	t->s[k][slot] = (struct ns_slot){.refs = 1, .inum = t->next_inum++, .used = 1};
	p = proc_get(who);
	if (!p)
		return -ESRCH;
	p->ns[k] = (uint8_t)slot;
	slot_put(k, from);
	return 0;
}

int ns_enter(enum ns_kind k, uint32_t slot)
{
	if (!ns_live(k, slot))
		return -EINVAL;
	struct proc *p = cur_proc();
	uint32_t from = ns_slot(p, k);
	if (from == slot)
		return 0;
	slot_get(k, slot);
	p->ns[k] = (uint8_t)slot;
	slot_put(k, from);
	return 0;
}

int ns_node(const struct proc *p, enum ns_kind k, struct inode_ref *out)
{
	uint32_t kk = kind_ok(k), slot = ns_slot(p, k);
	struct inode_ref have = ns_table()->s[kk][slot].node;
	if (!inode_ref_valid(have) || !inode_get(have)) {
		struct inode_ref n;
		int e = inode_new(S_IFREG | 0444, &n);
		if (e)
			return e;
		struct inode *ip = inode_get(n);
		ip->ino = ns_table()->s[kk][slot].inum;
		ip->nlink = 1; /* the table holds it */
		ns_table()->s[kk][slot].node = n;
	}
	*out = ns_table()->s[kk][slot].node;
	return 0;
}

int ns_of_node(struct inode_ref ino, uint32_t *kind, uint32_t *slot)
{
	struct ns_table *t = ns_table();
	for (uint32_t k = 0; k < NSK_KINDS; k++)
		for (uint32_t i = 0; i < NSK_SLOTS; i++)
			if (t->s[k][i].used && t->s[k][i].node.idx == ino.idx && t->s[k][i].node.gen == ino.gen &&
			    inode_ref_valid(ino)) {
				*kind = k;
				*slot = i;
				return 0;
			}
	return -EINVAL;
}
