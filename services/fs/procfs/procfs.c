/* procfs: the /proc tree. Layer: services (safe C).
 * Directories hold ordinary dentries that are kept in step with the
 * process table: a pid directory appears when looked up or listed while
 * the process lives and is pruned once it is gone; fd/ is refreshed the
 * same way from the descriptor table. Refreshes only append new entries
 * and remove stale ones, so getdents64 offsets stay valid. Nodes are
 * ordinary ram-directory inodes of the procfs super block; inode.fs_data
 * says what a node shows (PK_*), about which process and which descriptor.
 * Trusts the process table (services/proc) and the VFS. */
#include "fs/procfs/procfs.h"
#include "fs/procfs/smaps.h"
#include "proc/proc.h"

struct pent {
	char name[16];
	uint32_t kind;
	uint32_t mode;
};

static const struct pent root_ents[] = {
	{"self", PK_SELF, S_IFLNK | 0777},	    {"meminfo", PK_MEMINFO, S_IFREG | 0444},
	{"cpuinfo", PK_CPUINFO, S_IFREG | 0444},    {"uptime", PK_UPTIME, S_IFREG | 0444},
	{"loadavg", PK_LOADAVG, S_IFREG | 0444},    {"mounts", PK_MOUNTS, S_IFREG | 0444},
	{"filesystems", PK_FILESYSTEMS, S_IFREG | 0444}, {"stat", PK_STAT, S_IFREG | 0444},
	{"version", PK_VERSION, S_IFREG | 0444},    {"partitions", PK_PARTITIONS, S_IFREG | 0444},
	{"sys", PK_SYSDIR, S_IFDIR | 0555},	    {"sysvipc", PK_SYSVIPCDIR, S_IFDIR | 0555},
	{"net", PK_NETDIR, S_IFDIR | 0555},	    {"locks", PK_LOCKS, S_IFREG | 0444},
};

struct proc_net_file {
	char name[12];
	void (*gen)(struct ptext *t);
};
struct proc_net_table {
	struct proc_net_file f[PROC_NET_MAX];
	uint32_t n;
};
FW_GLOBAL(struct proc_net_table, proc_net_table);

int procfs_net_register(const char (*name)[12], void (*gen)(struct ptext *t))
{
	struct proc_net_table *t = proc_net_table();
	if (t->n >= PROC_NET_MAX || !gen)
		return -ENOSPC;
	for (uint32_t i = 0; i < 12; i++)
		t->f[t->n].name[i] = (*name)[i];
	t->f[t->n].name[11] = 0;
	t->f[t->n].gen = gen;
	t->n++;
	return 0;
}

void procfs_net_gen(uint32_t i, struct ptext *t)
{
	struct proc_net_table *nt = proc_net_table();
	if (i < nt->n && i < PROC_NET_MAX && nt->f[i].gen)
		nt->f[i].gen(t);
}

static const struct pent pid_ents[] = {
	{"stat", PK_PSTAT, S_IFREG | 0444},	  {"status", PK_PSTATUS, S_IFREG | 0444},
	{"cmdline", PK_PCMDLINE, S_IFREG | 0444}, {"exe", PK_PEXE, S_IFLNK | 0777},
	{"fd", PK_PFD, S_IFDIR | 0500},		  {"maps", PK_PMAPS, S_IFREG | 0444},
	{"cwd", PK_PCWD, S_IFLNK | 0777},	  {"comm", PK_PCOMM, S_IFREG | 0644},
	{"environ", PK_PENVIRON, S_IFREG | 0400}, {"mounts", PK_MOUNTS, S_IFREG | 0444},
	{"statm", PK_PSTATM, S_IFREG | 0444},	  {"root", PK_PROOT, S_IFLNK | 0777},
	{"ns", PK_PNS, S_IFDIR | 0511},		  {"pagemap", PK_PPAGEMAP, S_IFREG | 0400},
	{"task", PK_PTASK, S_IFDIR | 0555},
	{"mountinfo", PK_MOUNTINFO, S_IFREG | 0444},
	{"fdinfo", PK_PFDINFO, S_IFDIR | 0500},
	{"smaps", PK_PSMAPS, S_IFREG | 0444},
	{"smaps_rollup", PK_PSMAPS_ROLLUP, S_IFREG | 0444},
	{"coredump_filter", PK_PCOREFILTER, S_IFREG | 0644},
};

/* What /proc/<pid>/task/<tid> holds (about the thread: PD_ARG = tid). */
static const struct pent task_ents[] = {
	{"stat", PK_PSTAT, S_IFREG | 0444},
	{"status", PK_PSTATUS, S_IFREG | 0444},
	{"comm", PK_PCOMM, S_IFREG | 0444},
};

