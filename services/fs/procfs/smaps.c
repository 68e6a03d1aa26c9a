/* /proc/<pid>/smaps, smaps_rollup and coredump_filter. Layer: services
 * (safe C). Trusts mm/ for the areas and the framework's page tables for
 * which pages are present.
 *
 * Every area's pages are looked up one by one. What Keel can tell is
 * whether a page is present, how it is mapped now and what backs the
 * area; it keeps no count of a frame's mappers and no dirty or accessed
 * bits, so: Rss counts present pages; Pss equals Rss; a page counts as
 * shared only in a MAP_SHARED area or while it is copy-on-write shared
 * after fork; anonymous pages and private copies of file pages (mapped
 * writable now) are dirty, file pages clean; Referenced equals Rss; Swap
 * is 0 (nothing is swapped); Locked is Rss in an mlocked area. The
 * field names, widths and order are Linux's (with the KSM line newer
 * kernels have). */
#include "fs/procfs/smaps.h"
#include "fs/procfs/procfs.h"

#define COREDUMP_DEFAULT 0x33
#define COREDUMP_BITS 9

/* The figures of one area, or of all (rollup), in pages. */
struct mss {
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty, anonymous, locked;
	uint64_t pss_anon, pss_file, pss_shmem, pss_dirty;
};

static void count_area(struct fw_vm_ref vm, const struct vma *v, struct mss *s)
{
	bool file = (v->flags & VMA_FILE) && !(v->flags & VMA_ANON_SHARED);
	bool shared_area = (v->flags & (VMA_SHARED | VMA_ANON_SHARED)) != 0;
	for (uint64_t a = v->start; a < v->end; a += 4096) {
		struct fw_vm_page pg;
		if (fw_vm_lookup(vm, a, &pg) || !pg.present)
			continue;
		/* a private file area's page mapped writable is its own copy */
		bool anon = !shared_area && (!file || (pg.prot & FW_PROT_WRITE));
		bool dirty = anon || (shared_area && !file);
		bool shared = shared_area || pg.cow;
		s->resident++;
		if (shared)
			*(dirty ? &s->shared_dirty : &s->shared_clean) += 1;
		else
			*(dirty ? &s->private_dirty : &s->private_clean) += 1;
		if (anon)
			s->anonymous++;
		if (v->flags & VMA_LOCKED)
			s->locked++;
		if (dirty)
			s->pss_dirty++;
		if (anon)
			s->pss_anon++;
		else if (v->flags & VMA_ANON_SHARED)
			s->pss_shmem++;
		else
			s->pss_file++;
	}
}

/* "Name:" padded to 16 columns, the value in kB right-aligned in 8. */
static void kb_line(struct ptext *t, const struct kname *name, uint64_t kb, uint32_t width)
{
	pt_kname(t, name);
	pt_pad(t, 16, 1);
	pt_u64w(t, kb, width);
	PT_LIT(t, " kB\n");
}

static void field(struct ptext *t, const char (*name)[20], uint64_t pages)
{
	struct kname n = {0};
	while (n.len < 19 && (*name)[n.len]) {
		n.s[n.len] = (*name)[n.len];
		n.len++;
	}
	kb_line(t, &n, pages * 4, 8);
}

static void show_mss(struct ptext *t, const struct mss *s, bool rollup)
{
	const char rss[20] = "Rss:", pss[20] = "Pss:", pss_dirty[20] = "Pss_Dirty:", pss_anon[20] = "Pss_Anon:",
		   pss_file[20] = "Pss_File:", pss_shmem[20] = "Pss_Shmem:", sc[20] = "Shared_Clean:",
		   sd[20] = "Shared_Dirty:", pc[20] = "Private_Clean:", pd[20] = "Private_Dirty:",
		   ref[20] = "Referenced:", anon[20] = "Anonymous:", ksm[20] = "KSM:", lazy[20] = "LazyFree:",
		   ahp[20] = "AnonHugePages:", spm[20] = "ShmemPmdMapped:", fpm[20] = "FilePmdMapped:",
		   sh[20] = "Shared_Hugetlb:", swap[20] = "Swap:", swappss[20] = "SwapPss:", locked[20] = "Locked:";
	field(t, &rss, s->resident);
	field(t, &pss, s->resident);
	field(t, &pss_dirty, s->pss_dirty);
	if (rollup) {
		field(t, &pss_anon, s->pss_anon);
		field(t, &pss_file, s->pss_file);
		field(t, &pss_shmem, s->pss_shmem);
	}
	field(t, &sc, s->shared_clean);
	field(t, &sd, s->shared_dirty);
	field(t, &pc, s->private_clean);
	field(t, &pd, s->private_dirty);
	field(t, &ref, s->resident);
	field(t, &anon, s->anonymous);
	field(t, &ksm, 0);
	field(t, &lazy, 0);
	field(t, &ahp, 0);
	field(t, &spm, 0);
	field(t, &fpm, 0);
	field(t, &sh, 0);
	PT_LIT(t, "Private_Hugetlb: ");
	pt_u64w(t, 0, 7);
	PT_LIT(t, " kB\n");
	field(t, &swap, 0);
	field(t, &swappss, 0);
	field(t, &locked, s->locked);
}

