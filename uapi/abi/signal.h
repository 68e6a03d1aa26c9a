/* Linux x86-64 signal ABI: siginfo, the rt signal frame, stack_t, itimers,
 * rusage, tms. Layer: uapi (plain data with the exact Linux layout). */
#ifndef ABI_SIGNAL_H
#define ABI_SIGNAL_H

#include <abi/abi.h>

/* siginfo_t (128 bytes): the union starts at offset 16. w[0] holds
 * si_pid|si_uid<<32 or si_addr; w[1] holds si_status or si_value; w[2],
 * w[3] the SIGCHLD si_utime/si_stime. */
struct linux_siginfo {
	int32_t signo, err, code, pad;
	uint64_t w[14];
};

struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

/* struct sigcontext: the general registers in Linux order. */
struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	struct linux_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct linux_rt_sigframe {
	uint64_t pretcode; /* sa_restorer: the handler returns here */
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t");
_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext");
_Static_assert(sizeof(struct linux_ucontext) == 304, "ucontext");

struct linux_itimerval {
	struct linux_timeval interval, value;
};

struct linux_rusage {
	struct linux_timeval utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals,
		nvcsw, nivcsw;
};

struct linux_tms {
	int64_t utime, stime, cutime, cstime;
};

#define SA_NOCLDSTOP 0x1
#define SA_NOCLDWAIT 0x2
#define SA_SIGINFO 0x4
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048

#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE (-1)
#define SI_TIMER (-2)
#define SI_TKILL (-6)

#endif
