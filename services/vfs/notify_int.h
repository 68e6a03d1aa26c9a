/* What the two kinds of notification listener share (vfs/notify.c for
 * inotify, vfs/fanotify.c for fanotify): the marks hung on an inode's one
 * list (inode.marks), which the VFS's hooks test. Layer: services (safe C);
 * private to the VFS. */
#ifndef SVC_VFS_NOTIFY_INT_H
#define SVC_VFS_NOTIFY_INT_H

#include "vfs/vfs.h"

#define NMARK_INOTIFY 0
#define NMARK_FANOTIFY 1

struct nmark {
	struct inode_ref ino;       /* zero: a fanotify mount or file-system mark */
	struct vfs_priv grp;        /* its listener: an inotify or a fanotify group (by kind) */
	uint32_t kind;              /* NMARK_* */
	int32_t wd;                 /* inotify: the watch descriptor */
	uint32_t mask;              /* IN_* events and IN_ONESHOT, IN_EXCL_UNLINK; FAN_* events */
	uint32_t ignored;           /* fanotify: the ignore mask */
	uint32_t mflags;            /* fanotify: FAN_MARK_* kept (the mark's type, IGNORED_SURV_MODIFY) */
	struct super_ref sb;        /* fanotify mount and file-system marks: the file system */
	struct nmark_ref next_ino;  /* the inode's list (fanotify super marks: the global list) */
	struct nmark_ref next_grp;  /* the group's list */
};

/* The marks' pool (storage in notify.c; the handle type is in vfs.h). */
FW_MUST_CHECK int nmark_alloc(struct nmark_ref *out);
struct nmark *nmark_get(struct nmark_ref r);
void nmark_free(struct nmark_ref r);
bool nmark_ref_valid(struct nmark_ref r);
uint32_t nmark_count(void);

/* Take a mark off its inode's list (nothing else). */
void nmark_unlink_inode(struct nmark_ref m);
/* Marks of either kind count towards notify_any_watch. */
void notify_count_marks(int32_t delta);
/* fdinfo of a fanotify file's i-th mark (-ENOENT: none, or not fanotify). */
int fan_fdinfo_mark(struct file_ref f, uint32_t i, struct notify_mark_view *out);
/* The inode goes: fanotify's marks on it are dropped. */
void fan_inode_gone(struct inode_ref ino);

#endif
