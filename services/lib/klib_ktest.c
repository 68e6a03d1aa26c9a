/* ktests of the shared name and path helpers (kname_eq, kname_set,
 * kpath_append) at their length limits. Layer: services (safe C). They
 * trust only the kpath pool; the bounds sanitizer would stop any index
 * the helpers get wrong, and the values checked here catch the rest. */
#include "lib/klib.h"
#include <fw/ktest.h>

static void fill(struct kname *n, uint32_t len, char ch)
{
	for (uint32_t i = 0; i < len && i < NAME_MAX; i++)
		n->s[i] = ch;
	n->len = len;
	n->s[len <= NAME_MAX ? len : NAME_MAX] = 0;
}

FW_KTEST(svc_lib_kname_eq_compares_every_byte)
{
	struct kname a, b;
	fill(&a, NAME_MAX, 'x');
	fill(&b, NAME_MAX, 'x');
	FW_EXPECT(t, kname_eq(&a, &b));
	b.s[NAME_MAX - 1] = 'y'; /* the very last byte differs */
	FW_EXPECT(t, !kname_eq(&a, &b));
	fill(&b, NAME_MAX - 1, 'x'); /* a prefix is not equal */
	FW_EXPECT(t, !kname_eq(&a, &b) && !kname_eq(&b, &a));
	fill(&a, 0, 0);
	fill(&b, 0, 0);
	FW_EXPECT(t, kname_eq(&a, &b));
}

FW_KTEST(svc_lib_kname_set_cuts_at_name_max)
{
	struct kpath_ref pr = {0};
	FW_EXPECT(t, kpath_alloc(&pr) == 0);
	struct kpath *p = kpath_get(pr);
	for (uint32_t i = 0; i < 600; i++)
		p->s[i] = (char)('a' + i % 26);
	p->len = 600;
	struct kname n;
	kname_set(&n, p, 10, 3);
	FW_EXPECT(t, n.len == 3 && n.s[0] == 'k' && n.s[2] == 'm' && n.s[3] == 0);
	kname_set(&n, p, 0, 400); /* longer than a name can be */
	FW_EXPECT(t, n.len == NAME_MAX && n.s[NAME_MAX - 1] == (char)('a' + (NAME_MAX - 1) % 26) && n.s[NAME_MAX] == 0);
	kname_set(&n, p, 5, 0);
	FW_EXPECT(t, n.len == 0 && n.s[0] == 0);
	kpath_free(pr);
}

FW_KTEST(svc_lib_kpath_append_separators_and_limit)
{
	struct kpath_ref pr = {0};
	FW_EXPECT(t, kpath_alloc(&pr) == 0);
	struct kpath *p = kpath_get(pr);
	struct kname n;
	fill(&n, 2, 'd');
	p->len = 0;
	p->s[0] = 0;
	FW_EXPECT(t, kpath_append(p, &n) && p->len == 3 && p->s[0] == '/' && p->s[2] == 'd' && p->s[3] == 0);
	FW_EXPECT(t, kpath_append(p, &n) && p->len == 6 && p->s[3] == '/'); /* "/dd/dd" */
	p->s[0] = '/';
	p->len = 1; /* "/": no second slash */
	FW_EXPECT(t, kpath_append(p, &n) && p->len == 3 && p->s[1] == 'd');
	/* the limit: the result and its NUL must fit PATH_MAX bytes */
	for (uint32_t i = 0; i < PATH_MAX; i++)
		p->s[i] = 'p';
	fill(&n, 100, 'n');
	p->len = PATH_MAX - 2 - 100;
	FW_EXPECT(t, kpath_append(p, &n) && p->len == PATH_MAX - 1 && p->s[PATH_MAX - 1] == 0);
	FW_EXPECT(t, p->s[PATH_MAX - 102] == '/' && p->s[PATH_MAX - 2] == 'n');
	p->len = PATH_MAX - 1 - 100; /* one byte too long: refused, unchanged */
	p->s[p->len] = 0;
	FW_EXPECT(t, !kpath_append(p, &n) && p->len == PATH_MAX - 101 && p->s[p->len] == 0);
	kpath_free(pr);
}
