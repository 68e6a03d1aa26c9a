/* execve: replace the process image. Layer: services (safe C).
 * Everything that can fail for a reason the caller should see (-ENOENT,
 * -EACCES, -ENOEXEC, -E2BIG, -ENOMEM) happens before the old image is
 * dropped; after the point of no return a failure kills the process. */
#include "exec/exec.h"
#include "exec/elf.h"
#include "proc/signal.h"
#include <abi/elf.h>
#include <fw/console.h>
#include <fw/log.h>

#define STACK_INITIAL (128ULL << 10)
#define PIE_BASE 0x555555554000ULL /* where Linux puts a PIE program */

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

/* Push len bytes of a kernel string (with its NUL) below *sp. */
static int push_kpath(const struct kpath *p, uint64_t *sp)
{
	uint32_t n = FW_MIN(p->len, PATH_MAX - 1);
	*sp -= n + 1;
	uint8_t nul = 0;
	if (n && fw_copy_to_user_n(fw_uaddr(*sp), &p->s, n))
		return -EFAULT;
	return fw_copy_to_user(fw_uaddr(*sp + n), &nul);
}

/* The initial stack: strings, argv, envp and the aux vector. interp_base
 * is AT_BASE (the loader's load bias, 0 without one); execfn is the path
 * execve was given (AT_EXECFN). */
static int build_stack(struct exec_args *a, const struct elf_info *info, uint64_t interp_base,
		       const struct kpath *execfn, uint64_t *rsp)
{
	uint64_t sp = USER_STACK_TOP - 8;
	if (push_kpath(execfn, &sp))
		return -EFAULT;
	uint64_t execfn_addr = sp;
	uint8_t rnd[16];
	fw_random_fill(&rnd, sizeof(rnd));
	sp = (sp & ~15ULL) - 16;
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
	struct proc *p = cur_proc();
	struct auxv_pair aux[] = {
		{AT_SYSINFO_EHDR, mm_get(p->mm)->vdso_base}, {AT_MINSIGSTKSZ, signal_min_stack()},
		{AT_HWCAP, 0x178bfbff}, {AT_PAGESZ, 4096}, {AT_CLKTCK, 100},
		{AT_PHDR, info->phdr_addr}, {AT_PHENT, 56}, {AT_PHNUM, info->phnum},
		{AT_BASE, interp_base}, {AT_FLAGS, 0}, {AT_ENTRY, info->entry},
		{AT_UID, p->uid}, {AT_EUID, p->euid}, {AT_GID, p->gid}, {AT_EGID, p->egid},
		{AT_SECURE, 0}, {AT_RANDOM, rnd_addr}, {AT_HWCAP2, 0},
		{AT_EXECFN, execfn_addr}, {AT_PLATFORM, plat_addr}, {AT_NULL, 0},
	};
	if (aux[0].val == 0)
		aux[0].key = AT_IGNORE; /* no vDSO mapped */
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

/* The program: path from the cwd, or as execveat says (from). */
static int open_exec(const struct kpath *path, const struct exec_from *from, struct inode_ref *out)
{
	struct proc *p = cur_proc();
	struct kname last;
	struct vfs_cred c;
	proc_fs_cred(p, &c);
	int e = 0;
	if (from && inode_ref_valid(from->ino))
		*out = from->ino;
	else if (from)
		e = path_lookup_as(p->root, from->start, path, from->lookup, &c, out, &last);
	else
		e = path_lookup_as(p->root, p->cwd, path, LOOKUP_FOLLOW, &c, out, &last);
	if (e)
		return e;
	struct inode *ip = inode_get(*out);
	if (!ip)
		return -ENOENT;
	if ((ip->mode & S_IFMT) == S_IFLNK)
		return -ELOOP; /* execveat AT_SYMLINK_NOFOLLOW on a symlink */
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

static int exec_depth(struct fw_uregs *regs, const struct kpath *path, struct exec_args *args, int depth,
		      const struct kpath *execfn, const struct exec_from *from);

/* path is a "#!" script: run its interpreter with the rebuilt arguments. */
static int exec_script(struct fw_uregs *regs, struct inode_ref ino, const struct kpath *path, struct exec_args *args,
		       int depth, const struct kpath *execfn, bool *is_script)
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
			e = exec_depth(regs, kpath_get(ir), &na, depth + 1, execfn, NULL);
			exec_args_free(&na);
		}
	}
	kpath_free(ir);
	return e;
}