/* /proc/<pid>/ns: the process's namespace of each kind (proc/ns.c): the
 * link reads "kind:[inode]", opening it gives the namespace's own inode
 * (what setns(2) takes). */
struct ns_name {
	char name[20];
	uint32_t kind; /* enum ns_kind */
};
static const struct ns_name ns_names[] = {
	{"cgroup", NSK_CGROUP}, {"ipc", NSK_IPC},		  {"mnt", NSK_MNT},
	{"net", NSK_NET},	{"pid", NSK_PID},		  {"pid_for_children", NSK_PID},
	{"time", NSK_TIME},	{"time_for_children", NSK_TIME}, {"user", NSK_USER},
	{"uts", NSK_UTS},
};

/* Guards against re-entry: creating an entry looks its name up. */
struct procfs_state {
	bool busy;
	uint32_t file_fops, dir_fops;
	uint32_t type; /* our registered fs type */
};
FW_GLOBAL(struct procfs_state, procfs_state);

static void name_lit(struct kname *n, const char (*s)[12])
{
	n->len = 0;
	while (n->len < 11 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

static void name_lit16(struct kname *n, const char (*s)[16])
{
	n->len = 0;
	while (n->len < 15 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

static void name_lit24(struct kname *n, const char (*s)[24])
{
	n->len = 0;
	while (n->len < 23 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

static void name_lit20(struct kname *n, const char (*s)[20])
{
	n->len = 0;
	while (n->len < 19 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

static void name_num(struct kname *n, uint64_t v)
{
	char d[20];
	uint32_t k = 0;
	do {
		d[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k < 20);
	n->len = 0;
	while (k > 0)
		n->s[n->len++] = d[--k];
	n->s[n->len] = 0;
}

/* A decimal name, or -1. */
static int64_t parse_num(const struct kname *n)
{
	if (n->len == 0 || n->len > 9)
		return -1;
	int64_t v = 0;
	for (uint32_t i = 0; i < n->len; i++) {
		if (n->s[i] < '0' || n->s[i] > '9')
			return -1;
		v = v * 10 + (n->s[i] - '0');
	}
	return v;
}

static struct proc *live_proc(int32_t pid)
{
	struct proc *p = proc_get(proc_by_pid(pid));
	return p && p->state != PROC_DEAD ? p : NULL;
}

/* Is pid directory node ip still about the live process it was made for? */
static bool pid_dir_current(const struct inode *ip)
{
	int32_t pid = (int32_t)ip->fs_data[PD_PID];
	struct proc_ref r = proc_by_pid(pid);
	return live_proc(pid) && r.idx == ip->fs_data[PD_ARG] && r.gen == ip->fs_data[PD_GEN];
}

int procfs_pid_dir(struct inode_ref ino, struct proc_ref *proc, int32_t *pid)
{
	struct inode *ip = inode_get(ino);
	if (!ip || ip->fstype != procfs_state()->type || ip->fs_data[PD_KIND] != PK_PIDDIR)
		return -EBADF;
	*proc = (struct proc_ref){ip->fs_data[PD_ARG], ip->fs_data[PD_GEN]};
	*pid = (int32_t)ip->fs_data[PD_PID];
	return 0;
}

static int new_node(struct inode_ref dir, const struct kname *name, uint32_t kind, uint32_t mode, int32_t pid,
		    uint32_t arg, struct inode_ref *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	int e = inode_new_in(dp->sb, mode, out);
	if (e)
		return e;
	struct inode *ip = inode_get(*out);
	if ((mode & S_IFMT) == S_IFREG)
		ip->fops = procfs_state()->file_fops;
	else if ((mode & S_IFMT) == S_IFDIR)
		ip->fops = procfs_state()->dir_fops;
	ip->fs_data[PD_KIND] = kind;
	ip->fs_data[PD_PID] = (uint32_t)pid;
	ip->fs_data[PD_ARG] = arg;
	if (kind == PK_PEXE || kind == PK_PCWD || kind == PK_PROOT || kind == PK_PFDLINK || kind == PK_PNSLINK)
		ip->iflags |= INODE_MAGIC_LINK;
	struct proc *p = pid > 0 ? live_proc(pid) : NULL;
	if (p) {
		ip->uid = p->euid;
		ip->gid = p->egid;
	}
	if ((mode & S_IFMT) == S_IFDIR)
		ip->nlink = 1;
	e = ramdir_link(dir, name, *out);
	if (e) {
		ip = inode_get(*out);
		ip->nlink = 0;
		inode_put_if_unused(*out);
	}
	return e;
}

/* /proc/<pid> itself; its files appear when looked up or listed
 * (fill_dir), so a lookup of /proc/<pid>/stat costs two inodes, not the
 * whole tree. */
static int pid_dir(struct inode_ref root, int32_t pid)
{
	struct kname n;
	struct inode_ref d;
	name_num(&n, (uint64_t)pid);
	int e = new_node(root, &n, PK_PIDDIR, S_IFDIR | 0555, pid, 0, &d);
	if (e == 0) {
		/* which process this is, not only its pid: a pid reused while
		 * the directory lives must not inherit it (nor its owner) */
		struct proc_ref r = proc_by_pid(pid);
		inode_get(d)->fs_data[PD_ARG] = r.idx;
		inode_get(d)->fs_data[PD_GEN] = r.gen;
	}
	return e;
}

static uint32_t count_entries(struct inode_ref dir)
{
	uint32_t n = 0;
	for (struct dentry_ref d = inode_get(dir)->children; dentry_ref_valid(d); d = dentry_get(d)->next)
		n++;
	return n;
}

/* The entries of a /proc/<pid> directory (pid_ents) or of its ns/
 * (ns_names): just `only` when a lookup asks for it, else all that are
 * missing (a listing shows the ones lookups made first; Linux's own
 * order is not Keel's table's anyway). */
static void fill_dir(struct inode_ref dir, const struct kname *only)
{
	struct inode *dp = inode_get(dir);
	bool ns = dp->fs_data[PD_KIND] == PK_PNS;
	int32_t pid = (int32_t)dp->fs_data[PD_PID];
	uint32_t total = ns ? FW_ARRAY_LEN(ns_names) : FW_ARRAY_LEN(pid_ents);
	if (ns ? !live_proc(pid) : !pid_dir_current(dp))
		return; /* the process is gone: nothing new appears (ENOENT) */
	if (!only && count_entries(dir) >= total)
		return;
	for (uint32_t i = 0; i < total; i++) {
		struct kname n;
		uint32_t kind = PK_PNSLINK, mode = S_IFLNK | 0777, arg = i;
		if (ns) {
			struct ns_name nn = ns_names[i];
			name_lit20(&n, &nn.name);
		} else {
			struct pent pe = pid_ents[i];
			name_lit16(&n, &pe.name);
			kind = pe.kind;
			mode = pe.mode;
			arg = 0;
		}
		struct inode_ref x;
		if (only && !kname_eq(&n, only))
			continue;
		if (ramdir_lookup(dir, &n, &x) == 0) {
			if (only)
				return;
			continue;
		}
		if (new_node(dir, &n, kind, mode, pid, arg, &x) != 0 || only)
			return;
	}
}

/* umount: every node goes; nodes still open live on until closed. */
static int procfs_umount(struct super_ref sb)
{
	struct super *s = super_get(sb);
	if (!s)
		return 0;
	struct inode_ref root = s->root;
	procfs_state()->busy = true;
	ramdir_clear(root);
	procfs_state()->busy = false;
	struct inode *ip = inode_get(root);
	if (ip) {
		ip->nlink = 0;
		inode_put_if_unused(root);
	}
	return 0;
}

static void drop_entry(struct inode_ref dir, const struct kname *name, struct inode_ref child)
{
	struct inode *cp = inode_get(child);
	if (cp && (cp->mode & S_IFMT) == S_IFDIR)
		ramdir_clear(child);
	(void)ramdir_unlink(dir, name);
}

/* Drop the directories of processes that are gone. The root's PD_ARG word
 * counts the pid directories lookups made since the last prune. */
static void prune_root(struct inode_ref root)
{
	inode_get(root)->fs_data[PD_ARG] = 0;
	struct dentry_ref d = inode_get(root)->children;
	while (dentry_ref_valid(d)) {
		struct dentry *de = dentry_get(d);
		struct dentry_ref next = de->next;
		struct inode *cp = inode_get(de->inode);
		if (cp && cp->fs_data[PD_KIND] == PK_PIDDIR && !pid_dir_current(cp)) {
			struct kname name = de->name;
			drop_entry(root, &name, de->inode);
		}
		d = next;
	}
}

static void refresh_root(struct inode_ref root)
{
	prune_root(root);
	/* add the living */
	struct kname n;
	struct inode_ref x;
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		if (!live_proc(pid))
			continue;
		name_num(&n, (uint64_t)pid);
		if (ramdir_lookup(root, &n, &x) != 0 && pid_dir(root, pid) != 0)
			return;
	}
}

static bool fd_open(int32_t pid, int64_t fd)
{
	struct proc *p = live_proc(pid);
	struct file_ref f;
	return p && fd_get(p->files, fd, &f) == 0;
}

/* fd/ (links) and fdinfo/ (files): one entry per open descriptor. */
static void refresh_fd(struct inode_ref dir)
{
	int32_t pid = (int32_t)inode_get(dir)->fs_data[PD_PID];
	bool info = inode_get(dir)->fs_data[PD_KIND] == PK_PFDINFO;
	struct dentry_ref d = inode_get(dir)->children;
	while (dentry_ref_valid(d)) {
		struct dentry *de = dentry_get(d);
		struct dentry_ref next = de->next;
		struct kname name = de->name;
		if (!fd_open(pid, parse_num(&name)))
			(void)ramdir_unlink(dir, &name);
		d = next;
	}
	struct kname n;
	struct inode_ref x;
	for (int64_t fd = 0; fd < FD_MAX; fd++) {
		if (!fd_open(pid, fd))
			continue;
		name_num(&n, (uint64_t)fd);
		if (ramdir_lookup(dir, &n, &x) != 0 &&
		    new_node(dir, &n, info ? PK_PFDINFOF : PK_PFDLINK, info ? S_IFREG | 0400 : S_IFLNK | 0700, pid,
			     (uint32_t)fd, &x) != 0)
			return;
	}
}

/* Is tid a live thread of process pid? */
static bool thread_of(int32_t pid, int64_t tid)
{
	struct proc *p = live_proc(pid);
	if (!p || tid <= 0 || tid >= PID_MAX)
		return false;
	struct thread *t = thread_get(pid_lookup((int32_t)tid));
	return t && t->tid == tid && proc_get(t->proc) == p;
}

static void refresh_task(struct inode_ref dir)
{
	int32_t pid = (int32_t)inode_get(dir)->fs_data[PD_PID];
	struct dentry_ref d = inode_get(dir)->children;
	while (dentry_ref_valid(d)) {
		struct dentry *de = dentry_get(d);
		struct dentry_ref next = de->next;
		struct kname name = de->name;
		if (!thread_of(pid, parse_num(&name)))
			drop_entry(dir, &name, de->inode);
		d = next;
	}
	struct proc *p = live_proc(pid);
	for (struct thread_ref t = p ? p->first_thread : (struct thread_ref){0}; thread_ref_valid(t);
	     t = thread_get(t)->next_in_proc) {
		int32_t tid = thread_get(t)->tid;
		struct kname n;
		struct inode_ref x, f;
		name_num(&n, (uint64_t)tid);
		if (ramdir_lookup(dir, &n, &x) == 0)
			continue;
		if (new_node(dir, &n, PK_PTASKDIR, S_IFDIR | 0555, pid, (uint32_t)tid, &x))
			return;
		for (uint32_t i = 0; i < FW_ARRAY_LEN(task_ents); i++) {
			struct pent pe = task_ents[i];
			name_lit16(&n, &pe.name);
			if (new_node(x, &n, pe.kind, pe.mode, pid, (uint32_t)tid, &f))
				return;
		}
	}
}

void procfs_refresh(struct inode_ref dir)
{
	struct procfs_state *s = procfs_state();
	struct inode *dp = inode_get(dir);
	if (s->busy || !dp)
		return;
	s->busy = true;
	if (dp->fs_data[PD_KIND] == PK_ROOT)
		refresh_root(dir);
	else if (dp->fs_data[PD_KIND] == PK_PIDDIR || dp->fs_data[PD_KIND] == PK_PNS)
		fill_dir(dir, NULL);
	else if (dp->fs_data[PD_KIND] == PK_PFD || dp->fs_data[PD_KIND] == PK_PFDINFO)
		refresh_fd(dir);
	else if (dp->fs_data[PD_KIND] == PK_PTASK)
		refresh_task(dir);
	procfs_state()->busy = false;
}

/* A lookup makes /proc/<pid> on demand (one inode, its files as they are
 * looked up) and, until now,
 * only a listing of /proc or a lookup of the same name dropped it after
 * the process died. A program that polls the files of many short-lived
 * children (LTP's process-state wait, pgrep-like tools) so left every
 * child's directory behind: a few thousand filled the inode pool, and
 * exec, pipe and open failed with EAGAIN until someone listed /proc.
 * Every PRUNE_EVERY directories made by lookups, the dead ones go: at most
 * PRUNE_EVERY plus those alive at the last prune are stale at any time,
 * and the walk costs O(1) amortised per directory made. */
#define PRUNE_EVERY 64

static void lookup_pid_dir(struct inode_ref root, int32_t pid)
{
	if (inode_get(root)->fs_data[PD_ARG] >= PRUNE_EVERY)
		prune_root(root);
	if (pid_dir(root, pid) == 0)
		inode_get(root)->fs_data[PD_ARG]++;
}

/* Before looking `name` up in a procfs directory: make sure the entry
 * exists if (and only if) it should. */
static void lookup_prepare(struct inode_ref dir, const struct kname *name)
{
	struct procfs_state *s = procfs_state();
	struct inode *dp = inode_get(dir);
	if (s->busy || !dp)
		return;
	if (dp->fs_data[PD_KIND] == PK_PFD || dp->fs_data[PD_KIND] == PK_PFDINFO || dp->fs_data[PD_KIND] == PK_PTASK) {
		procfs_refresh(dir);
		return;
	}
	if (dp->fs_data[PD_KIND] == PK_PIDDIR || dp->fs_data[PD_KIND] == PK_PNS) {
		s->busy = true;
		fill_dir(dir, name);
		procfs_state()->busy = false;
		return;
	}
	int64_t pid = parse_num(name);
	if (dp->fs_data[PD_KIND] != PK_ROOT || pid <= 0 || pid >= PID_MAX)
		return;
	s->busy = true;
	struct inode_ref x;
	bool have = ramdir_lookup(dir, name, &x) == 0;
	bool alive = live_proc((int32_t)pid) != NULL;
	struct inode *xp = have ? inode_get(x) : NULL;
	if (have && (!xp || !pid_dir_current(xp))) {
		drop_entry(dir, name, x); /* gone, or the pid now names another process */
		have = false;
	}
	if (!have && alive)
		lookup_pid_dir(dir, (int32_t)pid);
	procfs_state()->busy = false;
}

/* /proc/net: the network's files (their text comes from services/net). */
static int net_dir(struct inode_ref d)
{
	struct kname n;
	struct inode_ref x;
	int e = 0;
	struct proc_net_table *t = proc_net_table();
	for (uint32_t i = 0; e == 0 && i < t->n && i < PROC_NET_MAX; i++) {
		char nm[12];
		for (uint32_t k = 0; k < 12; k++)
			nm[k] = t->f[i].name[k];
		name_lit(&n, &nm);
		e = new_node(d, &n, PK_NETFILE + i, S_IFREG | 0444, 0, 0, &x);
	}
	return e;
}

static int procfs_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	lookup_prepare(dir, name);
	return ramdir_lookup(dir, name, out);
}

/* The directory `path` ("kernel/random") under /proc/sys, made as needed. */
static int sys_dir(struct inode_ref sys, const char (*path)[16], struct inode_ref *out)
{
	struct inode_ref d = sys;
	uint32_t i = 0;
	while (i < 16 && (*path)[i]) {
		struct kname n = {0};
		while (i < 16 && (*path)[i] && (*path)[i] != '/')
			n.s[n.len++] = (*path)[i++];
		n.s[n.len] = 0;
		if (i < 16 && (*path)[i] == '/')
			i++;
		struct inode_ref x;
		if (ramdir_lookup(d, &n, &x) != 0) {
			int e = new_node(d, &n, PK_SYSDIR, S_IFDIR | 0555, 0, 0, &x);
			if (e)
				return e;
		}
		d = x;
	}
	*out = d;
	return 0;
}

static int sys_tree(struct inode_ref sys)
{
	struct sysctl_ent se;
	for (uint32_t i = 0; sysctl_entry(i, &se); i++) {
		struct inode_ref d, x;
		struct kname n;
		int e = sys_dir(sys, &se.dir, &d);
		if (e == 0) {
			name_lit24(&n, &se.name);
			e = new_node(d, &n, PK_SYSCTL, se.mode, 0, se.knob, &x);
		}
		if (e)
			return e;
	}
	return 0;
}

static int procfs_mount(struct super_ref sb, struct inode_ref *out)
{
	int e = inode_new_in(sb, S_IFDIR | 0555, out);
	if (e)
		return e;
	struct inode *ip = inode_get(*out);
	ip->fops = procfs_state()->dir_fops;
	ip->fs_data[PD_KIND] = PK_ROOT;
	ip->nlink = 2;
	ip->parent = *out;
	struct kname n;
	struct inode_ref x;
	procfs_state()->busy = true;
	for (uint32_t i = 0; e == 0 && i < FW_ARRAY_LEN(root_ents); i++) {
		struct pent pe = root_ents[i];
		name_lit16(&n, &pe.name);
		e = new_node(*out, &n, pe.kind, pe.mode, 0, 0, &x);
		if (e == 0 && pe.kind == PK_SYSDIR)
			e = sys_tree(x);
		for (uint32_t k = 0; e == 0 && pe.kind == PK_SYSVIPCDIR && k < 3; k++) {
			const struct pent names[3] = {{"msg", 0, 0}, {"sem", 0, 0}, {"shm", 0, 0}};
			struct pent ne = names[k];
			struct inode_ref f;
			name_lit16(&n, &ne.name);
			e = new_node(x, &n, PK_SYSVIPC, S_IFREG | 0444, 0, k, &f);
		}
		if (e == 0 && pe.kind == PK_NETDIR)
			e = net_dir(x);
	}
	procfs_state()->busy = false;
	if (e) {
		procfs_state()->busy = true;
		ramdir_clear(*out);
		procfs_state()->busy = false;
		ip = inode_get(*out);
		ip->nlink = 0;
		inode_put_if_unused(*out);
	}
	return e;
}

static void kpath_num(struct kpath *out, uint64_t v)
{
	struct kname n;
	name_num(&n, v);
	out->len = 0;
	for (uint32_t i = 0; i < n.len; i++)
		out->s[out->len++] = n.s[i];
	out->s[out->len] = 0;
}

/* "pipe:[N]" and friends for files without a path: the name their
 * provider gave its operations, and the provider's object index. */
static void kpath_anon(struct kpath *out, struct file_ref f)
{
	struct kname n;
	uint32_t mode;
	file_anon_name(f, &n, &mode);
	out->len = 0;
	for (uint32_t i = 0; i < n.len; i++)
		out->s[out->len++] = n.s[i];
	out->s[out->len++] = ':';
	out->s[out->len++] = '[';
	struct file *fp = file_get(f);
	uint64_t id = file_anon_ino(f);
	name_num(&n, id ? id : fp ? fp->priv.idx + 1000ULL : 0);
	for (uint32_t i = 0; i < n.len; i++)
		out->s[out->len++] = n.s[i];
	out->s[out->len++] = ']';
	out->s[out->len] = 0;
}

static int fd_target(struct proc *p, uint32_t fd, struct kpath *out)
{
	struct file_ref f;
	int e = fd_get(p->files, fd, &f);
	if (e)
		return -ENOENT;
	struct file *fp = file_get(f);
	if (inode_ref_valid(fp->inode))
		return procfs_path_of(cur_proc()->root, fp->inode, out);
	kpath_anon(out, f);
	return 0;
}

/* Symlinks such as /proc/self, /proc/<pid>/exe and fd/N: generated
 * whenever they are read. */
static int procfs_readlink(struct inode_ref ino, struct kpath *out)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (ip->fs_data[PD_KIND] == PK_SELF) {
		kpath_num(out, (uint64_t)cur_proc()->pid);
		return 0;
	}
	struct proc *p = live_proc((int32_t)ip->fs_data[PD_PID]);
	if (!p)
		return -ENOENT;
	switch (ip->fs_data[PD_KIND]) {
	case PK_PEXE: {
		struct mm *m = mm_get(p->mm);
		if (!m || !inode_ref_valid(m->exe))
			return -ENOENT;
		return procfs_path_of(cur_proc()->root, m->exe, out);
	}
	case PK_PCWD:
		return vfs_path_of(cur_proc()->root, p->cwd, out);
	case PK_PROOT:
		return vfs_path_of(cur_proc()->root, p->root, out);
	case PK_PFDLINK:
		return fd_target(p, ip->fs_data[PD_ARG], out);
	case PK_PNSLINK: {
		/* "ipc:[4026531839]" */
		uint32_t k = ip->fs_data[PD_ARG];
		if (k >= FW_ARRAY_LEN(ns_names))
			return -ENOENT;
		struct ns_name nn = ns_names[k];
		struct kname n;
		name_lit20(&n, &nn.name);
		/* "pid_for_children" shows as pid, "time_for_children" as time */
		uint32_t keep = n.len;
		for (uint32_t i = 0; i < n.len; i++)
			if (n.s[i] == '_') {
				keep = i;
				break;
			}
		out->len = 0;
		for (uint32_t i = 0; i < keep; i++)
			out->s[out->len++] = n.s[i];
		out->s[out->len++] = ':';
		out->s[out->len++] = '[';
		name_num(&n, ns_inum(p, nn.kind));
		for (uint32_t i = 0; i < n.len; i++)
			out->s[out->len++] = n.s[i];
		out->s[out->len++] = ']';
		out->s[out->len] = 0;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

/* Magic links go to the object itself: the file behind a descriptor
 * (a memfd, a deleted file), the executable, the working or root
 * directory. Files without an inode (pipes, sockets) have none: their
 * text ("pipe:[N]") is all there is. */
static int procfs_link_target(struct inode_ref link, struct inode_ref *out)
{
	struct inode *ip = inode_get(link);
	struct proc *p = ip ? live_proc((int32_t)ip->fs_data[PD_PID]) : NULL;
	if (!p)
		return -ENOENT;
	/* Linux's proc_fd_access_allowed: ptrace read access (root, or the
	 * caller's fs ids equal to the target's ids) */
	struct proc *me = cur_proc();
	if (me != p && !proc_capable(me, CAP_SYS_PTRACE) &&
	    (me->fsuid != p->uid || me->fsuid != p->euid || me->fsuid != p->suid || me->fsgid != p->gid ||
	     me->fsgid != p->egid || me->fsgid != p->sgid))
		return -EACCES;
	switch (ip->fs_data[PD_KIND]) {
	case PK_PEXE: {
		struct mm *m = mm_get(p->mm);
		*out = m ? m->exe : (struct inode_ref){0};
		break;
	}
	case PK_PCWD:
		*out = p->cwd;
		break;
	case PK_PROOT:
		*out = p->root;
		break;
	case PK_PFDLINK: {
		struct file_ref f;
		if (fd_get(p->files, ip->fs_data[PD_ARG], &f))
			return -ENOENT;
		*out = file_get(f)->inode;
		break;
	}
	case PK_PNSLINK: {
		uint32_t k = ip->fs_data[PD_ARG];
		if (k >= FW_ARRAY_LEN(ns_names))
			return -ENOENT;
		int e = ns_node(p, ns_names[k].kind, out);
		if (e)
			return e;
		break;
	}
	default:
		return -EINVAL;
	}
	return inode_ref_valid(*out) ? 0 : -ENOENT;
}

/* Generate the text of a /proc file into a private inode (file.data) at
 * open: reads see one consistent snapshot. */
static int procfs_open(struct file_ref f, struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	if (!ip)
		return -ENOENT;
	uint32_t kind = ip->fs_data[PD_KIND];
	/* only /proc/sys files with a write bit take writes, even from root
	 * (Linux's proc_sys_permission) */
	if ((fp->flags & O_ACCMODE) != O_RDONLY && ((kind != PK_SYSCTL && kind != PK_PCOREFILTER) || !(ip->mode & 0222)))
		return -EACCES;
	int32_t pid = (int32_t)ip->fs_data[PD_PID];
	if (pid > 0 && !live_proc(pid))
		return -ESRCH;
	struct inode_ref data;
	int e = inode_new(S_IFREG | 0444, &data);
	if (e)
		return -ENOMEM;
	e = procgen_file(kind, pid, ip->fs_data[PD_ARG], data);
	if (e) {
		inode_put_if_unused(data);
		return e;
	}
	fp = file_get(f);
	fp->data = data;
	return 0;
}

/* Search the tree under dir for a name of ino; on success out holds the
 * path of dir's entry naming it. */
static bool find_name(struct inode_ref root, struct inode_ref dir, struct inode_ref ino, uint32_t depth,
		      struct kpath *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp || inode_fs_type(dir) == procfs_state()->type || depth > 16)
		return false;
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d); d = dentry_get(d)->next) {
		struct dentry *de = dentry_get(d);
		if (de->inode.idx == ino.idx && de->inode.gen == ino.gen) {
			struct kname name = de->name;
			if (vfs_path_of(root, dir, out))
				return false;
			return kpath_append(out, &name);
		}
	}
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d); d = dentry_get(d)->next) {
		struct inode_ref c = mount_cross(dentry_get(d)->inode);
		struct inode *cp = inode_get(c);
		if (cp && (cp->mode & S_IFMT) == S_IFDIR && find_name(root, c, ino, depth + 1, out))
			return true;
	}
	return false;
}

int procfs_path_of(struct inode_ref root, struct inode_ref ino, struct kpath *out)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if ((ip->mode & S_IFMT) == S_IFDIR)
		return vfs_path_of(root, ino, out);
	/* a file system that keeps where a file was found (ext2) names it
	 * there; memory trees are searched */
	struct inode_ref dir = ip->parent;
	struct kname name;
	if (inode_ref_valid(dir) && vfs_get_name(dir, ino, &name) == 0 && vfs_path_of(root, dir, out) == 0 &&
	    kpath_append(out, &name))
		return 0;
	return find_name(root, root, ino, 0, out) ? 0 : -ENOENT;
}

/* Directories are brought up to date before they are listed. */
static int64_t procfs_readdir(struct file_ref f, struct file *fp, struct dir_ctx *ctx)
{
	procfs_refresh(fp->inode);
	fp = file_get(f);
	return fp ? ramdir_readdir(f, fp, ctx) : -EBADF;
}

/* A write to a /proc/sys file sets its knob, one to coredump_filter the
 * process's filter; the whole write is one value (at most a chunk of it
 * is looked at). */
static int64_t procfs_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct inode *ip = inode_get(fp->inode);
	if (!ip || (ip->fs_data[PD_KIND] != PK_SYSCTL && ip->fs_data[PD_KIND] != PK_PCOREFILTER))
		return -EINVAL;
	uint32_t knob = ip->fs_data[PD_ARG], kind = ip->fs_data[PD_KIND];
	int32_t pid = (int32_t)ip->fs_data[PD_PID];
	if (n == 0)
		return 0;
	struct kchunk_ref cr;
	if (kchunk_alloc(&cr))
		return -ENOMEM;
	uint32_t k = (uint32_t)FW_MIN(n, (uint64_t)sizeof(kchunk_get(cr)->b));
	int e = fw_copy_from_user_n(&kchunk_get(cr)->b, buf, k) ? -EFAULT : 0;
	if (e == 0 && kind == PK_SYSCTL)
		e = sysctl_write(knob, kchunk_get(cr), k);
	else if (e == 0) {
		struct proc *p = live_proc(pid);
		e = p ? procgen_set_coredump_filter(p, kchunk_get(cr), k) : -ESRCH;
	}
	kchunk_free(cr);
	if (e)
		return e;
	*pos += n;
	return (int64_t)n;
}

/* /proc/<pid>/pagemap: 8 bytes per virtual page, computed at each read
 * (the whole space would not fit in a generated file). */
static int64_t pagemap_read(struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	if ((*pos % 8) || (n % 8))
		return -EINVAL;
	struct inode *ip = inode_get(fp->inode);
	struct proc *p = ip ? live_proc((int32_t)ip->fs_data[PD_PID]) : NULL;
	if (!p)
		return -ESRCH;
	struct mm_ref m = p->mm;
	bool pfn = cred_capable(CAP_SYS_ADMIN);
	uint64_t done = 0;
	while (done < n) {
		uint64_t page = (*pos / 8) * 4096;
		if (page >= FW_USER_TOP)
			break;
		uint64_t e = mm_pagemap_entry(m, page, pfn);
		if (fw_copy_to_user(fw_uaddr_add(buf, done), &e))
			return done ? (int64_t)done : -EFAULT;
		done += 8;
		*pos += 8;
	}
	return (int64_t)done;
}

static int64_t procfs_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct inode *ip = inode_get(fp->inode);
	if (ip && ip->fs_data[PD_KIND] == PK_PPAGEMAP)
		return pagemap_read(fp, buf, n, pos);
	return generic_file_read(f, fp, buf, n, pos);
}

static const struct file_ops procfs_file_ops = {
	.name = "proc",
	.flags = FOP_PREAD,
	.open = procfs_open,
	.read = procfs_read,
	.write = procfs_write,
	.llseek = generic_file_llseek,
};

static const struct file_ops procfs_dir_ops = {
	.name = "proc",
	.flags = FOP_PREAD,
	.read = generic_dir_read,
	.write = generic_dir_read,
	.llseek = generic_file_llseek,
	.readdir = procfs_readdir,
};

static const struct fs_type procfs_type = {
	.name = "proc",
	.magic = PROC_SUPER_MAGIC,
	.mount = procfs_mount,
	.umount = procfs_umount,
	.lookup = procfs_lookup,
	.readlink = procfs_readlink,
	.link_target = procfs_link_target,
	.setattr = inode_setattr_mem,
	.get_name = ramdir_get_name,
};

int procfs_init(void)
{
	struct procfs_state *s = procfs_state();
	int e = file_ops_register(&procfs_file_ops, &s->file_fops);
	if (e == 0)
		e = file_ops_register(&procfs_dir_ops, &procfs_state()->dir_fops);
	return e ? e : fs_register(&procfs_type, &procfs_state()->type);
}
