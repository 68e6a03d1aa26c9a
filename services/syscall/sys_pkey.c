/* pkey_alloc(2), pkey_free(2), pkey_mprotect(2). Layer: services (safe C).
 * Keel does not enable memory protection keys (no PKU, CR4.PKE clear), so
 * it answers as Linux does on a CPU without them: no key exists (not even
 * the default key 0), pkey_mprotect takes only -1 and is then mprotect,
 * pkey_free refuses every key, and pkey_alloc fails with EINVAL the first
 * time in an address space (Linux takes key 0 and cannot program it) and
 * with ENOSPC afterwards; fork keeps that state, exec starts afresh. */
#include "syscall/syscall.h"

#define PKEY_ACCESS_MASK 3 /* PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE */

int64_t sys_pkey_alloc(struct fw_uregs *r)
{
	if (a0(r))
		return -EINVAL;
	if (a1(r) & ~(uint64_t)PKEY_ACCESS_MASK)
		return -EINVAL;
	struct mm *m = mm_get(cur_proc()->mm);
	if (!m || m->pkey_spent)
		return -ENOSPC;
	m->pkey_spent = true;
	return -EINVAL;
}

int64_t sys_pkey_free(struct fw_uregs *r)
{
	(void)r;
	return -EINVAL;
}

int64_t sys_pkey_mprotect(struct fw_uregs *r) { return mprotect_pkey(a0(r), a1(r), a2(r), (int32_t)a3(r)); }
