// expect: pod-dst
/* attack round 2 (accepted, harmless here: .rodata is read-only, so the
 * write faulted): C types a string literal char[N] and a const table's
 * const sits on its elements, so both passed as destinations for user
 * bytes. A literal is storage the linker shares with the framework's own
 * strings; a const object may be folded by the compiler. */
#include <fw/testapi.h>
static const uint32_t limits[4] = {1, 2, 3, 4};

int overwrite(uaddr_t u)
{
	const uint8_t local_tbl[8] = {1};
	int rc = fw_copy_from_user(&"%d %d", u);
	rc |= fw_copy_from_user("%d %d", u);
	rc |= fw_copy_from_user(&limits, u);
	rc |= fw_copy_from_user(&local_tbl, u);
	return rc;
}
