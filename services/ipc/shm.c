/* System V shared memory: shmget, shmat, shmdt, shmctl. Layer: services
 * (safe C). Trusts mm/ to map the segment and vfs/ for its pages.
 *
 * A segment's bytes are the pages of a hidden inode (as MAP_SHARED
 * anonymous memory), so every attach in every process maps the same
 * frames, fork shares them, and the pages live while the segment exists
 * or any area maps them. The segment holds one link on the inode; every
 * mapped area holds one opener, so the inode's open count is Linux's
 * shm_nattch (areas split by mprotect count as Linux counts them). After
 * IPC_RMID the link goes: the inode, and with it the segment's record,
 * disappear when the last area is unmapped. */
#include "ipc/ipc.h"
#include "mm/mm.h"
#include <fw/vm.h>

#define SHMMIN 1ULL
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#define SHM_HUGETLB 04000
#define SHM_NORESERVE 010000
#define SHM_DEST 01000   /* mode bit: removed, destroyed at last detach */
#define SHM_LOCKED 02000 /* mode bit: SHM_LOCK */
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15

FW_POOL_REF(shm_seg);
struct shm_seg {
	struct ipc_perm_k perm;
	uint64_t size;
	struct inode_ref ino;
	int64_t atime, dtime;
	int32_t cpid, lpid;
};
FW_POOL_PRIVATE(shm_seg, struct shm_seg);

struct shm_table {
	struct shm_seg_ref slot[SHMMNI];
	uint32_t next; /* where the cyclic search for a free slot starts */
	uint16_t seq;
	uint64_t pages; /* of all segments (SHMALL) */
};
FW_GLOBAL(struct shm_table, shms);

struct linux_shmid64_ds {
	struct linux_ipc64_perm perm;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint64_t nattch, unused4, unused5;
};

struct linux_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};

struct linux_shm_info {
	int32_t used_ids;
	int32_t pad;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

static uint64_t pages_of(uint64_t size) { return size / 4096 + (size % 4096 != 0); }

static void seg_release(uint32_t slot)
{
	struct shm_table *t = shms();
	struct shm_seg *s = shm_seg_get(t->slot[slot]);
	if (s)
		t->pages -= FW_MIN(t->pages, pages_of(s->size));
	shm_seg_free(t->slot[slot]);
	t->slot[slot] = (struct shm_seg_ref){0};
}

/* The live segment in slot i, or NULL. A removed segment whose last
 * mapping went (its inode is freed) is released here. */
static struct shm_seg *slot_seg(uint32_t i)
{
	struct shm_seg *s = shm_seg_get(shms()->slot[i]);
	if (s && (s->perm.mode & SHM_DEST) && !inode_get(s->ino)) {
		seg_release(i);
		return NULL;
	}
	return s;
}

static struct shm_seg *seg_by_id(int32_t id)
{
	if (id < 0 || ipc_slot(id) >= SHMMNI)
		return NULL;
	struct shm_seg *s = slot_seg(ipc_slot(id));
	return s && s->perm.seq == ipc_seq(id) ? s : NULL;
}

static uint64_t nattch(const struct shm_seg *s)
{
	struct inode *ip = inode_get(s->ino);
	return ip ? ip->open_count : 0;
}

static int find_key(int32_t key)
{
	for (uint32_t i = 0; i < SHMMNI; i++) {
		struct shm_seg *s = slot_seg(i);
		if (s && s->perm.key == key && !(s->perm.mode & SHM_DEST))
			return (int)i;
	}
	return -1;
}

bool shm_obj_at(uint32_t slot, struct ipc_obj_info *out)
{
	struct shm_seg *s = slot < SHMMNI ? slot_seg(slot) : NULL;
	if (!s)
		return false;
	ipc_info_perm(out, &s->perm, slot);
	out->mode = s->perm.mode; /* with SHM_DEST and SHM_LOCKED, as Linux shows it */
	out->a = s->size;
	out->b = nattch(s);
	out->c = inode_resident_pages(s->ino) * 4096;
	out->pid1 = s->cpid;
	out->pid2 = s->lpid;
	out->t1 = s->atime;
	out->t2 = s->dtime;
	return true;
}

static uint32_t live_segments(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < SHMMNI; i++)
		if (slot_seg(i))
			n++;
	return n;
}

