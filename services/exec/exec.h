/* Program loading: ELF images, #! scripts, the initial stack. Layer:
 * services (safe C). */
#ifndef SVC_EXEC_EXEC_H
#define SVC_EXEC_EXEC_H

#include "proc/proc.h"

#define ARG_MAX_BYTES (2u << 20)   /* argv + envp strings */
#define ARG_STRLEN_MAX (128u << 10) /* one string */

/* Arguments gathered before the old image is dropped: the strings are
 * kept, NUL-terminated, in an unlinked inode (argv, then envp). */
struct exec_args {
	struct inode_ref buf;
	uint64_t bytes;
	uint32_t argc, envc;
	uint64_t argv0_len; /* bytes of argv[0] with its NUL */
};

int exec_args_new(struct exec_args *a);
void exec_args_free(struct exec_args *a);
/* Append one NUL-terminated string from user memory. */
int exec_args_add_user(struct exec_args *a, uint64_t uaddr);
/* Append a kernel string held in a name buffer. */
int exec_args_add_kname(struct exec_args *a, const struct kname *s);

/* "#!" scripts: parse the first line of ino (is_script false if it is
 * not one), and build the interpreter's argument list. */
int script_parse(struct inode_ref ino, struct kpath *interp, struct kname *arg, bool *has_arg, bool *is_script);
int script_args(struct exec_args *out, const struct exec_args *in, const struct kpath *interp,
		const struct kname *arg, bool has_arg, const struct kpath *script);

/* Replace the current process image. On success the caller returns to
 * user mode with *regs set to the new entry state. */
int exec_image(struct fw_uregs *regs, const struct kpath *path, struct exec_args *args);
/* execveat(2): the program is `path` looked up as `from` says (from
 * start with lookup flags, or the inode itself when valid); execfn is its
 * name for AT_EXECFN, Linux's "/dev/fd/N[/path]" for a dirfd. */
struct exec_from {
	struct inode_ref start;
	uint32_t lookup;
	struct inode_ref ino;
};
int exec_image_at(struct fw_uregs *regs, const struct kpath *path, const struct kpath *execfn,
		  const struct exec_from *from, struct exec_args *args);

/* The vDSO (exec/vdso.c): map it into a new address space (sets the mm's
 * vdso_base); refresh its data page after the realtime clock was set. */
int vdso_map(struct mm_ref m);
void vdso_clock_changed(void);

#endif
