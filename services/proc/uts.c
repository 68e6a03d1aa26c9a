/* The system's names: what uname(2) reports and sethostname(2),
 * setdomainname(2) and /proc/sys/kernel change. Layer: services (safe C).
 * One set per UTS namespace (the caller's: proc/ns.c); a new namespace
 * starts as a copy of its creator's. The host and domain names read
 * "(none)" until set, as on a Linux booted without them. */
#include "proc/proc.h"

struct uts_one {
	struct kname host, domain;
	bool host_set, domain_set;
};
struct uts_names {
	struct uts_one ns[NSK_SLOTS];
};
FW_GLOBAL(struct uts_names, uts_names_all);

static uint32_t my_slot(void) { return ns_slot(cur_proc(), NSK_UTS); }

int uts_copy(uint32_t from, uint32_t to)
{
	if (from >= NSK_SLOTS || to >= NSK_SLOTS)
		return -EINVAL;
	uts_names_all()->ns[to] = uts_names_all()->ns[from];
	return 0;
}

struct lit24 {
	char s[24];
};

static void lit(struct kname *out, struct lit24 l, uint32_t n)
{
	out->len = 0;
	for (uint32_t i = 0; i < n && i < sizeof(l.s) && l.s[i]; i++)
		out->s[out->len++] = l.s[i];
	out->s[out->len] = 0;
}

void uts_get(uint32_t which, struct kname *out)
{
	struct uts_one u = uts_names_all()->ns[my_slot()];
	switch (which) {
	case UTS_SYSNAME:
		lit(out, (struct lit24){"Linux"}, 5);
		return;
	case UTS_RELEASE:
		lit(out, (struct lit24){"6.1.0-keel"}, 10);
		return;
	case UTS_VERSION:
		lit(out, (struct lit24){"#1 Keel framekernel"}, 19);
		return;
	case UTS_MACHINE:
		lit(out, (struct lit24){"x86_64"}, 6);
		return;
	case UTS_HOST:
		if (u.host_set)
			*out = u.host;
		else
			lit(out, (struct lit24){"(none)"}, 6);
		return;
	case UTS_DOMAIN:
		if (u.domain_set)
			*out = u.domain;
		else
			lit(out, (struct lit24){"(none)"}, 6);
		return;
	default:
		out->len = 0;
		out->s[0] = 0;
	}
}

int uts_set(uint32_t which, const struct kname *name)
{
	if (name->len > UTS_LEN)
		return -EINVAL;
	struct uts_names *all = uts_names_all();
	uint32_t i = my_slot();
	if (which == UTS_HOST) {
		all->ns[i].host = *name;
		all->ns[i].host_set = true;
	} else if (which == UTS_DOMAIN) {
		all->ns[i].domain = *name;
		all->ns[i].domain_set = true;
	} else {
		return -EINVAL;
	}
	return 0;
}