static void flag(struct ptext *t, bool on, char a, char b)
{
	if (!on)
		return;
	pt_char(t, a);
	pt_char(t, b);
	pt_char(t, ' ');
}

/* Linux's two-letter VmFlags mnemonics for what Keel records. */
static void vm_flags(struct ptext *t, const struct vma *v)
{
	bool shared = (v->flags & (VMA_SHARED | VMA_ANON_SHARED)) != 0;
	bool nowrite = (v->flags & VMA_NOWRITE) != 0; /* a shared mapping of a read-only file */
	PT_LIT(t, "VmFlags: ");
	flag(t, v->prot & FW_PROT_READ, 'r', 'd');
	flag(t, v->prot & FW_PROT_WRITE, 'w', 'r');
	flag(t, v->prot & FW_PROT_EXEC, 'e', 'x');
	flag(t, shared && !nowrite, 's', 'h');
	flag(t, true, 'm', 'r');
	flag(t, !nowrite, 'm', 'w');
	flag(t, true, 'm', 'e');
	flag(t, shared, 'm', 's');
	flag(t, v->flags & VMA_GROWSDOWN, 'g', 'd');
	flag(t, v->flags & VMA_LOCKED, 'l', 'o');
	flag(t, !shared && (v->prot & FW_PROT_WRITE), 'a', 'c');
	pt_char(t, '\n');
}

void procgen_smaps(struct ptext *t, struct proc *p, bool rollup)
{
	struct mm *m = mm_get(p->mm);
	if (!m)
		return;
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return;
	struct mss all = {0};
	uint64_t first = 0, last = 0;
	for (struct vma_ref v = m->vmas; vma_ref_valid(v);) {
		struct vma cur = *vma_get(v);
		struct mss s = {0};
		count_area(m->vm, &cur, &s);
		if (!rollup) {
			procgen_maps_line(t, m, &cur, pr);
			const char size[20] = "Size:", kps[20] = "KernelPageSize:", mps[20] = "MMUPageSize:";
			field(t, &size, (cur.end - cur.start) / 4096);
			field(t, &kps, 1);
			field(t, &mps, 1);
			show_mss(t, &s, false);
			PT_LIT(t, "THPeligible:    0\n");
			vm_flags(t, &cur);
		}
		if (!first)
			first = cur.start;
		last = cur.end;
		all.resident += s.resident;
		all.shared_clean += s.shared_clean;
		all.shared_dirty += s.shared_dirty;
		all.private_clean += s.private_clean;
		all.private_dirty += s.private_dirty;
		all.anonymous += s.anonymous;
		all.locked += s.locked;
		all.pss_anon += s.pss_anon;
		all.pss_file += s.pss_file;
		all.pss_shmem += s.pss_shmem;
		all.pss_dirty += s.pss_dirty;
		v = cur.next;
		m = mm_get(p->mm);
		if (!m)
			break;
	}
	kpath_free(pr);
	if (!rollup)
		return;
	pt_hex(t, first, 8);
	pt_char(t, '-');
	pt_hex(t, last, 8);
	PT_LIT(t, " ---p 00000000 00:00 0");
	pt_pad(t, 73, 1);
	PT_LIT(t, "[rollup]\n");
	show_mss(t, &all, true);
}

uint32_t procgen_coredump_filter(const struct proc *p) { return p->coredump_filter_x ^ COREDUMP_DEFAULT; }

int procgen_set_coredump_filter(struct proc *p, const struct kchunk *c, uint32_t n)
{
	uint32_t i = 0;
	while (i < n && (c->b[i] == ' ' || c->b[i] == '\t'))
		i++;
	uint32_t base = 10;
	if (i + 1 < n && c->b[i] == '0' && (c->b[i + 1] == 'x' || c->b[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (i < n && c->b[i] == '0') {
		base = 8;
	}
	uint64_t v = 0;
	uint32_t digits = 0;
	for (; i < n; i++, digits++) {
		uint8_t ch = c->b[i];
		uint32_t d = ch >= '0' && ch <= '9' ? (uint32_t)(ch - '0')
			     : ch >= 'a' && ch <= 'f' ? (uint32_t)(ch - 'a' + 10)
			     : ch >= 'A' && ch <= 'F' ? (uint32_t)(ch - 'A' + 10) : 99;
		if (d >= base)
			break;
		v = v * base + d;
		if (v > 0xffffffffULL)
			return -ERANGE;
	}
	if (i < n && c->b[i] == '\n')
		i++;
	if (!digits || i != n)
		return -EINVAL;
	uint32_t keep = (uint32_t)v & ((1u << COREDUMP_BITS) - 1);
	p->coredump_filter_x = (uint16_t)(keep ^ COREDUMP_DEFAULT);
	return 0;
}
