/* The vDSO: a small ELF shared object (user/vdso/, built by mk/vdso.mk)
 * that every process gets mapped, so clock_gettime, gettimeofday, time and
 * getcpu need no system call. Layer: services (safe C). Trusts the
 * framework's clock parameters (<fw/time.h>) and the image bytes the build
 * generated.
 *
 * The image and its data page live in one hidden inode (never linked,
 * held open forever): page 0 is the data page (struct vvar_k, the layout
 * of user/vdso/vvar.h), pages 1.. the image. Each process maps them as a
 * private file mapping, so its pages are the inode's own frames, shared
 * copy-on-write (mm/fault.c): the kernel rewrites page 0 in place and
 * every process sees it; a process that makes them writable gets a copy. */
#include "exec/exec.h"
#include "exec/vdso_image.h"
#include <fw/time.h>

#define VDSO_PAGES ((VDSO_IMAGE_SIZE + 4095u) / 4096u)
/* [vvar][image] just below the lowest address the stack may grow to */
#define VDSO_AREA (USER_STACK_TOP - USER_STACK_MAX - (1ULL << 20))

/* user/vdso/vvar.h's struct keel_vvar */
struct vvar_k {
	uint64_t seq;
	uint64_t tsc_boot;
	uint64_t tsc_mult;
	uint64_t realtime_base_ns;
};

struct vdso_state {
	struct inode_ref ino;
	bool ready;
	uint64_t seq;
};
FW_GLOBAL(struct vdso_state, vdso_state);

static int write_vvar(struct inode_ref ino)
{
	struct fw_clock_params cp;
	fw_time_clock_params(&cp);
	struct vvar_k v = {.seq = cp.seq * 2, .tsc_boot = cp.tsc_boot, .tsc_mult = cp.tsc_mult,
			   .realtime_base_ns = cp.realtime_base_ns};
	struct fw_frame_ref f;
	int e = inode_page(ino, 0, false, &f);
	if (e == 0)
		e = fw_frame_write(f, 0, &v, sizeof(v));
	if (e == 0)
		vdso_state()->seq = cp.seq;
	return e;
}

/* Build the inode once (at the first exec). */
static int vdso_setup(void)
{
	struct vdso_state *s = vdso_state();
	if (s->ready)
		return 0;
	struct inode_ref ino;
	if (inode_new(S_IFREG | 0444, &ino))
		return -ENOMEM;
	struct fw_frame_ref f;
	int e = inode_page(ino, 0, true, &f);
	for (uint32_t i = 0; e == 0 && i < VDSO_PAGES; i++) {
		uint32_t n = FW_MIN(4096u, VDSO_IMAGE_SIZE - i * 4096u);
		e = inode_page(ino, 1 + i, true, &f);
		if (e == 0)
			e = fw_frame_write_at(f, 0, &vdso_image, (size_t)i * 4096u, n);
	}
	if (e == 0)
		e = write_vvar(ino);
	if (e) {
		inode_put_if_unused(ino);
		return -ENOMEM;
	}
	struct inode *ip = inode_get(ino);
	ip->size = 4096ULL * (1 + VDSO_PAGES);
	ip->open_count = 1; /* never released */
	s = vdso_state();
	s->ino = ino;
	s->ready = true;
	return 0;
}

void vdso_clock_changed(void)
{
	struct vdso_state *s = vdso_state();
	if (s->ready)
		(void)write_vvar(s->ino);
}

int vdso_map(struct mm_ref m)
{
	int e = vdso_setup();
	if (e)
		return e;
	struct vdso_state *s = vdso_state();
	struct fw_clock_params cp;
	fw_time_clock_params(&cp);
	if (cp.seq != s->seq)
		vdso_clock_changed();
	uint64_t base = VDSO_AREA;
	e = mm_map(m, base, 4096, FW_PROT_READ, VMA_FILE | VMA_VDSO, s->ino, 0, 4096);
	if (e == 0)
		e = mm_map(m, base + 4096, 4096ULL * VDSO_PAGES, FW_PROT_READ | FW_PROT_EXEC, VMA_FILE | VMA_VDSO, s->ino,
			   4096, 4096ULL * VDSO_PAGES);
	if (e)
		return e;
	mm_get(m)->vdso_base = base + 4096;
	return 0;
}
