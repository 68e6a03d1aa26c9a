/* procfs: the /proc tree. Layer: services (safe C).
 * Directories hold ordinary dentries that are kept in step with the
 * process table: a pid directory appears when looked up or listed while
 * the process lives and is pruned once it is gone; fd/ is refreshed the
 * same way from the descriptor table. Refreshes only append new entries
 * and remove stale ones, so getdents64 offsets stay valid. Trusts the
 * process table (services/proc) and the VFS. */
#include "fs/procfs.h"
#include "proc/proc.h"
#include "net/socket.h"

struct pent {
	char name[12];
	uint32_t kind;
	uint32_t mode;
};

static const struct pent root_ents[] = {
	{"self", PK_SELF, S_IFLNK | 0777},	    {"meminfo", PK_MEMINFO, S_IFREG | 0444},
	{"cpuinfo", PK_CPUINFO, S_IFREG | 0444},    {"uptime", PK_UPTIME, S_IFREG | 0444},
	{"loadavg", PK_LOADAVG, S_IFREG | 0444},    {"mounts", PK_MOUNTS, S_IFREG | 0444},
	{"filesystems", PK_FILESYSTEMS, S_IFREG | 0444}, {"stat", PK_STAT, S_IFREG | 0444},
	{"version", PK_VERSION, S_IFREG | 0444},    {"net", PK_NETDIR, S_IFDIR | 0555},
};

static const struct pent net_ents[] = {
	{"unix", PK_NET_UNIX, S_IFREG | 0444},	  {"tcp", PK_NET_TCP, S_IFREG | 0444},
	{"udp", PK_NET_UDP, S_IFREG | 0444},	  {"dev", PK_NET_DEV, S_IFREG | 0444},
	{"route", PK_NET_ROUTE, S_IFREG | 0444}, {"snmp", PK_NET_SNMP, S_IFREG | 0444},
	{"tcp6", PK_NET_TCP6, S_IFREG | 0444},	  {"udp6", PK_NET_UDP6, S_IFREG | 0444},
};

static const struct pent pid_ents[] = {
	{"stat", PK_PSTAT, S_IFREG | 0444},	  {"status", PK_PSTATUS, S_IFREG | 0444},
	{"cmdline", PK_PCMDLINE, S_IFREG | 0444}, {"exe", PK_PEXE, S_IFLNK | 0777},
	{"fd", PK_PFD, S_IFDIR | 0500},		  {"maps", PK_PMAPS, S_IFREG | 0444},
	{"cwd", PK_PCWD, S_IFLNK | 0777},	  {"comm", PK_PCOMM, S_IFREG | 0644},
	{"environ", PK_PENVIRON, S_IFREG | 0400}, {"mounts", PK_MOUNTS, S_IFREG | 0444},
	{"statm", PK_PSTATM, S_IFREG | 0444},	  {"root", PK_PROOT, S_IFLNK | 0777},
};