static int seg_create(int32_t key, uint64_t size, uint32_t flags)
{
	struct shm_table *t = shms();
	if (size < SHMMIN || size > ipc_limit_u(IPC_LIM_SHMMAX))
		return -EINVAL;
	uint64_t np = pages_of(size);
	if (t->pages + np < t->pages || t->pages + np > ipc_limit_u(IPC_LIM_SHMALL))
		return -ENOSPC;
	if ((int64_t)live_segments() >= ipc_limit(IPC_LIM_SHMMNI))
		return -ENOSPC; /* /proc/sys/kernel/shmmni */
	int32_t want = ipc_take_next_id(IPC_KIND_SHM);
	uint16_t seq = want < 0 ? t->seq : ipc_seq(want);
	uint32_t slot = SHMMNI;
	for (uint32_t n = 0; n < SHMMNI; n++) {
		/* cyclically from the last one, or upwards from the one asked for */
		uint32_t i = want < 0 ? (t->next + n) % SHMMNI : ipc_slot(want) + n;
		if (i < SHMMNI && !slot_seg(i)) {
			slot = i;
			break;
		}
	}
	if (slot == SHMMNI)
		return -ENOSPC;
	struct shm_seg_ref r;
	if (shm_seg_alloc(&r))
		return -ENOMEM;
	struct inode_ref ino;
	if (inode_new(S_IFREG | (flags & 0777), &ino)) {
		shm_seg_free(r);
		return -ENOMEM;
	}
	struct inode *ip = inode_get(ino);
	ip->nlink = 1; /* the segment's own link */
	ip->size = size;
	t = shms();
	struct shm_seg *s = shm_seg_get(r);
	ipc_perm_init(&s->perm, key, flags, seq);
	s->size = size;
	s->ino = ino;
	s->cpid = cur_proc()->pid;
	t->slot[slot] = r;
	t->next = (slot + 1) % SHMMNI;
	t->pages += np;
	int32_t id = ipc_id(seq, slot);
	if (want < 0)
		t->seq = (uint16_t)(t->seq + 1);
	return id;
}

int shm_get(int32_t key, uint64_t size, uint32_t flags)
{
	if (flags & SHM_HUGETLB)
		return -EPERM; /* no huge pages (Linux: EPERM without the hugetlb group) */
	int slot = key == IPC_PRIVATE ? -1 : find_key(key);
	int rule = ipc_get_rules(slot >= 0, key, flags);
	if (rule < 0)
		return rule;
	if (rule == 1)
		return seg_create(key, size, flags);
	struct shm_seg *s = shm_seg_get(shms()->slot[slot]);
	if (size > s->size)
		return -EINVAL;
	int e = ipc_check(&s->perm, flags);
	return e ? e : ipc_id(s->perm.seq, (uint32_t)slot);
}

