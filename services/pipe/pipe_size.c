/* Pipe capacities and limits: /proc/sys/fs/pipe-max-size and
 * pipe-user-pages-soft/-hard, and each user's pipe pages. Layer:
 * services (safe C). Trusts proc/ for the caller's credentials.
 *
 * As Linux: every pipe charges its capacity in pages to the real uid
 * that made it; an unprivileged user's new pipe is capped by
 * pipe-max-size and shrinks to two pages once the user is past the soft
 * limit, and cannot be made at all past the hard one (ENFILE); growing a
 * pipe with F_SETPIPE_SZ past pipe-max-size or past either limit is
 * EPERM for an unprivileged user. Root (Keel's CAP_SYS_RESOURCE) is not
 * limited. */
#include "pipe/pipe_size.h"
#include "proc/proc.h"

#define PIPE_USERS 64
#define PIPE_MIN_PAGES 2 /* Linux's PIPE_MIN_DEF_BUFFERS */

struct pipe_acct {
	uint64_t max_size, soft, hard;
	bool set;
	uint32_t uid[PIPE_USERS];
	uint64_t pages[PIPE_USERS];
};
FW_GLOBAL(struct pipe_acct, pipe_acct);

static struct pipe_acct *acct(void)
{
	struct pipe_acct *a = pipe_acct();
	if (!a->set) {
		a->max_size = PIPE_MAX_BYTES; /* Linux's default, 1 MiB */
		a->soft = 16384;              /* pages: 64 MiB */
		a->hard = 0;
		a->set = true;
	}
	return a;
}

uint64_t pipe_limit(uint32_t which)
{
	struct pipe_acct *a = acct();
	return which == PIPE_LIM_MAX_SIZE ? a->max_size : which == PIPE_LIM_PAGES_SOFT ? a->soft : a->hard;
}

uint32_t pipe_round_size(uint64_t arg)
{
	uint64_t size = arg & 0xffffffffULL;
	if (size > (1ULL << 31))
		return 0;
	uint64_t r = 4096;
	while (r < size)
		r <<= 1;
	return (uint32_t)r;
}

int pipe_set_limit(uint32_t which, uint64_t v)
{
	struct pipe_acct *a = acct();
	if (which == PIPE_LIM_MAX_SIZE) {
		if (v > (1ULL << 31))
			return -EINVAL;
		a->max_size = pipe_round_size(v);
	} else if (which == PIPE_LIM_PAGES_SOFT) {
		a->soft = v;
	} else if (which == PIPE_LIM_PAGES_HARD) {
		a->hard = v;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Add delta pages to uid's count (a slot found or made): the new total. */
static uint64_t account(uint32_t uid, int64_t delta)
{
	struct pipe_acct *a = acct();
	int32_t slot = -1;
	for (uint32_t i = 0; i < PIPE_USERS; i++) {
		if (a->pages[i] && a->uid[i] == uid) {
			slot = (int32_t)i;
			break;
		}
		if (slot < 0 && a->pages[i] == 0)
			slot = (int32_t)i;
	}
	if (slot < 0)
		return 0; /* more users than slots: they go uncounted */
	uint32_t i = (uint32_t)slot;
	uint64_t now = a->pages[i] && a->uid[i] == uid ? a->pages[i] : 0;
	a->uid[i] = uid;
	a->pages[i] = delta < 0 && (uint64_t)-delta > now ? 0 : now + (uint64_t)delta;
	return a->pages[i];
}

/* Linux's pipe_is_unprivileged_user */
static bool unprivileged(void) { return !cred_capable(CAP_SYS_RESOURCE) && !cred_capable(CAP_SYS_ADMIN); }

static bool over(uint64_t limit, uint64_t pages) { return limit && pages > limit; }

int pipe_charge_new(uint32_t *size, uint32_t *uid, uint32_t *pages)
{
	struct pipe_acct *a = acct();
	uint64_t n = PIPE_SIZE / 4096;
	bool unpriv = unprivileged();
	if (n * 4096 > a->max_size && unpriv)
		n = a->max_size / 4096;
	*uid = cur_proc()->uid;
	uint64_t total = account(*uid, (int64_t)n);
	if (over(a->soft, total) && unpriv) {
		total = account(*uid, PIPE_MIN_PAGES - (int64_t)n);
		n = PIPE_MIN_PAGES;
	}
	if (over(a->hard, total) && unpriv) {
		account(*uid, -(int64_t)n);
		return -ENFILE;
	}
	*pages = (uint32_t)n;
	*size = (uint32_t)n * 4096;
	return 0;
}

void pipe_uncharge(uint32_t uid, uint32_t pages) { account(uid, -(int64_t)pages); }

int pipe_charge_resize(uint32_t uid, uint32_t cur, uint32_t pages, uint32_t size)
{
	struct pipe_acct *a = acct();
	uint32_t n = size / 4096;
	bool unpriv = unprivileged();
	if (size > cur && size > a->max_size && unpriv)
		return -EPERM;
	uint64_t total = account(uid, (int64_t)n - (int64_t)pages);
	if (n > pages && (over(a->hard, total) || over(a->soft, total)) && unpriv) {
		account(uid, (int64_t)pages - (int64_t)n);
		return -EPERM;
	}
	return 0;
}

void pipe_charge_undo(uint32_t uid, uint32_t pages, uint32_t size)
{
	account(uid, (int64_t)pages - (int64_t)(size / 4096));
}
