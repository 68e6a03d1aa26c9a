/* svc_main: the services' entry point (FW_SERVICES_MAIN). Layer: services
 * (safe C). Registers the upcalls (<fw/upcall.h>), builds the root file
 * system from the initramfs, creates pid 1 and the first program, then acts
 * as the reaper of last resort:
 *  - keel.mode=exec: run the command in /etc/keel-exec (argv, NUL
 *    separated) with stdin /dev/null and stdout/stderr on the keel-out
 *    stream; report its wait status in the log and power off.
 *  - otherwise: run /init (or /bin/sh) as pid 1 on the console; power off
 *    when it exits. */
#include "ipc/ipc.h"
#include "init/init.h"
#include "drivers/loop/loop.h"
#include "drivers/mem/mem.h"
#include "fs/ext2/ext2.h"
#include "fs/devpts/devpts.h"
#include "fs/procfs/procfs.h"
#include "fs/tmpfs/tmpfs.h"
#include "net/unix/unix.h"
#include "net/inet/inet.h"
#include "net/netlink/netlink.h"
#include "net/packet/packet.h"
#include "pipe/pipe.h"
#include "poll/poll.h"
#include "proc/signal.h"
#include "tty/tty.h"
#include <fw/console.h>
#include <fw/log.h>
#include <fw/time.h>
#include <fw/upcall.h>

struct boot_state {
	struct exec_args args;
	struct kpath_ref path;
	bool exec_mode;
	bool root_disk; /* / is a disk's ext2; the initramfs is at /initrd */
	struct proc_ref first;
};
FW_GLOBAL(struct boot_state, boot);

static bool cmdline_has(const char (*cmd)[512], const char (*word)[16])
{
	uint32_t wl = 0;
	while (wl < 15 && (*word)[wl])
		wl++;
	for (uint32_t i = 0; i + wl < 512 && (*cmd)[i]; i++) {
		if (i > 0 && (*cmd)[i - 1] != ' ')
			continue;
		uint32_t j = 0;
		while (j < wl && (*cmd)[i + j] == (*word)[j])
			j++;
		if (j == wl)
			return true;
	}
	return false;
}

struct lit40 {
	char s[40];
};

