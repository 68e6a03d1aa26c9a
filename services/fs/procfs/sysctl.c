/* /proc/sys: the kernel's tunables as files. Layer: services (safe C).
 * Each file names a knob; reading shows its value as Linux formats it
 * (a decimal or a string and a newline), writing sets it where Keel acts
 * on the value: the host and domain names (proc/uts.c) and the System V
 * IPC next_id knobs (ipc/), the inotify limits and the lease-break time
 * (vfs/). /proc/sys/fs/mqueue shows the POSIX message
 * queue limits (ipc/mqueue.c). The others report Keel's fixed values and are
 * read-only here (Linux lets root write them). Trusts proc/ and ipc/. */
#include "fs/procfs/procfs.h"
#include "fs/procfs/sysctl.h"
#include "ipc/ipc.h"
#include "mm/mm.h"
#include "pipe/pipe.h"
#include <fw/console.h>

enum knob {
	K_HOSTNAME,
	K_DOMAINNAME,
	K_OSTYPE,
	K_OSRELEASE,
	K_VERSION,
	K_PID_MAX,
	K_THREADS_MAX,
	K_NGROUPS_MAX,
	K_CAP_LAST_CAP,
	K_OVERFLOWUID,
	K_OVERFLOWGID,
	K_TAINTED,
	K_MSGMAX,
	K_MSGMNB,
	K_MSGMNI,
	K_SEM,
	K_SHMMAX,
	K_SHMALL,
	K_SHMMNI,
	K_MSG_NEXT_ID,
	K_SEM_NEXT_ID,
	K_SHM_NEXT_ID,
	K_BOOT_ID,
	K_UUID,
	K_OVERCOMMIT,
	K_MAX_MAP_COUNT,
	K_MMAP_MIN_ADDR,
	K_NR_OPEN,
	K_FILE_MAX,
	K_PIPE_MAX_SIZE,
	K_PIPE_PAGES_SOFT,
	K_PIPE_PAGES_HARD,
	K_INODE_NR,
	K_MQ_MSG_MAX,
	K_MQ_MSGSIZE_MAX,
	K_MQ_MSG_DEFAULT,
	K_MQ_MSGSIZE_DEFAULT,
	K_MQ_QUEUES_MAX,
	K_CORE_PATTERN,
	K_CORE_USES_PID,
	K_INOTIFY_QUEUED,
	K_INOTIFY_INSTANCES,
	K_INOTIFY_WATCHES,
	K_LEASE_BREAK_TIME,
	K_LEASES_ENABLE,
	K_MAX
};

