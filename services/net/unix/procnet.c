/* /proc/net/unix: one line per AF_UNIX socket in Linux's format (netstat
 * -x and ss read it). Layer: services (safe C). Kernel addresses are
 * shown as zeros, as Linux does for unprivileged readers. */
#include "net/unix/unix.h"
#include "fs/procfs/ptext.h"

#define SO_ACCEPTCON_FLAG 0x10000
#define SS_UNCONNECTED 1
#define SS_CONNECTING 2
#define SS_CONNECTED 3
#define SS_DISCONNECTING 4

static void show_name(struct ptext *t, const struct unix_addr *a)
{
	if (!a->len)
		return;
	pt_char(t, ' ');
	uint32_t len = a->len - UNIX_PATH_OFF, i = 0;
	if (a->b[UNIX_PATH_OFF]) {
		len--;
	} else {
		pt_char(t, '@');
		i++;
	}
	for (; i < len && UNIX_PATH_OFF + i < UNIX_ADDR_MAX; i++) {
		char c = (char)a->b[UNIX_PATH_OFF + i];
		pt_char(t, c ? c : '@');
	}
}

static uint32_t state_of(const struct usock *u)
{
	if (!u->embryo)
		return u->state == US_CONNECTED ? SS_CONNECTED : SS_UNCONNECTED;
	return u->state == US_CONNECTED ? SS_CONNECTING : SS_DISCONNECTING;
}

void unix_proc_net(struct ptext *t)
{
	PT_LIT(t, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	for (struct usock_ref r = unix_list_first(); usock_ref_valid(r);) {
		struct usock *u = usock_get(r);
		struct sock *sk = sock_get(u->sk);
		if (sk && !u->dead) {
			PT_LIT(t, "0000000000000000: ");
			pt_hex_upper(t, u->state == US_CONNECTED ? 3 : 2, 8);
			PT_LIT(t, " 00000000 ");
			pt_hex_upper(t, u->state == US_LISTEN ? SO_ACCEPTCON_FLAG : 0, 8);
			pt_char(t, ' ');
			pt_hex_upper(t, u->type, 4);
			pt_char(t, ' ');
			pt_hex_upper(t, state_of(u), 2);
			pt_char(t, ' ');
			pt_u64w(t, sk->ino, 5);
			show_name(t, &u->addr);
			pt_char(t, '\n');
		}
		r = u->next_all;
	}
}
