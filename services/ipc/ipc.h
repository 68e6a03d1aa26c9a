/* System V IPC: shared memory segments, message queues and semaphore sets.
 * Layer: services (safe C). Trusts proc/ for credentials and pids, mm/ to
 * map a segment's pages (a hidden inode, as shared anonymous memory), the
 * framework's wait queues for sleeping (a removed object destroys its
 * queue, which wakes its sleepers with -EIDRM).
 *
 * Identifiers are Linux's: seq * 32768 + slot, with a per-kind sequence
 * counter, so a stale identifier names nothing (-EINVAL). Keys are looked
 * up among live objects; IPC_PRIVATE (0) always creates. Limits are Linux
 * 6.1's defaults (/proc/sys/kernel/{shmmax,shmall,shmmni,msgmax,msgmnb,
 * msgmni,sem}). Everything runs on one CPU without preemption, so no
 * object needs a lock; sleeps re-check the object afterwards.
 *
 * The system-call layer (services/syscall/sys_shm.c, sys_msg.c,
 * sys_sem.c) decodes arguments; the functions here check permissions and
 * act. Errors are negative errno values as Linux returns them. */
#ifndef SVC_IPC_IPC_H
#define SVC_IPC_IPC_H

#include "proc/proc.h"

#define IPC_PRIVATE 0
#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_NOWAIT 04000
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_INFO 3
#define IPC_64 0x100

#define IPC_SLOTS 32768 /* slot part of an identifier (Linux's SEQ_MULTIPLIER) */

/* The capacities and Linux 6.1's default limits. The limits in force
 * are ipc_limit()'s, which root sets through /proc/sys/kernel (msgmax,
 * msgmnb, msgmni, shmmax, shmall, shmmni, sem); the counts (MNI) cannot
 * go past the capacities here (SHMMNI, MSGMNI, SEMMNI slots; SEMOPM
 * operations per semop), which are Linux's defaults. */
#define SHMMAX (UINT64_MAX - (1ULL << 24))
#define SHMALL (UINT64_MAX - (1ULL << 24)) /* pages */
#define SHMMNI 4096
#define MSGMAX 8192
#define MSGMNB 16384
#define MSGMNI 32000
#define SEMMSL 32000
#define SEMMNI 32000
#define SEMMNS 1024000000

/* The limits in force (/proc/sys/kernel). */
#define IPC_LIM_MSGMAX 0
#define IPC_LIM_MSGMNB 1
#define IPC_LIM_MSGMNI 2
#define IPC_LIM_SHMMAX 3
#define IPC_LIM_SHMALL 4
#define IPC_LIM_SHMMNI 5
#define IPC_LIM_SEMMSL 6
#define IPC_LIM_SEMMNS 7
#define IPC_LIM_SEMOPM 8
#define IPC_LIM_SEMMNI 9
#define IPC_LIM_COUNT 10
/* shmmax and shmall are unsigned longs, the others ints (sem's may be
 * negative, which refuses everything, as Linux). */
int64_t ipc_limit(uint32_t which);
uint64_t ipc_limit_u(uint32_t which);
/* Root's write, with Linux's ranges (msgmax, msgmnb 0..INT_MAX; msgmni,
 * shmmni, semmni 0..32768; shmmax, shmall any unsigned long; the other
 * sem values any int): -EINVAL outside them. */
int ipc_set_limit(uint32_t which, uint64_t v);

/* Linux's struct ipc64_perm (x86-64). */
struct linux_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint32_t pad3; /* the alignment gap before unused1, explicit */
	uint64_t unused1, unused2;
};

/* The kernel's record of an object's owner, creator and mode. */
struct ipc_perm_k {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode; /* low 9 bits: rwx triplets (x unused); plus SHM_DEST... */
	uint16_t seq;
	int64_t ctime;
};

/* --- ipc/ipc.c: what all three kinds share ------------------------- */
/* A new object's perm for the caller (key, mode from the flag's low 9 bits). */
void ipc_perm_init(struct ipc_perm_k *p, int32_t key, uint32_t flags, uint16_t seq);
/* Linux's ipcperms: want is an access mask in the low 3 bits of each
 * triplet (e.g. 0444 to read, 0222 to write, 0666 both); -EACCES. */