static const struct sysctl_ent ents[] = {
	{"kernel", "hostname", K_HOSTNAME, S_IFREG | 0644},
	{"kernel", "domainname", K_DOMAINNAME, S_IFREG | 0644},
	{"kernel", "ostype", K_OSTYPE, S_IFREG | 0444},
	{"kernel", "osrelease", K_OSRELEASE, S_IFREG | 0444},
	{"kernel", "version", K_VERSION, S_IFREG | 0444},
	{"kernel", "pid_max", K_PID_MAX, S_IFREG | 0444},
	{"kernel", "threads-max", K_THREADS_MAX, S_IFREG | 0444},
	{"kernel", "ngroups_max", K_NGROUPS_MAX, S_IFREG | 0444},
	{"kernel", "cap_last_cap", K_CAP_LAST_CAP, S_IFREG | 0444},
	{"kernel", "overflowuid", K_OVERFLOWUID, S_IFREG | 0444},
	{"kernel", "overflowgid", K_OVERFLOWGID, S_IFREG | 0444},
	{"kernel", "tainted", K_TAINTED, S_IFREG | 0444},
	{"kernel", "core_pattern", K_CORE_PATTERN, S_IFREG | 0444},
	{"kernel", "core_uses_pid", K_CORE_USES_PID, S_IFREG | 0444},
	{"kernel", "msgmax", K_MSGMAX, S_IFREG | 0644},
	{"kernel", "msgmnb", K_MSGMNB, S_IFREG | 0644},
	{"kernel", "msgmni", K_MSGMNI, S_IFREG | 0644},
	{"kernel", "sem", K_SEM, S_IFREG | 0644},
	{"kernel", "shmmax", K_SHMMAX, S_IFREG | 0644},
	{"kernel", "shmall", K_SHMALL, S_IFREG | 0644},
	{"kernel", "shmmni", K_SHMMNI, S_IFREG | 0644},
	{"kernel", "msg_next_id", K_MSG_NEXT_ID, S_IFREG | 0644},
	{"kernel", "sem_next_id", K_SEM_NEXT_ID, S_IFREG | 0644},
	{"kernel", "shm_next_id", K_SHM_NEXT_ID, S_IFREG | 0644},
	{"kernel/random", "boot_id", K_BOOT_ID, S_IFREG | 0444},
	{"kernel/random", "uuid", K_UUID, S_IFREG | 0444},
	{"vm", "overcommit_memory", K_OVERCOMMIT, S_IFREG | 0444},
	{"vm", "max_map_count", K_MAX_MAP_COUNT, S_IFREG | 0644},
	{"vm", "mmap_min_addr", K_MMAP_MIN_ADDR, S_IFREG | 0444},
	{"fs", "nr_open", K_NR_OPEN, S_IFREG | 0644},
	{"fs", "file-max", K_FILE_MAX, S_IFREG | 0444},
	{"fs", "pipe-max-size", K_PIPE_MAX_SIZE, S_IFREG | 0644},
	{"fs", "pipe-user-pages-soft", K_PIPE_PAGES_SOFT, S_IFREG | 0644},
	{"fs", "pipe-user-pages-hard", K_PIPE_PAGES_HARD, S_IFREG | 0644},
	{"fs", "inode-nr", K_INODE_NR, S_IFREG | 0444},
	{"fs/mqueue", "msg_max", K_MQ_MSG_MAX, S_IFREG | 0644},
	{"fs/mqueue", "msgsize_max", K_MQ_MSGSIZE_MAX, S_IFREG | 0644},
	{"fs/mqueue", "msg_default", K_MQ_MSG_DEFAULT, S_IFREG | 0644},
	{"fs/mqueue", "msgsize_default", K_MQ_MSGSIZE_DEFAULT, S_IFREG | 0644},
	{"fs/mqueue", "queues_max", K_MQ_QUEUES_MAX, S_IFREG | 0644},
	{"fs/inotify", "max_queued_events", K_INOTIFY_QUEUED, S_IFREG | 0644},
	{"fs/inotify", "max_user_instances", K_INOTIFY_INSTANCES, S_IFREG | 0644},
	{"fs/inotify", "max_user_watches", K_INOTIFY_WATCHES, S_IFREG | 0644},
	{"fs", "lease-break-time", K_LEASE_BREAK_TIME, S_IFREG | 0644},
	{"fs", "leases-enable", K_LEASES_ENABLE, S_IFREG | 0444},
};

bool sysctl_entry(uint32_t i, struct sysctl_ent *out)
{
	if (i >= FW_ARRAY_LEN(ents))
		return false;
	*out = ents[i];
	return true;
}

struct sysctl_state {
	uint8_t boot_id[16];
	bool have_boot_id;
};
FW_GLOBAL(struct sysctl_state, sysctl_state);

/* A random (version 4) UUID as Linux prints it. */
static void show_uuid(struct ptext *t, const uint8_t (*b)[16])
{
	for (uint32_t i = 0; i < 16; i++) {
		uint8_t v = (*b)[i];
		if (i == 6)
			v = (uint8_t)((v & 0x0f) | 0x40);
		if (i == 8)
			v = (uint8_t)((v & 0x3f) | 0x80);
		pt_hex(t, v, 2);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			pt_char(t, '-');
	}
}

/* The ipc/ limit a /proc/sys/kernel knob shows; sem's four values. */
static uint32_t ipc_knob(uint32_t knob)
{
	return knob == K_MSGMAX ? IPC_LIM_MSGMAX : knob == K_MSGMNB ? IPC_LIM_MSGMNB : knob == K_MSGMNI ? IPC_LIM_MSGMNI
	       : knob == K_SHMMAX ? IPC_LIM_SHMMAX : knob == K_SHMALL ? IPC_LIM_SHMALL : IPC_LIM_SHMMNI;
}

