/* POSIX message queues inside ipc/: what the queues (mqueue.c) and their
 * names, the mqueue file system (mqueue_fs.c), tell each other. Layer:
 * services (safe C). */
#ifndef SVC_IPC_MQ_INTERNAL_H
#define SVC_IPC_MQ_INTERNAL_H

#include "ipc/ipc.h"
#include "vfs/vfs.h"

/* mqueue.c: give inode ino (a new regular file of the mqueue file
 * system) its queue with attributes a (NULL: the defaults); Linux's
 * -EINVAL, -EOVERFLOW, -EMFILE (RLIMIT_MSGQUEUE), -ENOMEM. */
int mq_queue_new(struct inode_ref ino, const struct linux_mq_attr *a);
/* The inode is being freed: free its queue. */
void mq_queue_evict(struct inode_ref ino);
/* The queue files' operations. */
uint32_t mq_fops(void);

/* mqueue_fs.c: register the file system (boot). */
int mqfs_init(void);
/* The queue called name: its inode, or -ENOENT. */
int mqfs_lookup(const struct kname *name, struct inode_ref *out);
/* A new queue called name (mode: permission bits, umask applied) for
 * the caller: -ENOSPC past queues_max (root excepted), mq_queue_new's
 * errors. */
int mqfs_create_queue(const struct kname *name, uint32_t mode, const struct linux_mq_attr *a, struct inode_ref *out);
/* Remove the name (the queue lives on while it is open). */
int mqfs_unlink_name(const struct kname *name);

#endif
