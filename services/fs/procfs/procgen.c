/* Text of the /proc files, in Linux's exact formats (busybox ps, top,
 * free, df and mount parse them). Layer: services (safe C). Trusts the
 * process table, the memory map and the framework's frame and clock
 * counters. */
#include "fs/procfs/procfs.h"
#include "fs/procfs/smaps.h"
#include "fs/procfs/ptext.h"
#include "fs/procfs/sysctl.h"
#include "block/block.h"
#include "ipc/ipc.h"
#include <abi/fs.h>
#include "proc/proc.h"
#include "proc/signal.h"
#include "proc/ptrace.h"
#include "proc/seccomp.h"
#include <fw/time.h>

#define TICKS_NS 10000000ULL /* USER_HZ = 100 */

static struct proc *proc_of(int32_t pid)
{
	struct proc *p = proc_get(proc_by_pid(pid));
	return p && p->state != PROC_DEAD ? p : NULL;
}

static uint64_t ticks(uint64_t ns) { return ns / TICKS_NS; }

struct cpu_times {
	uint64_t user_ns, sys_ns;
};

static struct cpu_times proc_times(struct proc *p)
{
	struct cpu_times c = {p->user_ns, p->sys_ns};
	for (struct thread_ref t = p->first_thread; thread_ref_valid(t);) {
		struct thread *tp = thread_get(t);
		c.user_ns += tp->cpu_user_ns;
		c.sys_ns += tp->cpu_sys_ns;
		t = tp->next_in_proc;
	}
	return c;
}

/* The state of thread `tid` of p (Linux's /proc/<pid>/stat shows the
 * leader's, task/<tid>/stat the thread's); with the leader gone, the
 * process's: running if a thread runs, D if one sleeps uninterruptibly. */
static char state_char(int32_t tid, struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	const struct ptlink *l = ptrace_link_of(thread_get(pid_lookup(tid)));
	if (l && l->state != PT_RUNNING)
		return 't'; /* in a trace stop */
	if (p->stopped)
		return 'T';
	struct thread *th = thread_get(pid_lookup(tid));
	if (th && th->tid == tid && proc_get(th->proc) == p) {
		if (th == cur_thread())
			return 'R';
		int s = fw_task_sleep_state(th->task);
		return s == 0 ? 'R' : s == 2 ? 'D' : 'S';
	}
	if (tid == cur_proc()->pid)
		return 'R';
	/* a process runs if one of its threads does; sleeps in D if one of
	 * them sleeps uninterruptibly, else in S */
	int worst = -1;
	for (struct thread_ref t = p->first_thread; thread_ref_valid(t); t = thread_get(t)->next_in_proc) {
		int s = fw_task_sleep_state(thread_get(t)->task);
		if (s == 0)
			return 'R';
		if (s > worst)
			worst = s;
	}
	return worst == 2 ? 'D' : 'S';
}

static int32_t ppid_of(struct proc *p)
{
	struct proc *pp = proc_get(p->parent);
	return pp ? pp->pid : 0;
}

struct mem_use {
	uint64_t vsize, stack, exec, data, rss_pages;
	uint64_t start_code, end_code;
};

static struct mem_use mem_of(struct proc *p)
{
	struct mem_use u = {0};
	struct mm *m = mm_get(p->mm);
	if (!m)
		return u;
	u.rss_pages = fw_vm_resident_pages(m->vm);
	for (struct vma_ref v = m->vmas; vma_ref_valid(v);) {
		struct vma *vp = vma_get(v);
		uint64_t len = vp->end - vp->start;
		u.vsize += len;
		if (vp->flags & VMA_GROWSDOWN)
			u.stack += len;
		else if (vp->prot & FW_PROT_EXEC) {
			u.exec += len;
			if (!u.start_code) {
				u.start_code = vp->start;
				u.end_code = vp->end;
			}
		} else if (vp->prot & FW_PROT_WRITE)
			u.data += len;
		v = vp->next;
	}
	return u;
}

static uint64_t sig_mask_of(struct proc *p, bool ignored)
{
	uint64_t m = 0;
	for (int i = 1; i < NSIG; i++) {
		uint64_t h = p->sigact[i].handler;
		if (ignored ? h == SIG_IGN : (h != SIG_IGN && h != SIG_DFL))
			m |= 1ULL << (i - 1);
	}
	return m;
}