/* Guards against re-entry: creating an entry looks its name up. */
struct procfs_state {
	bool busy;
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

static int new_node(struct inode_ref dir, const struct kname *name, uint32_t kind, uint32_t mode, int32_t pid,
		    uint32_t arg, struct inode_ref *out)
{
	int e = inode_new(mode, out);
	if (e)
		return e;
	struct inode *ip = inode_get(*out);
	ip->fs = FS_PROC;
	ip->proc_kind = kind;
	ip->proc_pid = pid;
	ip->proc_arg = arg;
	struct proc *p = pid > 0 ? live_proc(pid) : NULL;
	if (p) {
		ip->uid = p->euid;
		ip->gid = p->egid;
	}
	if ((mode & S_IFMT) == S_IFDIR)
		ip->nlink = 1;
	e = dir_link(dir, name, *out);
	if (e) {
		ip = inode_get(*out);
		ip->nlink = 0;
		inode_put_if_unused(*out);
	}
	return e;
}

static int pid_dir(struct inode_ref root, int32_t pid)
{
	struct kname n;
	struct inode_ref d, x;
	name_num(&n, (uint64_t)pid);
	int e = new_node(root, &n, PK_PIDDIR, S_IFDIR | 0555, pid, 0, &d);
	for (uint32_t i = 0; e == 0 && i < FW_ARRAY_LEN(pid_ents); i++) {
		struct pent pe = pid_ents[i];
		name_lit(&n, &pe.name);
		e = new_node(d, &n, pe.kind, pe.mode, pid, 0, &x);
	}
	return e;
}

/* Remove every entry below dir (depth-limited: procfs and tmpfs trees
 * are shallow; anything deeper is left to leak rather than overflow). */
static void tree_clear(struct inode_ref dir, uint32_t depth)
{
	for (;;) {
		struct inode *dp = inode_get(dir);
		if (!dp || !dentry_ref_valid(dp->children))
			return;
		struct dentry *de = dentry_get(dp->children);
		struct kname name = de->name;
		struct inode_ref child = de->inode;
		struct inode *cp = inode_get(child);
		if (cp && (cp->mode & S_IFMT) == S_IFDIR && depth < 24)
			tree_clear(child, depth + 1);
		if (dir_unlink(dir, &name))
			return;
	}
}

void fs_tree_free(struct inode_ref root)
{
	procfs_state()->busy = true;
	tree_clear(root, 0);
	procfs_state()->busy = false;
	struct inode *ip = inode_get(root);
	if (ip) {
		ip->nlink = 0;
		inode_put_if_unused(root);
	}
}

static void drop_entry(struct inode_ref dir, const struct kname *name, struct inode_ref child)
{
	struct inode *cp = inode_get(child);
	if (cp && (cp->mode & S_IFMT) == S_IFDIR)
		tree_clear(child, 1);
	(void)dir_unlink(dir, name);
}

static void refresh_root(struct inode_ref root)
{
	/* prune the dead */
	struct dentry_ref d = inode_get(root)->children;
	while (dentry_ref_valid(d)) {
		struct dentry *de = dentry_get(d);
		struct dentry_ref next = de->next;
		struct inode *cp = inode_get(de->inode);
		if (cp && cp->proc_kind == PK_PIDDIR && !live_proc(cp->proc_pid)) {
			struct kname name = de->name;
			drop_entry(root, &name, de->inode);
		}
		d = next;
	}
	/* add the living */
	struct kname n;
	struct inode_ref x;
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		if (!live_proc(pid))
			continue;
		name_num(&n, (uint64_t)pid);
		if (dir_lookup_raw(root, &n, &x) != 0 && pid_dir(root, pid) != 0)
			return;
	}
}

static bool fd_open(int32_t pid, int64_t fd)
{
	struct proc *p = live_proc(pid);
	struct file_ref f;
	return p && fd_get(p->files, fd, &f) == 0;
}

static void refresh_fd(struct inode_ref dir)
{
	int32_t pid = inode_get(dir)->proc_pid;
	struct dentry_ref d = inode_get(dir)->children;
	while (dentry_ref_valid(d)) {
		struct dentry *de = dentry_get(d);
		struct dentry_ref next = de->next;
		struct kname name = de->name;
		if (!fd_open(pid, parse_num(&name)))
			(void)dir_unlink(dir, &name);
		d = next;
	}
	struct kname n;
	struct inode_ref x;
	for (int64_t fd = 0; fd < FD_MAX; fd++) {
		if (!fd_open(pid, fd))
			continue;
		name_num(&n, (uint64_t)fd);
		if (dir_lookup_raw(dir, &n, &x) != 0 &&
		    new_node(dir, &n, PK_PFDLINK, S_IFLNK | 0700, pid, (uint32_t)fd, &x) != 0)
			return;
	}
}

void procfs_refresh(struct inode_ref dir)
{
	struct procfs_state *s = procfs_state();
	struct inode *dp = inode_get(dir);
	if (s->busy || !dp)
		return;
	s->busy = true;
	if (dp->proc_kind == PK_ROOT)
		refresh_root(dir);
	else if (dp->proc_kind == PK_PFD)
		refresh_fd(dir);
	procfs_state()->busy = false;
}

void procfs_lookup_prepare(struct inode_ref dir, const struct kname *name)
{
	struct procfs_state *s = procfs_state();
	struct inode *dp = inode_get(dir);
	if (s->busy || !dp)
		return;
	if (dp->proc_kind == PK_PFD) {
		procfs_refresh(dir);
		return;
	}
	int64_t pid = parse_num(name);
	if (dp->proc_kind != PK_ROOT || pid <= 0 || pid >= PID_MAX)
		return;
	s->busy = true;
	struct inode_ref x;
	bool have = dir_lookup_raw(dir, name, &x) == 0;
	bool alive = live_proc((int32_t)pid) != NULL;
	if (have && !alive)
		drop_entry(dir, name, x);
	else if (!have && alive)
		(void)pid_dir(dir, (int32_t)pid);
	procfs_state()->busy = false;
}