static uint32_t sem_knob(uint32_t i)
{
	return i == 0 ? IPC_LIM_SEMMSL : i == 1 ? IPC_LIM_SEMMNS : i == 2 ? IPC_LIM_SEMOPM : IPC_LIM_SEMMNI;
}

/* The ipc/ limit a /proc/sys/fs/mqueue knob shows. */
static uint32_t mq_knob(uint32_t knob)
{
	return knob == K_MQ_MSG_MAX ? MQ_LIM_MSG_MAX : knob == K_MQ_MSGSIZE_MAX ? MQ_LIM_MSGSIZE_MAX
	       : knob == K_MQ_MSG_DEFAULT ? MQ_LIM_MSG_DEFAULT : knob == K_MQ_MSGSIZE_DEFAULT ? MQ_LIM_MSGSIZE_DEFAULT
	       : MQ_LIM_QUEUES_MAX;
}

void sysctl_show(struct ptext *t, uint32_t knob)
{
	struct kname n;
	switch (knob) {
	case K_HOSTNAME:
	case K_DOMAINNAME:
	case K_OSTYPE:
	case K_OSRELEASE:
	case K_VERSION:
		uts_get(knob == K_HOSTNAME ? UTS_HOST : knob == K_DOMAINNAME ? UTS_DOMAIN : knob == K_OSTYPE ? UTS_SYSNAME
			: knob == K_OSRELEASE ? UTS_RELEASE : UTS_VERSION, &n);
		pt_kname(t, &n);
		break;
	case K_PID_MAX:
		pt_u64(t, PID_MAX);
		break;
	case K_THREADS_MAX:
		pt_u64(t, PID_MAX);
		break;
	case K_NGROUPS_MAX:
		pt_u64(t, 65536);
		break;
	case K_CAP_LAST_CAP:
		pt_u64(t, 40);
		break;
	case K_OVERFLOWUID:
	case K_OVERFLOWGID:
		pt_u64(t, 65534);
		break;
	case K_TAINTED:
	case K_CORE_USES_PID:
		pt_u64(t, 0);
		break;
	case K_CORE_PATTERN:
		PT_LIT(t, "core");
		break;
	case K_MSGMAX:
	case K_MSGMNB:
	case K_MSGMNI:
	case K_SHMMNI:
		pt_i64(t, ipc_limit(ipc_knob(knob)));
		break;
	case K_SEM:
		for (uint32_t i = 0; i < 4; i++) {
			if (i)
				pt_char(t, '\t');
			pt_i64(t, ipc_limit(sem_knob(i)));
		}
		break;
	case K_SHMMAX:
	case K_SHMALL:
		pt_u64(t, ipc_limit_u(ipc_knob(knob)));
		break;
	case K_MSG_NEXT_ID:
		pt_i64(t, ipc_next_id(IPC_KIND_MSG));
		break;
	case K_SEM_NEXT_ID:
		pt_i64(t, ipc_next_id(IPC_KIND_SEM));
		break;
	case K_SHM_NEXT_ID:
		pt_i64(t, ipc_next_id(IPC_KIND_SHM));
		break;
	case K_BOOT_ID: {
		struct sysctl_state *s = sysctl_state();
		if (!s->have_boot_id) {
			fw_random_fill(&s->boot_id, sizeof(s->boot_id));
			s->have_boot_id = true;
		}
		show_uuid(t, &sysctl_state()->boot_id);
		break;
	}
	case K_UUID: {
		uint8_t b[16];
		fw_random_fill(&b, sizeof(b));
		show_uuid(t, &b);
		break;
	}
	case K_OVERCOMMIT:
		pt_u64(t, 0);
		break;
	case K_MAX_MAP_COUNT:
		pt_i64(t, mm_max_map_count());
		break;
	case K_MMAP_MIN_ADDR:
		pt_u64(t, FW_USER_MIN);
		break;
	case K_NR_OPEN:
		pt_i64(t, vfs_nr_open());
		break;
	case K_FILE_MAX:
		pt_u64(t, 9223372036854775807ULL);
		break;
	case K_PIPE_MAX_SIZE:
	case K_PIPE_PAGES_SOFT:
	case K_PIPE_PAGES_HARD:
		pt_u64(t, pipe_limit(knob - K_PIPE_MAX_SIZE));
		break;
	case K_INODE_NR:
		/* inodes in memory; Keel keeps no list of unused ones */
		pt_u64(t, inode_count());
		PT_LIT(t, "\t0");
		break;
	case K_MQ_QUEUES_MAX:
	case K_MQ_MSG_MAX:
	case K_MQ_MSGSIZE_MAX:
	case K_MQ_MSG_DEFAULT:
	case K_MQ_MSGSIZE_DEFAULT:
		pt_i64(t, mq_limit(mq_knob(knob)));
		break;
	case K_INOTIFY_QUEUED:
	case K_INOTIFY_INSTANCES:
	case K_INOTIFY_WATCHES:
		pt_u64(t, inotify_limit(knob - K_INOTIFY_QUEUED));
		break;
	case K_LEASE_BREAK_TIME: {
		int32_t v = lease_break_time();
		if (v < 0)
			pt_char(t, '-');
		pt_u64(t, v < 0 ? (uint64_t)(-(int64_t)v) : (uint64_t)v);
		break;
	}
	case K_LEASES_ENABLE:
		pt_u64(t, 1);
		break;
	default:
		break;
	}
	pt_char(t, '\n');
}