int64_t shm_attach(int32_t id, uint64_t addr, uint32_t flags)
{
	if (addr & 4095) {
		if (!(flags & SHM_RND))
			return -EINVAL;
		addr &= ~4095ULL;
		if (!addr && (flags & SHM_REMAP))
			return -EINVAL;
	}
	uint32_t prot = PROT_READ, want = 0444;
	if (!(flags & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		want |= 0222;
	}
	if (flags & SHM_EXEC) {
		prot |= PROT_EXEC;
		want |= 0111;
	}
	struct shm_seg *s = seg_by_id(id);
	if (!s)
		return -EINVAL;
	int e = ipc_check(&s->perm, want);
	if (e)
		return e;
	uint64_t len = pages_of(s->size) * 4096;
	struct inode_ref ino = s->ino;
	struct proc *p = cur_proc();
	if (!addr) {
		addr = mm_find_free(p->mm, len);
		if (!addr)
			return -ENOMEM;
	} else if (addr + len < addr || addr + len > FW_USER_TOP) {
		return -EINVAL;
	} else if (!(flags & SHM_REMAP) && !mm_range_free(p->mm, addr, len)) {
		return -EINVAL;
	}
	uint32_t fp = FW_PROT_READ | ((prot & PROT_WRITE) ? FW_PROT_WRITE : 0) | ((prot & PROT_EXEC) ? FW_PROT_EXEC : 0);
	e = mm_map(p->mm, addr, len, fp, VMA_SHARED | VMA_FILE | VMA_ANON_SHARED, ino, 0, len);
	if (e)
		return e;
	s = seg_by_id(id);
	if (s) {
		s->atime = ipc_now();
		s->lpid = cur_proc()->pid;
	}
	return (int64_t)addr;
}

/* The segment whose inode is ino, or NULL. */
static struct shm_seg *seg_by_inode(struct inode_ref ino)
{
	for (uint32_t i = 0; i < SHMMNI; i++) {
		struct shm_seg *s = shm_seg_get(shms()->slot[i]);
		if (s && s->ino.idx == ino.idx && s->ino.gen == ino.gen)
			return s;
	}
	return NULL;
}

/* Linux's shmdt: the first segment area at or above addr that starts
 * where an attach at addr would have put it goes, then every area of the
 * same segment within the segment's size from addr. */
int shm_detach(uint64_t addr)
{
	if (addr & 4095)
		return -EINVAL;
	struct mm_ref m = cur_proc()->mm;
	struct mm_area a;
	uint64_t from = addr;
	struct shm_seg *s = NULL;
	while (!s && mm_next_file_area(m, from, &a) == 0) {
		from = a.end;
		if (a.start < addr || a.start - addr != a.file_off)
			continue;
		s = seg_by_inode(a.file);
	}
	if (!s)
		return -EINVAL;
	struct inode_ref ino = s->ino;
	uint64_t size = pages_of(s->size) * 4096;
	s->dtime = ipc_now();
	s->lpid = cur_proc()->pid;
	int e = mm_unmap(m, a.start, a.end - a.start);
	from = a.end;
	while (e == 0 && mm_next_file_area(m, from, &a) == 0 && a.end - addr <= size) {
		from = a.end;
		if (a.file.idx == ino.idx && a.file.gen == ino.gen && a.start - addr == a.file_off)
			e = mm_unmap(m, a.start, a.end - a.start);
	}
	return e;
}

static void fill_ds(struct linux_shmid64_ds *d, const struct shm_seg *s)
{
	*d = (struct linux_shmid64_ds){0};
	ipc_perm_to_user(&d->perm, &s->perm);
	d->segsz = s->size;
	d->atime = s->atime;
	d->dtime = s->dtime;
	d->ctime = s->perm.ctime;
	d->cpid = s->cpid;
	d->lpid = s->lpid;
	d->nattch = nattch(s);
}

static int64_t shm_info_cmd(int32_t cmd, uint64_t ubuf)
{
	int32_t highest = 0;
	struct linux_shm_info si = {0};
	for (uint32_t i = 0; i < SHMMNI; i++) {
		struct shm_seg *s = slot_seg(i);
		if (!s)
			continue;
		highest = (int32_t)i;
		si.used_ids++;
		si.shm_tot += pages_of(s->size);
		si.shm_rss += inode_resident_pages(s->ino);
	}
	if (cmd == IPC_INFO) {
		uint64_t mni = (uint64_t)ipc_limit(IPC_LIM_SHMMNI);
		struct linux_shminfo64 in = {ipc_limit_u(IPC_LIM_SHMMAX), SHMMIN, mni, mni, ipc_limit_u(IPC_LIM_SHMALL), {0}};
		if (fw_copy_to_user(fw_uaddr(ubuf), &in))
			return -EFAULT;
	} else if (fw_copy_to_user(fw_uaddr(ubuf), &si)) {
		return -EFAULT;
	}
	return highest;
}

/* SHM_STAT/SHM_STAT_ANY take a slot index and return the identifier. */
static int64_t shm_stat_slot(int32_t idx, int32_t cmd, uint64_t ubuf)
{
	if (idx < 0 || idx >= SHMMNI)
		return -EINVAL;
	struct shm_seg *s = slot_seg((uint32_t)idx);
	if (!s)
		return -EINVAL;
	if (cmd == SHM_STAT && ipc_check(&s->perm, 0444))
		return -EACCES;
	struct linux_shmid64_ds d;
	fill_ds(&d, s);
	int32_t id = ipc_id(s->perm.seq, (uint32_t)idx);
	return fw_copy_to_user(fw_uaddr(ubuf), &d) ? -EFAULT : id;
}

static int64_t shm_remove(int32_t id)
{
	struct shm_seg *s = seg_by_id(id);
	if (!s)
		return -EINVAL;
	int e = ipc_may_own(&s->perm);
	if (e)
		return e;
	s->perm.mode |= SHM_DEST;
	s->perm.key = IPC_PRIVATE; /* no longer found by its key */
	struct inode_ref ino = s->ino;
	struct inode *ip = inode_get(ino);
	if (ip)
		ip->nlink = 0;
	inode_put_if_unused(ino); /* frees the pages now unless attached */
	if (!inode_get(ino))
		seg_release(ipc_slot(id));
	return 0;
}

int64_t shm_ctl(int32_t id, int32_t cmd, uint64_t ubuf)
{
	cmd &= ~IPC_64;
	if (cmd < 0 || id < 0)
		return -EINVAL;
	if (cmd == IPC_INFO || cmd == SHM_INFO)
		return shm_info_cmd(cmd, ubuf);
	if (cmd == SHM_STAT || cmd == SHM_STAT_ANY)
		return shm_stat_slot(id, cmd, ubuf);
	if (cmd != IPC_STAT && cmd != IPC_SET && cmd != IPC_RMID && cmd != SHM_LOCK && cmd != SHM_UNLOCK)
		return -EINVAL;
	struct linux_shmid64_ds d;
	if (cmd == IPC_SET && fw_copy_from_user(&d, fw_uaddr(ubuf)))
		return -EFAULT;
	struct shm_seg *s = seg_by_id(id);
	if (!s)
		return -EINVAL;
	switch (cmd) {
	case IPC_STAT: {
		if (ipc_check(&s->perm, 0444))
			return -EACCES;
		fill_ds(&d, s);
		return fw_copy_to_user(fw_uaddr(ubuf), &d) ? -EFAULT : 0;
	}
	case IPC_SET: {
		int e = ipc_may_own(&s->perm);
		if (e)
			return e;
		ipc_perm_set(&s->perm, &d.perm);
		return 0;
	}
	case IPC_RMID:
		return shm_remove(id);
	default: {
		/* SHM_LOCK/UNLOCK: the owner, creator or root (RLIMIT_MEMLOCK
		 * aside); pages are never swapped out here anyway. */
		struct proc *me = cur_proc();
		if (!proc_capable(me, CAP_IPC_LOCK) && me->euid != s->perm.uid && me->euid != s->perm.cuid)
			return -EPERM;
		if (cmd == SHM_LOCK)
			s->perm.mode |= SHM_LOCKED;
		else
			s->perm.mode &= ~(uint32_t)SHM_LOCKED;
		return 0;
	}
	}
}
