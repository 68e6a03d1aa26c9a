/* AF_UNIX names: parsing sockaddr_un, binding path names (a socket inode
 * in the file system) and abstract names, autobind, and finding the
 * socket an address names. Layer: services (safe C). Trusts the VFS for
 * path resolution, and the socket layer's VFS glue for permissions and
 * socket inodes. */
#include "net/unix/unix.h"
#include "proc/proc.h"
#include <fw/console.h>

struct unix_table {
	struct usock_ref head;
};
FW_GLOBAL(struct unix_table, unix_table);

void unix_list_add(struct usock_ref u)
{
	struct unix_table *t = unix_table();
	struct usock *up = usock_get(u);
	up->next_all = t->head;
	up->prev_all = (struct usock_ref){0};
	struct usock *h = usock_get(t->head);
	if (h)
		h->prev_all = u;
	t->head = u;
}

void unix_list_del(struct usock_ref u)
{
	struct unix_table *t = unix_table();
	struct usock *up = usock_get(u);
	if (!up)
		return;
	struct usock *prev = usock_get(up->prev_all), *next = usock_get(up->next_all);
	if (prev)
		prev->next_all = up->next_all;
	else if (t->head.idx == u.idx && t->head.gen == u.gen)
		t->head = up->next_all;
	if (next)
		next->prev_all = up->prev_all;
	up->next_all = (struct usock_ref){0};
	up->prev_all = (struct usock_ref){0};
}

struct usock_ref unix_list_first(void) { return unix_table()->head; }

bool unix_addr_abstract(const struct unix_addr *a) { return a->len > UNIX_PATH_OFF && a->b[UNIX_PATH_OFF] == 0; }

int unix_addr_parse(const struct sockaddr_k *a, struct unix_addr *out)
{
	if (a->len < UNIX_PATH_OFF || a->len > UNIX_ADDR_MAX)
		return -EINVAL;
	if ((a->b[0] | (a->b[1] << 8)) != AF_UNIX)
		return -EINVAL;
	for (uint32_t i = 0; i < UNIX_ADDR_MAX; i++)
		out->b[i] = i < a->len ? a->b[i] : 0;
	if (a->len == UNIX_PATH_OFF) {
		out->len = UNIX_PATH_OFF;
		return 0;
	}
	if (a->b[UNIX_PATH_OFF] == 0) {
		out->len = a->len;
		return 0;
	}
	/* a path: up to the first NUL within the given length */
	uint32_t n = 0;
	while (UNIX_PATH_OFF + n < a->len && a->b[UNIX_PATH_OFF + n])
		n++;
	if (UNIX_PATH_OFF + n >= UNIX_ADDR_MAX)
		return -EINVAL;
	for (uint32_t i = UNIX_PATH_OFF + n; i < UNIX_ADDR_MAX; i++)
		out->b[i] = 0;
	out->len = UNIX_PATH_OFF + n + 1;
	return 0;
}

static bool addr_eq(const struct unix_addr *a, const struct unix_addr *b)
{
	if (a->len != b->len)
		return false;
	for (uint32_t i = 0; i < a->len && i < UNIX_ADDR_MAX; i++)
		if (a->b[i] != b->b[i])
			return false;
	return true;
}

/* Abstract names are per socket type, as in Linux (its hash includes it). */
static bool abstract_taken(const struct unix_addr *a, uint16_t type)
{
	for (struct usock_ref r = unix_list_first(); usock_ref_valid(r);) {
		struct usock *u = usock_get(r);
		if (!u->dead && u->type == type && unix_addr_abstract(&u->addr) && addr_eq(&u->addr, a))
			return true;
		r = u->next_all;
	}
	return false;
}

/* The path of a path address as a kpath (in a pool object). */
static int addr_path(const struct unix_addr *a, struct kpath_ref *out)
{
	if (kpath_alloc(out))
		return -ENOMEM;
	struct kpath *p = kpath_get(*out);
	p->len = 0;
	for (uint32_t i = UNIX_PATH_OFF; i < a->len && i < UNIX_ADDR_MAX && a->b[i]; i++)
		p->s[p->len++] = (char)a->b[i];
	p->s[p->len] = 0;
	return 0;
}

