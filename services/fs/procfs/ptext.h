/* A text builder for generated /proc files: formats numbers and strings
 * into a 512-byte chunk and flushes it into an inode. Layer: services
 * (safe C). Errors are sticky: pt_finish reports the first one. */
#ifndef SVC_FS_PROCFS_PTEXT_H
#define SVC_FS_PROCFS_PTEXT_H

#include "vfs/vfs.h"

struct ptext {
	struct kchunk c;
	uint32_t n;   /* bytes buffered in c */
	uint32_t col; /* column on the current line (for padding) */
	uint64_t off; /* where the buffer goes in the inode */
	struct inode_ref ino;
	int err;
};

void pt_init(struct ptext *t, struct inode_ref ino);
void pt_char(struct ptext *t, char ch);
void pt_u64(struct ptext *t, uint64_t v);
void pt_i64(struct ptext *t, int64_t v);
/* right-aligned in `width` columns */
void pt_u64w(struct ptext *t, uint64_t v, uint32_t width);
/* lower-case hexadecimal, zero-padded to `width` digits */
void pt_hex(struct ptext *t, uint64_t v, uint32_t width);
void pt_hex_upper(struct ptext *t, uint64_t v, uint32_t width);
/* spaces up to column `col` (at least `min` of them) */
void pt_pad(struct ptext *t, uint32_t col, uint32_t min);
void pt_kname(struct ptext *t, const struct kname *n);
void pt_kpath(struct ptext *t, const struct kpath *p);
/* fixed-point value/100 as "%lu.%02lu" */
void pt_cent(struct ptext *t, uint64_t hundredths);
int pt_finish(struct ptext *t);

/* A string literal (a local array, so every index is checked). */
#define PT_LIT(t, lit)                                                                                     \
	do {                                                                                               \
		const char pt_s_[] = lit;                                                                  \
		for (uint32_t pt_i_ = 0; pt_i_ + 1 < sizeof(pt_s_); pt_i_++)                               \
			pt_char((t), pt_s_[pt_i_]);                                                        \
	} while (0)

#endif
