/* Pipe capacities and their limits inside pipe/ (pipe_size.c), for the
 * ring (pipe.c). Layer: services (safe C). */
#ifndef SVC_PIPE_PIPE_SIZE_H
#define SVC_PIPE_PIPE_SIZE_H

#include "pipe/pipe.h"

/* Linux's round_pipe_size of F_SETPIPE_SZ's (32-bit) argument: 0 past
 * 2^31 (EINVAL), else a power of two of at least 4096. */
uint32_t pipe_round_size(uint64_t arg);
/* A new pipe for the caller: its capacity (64 KiB; pipe-max-size's if
 * smaller, and 8 KiB past pipe-user-pages-soft, for unprivileged
 * users), the real uid charged and the pages charged; -ENFILE past
 * pipe-user-pages-hard, -ENOMEM. */
int pipe_charge_new(uint32_t *size, uint32_t *uid, uint32_t *pages);
void pipe_uncharge(uint32_t uid, uint32_t pages);
/* F_SETPIPE_SZ to `size` of a pipe of capacity `cur` charged `pages`
 * to uid: -EPERM (an unprivileged user growing it past pipe-max-size or
 * past its page limits), else the new pages are charged; undo gives
 * them back when the resize fails after all. */
int pipe_charge_resize(uint32_t uid, uint32_t cur, uint32_t pages, uint32_t size);
void pipe_charge_undo(uint32_t uid, uint32_t pages, uint32_t size);

#endif
