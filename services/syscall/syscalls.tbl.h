/* The system call table: X(number, name, status). Layer: services (data).
 * status: full = Linux semantics for every flag Linux accepts; partial =
 * see docs/syscalls.md. tools/gen-syscall-doc.sh renders this list as the
 * table in docs/syscalls.md. Keep one entry per line, sorted by number. */
#ifndef SVC_SYSCALL_SYSCALLS_TBL_H
#define SVC_SYSCALL_SYSCALLS_TBL_H

#define SYSCALL_LIST(X) \
	X(0, read, full) \
	X(1, write, full) \
	X(2, open, partial) \
	X(3, close, full) \
	X(4, stat, full) \
	X(5, fstat, full) \
	X(6, lstat, full) \
	X(8, lseek, full) \
	X(9, mmap, partial) \
	X(10, mprotect, full) \
	X(11, munmap, full) \
	X(12, brk, full) \
	X(13, rt_sigaction, partial) \
	X(14, rt_sigprocmask, full) \
	X(15, rt_sigreturn, full) \
	X(16, ioctl, partial) \
	X(19, readv, full) \
	X(20, writev, full) \
	X(21, access, partial) \
	X(24, sched_yield, full) \
	X(25, mremap, partial) \
	X(28, madvise, partial) \
	X(34, pause, full) \
	X(35, nanosleep, full) \
	X(36, getitimer, partial) \
	X(37, alarm, full) \
	X(38, setitimer, partial) \
	X(39, getpid, full) \
	X(56, clone, partial) \
	X(57, fork, full) \
	X(58, vfork, full) \
	X(59, execve, partial) \
	X(60, exit, full) \
	X(61, wait4, full) \
	X(62, kill, full) \
	X(63, uname, full) \
	X(72, fcntl, partial) \
	X(79, getcwd, full) \
	X(80, chdir, full) \
	X(89, readlink, partial) \
	X(96, gettimeofday, full) \
	X(97, getrlimit, full) \
	X(98, getrusage, partial) \
	X(99, sysinfo, full) \
	X(100, times, full) \
	X(102, getuid, full) \
	X(104, getgid, full) \
	X(105, setuid, full) \
	X(106, setgid, full) \
	X(107, geteuid, full) \
	X(108, getegid, full) \
	X(109, setpgid, full) \
	X(110, getppid, full) \
	X(111, getpgrp, full) \
	X(112, setsid, full) \
	X(113, setreuid, full) \
	X(114, setregid, full) \
	X(115, getgroups, full) \
	X(116, setgroups, full) \
	X(117, setresuid, full) \
	X(118, getresuid, full) \
	X(119, setresgid, full) \
	X(120, getresgid, full) \
	X(121, getpgid, full) \
	X(122, setfsuid, full) \
	X(123, setfsgid, full) \
	X(124, getsid, full) \
	X(127, rt_sigpending, full) \
	X(128, rt_sigtimedwait, full) \
	X(129, rt_sigqueueinfo, full) \
	X(130, rt_sigsuspend, full) \
	X(131, sigaltstack, full) \
	X(140, getpriority, full) \
	X(141, setpriority, partial) \
	X(143, sched_getparam, partial) \
	X(145, sched_getscheduler, partial) \
	X(146, sched_get_priority_max, full) \
	X(147, sched_get_priority_min, full) \
	X(157, prctl, partial) \
	X(158, arch_prctl, partial) \
	X(160, setrlimit, full) \
	X(170, sethostname, full) \
	X(171, setdomainname, full) \
	X(186, gettid, full) \
	X(200, tkill, full) \
	X(201, time, full) \
	X(202, futex, partial) \
	X(203, sched_setaffinity, full) \
	X(204, sched_getaffinity, full) \
	X(218, set_tid_address, full) \
	X(227, clock_settime, partial) \
	X(228, clock_gettime, full) \
	X(229, clock_getres, full) \
	X(230, clock_nanosleep, full) \
	X(231, exit_group, full) \
	X(234, tgkill, full) \
	X(247, waitid, full) \
	X(257, openat, partial) \
	X(262, newfstatat, partial) \
	X(273, set_robust_list, full) \
	X(297, rt_tgsigqueueinfo, full) \
	X(302, prlimit64, partial) \
	X(309, getcpu, full) \
	X(318, getrandom, full)

#endif