/* The written text up to its first newline (Linux's proc_dostring and
 * proc_dointvec take one value per write). */
static uint32_t text_len(const struct kchunk *c, uint32_t n)
{
	uint32_t k = 0;
	while (k < n && c->b[k] != '\n' && c->b[k] != 0)
		k++;
	return k;
}

static int parse_int(const struct kchunk *c, uint32_t n, int64_t *out)
{
	uint32_t i = 0;
	while (i < n && (c->b[i] == ' ' || c->b[i] == '\t'))
		i++;
	bool neg = i < n && c->b[i] == '-';
	if (neg)
		i++;
	if (i >= n || c->b[i] < '0' || c->b[i] > '9')
		return -EINVAL;
	int64_t v = 0;
	for (; i < n && c->b[i] >= '0' && c->b[i] <= '9'; i++) {
		v = v * 10 + (c->b[i] - '0');
		if (v > 0x7fffffffLL + 1)
			return -EINVAL;
	}
	while (i < n && (c->b[i] == ' ' || c->b[i] == '\t' || c->b[i] == '\n'))
		i++;
	if (i < n)
		return -EINVAL;
	*out = neg ? -v : v;
	return 0;
}

/* An unsigned long as proc_doulongvec_minmax takes it (no sign, no overflow). */
static int parse_ulong(const struct kchunk *c, uint32_t n, uint64_t *out)
{
	uint32_t i = 0;
	while (i < n && (c->b[i] == ' ' || c->b[i] == '\t'))
		i++;
	if (i >= n || c->b[i] < '0' || c->b[i] > '9')
		return -EINVAL;
	uint64_t v = 0;
	for (; i < n && c->b[i] >= '0' && c->b[i] <= '9'; i++) {
		uint64_t d = (uint64_t)(c->b[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	while (i < n && (c->b[i] == ' ' || c->b[i] == '\t' || c->b[i] == '\n'))
		i++;
	if (i < n)
		return -EINVAL;
	*out = v;
	return 0;
}

/* kernel/sem: up to four ints separated by blanks, the ones given set in
 * order (Linux's proc_dointvec); a semmni outside 0..32768 is refused
 * with -ERANGE. */
static int write_sem(const struct kchunk *c, uint32_t n)
{
	int64_t v[4];
	uint32_t k = 0, i = 0;
	while (k < 4) {
		while (i < n && (c->b[i] == ' ' || c->b[i] == '\t' || c->b[i] == '\n'))
			i++;
		if (i >= n)
			break;
		uint32_t start = i;
		if (c->b[i] == '-')
			i++;
		uint32_t digits = i;
		int64_t x = 0;
		for (; i < n && c->b[i] >= '0' && c->b[i] <= '9'; i++) {
			x = x * 10 + (c->b[i] - '0');
			if (x > 0x80000000LL)
				return -EINVAL;
		}
		if (i == digits || (i < n && c->b[i] != ' ' && c->b[i] != '\t' && c->b[i] != '\n' && c->b[i] != 0))
			return -EINVAL;
		x = c->b[start] == '-' ? -x : x;
		if (x > 0x7fffffffLL)
			return -EINVAL;
		v[k++] = x;
	}
	if (k == 0)
		return -EINVAL;
	/* Linux sets the values, then puts semmni back if it is out of range
	 * (-ERANGE) */
	int e = 0;
	for (uint32_t j = 0; j < k; j++)
		if (ipc_set_limit(sem_knob(j), (uint64_t)v[j]))
			e = -ERANGE;
	return e;
}

int sysctl_write(uint32_t knob, const struct kchunk *c, uint32_t n)
{
	switch (knob) {
	case K_HOSTNAME:
	case K_DOMAINNAME: {
		/* the value up to the newline; longer than 64 bytes is cut */
		struct kname name;
		uint32_t k = FW_MIN(text_len(c, n), (uint32_t)UTS_LEN);
		for (uint32_t i = 0; i < k; i++)
			name.s[i] = (char)c->b[i];
		name.len = k;
		name.s[k] = 0;
		return uts_set(knob == K_HOSTNAME ? UTS_HOST : UTS_DOMAIN, &name);
	}
	case K_MSG_NEXT_ID:
	case K_SEM_NEXT_ID:
	case K_SHM_NEXT_ID: {
		int64_t v;
		int e = parse_int(c, n, &v);
		if (e)
			return e;
		uint32_t kind = knob == K_MSG_NEXT_ID ? IPC_KIND_MSG : knob == K_SEM_NEXT_ID ? IPC_KIND_SEM : IPC_KIND_SHM;
		return ipc_set_next_id(kind, v);
	}
	case K_MSGMAX:
	case K_MSGMNB:
	case K_MSGMNI:
	case K_SHMMNI: {
		int64_t v;
		int e = parse_int(c, n, &v);
		return e ? e : ipc_set_limit(ipc_knob(knob), (uint64_t)v);
	}
	case K_SHMMAX:
	case K_SHMALL: {
		uint64_t v;
		int e = parse_ulong(c, n, &v);
		return e ? e : ipc_set_limit(ipc_knob(knob), v);
	}
	case K_SEM:
		return write_sem(c, n);
	case K_PIPE_MAX_SIZE:
	case K_PIPE_PAGES_SOFT:
	case K_PIPE_PAGES_HARD: {
		uint64_t v;
		int e = parse_ulong(c, n, &v);
		if (e == 0 && knob == K_PIPE_MAX_SIZE && v > 0xffffffffULL)
			e = -EINVAL; /* an unsigned int */
		return e ? e : pipe_set_limit(knob - K_PIPE_MAX_SIZE, v);
	}
	case K_MAX_MAP_COUNT:
	case K_NR_OPEN: {
		int64_t v;
		int e = parse_int(c, n, &v);
		if (e)
			return e;
		return knob == K_NR_OPEN ? vfs_set_nr_open(v) : mm_set_max_map_count(v);
	}
	case K_MQ_QUEUES_MAX:
	case K_MQ_MSG_MAX:
	case K_MQ_MSGSIZE_MAX:
	case K_MQ_MSG_DEFAULT:
	case K_MQ_MSGSIZE_DEFAULT: {
		int64_t v;
		int e = parse_int(c, n, &v);
		return e ? e : mq_set_limit(mq_knob(knob), v);
	}
	case K_INOTIFY_QUEUED:
	case K_INOTIFY_INSTANCES:
	case K_INOTIFY_WATCHES: {
		int64_t v;
		int e = parse_int(c, n, &v);
		return e ? e : inotify_set_limit(knob - K_INOTIFY_QUEUED, v);
	}
	case K_LEASE_BREAK_TIME: {
		int64_t v;
		int e = parse_int(c, n, &v);
		return e ? e : lease_set_break_time(v);
	}
	default:
		return -EINVAL;
	}
}
