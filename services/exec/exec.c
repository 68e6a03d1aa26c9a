/* execve: replace the process image. Layer: services (safe C).
 * Everything that can fail for a reason the caller should see (-ENOENT,
 * -EACCES, -ENOEXEC, -E2BIG, -ENOMEM) happens before the old image is
 * dropped; after the point of no return a failure kills the process. */
#include "exec/exec.h"
#include "exec/elf.h"
#include "signal/signal.h"
#include <abi/elf.h>
#include <fw/console.h>
#include <fw/log.h>

#define STACK_INITIAL (128ULL << 10)

struct auxv_pair {
	uint64_t key, val;
};

/* Copy the argument strings to the top of the new stack; returns the
 * user address where they start. */
static int copy_strings(struct exec_args *a, uint64_t *sp, uint64_t *strings)
{
	*sp -= a->bytes;
	*strings = *sp;
	int64_t r = inode_read_user(a->buf, 0, fw_uaddr(*sp), a->bytes);
	return r == (int64_t)a->bytes ? 0 : -EFAULT;
}

/* Push the pointer arrays for n strings starting at `at`; returns the
 * address after the last string. */
static int push_string_ptrs(struct exec_args *a, uint64_t base, uint64_t *pos, uint32_t n, uint64_t ptrs)
{
	struct kchunk c;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = base + *pos;
		if (fw_copy_to_user(fw_uaddr(ptrs + 8ULL * i), &addr))
			return -EFAULT;
		/* find the end of this string */
		for (;;) {
			uint32_t k = (uint32_t)FW_MIN(sizeof(c.b), a->bytes - *pos);
			if (k == 0 || inode_read_chunk(a->buf, *pos, &c, k))
				return -EFAULT;
			uint32_t j = 0;
			while (j < k && c.b[j] != 0)
				j++;
			*pos += j < k ? j + 1 : k;
			if (j < k)
				break;
		}
	}
	return 0;
}

static int build_stack(struct exec_args *a, const struct elf_info *info, uint64_t *rsp)
{
	uint64_t sp = USER_STACK_TOP;
	uint8_t rnd[16];
	fw_random_fill(&rnd, sizeof(rnd));
	sp -= 16;
	uint64_t rnd_addr = sp;
	if (fw_copy_to_user(fw_uaddr(sp), &rnd))
		return -EFAULT;
	char plat[8] = "x86_64";
	sp -= 8;
	uint64_t plat_addr = sp;
	if (fw_copy_to_user(fw_uaddr(sp), &plat))
		return -EFAULT;
	uint64_t strings;
	if (copy_strings(a, &sp, &strings))
		return -EFAULT;
	struct auxv_pair aux[] = {
		{AT_PHDR, info->phdr_addr}, {AT_PHENT, 56}, {AT_PHNUM, info->phnum}, {AT_PAGESZ, 4096},
		{AT_BASE, 0}, {AT_FLAGS, 0}, {AT_ENTRY, info->entry}, {AT_UID, 0}, {AT_EUID, 0}, {AT_GID, 0},
		{AT_EGID, 0}, {AT_SECURE, 0}, {AT_RANDOM, rnd_addr}, {AT_HWCAP, 0x178bfbff}, {AT_CLKTCK, 100},
		{AT_PLATFORM, plat_addr}, {AT_EXECFN, strings}, {AT_NULL, 0},
	};
	uint64_t nwords = 1 + (uint64_t)a->argc + 1 + a->envc + 1 + 2 * FW_ARRAY_LEN(aux);
	sp = (sp - nwords * 8) & ~15ULL;
	*rsp = sp;
	uint64_t argc = a->argc;
	if (fw_copy_to_user(fw_uaddr(sp), &argc))
		return -EFAULT;
	uint64_t argv = sp + 8, envp = argv + 8ULL * (a->argc + 1);
	uint64_t pos = 0, zero = 0;
	if (push_string_ptrs(a, strings, &pos, a->argc, argv) || fw_copy_to_user(fw_uaddr(envp - 8), &zero))
		return -EFAULT;
	struct mm *m = mm_get(cur_proc()->mm);
	if (m) { /* for /proc/<pid>/cmdline and environ */
		m->arg_start = strings;
		m->arg_end = strings + pos;
		m->env_end = strings + a->bytes;
	}
	if (push_string_ptrs(a, strings, &pos, a->envc, envp) ||
	    fw_copy_to_user(fw_uaddr(envp + 8ULL * a->envc), &zero))
		return -EFAULT;
	uint64_t auxp = envp + 8ULL * (a->envc + 1);
	if (fw_copy_to_user_n(fw_uaddr(auxp), &aux, sizeof(aux)))
		return -EFAULT;
	return 0;
}