int ipc_check(const struct ipc_perm_k *p, uint32_t want);
/* IPC_SET/IPC_RMID: the caller must be the owner, the creator or root. */
int ipc_may_own(const struct ipc_perm_k *p);
void ipc_perm_to_user(struct linux_ipc64_perm *u, const struct ipc_perm_k *p);
/* IPC_SET: owner uid/gid and the permission bits. */
void ipc_perm_set(struct ipc_perm_k *p, const struct linux_ipc64_perm *u);
int64_t ipc_now(void);
/* Identifier encoding. */
static inline int32_t ipc_id(uint16_t seq, uint32_t slot) { return (int32_t)((uint32_t)seq * IPC_SLOTS + slot); }
static inline uint32_t ipc_slot(int32_t id) { return (uint32_t)id % IPC_SLOTS; }
static inline uint16_t ipc_seq(int32_t id) { return (uint16_t)((uint32_t)id / IPC_SLOTS); }
/* The get rules once a key was looked up: exists (found) or not. */
int ipc_get_rules(bool found, int32_t key, uint32_t flags);

/* Identifier slots of one kind: a directory of pages of handles, filled
 * on demand (32000 slots would be 256 KiB of kernel image otherwise). A
 * handle is a pool handle packed as idx << 32 | gen; 0 is an empty slot.
 * Keys are indexed by a small hash (chains threaded through the pages),
 * so a get by key costs the same with 10 or 32000 objects. */
#define IPC_IDS_PER_PAGE 250
#define IPC_DIR 128
#define IPC_KEY_BITS 9
#define IPC_KEY_BUCKETS (1U << IPC_KEY_BITS)
FW_POOL_REF(ipc_id_page);
struct ipc_ids {
	struct ipc_id_page_ref dir[IPC_DIR];
	uint32_t bucket[IPC_KEY_BUCKETS]; /* first slot + 1 with this key hash; 0: none */
	uint32_t max;  /* slots (MNI) */
	uint32_t next; /* where the cyclic search for a free slot starts */
	uint32_t used;
	uint16_t seq;
};
uint64_t ipc_ids_get(const struct ipc_ids *ids, uint32_t slot);
/* Store (h != 0, with the object's key) or clear (h == 0) a slot; -ENOMEM
 * without a page. IPC_PRIVATE keys are not indexed (never looked up). */
int ipc_ids_put(struct ipc_ids *ids, uint32_t slot, uint64_t h, int32_t key);
/* The slot of the object with this key, or -1. */
int ipc_ids_find_key(const struct ipc_ids *ids, int32_t key);
/* A free slot, searched cyclically; -ENOSPC when all are taken. */
int ipc_ids_free_slot(const struct ipc_ids *ids);
/* The first free slot at or after `from` (no wrap-around); -ENOSPC. */
int ipc_ids_free_slot_from(const struct ipc_ids *ids, uint32_t from);

/* /proc/sys/kernel/{msg,sem,shm}_next_id (Linux's checkpoint/restore
 * knobs): the identifier the next object of a kind gets, -1 for none.
 * Creating an object consumes it: its sequence number is the one asked
 * for, its slot the first free one at or after the one asked for. */
enum ipc_kind { IPC_KIND_MSG, IPC_KIND_SEM, IPC_KIND_SHM };

/* One object as /proc/sysvipc/{msg,sem,shm} lists it. msg: a = cbytes,
 * b = qnum, pid1/pid2 = lspid/lrpid, t1/t2 = stime/rtime. sem: a = nsems,
 * t1 = otime. shm: a = size, b = nattch, c = resident bytes, pid1/pid2 =
 * cpid/lpid, t1/t2 = atime/dtime. */
struct ipc_obj_info {
	int32_t key, id;
	uint32_t mode, uid, gid, cuid, cgid;
	int32_t pid1, pid2;
	uint64_t a, b, c;
	int64_t t1, t2, ctime;
};
/* The object in slot `slot` of a kind (false if none); slots run from 0
 * to ipc_slots(kind) - 1. */
bool ipc_obj_at(uint32_t kind, uint32_t slot, struct ipc_obj_info *out);
uint32_t ipc_slots(uint32_t kind);
bool msg_obj_at(uint32_t slot, struct ipc_obj_info *out);
bool sem_obj_at(uint32_t slot, struct ipc_obj_info *out);
bool shm_obj_at(uint32_t slot, struct ipc_obj_info *out);
/* The perm part of an info record. */
void ipc_info_perm(struct ipc_obj_info *out, const struct ipc_perm_k *p, uint32_t slot);
int32_t ipc_next_id(uint32_t kind);
int ipc_set_next_id(uint32_t kind, int64_t v);
int32_t ipc_take_next_id(uint32_t kind);

/* --- ipc/shm.c -------------------------------------------------------- */
int shm_get(int32_t key, uint64_t size, uint32_t flags);
int64_t shm_attach(int32_t id, uint64_t addr, uint32_t flags);
int shm_detach(uint64_t addr);
int64_t shm_ctl(int32_t id, int32_t cmd, uint64_t ubuf);