static void gen_stat(struct ptext *t, int32_t pid, int32_t tid, struct proc *p)
{
	struct cpu_times c = proc_times(p);
	struct mem_use u = mem_of(p);
	struct mm *m = mm_get(p->mm);
	pt_i64(t, tid);
	PT_LIT(t, " (");
	pt_kname(t, &p->comm);
	PT_LIT(t, ") ");
	pt_char(t, state_char(tid, p));
	uint64_t v[] = {
		/* ppid pgrp session tty_nr tpgid(-1 below) flags */
		(uint64_t)ppid_of(p), (uint64_t)p->pgid, (uint64_t)p->sid, 0, 0, 0x400000,
		/* minflt cminflt majflt cmajflt */
		0, 0, 0, 0,
		/* utime stime cutime cstime */
		ticks(c.user_ns), ticks(c.sys_ns), ticks(p->child_user_ns), ticks(p->child_sys_ns),
		/* priority nice num_threads itrealvalue starttime */
		(uint64_t)(20 + p->nice), (uint64_t)(int64_t)p->nice, p->nthreads, 0, ticks(p->start_ns),
		/* vsize rss rsslim */
		u.vsize, u.rss_pages, ~0ULL,
		/* startcode endcode startstack kstkesp kstkeip */
		u.start_code, u.end_code, m ? m->arg_start : 0, 0, 0,
		/* signal blocked sigignore sigcatch wchan nswap cnswap */
		p->sig_pending, 0, sig_mask_of(p, true), sig_mask_of(p, false), 0, 0, 0,
		/* exit_signal processor rt_priority policy blkio guest cguest */
		(uint64_t)p->exit_signal, 0, 0, 0, 0, 0, 0,
		/* start_data end_data start_brk arg_start arg_end env_start env_end exit_code */
		0, 0, m ? m->brk_start : 0, m ? m->arg_start : 0, m ? m->arg_end : 0, m ? m->arg_end : 0,
		m ? m->env_end : 0, p->state == PROC_ZOMBIE ? (uint64_t)p->exit_status : 0,
	};
	for (uint32_t i = 0; i < FW_ARRAY_LEN(v); i++) {
		pt_char(t, ' ');
		if (i == 4) /* tpgid: no controlling terminal known here */
			PT_LIT(t, "-1");
		else if (i == 15 || i == 33)
			pt_i64(t, (int64_t)v[i]); /* nice, exit_signal can be negative */
		else
			pt_u64(t, v[i]);
	}
	pt_char(t, '\n');
}

#define KB_LINE(t, label, kb)                                                                              \
	do {                                                                                               \
		PT_LIT(t, label);                                                                          \
		pt_char(t, '\t');                                                                          \
		pt_u64w(t, kb, 8);                                                                         \
		PT_LIT(t, " kB\n");                                                                        \
	} while (0)

static void hex_line(struct ptext *t, uint64_t v)
{
	pt_hex(t, v, 16);
	pt_char(t, '\n');
}

/* NoNewPrivs, Seccomp and Seccomp_filters are the thread's (task/<tid>
 * shows that thread, <pid> the leader); a thread already gone shows 0. */
static void seccomp_lines(struct ptext *t, int32_t tid, struct proc *p)
{
	struct thread *th = thread_get(pid_lookup(tid));
	if (!th || th->tid != tid || proc_get(th->proc) != p)
		th = NULL;
	PT_LIT(t, "NoNewPrivs:\t");
	pt_u64(t, th && th->no_new_privs ? 1 : 0);
	PT_LIT(t, "\nSeccomp:\t");
	pt_u64(t, th ? (uint64_t)seccomp_mode_of(th) : 0);
	PT_LIT(t, "\nSeccomp_filters:\t");
	pt_u64(t, th ? seccomp_nfilters_of(th) : 0);
	pt_char(t, '\n');
}