static int open_exec(const struct kpath *path, struct inode_ref *out)
{
	struct proc *p = cur_proc();
	struct kname last;
	struct vfs_cred c;
	proc_fs_cred(p, &c);
	int e = path_lookup_as(p->root, p->cwd, path, LOOKUP_FOLLOW, &c, out, &last);
	if (e)
		return e;
	struct inode *ip = inode_get(*out);
	if ((ip->mode & S_IFMT) != S_IFREG)
		return -EACCES;
	/* The caller's own class of x bit (root: any x bit). */
	return vfs_permission(*out, &c, MAY_EXEC);
}

static void set_comm(struct proc *p, const struct kpath *path)
{
	uint32_t start = 0;
	for (uint32_t i = 0; i < path->len; i++)
		if (path->s[i] == '/')
			start = i + 1;
	kname_set(&p->comm, path, start, FW_MIN(path->len - start, 15));
}

static int exec_depth(struct fw_uregs *regs, const struct kpath *path, struct exec_args *args, int depth);

/* path is a "#!" script: run its interpreter with the rebuilt arguments. */
static int exec_script(struct fw_uregs *regs, struct inode_ref ino, const struct kpath *path, struct exec_args *args,
		       int depth, bool *is_script)
{
	struct kpath_ref ir;
	struct kname arg;
	*is_script = false;
	if (kpath_alloc(&ir))
		return -ENOMEM;
	bool has_arg;
	int e = script_parse(ino, kpath_get(ir), &arg, &has_arg, is_script);
	if (e == 0 && *is_script && depth >= 4)
		e = -ELOOP;
	if (e == 0 && *is_script) {
		struct exec_args na;
		e = script_args(&na, args, kpath_get(ir), &arg, has_arg, path);
		if (e == 0) {
			e = exec_depth(regs, kpath_get(ir), &na, depth + 1);
			exec_args_free(&na);
		}
	}
	kpath_free(ir);
	return e;
}

int exec_image(struct fw_uregs *regs, const struct kpath *path, struct exec_args *args)
{
	return exec_depth(regs, path, args, 0);
}

static int exec_depth(struct fw_uregs *regs, const struct kpath *path, struct exec_args *args, int depth)
{
	struct inode_ref ino;
	int e = open_exec(path, &ino);
	if (e)
		return e;
	bool is_script;
	e = exec_script(regs, ino, path, args, depth, &is_script);
	if (e || is_script)
		return e;
	struct elf_info info;
	e = elf_read_header(ino, &info);
	if (e)
		return e;
	struct mm_ref nm;
	e = mm_new(&nm);
	if (e)
		return e;
	e = elf_map(ino, &info, nm);
	if (e == 0)
		e = mm_map(nm, USER_STACK_TOP - STACK_INITIAL, STACK_INITIAL, FW_PROT_READ | FW_PROT_WRITE,
			   VMA_GROWSDOWN, (struct inode_ref){0}, 0, 0);
	if (e) {
		mm_put(nm);
		return e == -ENOEXEC ? e : -ENOMEM;
	}
	struct mm *m = mm_get(nm);
	m->brk_start = info.end;
	m->brk = info.end;
	m->exe_ino = inode_get(ino)->ino;
	m->exe = ino;
	/* Point of no return. */
	proc_exec_prepare();
	struct proc *p = cur_proc();
	struct mm_ref old = p->mm;
	p->mm = nm;
	if (fw_task_set_vm(mm_get(nm)->vm))
		proc_exit_group(SIGKILL);
	mm_put(old);
	proc_vfork_release(cur_proc());
	uint64_t rsp;
	if (build_stack(args, &info, &rsp)) {
		fw_warn("exec: cannot build the initial stack");
		proc_exit_group(SIGSEGV);
	}
	p = cur_proc();
	fd_close_on_exec(p->files);
	for (int i = 0; i < NSIG; i++)
		if (p->sigact[i].handler != SIG_IGN)
			p->sigact[i] = (struct sigaction_k){0};
	set_comm(p, path);
	struct thread *t = cur_thread();
	t->ss_sp = 0;
	t->ss_size = 0;
	t->ss_flags = 0;
	(void)fw_task_set_fs_base(0);
	*regs = (struct fw_uregs){0};
	regs->rip = info.entry;
	regs->rsp = rsp;
	regs->rflags = 0x202;
	return 0;
}