static void kname_lit(struct kname *n, const char (*s)[40])
{
	n->len = 0;
	while (n->len < 39 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

static void kpath_from_kname(struct kpath *p, const struct kname *n)
{
	for (uint32_t i = 0; i <= n->len; i++)
		p->s[i] = n->s[i];
	p->len = n->len;
}

/* Does `name` exist as a file? */
static bool exists(const struct kpath *p)
{
	struct inode_ref ino;
	struct kname last;
	return path_lookup(vfs_root(), vfs_root(), p, LOOKUP_FOLLOW, &ino, &last) == 0;
}

/* PROG without a slash is looked up in the guest's PATH. */
static void resolve_prog(struct kpath *p, const struct kname *prog)
{
	struct lit40 dirs[4] = {{"/bin/"}, {"/sbin/"}, {"/usr/bin/"}, {"/usr/sbin/"}};
	bool slash = false;
	for (uint32_t i = 0; i < prog->len; i++)
		slash = slash || prog->s[i] == '/';
	if (!slash) {
		for (uint32_t d = 0; d < 4; d++) {
			struct kname dn;
			struct lit40 l = dirs[d];
			kname_lit(&dn, &l.s);
			kpath_from_kname(p, &dn);
			for (uint32_t i = 0; i < prog->len && p->len + 1 < PATH_MAX; i++)
				p->s[p->len++] = prog->s[i];
			p->s[p->len] = 0;
			if (exists(p))
				return;
		}
	}
	kpath_from_kname(p, prog);
}

/* Read /etc/keel-exec: argv strings, NUL separated. */
static int load_exec_spec(struct boot_state *b)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct kname spec;
	char specname[40] = "/etc/keel-exec", initrd_spec[40] = "/initrd/etc/keel-exec";
	if (b->root_disk)
		kname_lit(&spec, &initrd_spec);
	else
		kname_lit(&spec, &specname);
	kpath_from_kname(kpath_get(pr), &spec);
	struct inode_ref ino;
	struct kname last;
	int e = path_lookup(vfs_root(), vfs_root(), kpath_get(pr), LOOKUP_FOLLOW, &ino, &last);
	kpath_free(pr);
	if (e)
		return e;
	uint64_t size = inode_get(ino)->size, off = 0;
	struct kname prog = {0};
	struct kchunk c;
	/* argv[0]: looked up in PATH, so it must fit a name */
	bool ended = false;
	while (off < size && !ended) {
		uint32_t n = (uint32_t)FW_MIN(size - off, sizeof(c.b));
		if (inode_read_chunk(ino, off, &c, n))
			return -EIO;
		for (uint32_t i = 0; i < n && !ended; i++, off++) {
			if (c.b[i] == 0)
				ended = true;
			else if (prog.len < NAME_MAX)
				prog.s[prog.len++] = (char)c.b[i];
			else
				return -ENAMETOOLONG;
		}
	}
	if (!ended)
		return -EINVAL;
	prog.s[prog.len] = 0;
	resolve_prog(kpath_get(b->path), &prog);
	e = exec_args_add_kname(&b->args, &prog);
	if (e)
		return e;
	b->args.argc = 1;
	/* the other arguments are copied as they are, NULs included: no
	 * length limit but the exec one */
	while (off < size) {
		uint32_t n = (uint32_t)FW_MIN(size - off, sizeof(c.b));
		if (b->args.bytes + n > ARG_MAX_BYTES)
			return -E2BIG;
		if (inode_read_chunk(ino, off, &c, n) || inode_write_chunk(b->args.buf, b->args.bytes, &c, n))
			return -EIO;
		for (uint32_t i = 0; i < n; i++)
			b->args.argc += c.b[i] == 0;
		b->args.bytes += n;
		off += n;
	}
	return 0;
}

static int setup_run_args(struct boot_state *b)
{
	char init[40] = "/init", sh[40] = "/bin/sh";
	struct kname prog;
	kname_lit(&prog, &init);
	kpath_from_kname(kpath_get(b->path), &prog);
	if (!exists(kpath_get(b->path))) {
		kname_lit(&prog, &sh);
		kpath_from_kname(kpath_get(b->path), &prog);
	}
	b->args.argc = 1;
	/* /bin/sh runs as a login shell ("-sh"): it reads /etc/profile */
	char login[40] = "-sh";
	if (prog.len == 7)
		kname_lit(&prog, &login);
	return exec_args_add_kname(&b->args, &prog);
}

/* Run mode: pid 1 is the kernel's reaper, so busybox halt/poweroff/reboot
 * (SIGUSR1/SIGUSR2/SIGTERM to pid 1) are acted on here. */
static void run_mode_power(struct proc_ref init)
{
	struct proc *p = proc_get(init);
	if (!p)
		return;
	uint64_t pend = p->sig_pending;
	if (pend & (sig_bit(SIGUSR1) | sig_bit(SIGUSR2))) {
		fw_info("keel: power off requested");
		(void)vfs_sync_all(); /* as an init before it halts: disks keep what was written */
		fw_power_off(0);
	}
	if (pend & sig_bit(SIGTERM)) {
		fw_info("keel: reboot requested");
		(void)vfs_sync_all();
		fw_reboot();
	}
}

static int add_env(struct boot_state *b)
{
	struct lit40 env[3] = {{"PATH=/sbin:/usr/sbin:/bin:/usr/bin"}, {"HOME=/"}, {"TERM=linux"}};
	for (int i = 0; i < 3; i++) {
		struct kname n;
		struct lit40 l = env[i];
		kname_lit(&n, &l.s);
		int e = exec_args_add_kname(&b->args, &n);
		if (e)
			return e;
		b->args.envc++;
	}
	return 0;
}

/* Open a device node by name for the first process's stdio. */
static int open_dev(struct fdtable_ref t, const char (*name)[40], uint32_t flags)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct kname n;
	kname_lit(&n, name);
	kpath_from_kname(kpath_get(pr), &n);
	struct inode_ref ino;
	struct kname last;
	int e = path_lookup(vfs_root(), vfs_root(), kpath_get(pr), LOOKUP_FOLLOW, &ino, &last);
	kpath_free(pr);
	struct file_ref f;
	if (e == 0)
		e = file_open_inode(ino, flags, &f);
	if (e == 0 && fd_install(t, f, 0, false) < 0)
		e = -EMFILE;
	return e;
}

/* Opening a device may sleep (a FIFO's open does), so the process is
 * named by its handle, not by a pointer borrowed across the opens. */
static int make_stdio(struct proc_ref pr, bool exec_mode)
{
	char null[40] = "/dev/null", out[40] = "/dev/keel-out", con[40] = "/dev/console";
	struct fdtable_ref files;
	int e = fdtable_new(&files);
	if (e)
		return e;
	proc_get(pr)->files = files;
	if (exec_mode) {
		e = open_dev(files, &null, O_RDONLY);
		if (e == 0)
			e = open_dev(files, &out, O_WRONLY);
		if (e == 0)
			e = open_dev(files, &out, O_WRONLY);
		return e;
	}
	for (int i = 0; i < 3 && e == 0; i++)
		e = open_dev(files, &con, O_RDWR);
	return e;
}

void boot_exec_current(struct fw_uregs *regs)
{
	struct boot_state *b = boot();
	cur_thread()->boot_exec = false;
	uint64_t t0 = fw_time_monotonic_ns();
	int e = exec_image(regs, kpath_get(b->path), &b->args);
	exec_args_free(&b->args);
	if (e) {
		fw_err("boot: cannot execute the first program: error %d", e);
		proc_exit_group(127 << 8);
	}
	fw_info("boot: first user instruction %lu ms after reset, %lu ms after the kernel started its clock "
		"(exec took %lu us)",
		fw_time_since_reset_ns() / 1000000, fw_time_monotonic_ns() / 1000000, (fw_time_monotonic_ns() - t0) / 1000);
}