static void gen_status(struct ptext *t, int32_t pid, int32_t tid, struct proc *p)
{
	struct mem_use u = mem_of(p);
	char st = state_char(tid, p);
	PT_LIT(t, "Name:\t");
	pt_kname(t, &p->comm);
	PT_LIT(t, "\nUmask:\t");
	pt_char(t, '0');
	pt_char(t, (char)('0' + (p->umask >> 6 & 7)));
	pt_char(t, (char)('0' + (p->umask >> 3 & 7)));
	pt_char(t, (char)('0' + (p->umask & 7)));
	PT_LIT(t, "\nState:\t");
	pt_char(t, st);
	if (st == 'R')
		PT_LIT(t, " (running)");
	else if (st == 'Z')
		PT_LIT(t, " (zombie)");
	else if (st == 'T')
		PT_LIT(t, " (stopped)");
	else if (st == 't')
		PT_LIT(t, " (tracing stop)");
	else
		PT_LIT(t, " (sleeping)");
	PT_LIT(t, "\nTgid:\t");
	pt_i64(t, pid);
	PT_LIT(t, "\nNgid:\t0\nPid:\t");
	pt_i64(t, tid);
	PT_LIT(t, "\nPPid:\t");
	pt_i64(t, ppid_of(p));
	PT_LIT(t, "\nTracerPid:\t");
	pt_i64(t, ptrace_tracer_pid(pid_lookup(tid)));
	PT_LIT(t, "\nUid:");
	uint32_t ids[8] = {p->uid, p->euid, p->suid, p->fsuid, p->gid, p->egid, p->sgid, p->fsgid};
	for (uint32_t i = 0; i < 8; i++) {
		if (i == 4)
			PT_LIT(t, "\nGid:");
		pt_char(t, '\t');
		pt_u64(t, ids[i]);
	}
	PT_LIT(t, "\nFDSize:\t");
	pt_u64(t, FD_MAX);
	PT_LIT(t, "\nGroups:\t");
	for (uint32_t i = 0; i < p->ngroups && i < 16; i++) {
		pt_u64(t, p->groups[i]);
		pt_char(t, ' ');
	}
	PT_LIT(t, "\nNStgid:\t");
	pt_i64(t, pid);
	PT_LIT(t, "\nNSpid:\t");
	pt_i64(t, pid);
	PT_LIT(t, "\nNSpgid:\t");
	pt_i64(t, p->pgid);
	PT_LIT(t, "\nNSsid:\t");
	pt_i64(t, p->sid);
	pt_char(t, '\n');
	if (mm_get(p->mm)) {
		KB_LINE(t, "VmPeak:", u.vsize / 1024);
		KB_LINE(t, "VmSize:", u.vsize / 1024);
		KB_LINE(t, "VmLck:", mm_locked_in(p->mm, 0, FW_USER_TOP) / 1024);
		KB_LINE(t, "VmPin:", 0);
		KB_LINE(t, "VmHWM:", u.rss_pages * 4);
		KB_LINE(t, "VmRSS:", u.rss_pages * 4);
		KB_LINE(t, "RssAnon:", u.rss_pages * 4);
		KB_LINE(t, "RssFile:", 0);
		KB_LINE(t, "RssShmem:", 0);
		KB_LINE(t, "VmData:", u.data / 1024);
		KB_LINE(t, "VmStk:", u.stack / 1024);
		KB_LINE(t, "VmExe:", u.exec / 1024);
		KB_LINE(t, "VmLib:", 0);
		KB_LINE(t, "VmPTE:", 0);
		KB_LINE(t, "VmSwap:", 0);
	}
	PT_LIT(t, "Threads:\t");
	pt_u64(t, p->nthreads);
	PT_LIT(t, "\nSigQ:\t0/63432\nSigPnd:\t");
	struct thread *tp = thread_get(p->first_thread);
	hex_line(t, tp ? tp->sig_pending : 0);
	PT_LIT(t, "ShdPnd:\t");
	hex_line(t, p->sig_pending);
	PT_LIT(t, "SigBlk:\t");
	hex_line(t, tp ? tp->sig_mask : 0);
	PT_LIT(t, "SigIgn:\t");
	hex_line(t, sig_mask_of(p, true));
	PT_LIT(t, "SigCgt:\t");
	hex_line(t, sig_mask_of(p, false));
	PT_LIT(t, "CapInh:\t");
	hex_line(t, p->caps.inheritable);
	PT_LIT(t, "CapPrm:\t");
	hex_line(t, p->caps.permitted);
	PT_LIT(t, "CapEff:\t");
	hex_line(t, p->caps.effective);
	PT_LIT(t, "CapBnd:\t");
	hex_line(t, p->caps.bset);
	PT_LIT(t, "CapAmb:\t");
	hex_line(t, p->caps.ambient);
	seccomp_lines(t, tid, p);
	PT_LIT(t, "Speculation_Store_Bypass:\tvulnerable\n");
	PT_LIT(t, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
	PT_LIT(t, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

static void gen_statm(struct ptext *t, struct proc *p)
{
	struct mem_use u = mem_of(p);
	uint64_t v[7] = {u.vsize / 4096, u.rss_pages, 0, u.exec / 4096, 0, (u.data + u.stack) / 4096, 0};
	for (uint32_t i = 0; i < 7; i++) {
		if (i)
			pt_char(t, ' ');
		pt_u64(t, v[i]);
	}
	pt_char(t, '\n');
}

/* Bytes [start, end) of a process's memory, as they are now. */
static void user_bytes(struct ptext *t, struct proc *p, uint64_t start, uint64_t end)
{
	struct mm *m = mm_get(p->mm);
	if (!m || start >= end || end - start > (1ULL << 20))
		return;
	struct fw_vm_ref vm = m->vm;
	struct kchunk c;
	for (uint64_t a = start; a < end;) {
		struct fw_vm_page pg;
		uint32_t poff = (uint32_t)(a % 4096);
		uint32_t n = (uint32_t)FW_MIN(FW_MIN(end - a, 4096 - poff), sizeof(c.b));
		if (fw_vm_lookup(vm, a - poff, &pg) || !pg.present)
			return;
		if (fw_frame_read_at(pg.frame, poff, &c.b, 0, n))
			return;
		for (uint32_t i = 0; i < n; i++)
			pt_char(t, (char)c.b[i]);
		a += n;
	}
}

void procgen_maps_line(struct ptext *t, const struct mm *m, const struct vma *vp, struct kpath_ref pr)
{
	struct vma cur = *vp;
	pt_hex(t, cur.start, 8);
	pt_char(t, '-');
	pt_hex(t, cur.end, 8);
	pt_char(t, ' ');
	pt_char(t, (cur.prot & FW_PROT_READ) && !(cur.flags & VMA_NOREAD) ? 'r' : '-');
	pt_char(t, (cur.prot & FW_PROT_WRITE) ? 'w' : '-');
	pt_char(t, (cur.prot & FW_PROT_EXEC) ? 'x' : '-');
	pt_char(t, (cur.flags & VMA_SHARED) ? 's' : 'p');
	pt_char(t, ' ');
	bool file = (cur.flags & (VMA_FILE | VMA_VDSO)) == VMA_FILE && inode_ref_valid(cur.file);
	pt_hex(t, file ? cur.file_off : 0, 8);
	PT_LIT(t, " 00:");
	pt_hex(t, file ? inode_dev(cur.file) : 0, 2);
	pt_char(t, ' ');
	pt_u64(t, file ? inode_get(cur.file)->ino : 0);
	pt_char(t, ' ');
	if (file && procfs_path_of(vfs_root(), cur.file, kpath_get(pr)) == 0) {
		pt_pad(t, 73, 0);
		pt_kpath(t, kpath_get(pr));
	} else if ((cur.flags & VMA_GROWSDOWN) && cur.end == USER_STACK_TOP) { /* the main stack, not a MAP_GROWSDOWN area */
		pt_pad(t, 73, 0);
		PT_LIT(t, "[stack]");
	} else if (cur.flags & VMA_VDSO) {
		pt_pad(t, 73, 0);
		if (cur.prot & FW_PROT_EXEC)
			PT_LIT(t, "[vdso]");
		else
			PT_LIT(t, "[vvar]");
	} else if (m->brk > m->brk_start && cur.start >= m->brk_start && cur.end <= ((m->brk + 4095) & ~4095ULL)) {
		pt_pad(t, 73, 0);
		PT_LIT(t, "[heap]");
	}
	pt_char(t, '\n');
}

static void gen_maps(struct ptext *t, struct proc *p)
{
	struct mm *m = mm_get(p->mm);
	if (!m)
		return;
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return;
	for (struct vma_ref v = m->vmas; vma_ref_valid(v);) {
		struct vma cur = *vma_get(v);
		procgen_maps_line(t, m, &cur, pr);
		v = cur.next;
		m = mm_get(p->mm);
		if (!m)
			break;
	}
	kpath_free(pr);
}

/* The options both files show for a mount. */
static void mount_opts(struct ptext *t, uint64_t flags)
{
	if (flags & MS_RDONLY)
		PT_LIT(t, "ro");
	else
		PT_LIT(t, "rw");
	if (flags & MS_NOSUID)
		PT_LIT(t, ",nosuid");
	if (flags & MS_NODEV)
		PT_LIT(t, ",nodev");
	if (flags & MS_NOEXEC)
		PT_LIT(t, ",noexec");
	PT_LIT(t, ",relatime");
}

/* /proc/mounts: "source mountpoint type options 0 0" in mount order. */
static void mount_line(struct ptext *t, struct super_ref sb, struct kpath *path)
{
	struct super *s = super_get(sb);
	if (!s)
		return;
	struct inode_ref cov = vfs_mount_point(sb);
	struct inode_ref at = inode_ref_valid(cov) ? cov : s->root;
	uint64_t flags = s->flags;
	struct kname source = s->source, type;
	if (vfs_path_of(vfs_root(), at, path))
		return;
	vfs_fs_type_name(sb, &type);
	pt_kname(t, &source);
	pt_char(t, ' ');
	pt_kpath(t, path);
	pt_char(t, ' ');
	pt_kname(t, &type);
	pt_char(t, ' ');
	mount_opts(t, flags);
	PT_LIT(t, " 0 0\n");
}

/* The mount id /proc/self/mountinfo gives the i-th mount (Linux's ids
 * start in the twenties; the root's parent is an id not listed). */
#define MNT_ID_BASE 21

static uint32_t mount_id_of(struct super_ref sb)
{
	struct super_ref m;
	for (uint32_t i = 0; vfs_mount_info(i, &m) == 0; i++)
		if (m.idx == sb.idx && m.gen == sb.gen)
			return MNT_ID_BASE + i;
	return 1;
}

/* /proc/self/mountinfo: "id parent major:minor root mountpoint options -
 * type source superoptions" (proc(5)). */
static void mountinfo_line(struct ptext *t, uint32_t id, struct super_ref sb, struct kpath *path)
{
	struct super *s = super_get(sb);
	if (!s)
		return;
	struct inode_ref covr = vfs_mount_point(sb);
	struct inode_ref at = inode_ref_valid(covr) ? covr : s->root;
	struct inode *cov = inode_ref_valid(covr) ? inode_get(covr) : NULL;
	struct super_ref parent = cov ? cov->sb : (struct super_ref){0};
	uint64_t flags = s->flags;
	uint32_t dev = s->dev; /* as stat(2) gives st_dev */
	struct kname source = s->source, type;
	if (vfs_path_of(vfs_root(), at, path))
		return;
	vfs_fs_type_name(sb, &type);
	pt_u64(t, id);
	pt_char(t, ' ');
	pt_u64(t, super_ref_valid(parent) ? mount_id_of(parent) : 1);
	pt_char(t, ' ');
	pt_u64(t, (dev >> 8) & 0xfff);
	pt_char(t, ':');
	pt_u64(t, (dev & 0xff) | ((dev >> 12) & 0xfff00));
	PT_LIT(t, " / ");
	pt_kpath(t, path);
	pt_char(t, ' ');
	mount_opts(t, flags);
	PT_LIT(t, " - ");
	pt_kname(t, &type);
	pt_char(t, ' ');
	pt_kname(t, &source);
	pt_char(t, ' ');
	if (flags & MS_RDONLY)
		PT_LIT(t, "ro\n");
	else
		PT_LIT(t, "rw\n");
}

static void mountinfo_show(struct ptext *t)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return;
	struct super_ref sb;
	for (uint32_t i = 0; vfs_mount_info(i, &sb) == 0; i++)
		mountinfo_line(t, MNT_ID_BASE + i, sb, kpath_get(pr));
	kpath_free(pr);
}

static void mounts_show(struct ptext *t)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return;
	struct super_ref sb;
	for (uint32_t i = 0; vfs_mount_info(i, &sb) == 0; i++)
		mount_line(t, sb, kpath_get(pr));
	kpath_free(pr);
}

/* /proc/filesystems: the registered types ("nodev" unless they need a disk). */
static void filesystems_show(struct ptext *t)
{
	struct kname name;
	uint32_t flags;
	for (uint32_t i = 0; vfs_fs_type_info(i, &name, &flags) == 0; i++) {
		if (!(flags & FS_REQUIRES_DEV))
			PT_LIT(t, "nodev");
		pt_char(t, '\t');
		pt_kname(t, &name);
		pt_char(t, '\n');
	}
}

static int gen_pid(struct ptext *t, uint32_t kind, int32_t pid, int32_t tid)
{
	struct proc *p = proc_of(pid);
	if (!p)
		return -ESRCH;
	if (tid != pid) {
		/* a task/<tid> file: the thread must still be there */
		struct thread *th = thread_get(pid_lookup(tid));
		if (!th || th->tid != tid || proc_get(th->proc) != p)
			return -ESRCH;
	}
	struct mm *m = mm_get(p->mm);
	switch (kind) {
	case PK_PSTAT:
		gen_stat(t, pid, tid, p);
		break;
	case PK_PSTATUS:
		gen_status(t, pid, tid, p);
		break;
	case PK_PSTATM:
		gen_statm(t, p);
		break;
	case PK_PCMDLINE:
		if (m)
			user_bytes(t, p, m->arg_start, m->arg_end);
		break;
	case PK_PENVIRON:
		if (m)
			user_bytes(t, p, m->arg_end, m->env_end);
		break;
	case PK_PCOMM:
		pt_kname(t, &p->comm);
		pt_char(t, '\n');
		break;
	case PK_PMAPS:
		gen_maps(t, p);
		break;
	case PK_PSMAPS:
	case PK_PSMAPS_ROLLUP:
		procgen_smaps(t, p, kind == PK_PSMAPS_ROLLUP);
		break;
	case PK_PCOREFILTER:
		pt_hex(t, procgen_coredump_filter(p), 8);
		pt_char(t, '\n');
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

#define MI(t, label, kb)                                                                                   \
	do {                                                                                               \
		PT_LIT(t, label);                                                                          \
		pt_pad(t, 16, 0);                                                                          \
		pt_u64w(t, kb, 8);                                                                         \
		PT_LIT(t, " kB\n");                                                                        \
	} while (0)

#define MN(t, label, n)                                                                                    \
	do {                                                                                               \
		PT_LIT(t, label);                                                                          \
		pt_pad(t, 16, 0);                                                                          \
		pt_u64w(t, n, 8);                                                                          \
		pt_char(t, '\n');                                                                          \
	} while (0)

static void gen_meminfo(struct ptext *t)
{
	uint64_t total = fw_frames_total() * 4, free = fw_frames_free() * 4;
	uint64_t cached, dirty;
	pc_stats(&cached, &dirty); /* disk files' pages: reclaimable when clean */
	cached *= 4;
	dirty *= 4;
	uint64_t anon = total - free > cached ? total - free - cached : 0;
	MI(t, "MemTotal:", total);
	MI(t, "MemFree:", free);
	MI(t, "MemAvailable:", free + (cached > dirty ? cached - dirty : 0));
	MI(t, "Buffers:", 0);
	MI(t, "Cached:", cached);
	MI(t, "SwapCached:", 0);
	MI(t, "Active:", (anon + cached) / 2);
	MI(t, "Inactive:", (anon + cached) - (anon + cached) / 2);
	MI(t, "Active(anon):", anon / 2);
	MI(t, "Inactive(anon):", anon - anon / 2);
	MI(t, "Active(file):", cached / 2);
	MI(t, "Inactive(file):", cached - cached / 2);
	MI(t, "Unevictable:", 0);
	MI(t, "Mlocked:", 0);
	MI(t, "SwapTotal:", 0);
	MI(t, "SwapFree:", 0);
	MI(t, "Zswap:", 0);
	MI(t, "Zswapped:", 0);
	MI(t, "Dirty:", dirty);
	MI(t, "Writeback:", 0);
	MI(t, "AnonPages:", anon);
	MI(t, "Mapped:", 0);
	MI(t, "Shmem:", 0);
	MI(t, "KReclaimable:", 0);
	MI(t, "Slab:", 0);
	MI(t, "SReclaimable:", 0);
	MI(t, "SUnreclaim:", 0);
	MI(t, "KernelStack:", 0);
	MI(t, "PageTables:", 0);
	MI(t, "SecPageTables:", 0);
	MI(t, "NFS_Unstable:", 0);
	MI(t, "Bounce:", 0);
	MI(t, "WritebackTmp:", 0);
	MI(t, "CommitLimit:", total / 2);
	MI(t, "Committed_AS:", total - free);
	MI(t, "VmallocTotal:", 34359738367ULL);
	MI(t, "VmallocUsed:", 0);
	MI(t, "VmallocChunk:", 0);
	MI(t, "Percpu:", 0);
	MI(t, "HardwareCorrupted:", 0);
	MI(t, "AnonHugePages:", 0);
	MI(t, "ShmemHugePages:", 0);
	MI(t, "ShmemPmdMapped:", 0);
	MI(t, "FileHugePages:", 0);
	MI(t, "FilePmdMapped:", 0);
	MN(t, "HugePages_Total:", 0);
	MN(t, "HugePages_Free:", 0);
	MN(t, "HugePages_Rsvd:", 0);
	MN(t, "HugePages_Surp:", 0);
	MI(t, "Hugepagesize:", 2048);
	MI(t, "Hugetlb:", 0);
}

struct sys_load {
	uint64_t user_ns, sys_ns;
	uint32_t nprocs, running;
	int32_t last_pid;
};

static struct sys_load sys_load(void)
{
	struct sys_load l = {0};
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_of(pid);
		if (!p)
			continue;
		struct cpu_times c = proc_times(p);
		l.user_ns += c.user_ns + p->child_user_ns;
		l.sys_ns += c.sys_ns + p->child_sys_ns;
		l.nprocs += p->nthreads;
		l.last_pid = pid;
		if (pid == cur_proc()->pid)
			l.running++;
	}
	return l;
}

static void cpu_line(struct ptext *t, struct sys_load *l, uint64_t idle_ticks)
{
	uint64_t v[10] = {ticks(l->user_ns), 0, ticks(l->sys_ns), idle_ticks, 0, 0, 0, 0, 0, 0};
	for (uint32_t i = 0; i < 10; i++) {
		pt_char(t, ' ');
		pt_u64(t, v[i]);
	}
	pt_char(t, '\n');
}

static void gen_stat_sys(struct ptext *t)
{
	struct sys_load l = sys_load();
	uint64_t up = fw_time_monotonic_ns(), busy = l.user_ns + l.sys_ns;
	uint64_t idle = up > busy ? ticks(up - busy) : 0;
	PT_LIT(t, "cpu ");
	cpu_line(t, &l, idle);
	PT_LIT(t, "cpu0");
	cpu_line(t, &l, idle);
	PT_LIT(t, "intr 0\nctxt 0\nbtime ");
	pt_u64(t, fw_time_boot_realtime_ns() / 1000000000ULL);
	PT_LIT(t, "\nprocesses ");
	pt_u64(t, (uint64_t)l.last_pid);
	PT_LIT(t, "\nprocs_running ");
	pt_u64(t, l.running);
	PT_LIT(t, "\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

static void gen_uptime(struct ptext *t)
{
	struct sys_load l = sys_load();
	uint64_t up = fw_time_monotonic_ns(), busy = l.user_ns + l.sys_ns;
	pt_cent(t, up / TICKS_NS);
	pt_char(t, ' ');
	pt_cent(t, up > busy ? (up - busy) / TICKS_NS : 0);
	pt_char(t, '\n');
}

static void gen_loadavg(struct ptext *t)
{
	struct sys_load l = sys_load();
	PT_LIT(t, "0.00 0.00 0.00 ");
	pt_u64(t, l.running);
	pt_char(t, '/');
	pt_u64(t, l.nprocs);
	pt_char(t, ' ');
	pt_u64(t, (uint64_t)l.last_pid);
	pt_char(t, '\n');
}

/* The disks of the block layer, as Linux lists them (size in KiB). */
/* /proc/locks: POSIX, flock and lease locks, newest first, as Linux's
 * lock_get_status prints them (OFD locks are not recorded by Keel). */
static void gen_locks(struct ptext *t)
{
	struct lock_view v;
	uint64_t below = ~0ull;
	for (uint32_t id = 1; id <= 4096 && vfs_lock_next(below, &v) == 0; id++) {
		below = v.seq;
		pt_u64(t, id);
		if (v.kind == LOCKV_POSIX)
			PT_LIT(t, ": POSIX  ADVISORY  ");
		else if (v.kind == LOCKV_FLOCK)
			PT_LIT(t, ": FLOCK  ADVISORY  ");
		else if (v.breaking)
			PT_LIT(t, ": LEASE  BREAKING  ");
		else
			PT_LIT(t, ": LEASE  ACTIVE    ");
		if (v.type == F_WRLCK)
			PT_LIT(t, "WRITE ");
		else if (v.type == F_RDLCK)
			PT_LIT(t, "READ ");
		else
			PT_LIT(t, "UNLCK ");
		pt_i64(t, v.pid);
		pt_char(t, ' ');
		uint32_t dev = inode_dev(v.ino);
		struct inode *ip = inode_get(v.ino);
		pt_hex(t, dev_major(dev), 2);
		pt_char(t, ':');
		pt_hex(t, dev_minor(dev), 2);
		pt_char(t, ':');
		pt_u64(t, ip ? ip->ino : 0);
		pt_char(t, ' ');
		pt_u64(t, v.start);
		pt_char(t, ' ');
		if (v.kind != LOCKV_POSIX || v.end == LOCK_EOF)
			PT_LIT(t, "EOF");
		else
			pt_u64(t, v.end);
		pt_char(t, '\n');
	}
}

static void gen_partitions(struct ptext *t)
{
	PT_LIT(t, "major minor  #blocks  name\n\n");
	for (uint32_t i = 0; i < blk_disk_count(); i++) {
		struct blk_ref r;
		if (blk_disk(i, &r))
			continue;
		struct blkdev *d = blk_get(r);
		if (!d)
			continue;
		pt_u64w(t, d->major, 4);
		pt_u64w(t, d->minor, 9);
		pt_u64w(t, d->sectors / 2, 11);
		pt_char(t, ' ');
		for (uint32_t k = 0; k < sizeof(d->name) && d->name[k]; k++)
			pt_char(t, d->name[k]);
		pt_char(t, '\n');
	}
}

static void gen_cpuinfo(struct ptext *t)
{
	PT_LIT(t, "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 6\n");
	PT_LIT(t, "model name\t: QEMU Virtual CPU\nstepping\t: 3\ncpu MHz\t\t: 2000.000\n");
	PT_LIT(t, "cache size\t: 512 KB\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n");
	PT_LIT(t, "apicid\t\t: 0\ninitial apicid\t: 0\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 13\n");
	PT_LIT(t, "wp\t\t: yes\nflags\t\t: fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat ");
	PT_LIT(t, "pse36 clflush mmx fxsr sse sse2 syscall nx lm rep_good nopl cpuid pni cx16 hypervisor\n");
	PT_LIT(t, "bogomips\t: 4000.00\nclflush size\t: 64\ncache_alignment\t: 64\n");
	PT_LIT(t, "address sizes\t: 40 bits physical, 48 bits virtual\npower management:\n\n");
}

/* printf's %<w>d and %<w>o */
static void i64w(struct ptext *t, int64_t v, uint32_t w)
{
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint32_t d = 1;
	for (uint64_t x = m; x >= 10; x /= 10)
		d++;
	for (uint32_t i = d + (v < 0); i < w; i++)
		pt_char(t, ' ');
	pt_i64(t, v);
}

static void octw(struct ptext *t, uint32_t v, uint32_t w)
{
	char d[12];
	uint32_t n = 0;
	do {
		d[n++] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v && n < 12);
	for (uint32_t i = n; i < w; i++)
		pt_char(t, ' ');
	while (n > 0)
		pt_char(t, d[--n]);
}

/* /proc/sysvipc/{msg,sem,shm}: Linux's header and one line per object. */
static void gen_sysvipc(struct ptext *t, uint32_t kind)
{
	if (kind == IPC_KIND_MSG)
		PT_LIT(t, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n");
	else if (kind == IPC_KIND_SEM)
		PT_LIT(t, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	else
		PT_LIT(t, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
	for (uint32_t slot = 0; slot < ipc_slots(kind); slot++) {
		struct ipc_obj_info o;
		if (!ipc_obj_at(kind, slot, &o))
			continue;
		i64w(t, o.key, 10);
		pt_char(t, ' ');
		i64w(t, o.id, 10);
		PT_LIT(t, "  ");
		octw(t, o.mode, 4);
		if (kind == IPC_KIND_MSG) {
			PT_LIT(t, "  ");
			pt_u64w(t, o.a, 10);
			pt_char(t, ' ');
			pt_u64w(t, o.b, 10);
			pt_char(t, ' ');
			pt_u64w(t, (uint32_t)o.pid1, 5);
			pt_char(t, ' ');
			pt_u64w(t, (uint32_t)o.pid2, 5);
		} else if (kind == IPC_KIND_SEM) {
			pt_char(t, ' ');
			pt_u64w(t, o.a, 10);
		} else {
			pt_char(t, ' ');
			pt_u64w(t, o.a, 21);
			pt_char(t, ' ');
			pt_u64w(t, (uint32_t)o.pid1, 5);
			pt_char(t, ' ');
			pt_u64w(t, (uint32_t)o.pid2, 5);
			PT_LIT(t, "  ");
			pt_u64w(t, o.b, 5);
		}
		uint32_t ids[4] = {o.uid, o.gid, o.cuid, o.cgid};
		for (uint32_t i = 0; i < 4; i++) {
			pt_char(t, ' ');
			pt_u64w(t, ids[i], 5);
		}
		int64_t times[3] = {o.t1, o.t2, o.ctime};
		uint32_t nt = kind == IPC_KIND_SEM ? 2 : 3;
		if (kind == IPC_KIND_SEM)
			times[1] = o.ctime;
		for (uint32_t i = 0; i < nt; i++) {
			pt_char(t, ' ');
			pt_u64w(t, (uint64_t)times[i], 10);
		}
		if (kind == IPC_KIND_SHM) {
			pt_char(t, ' ');
			pt_u64w(t, o.c, 21);
			pt_char(t, ' ');
			pt_u64w(t, 0, 21);
		}
		pt_char(t, '\n');
	}
}

static void pt_oct(struct ptext *t, uint32_t v)
{
	char d[12];
	uint32_t n = 0;
	do {
		d[n++] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v && n < sizeof(d));
	while (n)
		pt_char(t, d[--n]);
}

/* The kernel's dev_t of a file system (what fdinfo's sdev shows). */
static uint32_t kdev_of(struct inode_ref ino)
{
	uint32_t dev = inode_dev(ino);
	return (dev_major(dev) << 20) | dev_minor(dev);
}

/* inotify and fanotify lines of a notification descriptor. */
static void fdinfo_notify(struct ptext *t, struct file_ref f)
{
	uint32_t flags, f_flags;
	bool fan = fan_fdinfo_flags(f, &flags, &f_flags) == 0;
	if (fan) {
		PT_LIT(t, "fanotify flags:");
		pt_hex(t, flags, 1);
		PT_LIT(t, " event-flags:");
		pt_hex(t, f_flags, 1);
		pt_char(t, '\n');
	}
	struct notify_mark_view v;
	for (uint32_t i = 0; notify_fdinfo_mark(f, i, &v) == 0; i++) {
		struct inode *ip = inode_get(v.ino);
		if (!fan) {
			PT_LIT(t, "inotify wd:");
			pt_hex(t, (uint32_t)v.wd, 1);
		} else if (v.mark_type == FAN_MARK_INODE) {
			PT_LIT(t, "fanotify");
		} else if (v.mark_type == FAN_MARK_MOUNT) {
			PT_LIT(t, "fanotify mnt_id:");
			pt_hex(t, mount_id_of(v.sb), 1);
		} else {
			PT_LIT(t, "fanotify sdev:");
			pt_hex(t, v.sdev, 1);
		}
		if (!fan || v.mark_type == FAN_MARK_INODE) {
			PT_LIT(t, " ino:");
			pt_hex(t, ip ? ip->ino : 0, 1);
			PT_LIT(t, " sdev:");
			pt_hex(t, kdev_of(v.ino), 1);
		}
		if (fan) {
			PT_LIT(t, " mflags:");
			pt_hex(t, v.mflags, 1);
		}
		PT_LIT(t, " mask:");
		pt_hex(t, v.mask, 1);
		PT_LIT(t, " ignored_mask:");
		pt_hex(t, v.ignored, 1);
		pt_char(t, '\n');
	}
}

/* /proc/<pid>/fdinfo/<fd>: position, flags (with O_CLOEXEC), mount id
 * and inode number, then what the file's kind adds. */
static int gen_fdinfo(struct ptext *t, int32_t pid, uint32_t fd)
{
	struct proc *p = proc_of(pid);
	struct file_ref f;
	if (!p || fd_get(p->files, fd, &f))
		return -ENOENT;
	struct file *fp = file_get(f);
	struct fdtable *ft = fdtable_get(p->files);
	uint32_t flags = fp->flags | (file_is_regular(fp) ? O_LARGEFILE : 0);
	if (ft && fd < FD_MAX && ft->cloexec[fd])
		flags |= O_CLOEXEC;
	struct inode *ip = inode_get(fp->inode);
	PT_LIT(t, "pos:\t");
	pt_u64(t, fp->off);
	PT_LIT(t, "\nflags:\t0");
	pt_oct(t, flags);
	PT_LIT(t, "\nmnt_id:\t");
	pt_u64(t, ip ? mount_id_of(ip->sb) : 15);
	PT_LIT(t, "\nino:\t");
	pt_u64(t, ip ? ip->ino : file_anon_ino(f));
	pt_char(t, '\n');
	fdinfo_notify(t, f);
	return 0;
}

int procgen_file(uint32_t kind, int32_t pid, uint32_t arg, struct inode_ref out)
{
	struct ptext t;
	pt_init(&t, out);
	int e = 0;
	switch (kind) {
	case PK_MEMINFO:
		gen_meminfo(&t);
		break;
	case PK_CPUINFO:
		gen_cpuinfo(&t);
		break;
	case PK_UPTIME:
		gen_uptime(&t);
		break;
	case PK_LOADAVG:
		gen_loadavg(&t);
		break;
	case PK_MOUNTS:
		mounts_show(&t);
		break;
	case PK_PFDINFOF:
		e = gen_fdinfo(&t, pid, arg);
		break;
	case PK_MOUNTINFO:
		mountinfo_show(&t);
		break;
	case PK_FILESYSTEMS:
		filesystems_show(&t);
		break;
	case PK_STAT:
		gen_stat_sys(&t);
		break;
	case PK_PARTITIONS:
		gen_partitions(&t);
		break;
	case PK_LOCKS:
		gen_locks(&t);
		break;
	case PK_VERSION:
		PT_LIT(&t, "Linux version 6.1.0-keel (keel@keel) (gcc) #1 Keel framekernel\n");
		break;
	case PK_SYSCTL:
		sysctl_show(&t, arg);
		break;
	case PK_SYSVIPC:
		gen_sysvipc(&t, arg);
		break;
	case PK_PPAGEMAP:
		break; /* read directly (procfs_read) */
	default:
		if (kind >= PK_NETFILE && kind < PK_NETFILE + PROC_NET_MAX)
			procfs_net_gen(kind - PK_NETFILE, &t);
		else
			e = gen_pid(&t, kind, pid, arg ? (int32_t)arg : pid);
		break;
	}
	int f = pt_finish(&t);
	return e ? e : f;
}