int exec_image(struct fw_uregs *regs, const struct kpath *path, struct exec_args *args)
{
	return exec_depth(regs, path, args, 0, path, NULL);
}

int exec_image_at(struct fw_uregs *regs, const struct kpath *path, const struct kpath *execfn,
		  const struct exec_from *from, struct exec_args *args)
{
	return exec_depth(regs, path, args, 0, execfn, from);
}

/* The program's PT_INTERP: look the loader up and read its headers, all
 * before the old image goes (a missing loader is -ENOENT to the caller). */
static int open_interp(struct inode_ref prog, const struct elf_info *info, struct inode_ref *ino,
		       struct elf_info *interp)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	int e = elf_interp_path(prog, info, kpath_get(pr));
	if (e == 0)
		e = open_exec(kpath_get(pr), NULL, ino);
	kpath_free(pr);
	if (e)
		return e;
	if (inode_get(*ino)->size < sizeof(struct elf64_ehdr))
		return -EIO; /* as Linux: its read of the header comes up short */
	e = elf_read_header(*ino, interp);
	/* the loader's own PT_INTERP, if any, is not followed (as Linux) */
	return e == -ENOEXEC ? -ELIBBAD : e;
}

/* Build the new address space: the program, its loader, the stack. */
static int map_images(struct mm_ref nm, struct inode_ref ino, struct elf_info *info, struct inode_ref iino,
		      struct elf_info *interp, bool has_interp)
{
	uint64_t bias = info->lo < PIE_BASE ? PIE_BASE - info->lo : 0;
	int e = elf_place(info, bias);
	if (e == 0)
		e = elf_map(ino, info, nm);
	if (e == 0 && has_interp) {
		/* The loader goes at the top of the mmap area, as Linux puts it. */
		uint64_t base = mm_find_free(nm, interp->hi - interp->lo);
		e = base ? elf_place(interp, base - interp->lo) : -ENOMEM;
		if (e == 0)
			e = elf_map(iino, interp, nm);
	}
	if (e == 0)
		e = mm_map(nm, USER_STACK_TOP - STACK_INITIAL, STACK_INITIAL, FW_PROT_READ | FW_PROT_WRITE,
			   VMA_GROWSDOWN, (struct inode_ref){0}, 0, 0);
	if (e == 0)
		e = vdso_map(nm);
	return e;
}

static int exec_depth(struct fw_uregs *regs, const struct kpath *path, struct exec_args *args, int depth,
		      const struct kpath *execfn, const struct exec_from *from)
{
	struct inode_ref ino;
	int e = open_exec(path, from, &ino);
	if (e)
		return e;
	bool is_script;
	e = exec_script(regs, ino, path, args, depth, execfn, &is_script);
	if (e || is_script)
		return e;
	struct elf_info info, interp = {0};
	struct inode_ref iino = {0};
	e = elf_read_header(ino, &info);
	if (e)
		return e;
	bool has_interp = info.interp_len != 0;
	if (has_interp) {
		e = open_interp(ino, &info, &iino, &interp);
		if (e)
			return e;
	}
	struct mm_ref nm;
	e = mm_new(&nm);
	if (e)
		return e;
	e = map_images(nm, ino, &info, iino, &interp, has_interp);
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
	cur_proc()->execed = true;
	proc_vfork_release(cur_proc());
	uint64_t rsp;
	if (build_stack(args, &info, has_interp ? interp.bias : 0, execfn, &rsp)) {
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
	regs->rip = has_interp ? interp.entry : info.entry;
	regs->rsp = rsp;
	regs->rflags = 0x202;
	return 0;
}
