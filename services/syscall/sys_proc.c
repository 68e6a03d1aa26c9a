/* Process system calls: ids, exit, wait, execve, kill. Layer: services
 * (safe C). */
#include "exec/exec.h"
#include "signal/signal.h"
#include "syscall/syscall.h"
#include <fw/wait.h>

int64_t sys_getpid(struct fw_uregs *r) { return cur_proc()->pid; }
int64_t sys_gettid(struct fw_uregs *r) { return cur_thread()->tid; }

int64_t sys_getppid(struct fw_uregs *r)
{
	struct proc *pp = proc_get(cur_proc()->parent);
	return pp ? pp->pid : 0;
}

int64_t sys_getuid(struct fw_uregs *r) { return cur_proc()->uid; }
int64_t sys_geteuid(struct fw_uregs *r) { return cur_proc()->euid; }
int64_t sys_getgid(struct fw_uregs *r) { return cur_proc()->gid; }
int64_t sys_getegid(struct fw_uregs *r) { return cur_proc()->egid; }

int64_t sys_exit(struct fw_uregs *r) { thread_exit((int32_t)a0(r)); }
int64_t sys_exit_group(struct fw_uregs *r) { proc_exit_group(((int32_t)a0(r) & 0xff) << 8); }

int64_t sys_sched_yield(struct fw_uregs *r)
{
	fw_task_yield();
	return 0;
}

int64_t sys_set_tid_address(struct fw_uregs *r)
{
	cur_thread()->clear_child_tid = a0(r);
	return cur_thread()->tid;
}

int64_t sys_set_robust_list(struct fw_uregs *r)
{
	if (a1(r) != 24)
		return -EINVAL;
	cur_thread()->robust_list = a0(r);
	cur_thread()->robust_len = a1(r);
	return 0;
}

int64_t sys_wait4(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	uint64_t options = a2(r);
	if (options & ~(uint64_t)(1 | 2 | 8 | 0x40000000 | 0x80000000 | 0x20000000))
		return -EINVAL;
	int32_t status = 0;
	int32_t got = proc_wait_child(cur_proc_ref(), pid, &status, (options & 1) != 0);
	if (got > 0 && a1(r) && fw_copy_to_user(fw_uaddr(a1(r)), &status))
		return -EFAULT;
	if (got > 0 && a3(r)) {
		uint8_t zero[144] = {0};
		if (fw_copy_to_user(fw_uaddr(a3(r)), &zero))
			return -EFAULT;
	}
	return got;
}

int64_t sys_kill(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	int sig = (int)a1(r);
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0)
		return signal_send_proc(proc_by_pid(pid), sig);
	return -ESRCH;
}

/* Gather a NULL-terminated array of user string pointers. */
static int gather(struct exec_args *a, uint64_t uarr, uint32_t *count)
{
	*count = 0;
	if (!uarr)
		return 0;
	for (uint64_t i = 0;; i++) {
		uint64_t p;
		if (fw_copy_from_user(&p, fw_uaddr(uarr + 8 * i)))
			return -EFAULT;
		if (!p)
			return 0;
		if (i >= ARG_MAX_BYTES / 8)
			return -E2BIG;
		int e = exec_args_add_user(a, p);
		if (e)
			return e;
		(*count)++;
	}
}

int64_t sys_execve(struct fw_uregs *r)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct exec_args args;
	int e = kpath_from_user(kpath_get(pr), a0(r));
	if (e == 0)
		e = exec_args_new(&args);
	if (e) {
		kpath_free(pr);
		return e;
	}
	e = gather(&args, a1(r), &args.argc);
	if (e == 0)
		e = gather(&args, a2(r), &args.envc);
	if (e == 0)
		e = exec_image(r, kpath_get(pr), &args);
	exec_args_free(&args);
	kpath_free(pr);
	/* On success r now holds the new image's registers; rax = 0. */
	return e;
}
