/* Capabilities: the per-credential capability sets and securebits, and the
 * one question every privilege check asks (cred_capable). Layer: services
 * (safe C); included by proc/proc.h.
 *
 * Keel keeps credentials per process (all threads of a process share
 * them). The sets follow capabilities(7) of Linux 6.1 without file
 * capabilities and without user namespaces: root gets the full sets at
 * exec, setuid away from 0 drops them unless SECBIT_KEEP_CAPS. */
#ifndef SVC_PROC_CRED_H
#define SVC_PROC_CRED_H

#include <fw/types.h>

#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_FSETID 4
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_LINUX_IMMUTABLE 9
#define CAP_NET_BIND_SERVICE 10
#define CAP_NET_BROADCAST 11
#define CAP_NET_ADMIN 12
#define CAP_NET_RAW 13
#define CAP_IPC_LOCK 14
#define CAP_IPC_OWNER 15
#define CAP_SYS_MODULE 16
#define CAP_SYS_RAWIO 17
#define CAP_SYS_CHROOT 18
#define CAP_SYS_PTRACE 19
#define CAP_SYS_PACCT 20
#define CAP_SYS_ADMIN 21
#define CAP_SYS_BOOT 22
#define CAP_SYS_NICE 23
#define CAP_SYS_RESOURCE 24
#define CAP_SYS_TIME 25
#define CAP_SYS_TTY_CONFIG 26
#define CAP_MKNOD 27
#define CAP_LEASE 28
#define CAP_AUDIT_WRITE 29
#define CAP_AUDIT_CONTROL 30
#define CAP_SETFCAP 31
#define CAP_MAC_OVERRIDE 32
#define CAP_MAC_ADMIN 33
#define CAP_SYSLOG 34
#define CAP_WAKE_ALARM 35
#define CAP_BLOCK_SUSPEND 36
#define CAP_AUDIT_READ 37
#define CAP_PERFMON 38
#define CAP_BPF 39
#define CAP_CHECKPOINT_RESTORE 40
#define CAP_LAST_CAP 40
#define CAP_FULL ((1ULL << (CAP_LAST_CAP + 1)) - 1)

/* securebits (prctl PR_SET_SECUREBITS): each flag, and its lock one above. */
#define SECBIT_NOROOT 0x1
#define SECBIT_NO_SETUID_FIXUP 0x4
#define SECBIT_KEEP_CAPS 0x10
#define SECBIT_KEEP_CAPS_LOCKED 0x20
#define SECBIT_NO_CAP_AMBIENT_RAISE 0x40
#define SECURE_ALL_BITS 0x55
#define SECURE_ALL_LOCKS 0xaa

struct cred_caps {
	uint64_t permitted, effective, inheritable, bset, ambient;
	uint32_t securebits;
	uint32_t pad;
};

struct proc;
/* Does the calling process have capability cap in its effective set? The
 * one helper every privilege check goes through (instead of euid == 0). */
bool cred_capable(uint32_t cap);
/* The same question about process p. */
bool proc_capable(const struct proc *p, uint32_t cap);
/* The sets of the first process (root: everything). */
void cred_init_root(struct cred_caps *c);
/* Linux's fixups after the uids changed (setuid family; old ids given):
 * leaving 0 in all of real/effective/saved drops permitted, effective
 * and ambient unless SECBIT_KEEP_CAPS; euid 0 -> non-0 clears effective;
 * non-0 -> 0 raises effective to permitted; then the fsuid rule. */
void cred_fix_setuid(struct proc *p, uint32_t old_r, uint32_t old_e, uint32_t old_s, uint32_t old_fs);
/* setfsuid: fsuid 0 -> non-0 drops the file-system capabilities from
 * effective, non-0 -> 0 raises them from permitted. */
void cred_fix_setfsuid(struct proc *p, uint32_t old_fs);
/* execve past its point of no return: the new sets (no file capabilities:
 * root's are full, others keep their ambient set). */
void cred_on_exec(struct proc *p);
/* The effective set file permission checks use: the fs cred (true) or
 * access(2)'s real-id cred (false). */
uint64_t cred_fs_caps(const struct proc *p, bool real);

#endif
