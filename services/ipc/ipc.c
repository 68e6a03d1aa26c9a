/* What the three System V IPC kinds share: permission records, Linux's
 * access and ownership checks, the get rules. Layer: services (safe C).
 * Trusts proc/ for the caller's credentials. */
#include "ipc/ipc.h"
#include <fw/time.h>

int64_t ipc_now(void) { return (int64_t)(fw_time_realtime_ns() / 1000000000ULL); }

void ipc_perm_init(struct ipc_perm_k *p, int32_t key, uint32_t flags, uint16_t seq)
{
	struct proc *me = cur_proc();
	p->key = key;
	p->uid = p->cuid = me->euid;
	p->gid = p->cgid = me->egid;
	p->mode = flags & 0777;
	p->seq = seq;
	p->ctime = ipc_now();
}

static bool in_group(const struct proc *me, uint32_t gid)
{
	if (me->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < me->ngroups && i < FW_ARRAY_LEN(me->groups); i++)
		if (me->groups[i] == gid)
			return true;
	return false;
}

/* Linux's ipcperms: the owner's (or creator's) triplet, else the group's
 * (owner or creator group), else the others'; uid 0 stands for
 * CAP_IPC_OWNER. */
int ipc_check(const struct ipc_perm_k *p, uint32_t want)
{
	struct proc *me = cur_proc();
	uint32_t requested = (want >> 6) | (want >> 3) | want;
	uint32_t granted = p->mode;
	if (me->euid == p->cuid || me->euid == p->uid)
		granted >>= 6;
	else if (in_group(me, p->cgid) || in_group(me, p->gid))
		granted >>= 3;
	if ((requested & ~granted & 07) && !proc_capable(me, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int ipc_may_own(const struct ipc_perm_k *p)
{
	struct proc *me = cur_proc();
	return proc_capable(me, CAP_SYS_ADMIN) || me->euid == p->uid || me->euid == p->cuid ? 0 : -EPERM;
}

void ipc_perm_to_user(struct linux_ipc64_perm *u, const struct ipc_perm_k *p)
{
	*u = (struct linux_ipc64_perm){0};
	u->key = p->key;
	u->uid = p->uid;
	u->gid = p->gid;
	u->cuid = p->cuid;
	u->cgid = p->cgid;
	u->mode = p->mode;
	u->seq = p->seq;
}

void ipc_perm_set(struct ipc_perm_k *p, const struct linux_ipc64_perm *u)
{
	p->uid = u->uid;
	p->gid = u->gid;
	p->mode = (p->mode & ~0777u) | (u->mode & 0777u);
	p->ctime = ipc_now();
}

/* 1: create a new object, 0: use the one found, or an error. */
int ipc_get_rules(bool found, int32_t key, uint32_t flags)
{
	if (key == IPC_PRIVATE)
		return 1;
	if (!found)
		return (flags & IPC_CREAT) ? 1 : -ENOENT;
	if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
		return -EEXIST;
	return 0;
}

struct ipc_id_page {
	uint64_t h[IPC_IDS_PER_PAGE];
	int32_t key[IPC_IDS_PER_PAGE];
	uint32_t next[IPC_IDS_PER_PAGE]; /* next slot + 1 in the key's chain; 0 ends it */
};
FW_POOL_PRIVATE(ipc_id_page, struct ipc_id_page);

static uint32_t key_bucket(int32_t key) { return ((uint32_t)key * 2654435761U) >> (32 - IPC_KEY_BITS); }

static struct ipc_id_page *id_page(const struct ipc_ids *ids, uint32_t slot)
{
	if (slot >= ids->max || slot / IPC_IDS_PER_PAGE >= IPC_DIR)
		return NULL;
	return ipc_id_page_get(ids->dir[slot / IPC_IDS_PER_PAGE]);
}

uint64_t ipc_ids_get(const struct ipc_ids *ids, uint32_t slot)
{
	struct ipc_id_page *pg = id_page(ids, slot);
	return pg ? pg->h[slot % IPC_IDS_PER_PAGE] : 0;
}

int ipc_ids_find_key(const struct ipc_ids *ids, int32_t key)
{
	uint32_t link = ids->bucket[key_bucket(key)];
	/* a chain holds at most max slots: the bound only guards a bug */
	for (uint32_t n = 0; link != 0 && n < ids->max; n++) {
		uint32_t slot = link - 1;
		struct ipc_id_page *pg = id_page(ids, slot);
		if (!pg)
			return -1;
		uint32_t i = slot % IPC_IDS_PER_PAGE;
		if (pg->h[i] && pg->key[i] == key)
			return (int)slot;
		link = pg->next[i];
	}
	return -1;
}

static void key_link(struct ipc_ids *ids, uint32_t slot, int32_t key)
{
	struct ipc_id_page *pg = id_page(ids, slot);
	if (!pg)
		return;
	uint32_t i = slot % IPC_IDS_PER_PAGE;
	pg->key[i] = key;
	pg->next[i] = 0;
	if (key == IPC_PRIVATE)
		return;
	uint32_t b = key_bucket(key);
	pg->next[i] = ids->bucket[b];
	ids->bucket[b] = slot + 1;
}

static void key_unlink(struct ipc_ids *ids, uint32_t slot)
{
	struct ipc_id_page *pg = id_page(ids, slot);
	if (!pg)
		return;
	uint32_t i = slot % IPC_IDS_PER_PAGE;
	if (pg->key[i] == IPC_PRIVATE)
		return;
	uint32_t b = key_bucket(pg->key[i]);
	uint32_t after = pg->next[i];
	if (ids->bucket[b] == slot + 1) {
		ids->bucket[b] = after;
		return;
	}
	for (uint32_t link = ids->bucket[b], n = 0; link != 0 && n < ids->max; n++) {
		struct ipc_id_page *lp = id_page(ids, link - 1);
		if (!lp)
			return;
		uint32_t li = (link - 1) % IPC_IDS_PER_PAGE;
		if (lp->next[li] == slot + 1) {
			lp->next[li] = after;
			return;
		}
		link = lp->next[li];
	}
}

int ipc_ids_put(struct ipc_ids *ids, uint32_t slot, uint64_t h, int32_t key)
{
	if (slot >= ids->max || slot / IPC_IDS_PER_PAGE >= IPC_DIR)
		return -EINVAL;
	uint32_t d = slot / IPC_IDS_PER_PAGE;
	if (!ipc_id_page_ref_valid(ids->dir[d])) {
		if (!h)
			return 0;
		struct ipc_id_page_ref r;
		if (ipc_id_page_alloc(&r))
			return -ENOMEM;
		ids->dir[d] = r;
	}
	struct ipc_id_page *pg = ipc_id_page_get(ids->dir[d]);
	uint64_t old = pg->h[slot % IPC_IDS_PER_PAGE];
	if (old && !h)
		key_unlink(ids, slot);
	pg->h[slot % IPC_IDS_PER_PAGE] = h;
	if (!old && h)
		key_link(ids, slot, key);
	if (!old && h)
		ids->used++;
	else if (old && !h && ids->used)
		ids->used--;
	if (h)
		ids->next = (slot + 1) % ids->max;
	return 0;
}

int ipc_ids_free_slot(const struct ipc_ids *ids)
{
	if (ids->used >= ids->max)
		return -ENOSPC;
	for (uint32_t n = 0; n < ids->max; n++) {
		uint32_t i = (ids->next + n) % ids->max;
		if (!ipc_ids_get(ids, i))
			return (int)i;
	}
	return -ENOSPC;
}

int ipc_ids_free_slot_from(const struct ipc_ids *ids, uint32_t from)
{
	for (uint32_t i = from; i < ids->max; i++)
		if (!ipc_ids_get(ids, i))
			return (int)i;
	return -ENOSPC;
}

struct ipc_knobs {
	int32_t next_id[3]; /* stored + 1: zero-initialised means unset */
	uint64_t lim[IPC_LIM_COUNT];
	bool lim_set;
};
FW_GLOBAL(struct ipc_knobs, ipc_knobs);

static const uint64_t lim_default[IPC_LIM_COUNT] = {MSGMAX, MSGMNB, MSGMNI, SHMMAX, SHMALL,
						    SHMMNI, SEMMSL, SEMMNS, SEMOPM, SEMMNI};

uint64_t ipc_limit_u(uint32_t which)
{
	struct ipc_knobs *k = ipc_knobs();
	if (which >= IPC_LIM_COUNT)
		return 0;
	if (!k->lim_set) {
		for (uint32_t i = 0; i < IPC_LIM_COUNT; i++)
			k->lim[i] = lim_default[i];
		k->lim_set = true;
	}
	return k->lim[which];
}

/* The int knobs are stored sign-extended. */
int64_t ipc_limit(uint32_t which) { return (int64_t)ipc_limit_u(which); }

int ipc_set_limit(uint32_t which, uint64_t v)
{
	int64_t sv = (int64_t)v;
	switch (which) {
	case IPC_LIM_SHMMAX:
	case IPC_LIM_SHMALL:
		break;
	case IPC_LIM_MSGMAX:
	case IPC_LIM_MSGMNB:
		if (sv < 0 || sv > 0x7fffffffLL)
			return -EINVAL;
		break;
	case IPC_LIM_MSGMNI:
	case IPC_LIM_SHMMNI:
	case IPC_LIM_SEMMNI:
		if (sv < 0 || sv > IPC_SLOTS)
			return -EINVAL;
		break;
	case IPC_LIM_SEMMSL:
	case IPC_LIM_SEMMNS:
	case IPC_LIM_SEMOPM:
		if (sv < -0x80000000LL || sv > 0x7fffffffLL)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	(void)ipc_limit_u(which);
	ipc_knobs()->lim[which] = v;
	return 0;
}

int32_t ipc_next_id(uint32_t kind) { return kind < 3 ? ipc_knobs()->next_id[kind] - 1 : -1; }

int ipc_set_next_id(uint32_t kind, int64_t v)
{
	if (kind >= 3 || v < -1 || v > 0x7fffffff - 1)
		return -EINVAL;
	ipc_knobs()->next_id[kind] = (int32_t)v + 1;
	return 0;
}

int32_t ipc_take_next_id(uint32_t kind)
{
	int32_t v = ipc_next_id(kind);
	if (kind < 3)
		ipc_knobs()->next_id[kind] = 0;
	return v;
}

void ipc_info_perm(struct ipc_obj_info *out, const struct ipc_perm_k *p, uint32_t slot)
{
	*out = (struct ipc_obj_info){0};
	out->key = p->key;
	out->id = ipc_id(p->seq, slot);
	out->mode = p->mode & 0777;
	out->uid = p->uid;
	out->gid = p->gid;
	out->cuid = p->cuid;
	out->cgid = p->cgid;
	out->ctime = p->ctime;
}

uint32_t ipc_slots(uint32_t kind) { return kind == IPC_KIND_MSG ? MSGMNI : kind == IPC_KIND_SEM ? SEMMNI : SHMMNI; }

bool ipc_obj_at(uint32_t kind, uint32_t slot, struct ipc_obj_info *out)
{
	if (kind == IPC_KIND_MSG)
		return msg_obj_at(slot, out);
	if (kind == IPC_KIND_SEM)
		return sem_obj_at(slot, out);
	return shm_obj_at(slot, out);
}

int ipc_init(void)
{
	int e = mq_init();
	return e ? e : proc_on_exit(sem_exit);
}
