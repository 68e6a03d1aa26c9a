/* The registered upcalls as the framework calls them. Layer: framework
 * (trusted, internal). `upcalls` always holds a complete table: the safe
 * defaults until the services register theirs (<fw/upcall.h>), so a call
 * site never checks for NULL. */
#ifndef INTERNAL_UPCALL_H
#define INTERNAL_UPCALL_H

#include <fw/upcall.h>

extern struct fw_upcalls upcalls;

/* For framework ktests only: install `u` whatever is registered, returning
 * the previous table in *old (restore it with the same call). NULL
 * members are replaced by the defaults. */
void upcalls_swap(const struct fw_upcalls *u, struct fw_upcalls *old);
/* The entry point named by FW_SERVICES_MAIN, or NULL if none is linked. */
void (*services_main(void))(void);

#endif