/* --- ipc/msg.c -------------------------------------------------------- */
int msg_get(int32_t key, uint32_t flags);
int64_t msg_send(int32_t id, uint64_t umsg, uint64_t size, uint32_t flags);
int64_t msg_receive(int32_t id, uint64_t umsg, uint64_t size, int64_t type, uint32_t flags);
int64_t msg_ctl(int32_t id, int32_t cmd, uint64_t ubuf);

/* --- ipc/sem.c -------------------------------------------------------- */
#define SEMOPM 500
struct linux_sembuf {
	uint16_t num;
	int16_t op;
	int16_t flg;
};
/* Up to SEMOPM operations (lives in a pool, too big for a stack frame). */
struct sem_ops {
	struct linux_sembuf op[SEMOPM];
	uint32_t n;
};
FW_POOL_DECLARE(sem_ops, struct sem_ops);
int sem_get(int32_t key, int32_t nsems, uint32_t flags);
/* deadline: absolute monotonic ns, 0 = none. */
int sem_op(int32_t id, const struct sem_ops *ops, uint64_t deadline);
int64_t sem_ctl(int32_t id, int32_t num, int32_t cmd, uint64_t arg);
/* A process's SEM_UNDO adjustments are applied when it exits (an exit
 * hook of proc/, registered by ipc_init). */
void sem_exit(int32_t pid);
/* --- ipc/mqueue.c: POSIX message queues ------------------------------ */
/* The limits of /proc/sys/fs/mqueue (Linux 6.1's defaults: 256 queues,
 * 10 messages, 8192 bytes) and the hard ceilings. */
#define MQ_LIM_QUEUES_MAX 0
#define MQ_LIM_MSG_MAX 1
#define MQ_LIM_MSGSIZE_MAX 2
#define MQ_LIM_MSG_DEFAULT 3
#define MQ_LIM_MSGSIZE_DEFAULT 4
#define MQ_LIM_COUNT 5
int64_t mq_limit(uint32_t which);
/* Root's write of a knob: Linux's range or -EINVAL. */
int mq_set_limit(uint32_t which, int64_t v);
#define MQ_HARD_MSGMAX 65536
#define MQ_HARD_MSGSIZEMAX (16 * 1024 * 1024)
#define MQ_PRIO_MAX 32768
#define MQ_SIGEV_SIGNAL 0
#define MQ_SIGEV_NONE 1
#define MQ_SIGEV_THREAD 2
/* Linux's struct mq_attr (x86-64: four longs and four reserved). */
struct linux_mq_attr {
	int64_t flags, maxmsg, msgsize, curmsgs;
	int64_t reserved[4];
};
/* A registration for mq_notify. SIGEV_THREAD: the netlink socket (a
 * sock handle's index and generation) that gets the 32-byte cookie. */
#define MQ_COOKIE_LEN 32
struct mq_notify_req {
	int32_t kind, signo;
	uint64_t value;
	uint32_t sock_idx, sock_gen;
	uint8_t cookie[MQ_COOKIE_LEN];
};
struct kname;
struct file_ref;
/* A queue name from user memory (without libc's leading '/'). */
int mq_name_from_user(uint64_t uname, struct kname *out);
/* Open (O_CREAT: create; a NULL attr gives the defaults) as a new file. */
int mq_open_name(const struct kname *name, uint32_t oflag, uint32_t mode, const struct linux_mq_attr *a,
		 struct file_ref *out);
int mq_unlink_name(const struct kname *name);
/* A SIGEV_THREAD cookie for the system-call layer to send to the netlink
 * socket (sock handle idx/gen) when `due`. */
struct mq_thread_note {
	bool due;
	uint32_t sock_idx, sock_gen;
	uint8_t cookie[MQ_COOKIE_LEN];
};
/* timed: a deadline was given (absolute monotonic ns; 0: already past).
 * A SIGEV_THREAD notification that fires is left in *note. */
int64_t mq_send(int64_t fd, uint64_t umsg, uint64_t len, uint32_t prio, bool timed, uint64_t deadline,
		struct mq_thread_note *note);
int64_t mq_receive(int64_t fd, uint64_t ubuf, uint64_t len, uint64_t uprio, bool timed, uint64_t deadline);
/* req NULL: remove the caller's registration (a SIGEV_THREAD one leaves
 * its NOTIFY_REMOVED cookie in *note). */
int mq_notify_set(int64_t fd, const struct mq_notify_req *req, struct mq_thread_note *note);
int mq_getsetattr_fd(int64_t fd, const struct linux_mq_attr *set, struct linux_mq_attr *old);
int mq_init(void);

/* Boot: register the exit hook. */
int ipc_init(void);

#endif