static int lookup_path(const struct unix_addr *a, uint32_t flags, struct inode_ref *out, struct kname *last)
{
	struct kpath_ref pr;
	int e = addr_path(a, &pr);
	if (e)
		return e;
	struct proc *p = cur_proc();
	e = path_lookup(p->root, p->cwd, kpath_get(pr), flags, out, last);
	kpath_free(pr);
	return e;
}

static int bind_path(struct usock_ref u, const struct unix_addr *a)
{
	struct inode_ref dir, ino;
	struct kname last;
	int e = lookup_path(a, LOOKUP_PARENT, &dir, &last);
	if (e)
		return e;
	if (last.len == 0)
		return -EADDRINUSE; /* "/": mknod would say EEXIST */
	if (dir_lookup(dir, &last, &ino) == 0)
		return -EADDRINUSE;
	e = net_make_sock_node(dir, &last, 0777 & ~cur_proc()->umask, &ino);
	if (e)
		return e == -EEXIST ? -EADDRINUSE : e;
	struct usock *up = usock_get(u);
	if (up->addr.len) {
		(void)vfs_unlink(dir, &last);
		return -EINVAL;
	}
	up->inode = ino;
	return 0;
}

/* Linux's order: a path is created first (EADDRINUSE if it exists) and
 * only then is a second bind refused; an abstract name checks the
 * socket first. */
int unix_bind_addr(struct usock_ref u, const struct unix_addr *a)
{
	struct usock *up = usock_get(u);
	int e;
	if (unix_addr_abstract(a)) {
		if (up->addr.len)
			return -EINVAL;
		e = abstract_taken(a, up->type) ? -EADDRINUSE : 0;
	} else {
		e = bind_path(u, a);
	}
	if (e)
		return e;
	up = usock_get(u);
	up->addr = *a;
	return 0;
}

int unix_autobind(struct usock_ref u)
{
	struct usock *up = usock_get(u);
	if (!up)
		return -EINVAL;
	if (up->addr.len)
		return 0;
	uint32_t order = 0;
	fw_random_fill(&order, sizeof(order));
	struct unix_addr a = {0};
	a.len = UNIX_PATH_OFF + 1 + 5;
	a.b[0] = AF_UNIX;
	const char hex[] = "0123456789abcdef";
	for (uint32_t tries = 0; tries < 0x100000; tries++) {
		order = (order + 1) & 0xfffff;
		for (uint32_t i = 0; i < 5; i++)
			a.b[UNIX_PATH_OFF + 1 + i] = (uint8_t)hex[(order >> (4 * (4 - i))) & 0xf];
		if (!abstract_taken(&a, up->type)) {
			up = usock_get(u);
			up->addr = a;
			return 0;
		}
	}
	return -ENOSPC;
}

int unix_find(const struct unix_addr *a, uint16_t type, struct usock_ref *out)
{
	struct inode_ref ino = {0};
	bool path = !unix_addr_abstract(a);
	if (path) {
		struct kname last;
		int e = lookup_path(a, LOOKUP_FOLLOW, &ino, &last);
		if (e)
			return e;
		struct inode *ip = inode_get(ino);
		if (!ip || (ip->mode & S_IFMT) != S_IFSOCK)
			return -ECONNREFUSED;
		e = net_may_access(ino, 2);
		if (e)
			return e;
	}
	for (struct usock_ref r = unix_list_first(); usock_ref_valid(r);) {
		struct usock *u = usock_get(r);
		bool hit = path ? u->inode.idx == ino.idx && u->inode.gen == ino.gen && inode_ref_valid(u->inode)
		                : u->type == type && unix_addr_abstract(&u->addr) && addr_eq(&u->addr, a);
		if (hit && !u->dead) {
			if (u->type != type)
				return -EPROTOTYPE;
			*out = r;
			return 0;
		}
		r = u->next_all;
	}
	return -ECONNREFUSED;
}

void unix_unbind(struct usock_ref u)
{
	struct usock *up = usock_get(u);
	if (!up)
		return;
	up->inode = (struct inode_ref){0};
}
