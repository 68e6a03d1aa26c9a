/* User-memory copies. Layer: framework/mm (trusted).
 * Everything funnels into uaccess_copy (arch/x86_64/uaccess.S), whose one
 * faulting instruction the page-fault handler knows how to recover. */
#include "internal/init.h"
#include "internal/lib.h"
#include "internal/arch.h"
#include <abi/errno.h>
#include <fw/user.h>


bool fw_user_range_ok(uint64_t a, uint64_t n) { return a < FW_USER_TOP && n <= FW_USER_TOP - a; }

int fw_user_read(void *dst, size_t cap, size_t n, struct fw_uaddr src)
{
	if (n > cap)
		return -EINVAL;
	if (!fw_user_range_ok(src.a, n))
		return -EFAULT;
	/* SAFETY: dst has cap >= n bytes (size from the type, via the macro);
	 * src range is in the user half; faults are recovered. */
	return n ? (int)uaccess_copy(dst, (const void *)src.a, n) : 0; /* SAFETY: see above */
}

int fw_user_write(struct fw_uaddr dst, const void *src, size_t cap, size_t n)
{
	if (n > cap)
		return -EINVAL;
	if (!fw_user_range_ok(dst.a, n))
		return -EFAULT;
	/* SAFETY: as above, with the roles swapped. */
	return n ? (int)uaccess_copy((void *)dst.a, src, n) : 0;
}

long fw_user_strcpy(void *dstv, size_t cap, struct fw_uaddr src)
{
	char *dst = dstv;
	size_t len = 0;
	/* A zero-size destination (an empty struct) holds not even the NUL:
	 * the terminator below would land at dst[-1]. */
	if (cap == 0)
		return -ENAMETOOLONG;
	/* Most strings (paths, names) are short: the first chunk is small and
	 * each next one twice as large, so a 20-byte path costs a 64-byte
	 * copy, not one up to its page's end. */
	size_t want = 64;
	while (len < cap) {
		uint64_t a = src.a + len;
		/* Never past the end of the page: never touches a page the
		 * string does not reach. */
		size_t chunk = FW_MIN(FW_MIN(cap - len, want), FW_PAGE_SIZE - (a & (FW_PAGE_SIZE - 1)));
		want = FW_MIN(want * 2, (size_t)FW_PAGE_SIZE);
		if (!fw_user_range_ok(a, chunk))
			return -EFAULT;
		/* SAFETY: len + chunk <= cap (the caller's object); [a, a+chunk)
		 * checked to be user memory; faults recover to -EFAULT. */
		if (uaccess_copy(dst + len, (const void *)a, chunk) < 0)
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (dst[len + i] == 0)
				return (long)(len + i);
		len += chunk;
	}
	dst[cap - 1] = 0; /* SAFETY: cap >= 1 (checked on entry) */
	return -ENAMETOOLONG;
}

int fw_clear_user(struct fw_uaddr dst, size_t n)
{
	static const char zeros[256];
	/* The whole range first: nothing is zeroed if any of it is not user
	 * memory, and the loop below cannot step past FW_USER_TOP. */
	if (n && !fw_user_range_ok(dst.a, n))
		return -EFAULT;
	while (n) {
		size_t c = FW_MIN(n, sizeof(zeros));
		int r = fw_user_write(dst, zeros, sizeof(zeros), c);
		if (r)
			return r;
		dst.a += c;
		n -= c;
	}
	return 0;
}