/* /proc/net: the network's files (their text comes from services/net). */
static int net_dir(struct inode_ref d)
{
	struct kname n;
	struct inode_ref x;
	int e = 0;
	for (uint32_t i = 0; e == 0 && i < FW_ARRAY_LEN(net_ents); i++) {
		struct pent pe = net_ents[i];
		name_lit(&n, &pe.name);
		e = new_node(d, &n, pe.kind, pe.mode, 0, 0, &x);
	}
	return e;
}

int procfs_new_root(uint32_t mnt, struct inode_ref *out)
{
	int e = inode_new(S_IFDIR | 0555, out);
	if (e)
		return e;
	struct inode *ip = inode_get(*out);
	ip->fs = FS_PROC;
	ip->proc_kind = PK_ROOT;
	ip->nlink = 2;
	ip->parent = *out;
	ip->mnt = mnt;
	struct kname n;
	struct inode_ref x;
	procfs_state()->busy = true;
	for (uint32_t i = 0; e == 0 && i < FW_ARRAY_LEN(root_ents); i++) {
		struct pent pe = root_ents[i];
		name_lit(&n, &pe.name);
		e = new_node(*out, &n, pe.kind, pe.mode, 0, 0, &x);
		if (e == 0 && pe.kind == PK_NETDIR)
			e = net_dir(x);
	}
	procfs_state()->busy = false;
	if (e)
		fs_tree_free(*out);
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

/* "pipe:[N]" and friends for files without a path. */
enum anon_kind { ANON_INODE, ANON_PIPE, ANON_SOCKET };

static void kpath_anon(struct kpath *out, uint32_t kind, uint64_t id)
{
	const char pre[3][20] = {"anon_inode:[", "pipe:[", "socket:["};
	out->len = 0;
	for (uint32_t i = 0; i < 20 && pre[kind][i]; i++)
		out->s[out->len++] = pre[kind][i];
	struct kname n;
	name_num(&n, id);
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
	if (fp->kind == FK_SOCK)
		kpath_anon(out, ANON_SOCKET, sock_file_ino(f));
	else if (fp->kind == FK_PIPE)
		kpath_anon(out, ANON_PIPE, fp->pipe.idx + 1000);
	else
		kpath_anon(out, ANON_INODE, fp->obj.idx + 1000);
	return 0;
}

int procfs_link_target(struct inode_ref ino, struct kpath *out)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (ip->proc_kind == PK_SELF) {
		kpath_num(out, (uint64_t)cur_proc()->pid);
		return 0;
	}
	struct proc *p = live_proc(ip->proc_pid);
	if (!p)
		return -ENOENT;
	switch (ip->proc_kind) {
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
		return fd_target(p, ip->proc_arg, out);
	default:
		return -EINVAL;
	}
}

int64_t procfs_readlink(struct inode_ref ino, uint64_t ubuf, uint64_t size)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct kpath *kp = kpath_get(pr);
	int64_t ret = procfs_link_target(ino, kp);
	if (ret == 0) {
		uint32_t n = (uint32_t)FW_MIN((uint64_t)kp->len, size);
		ret = fw_copy_to_user_n(fw_uaddr(ubuf), &kp->s, n) ? -EFAULT : (int64_t)n;
	}
	kpath_free(pr);
	return ret;
}

int procfs_open(struct file_ref f, struct file *fp)
{
	if ((fp->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	struct inode *ip = inode_get(fp->inode);
	if (!ip)
		return -ENOENT;
	uint32_t kind = ip->proc_kind;
	int32_t pid = ip->proc_pid;
	if (pid > 0 && !live_proc(pid))
		return -ESRCH;
	struct inode_ref data;
	int e = inode_new(S_IFREG | 0444, &data);
	if (e)
		return -ENOMEM;
	e = procgen_file(kind, pid, data);
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
	if (!dp || dp->fs == FS_PROC || depth > 16)
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
	return find_name(root, root, ino, 0, out) ? 0 : -ENOENT;
}