static int start_first(struct boot_state *b, struct proc_ref init)
{
	struct mm_ref mm;
	int e = mm_new(&mm);
	if (e)
		return e;
	struct fw_uregs regs = {0};
	e = proc_create(init, mm, &regs, false, &b->first);
	if (e)
		return e;
	struct proc *p = proc_get(b->first);
	p->cwd = vfs_root();
	p->root = vfs_root();
	e = make_stdio(b->first, b->exec_mode);
	p = proc_get(b->first); /* make_stdio may have slept */
	thread_get(p->first_thread)->boot_exec = true;
	if (e == 0 && !b->exec_mode) {
		/* run mode: the console is a terminal with a line discipline, and
		 * the first program's group is its foreground */
		tty_set_foreground(p->pgid > 0 ? p->pgid : p->pid, p->sid > 0 ? p->sid : p->pid);
		e = tty_start_console();
	}
	return e;
}

/* pid 1: the kernel's reaper (this loop), reaping everything. It runs no
 * user code, but it has a thread identity, tid 1 without a task, so that
 * the calls that name a thread of pid 1 find one as on Linux
 * (sched_setscheduler, get_robust_list, rt_sigqueueinfo, /proc/1/task):
 * its attributes are kept, signals sent to it are recorded as pending
 * (run mode acts on the power-off ones) and nothing is ever delivered. */
static int make_reaper(struct proc_ref *out)
{
	if (proc_alloc(out))
		return -ENOMEM;
	struct proc *p = proc_get(*out);
	p->pid = 1;
	p->pgid = 1;
	p->sid = 1;
	struct lit40 name = {"init"};
	kname_lit(&p->comm, &name.s);
	p->cwd = vfs_root();
	p->root = vfs_root();
	int e = fw_waitq_create(&p->child_wait);
	if (e == 0)
		e = fw_waitq_create(&proc_get(*out)->stop_wait);
	struct thread_ref tr;
	if (e == 0 && thread_alloc(&tr))
		e = -ENOMEM;
	if (e)
		return e;
	struct thread *t = thread_get(tr);
	t->tid = 1;
	t->proc = *out;
	p = proc_get(*out);
	p->first_thread = tr;
	p->nthreads = 1;
	pid_set_thread(1, tr);
	pid_set_proc(1, *out);
	return 0;
}

/* File systems register their types; providers of files their operations
 * and device numbers. */
static int providers_init(void)
{
	ns_init(); /* the initial namespaces, before the first mount */
	int e = tmpfs_init();
	if (e == 0)
		e = procfs_init();
	if (e == 0)
		e = devpts_init();
	if (e == 0)
		e = pipe_init();
	if (e == 0)
		e = evobj_init();
	if (e == 0)
		e = inotify_fops_init();
	if (e == 0)
		e = pidfd_init();
	if (e == 0)
		e = chr_mem_init();
	if (e == 0)
		e = tty_init();
	if (e == 0)
		e = ext2_init();
	if (e == 0)
		e = loop_init();
	if (e == 0)
		e = net_init();
	if (e == 0)
		e = unix_proto_init();
	if (e == 0)
		e = inet_init();
	if (e == 0)
		e = netlink_init();
	if (e == 0)
		e = packet_init();
	return e;
}

static void svc_main(void)
{
	if (upcalls_register())
		fw_panic("services: upcalls already registered");
	struct boot_state *b = boot();
	char cmd[512];
	char mode_exec[16] = "keel.mode=exec";
	fw_boot_cmdline(&cmd);
	b->exec_mode = cmdline_has(&cmd, &mode_exec);
	int e = vfs_init();
	if (e == 0)
		e = ipc_init();
	if (e == 0)
		e = providers_init();
	if (e == 0)
		e = root_mount();
	if (e == 0)
		e = initramfs_unpack();
	if (e == 0)
		e = boot_mounts();
	if (e == 0)
		e = drivers_start();
	if (e == 0 && root_switch()) {
		b->root_disk = true;
		e = boot_remount();
	}
	if (e == 0 && kpath_alloc(&b->path))
		e = -ENOMEM;
	if (e == 0)
		e = exec_args_new(&b->args);
	if (e == 0)
		e = b->exec_mode ? load_exec_spec(b) : setup_run_args(b);
	if (e == 0)
		e = add_env(b);
	struct proc_ref init;
	if (e == 0)
		e = make_reaper(&init);
	if (e == 0) {
		proc_set_init(init);
		e = start_first(b, init);
	}
	if (e) {
		fw_err("boot failed: error %d", e);
		return;
	}
	int32_t first_pid = proc_get(b->first)->pid;
	for (;;) {
		int32_t status = 0;
		int32_t pid = proc_wait_child(init, -1, &status, !b->exec_mode);
		if (!b->exec_mode && pid == 0) {
			run_mode_power(init);
			(void)fw_sleep_until(fw_time_monotonic_ns() + 50000000ULL, false);
			continue;
		}
		if (pid == first_pid) {
			fw_info("keel: exit status %d", (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff);
			(void)vfs_sync_all(); /* the machine powers off: disks keep what was written */
			return;
		}
		if (pid < 0 && pid != -ERESTARTSYS) {
			(void)vfs_sync_all();
			return;
		}
	}
}
FW_SERVICES_MAIN(svc_main);
