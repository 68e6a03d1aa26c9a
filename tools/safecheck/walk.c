/* safecheck — the AST walk.
 *
 * Layer: host tool. Visits every top-level declaration that is expanded in
 * a service file (framework headers' own declarations and inline bodies
 * are trusted and skipped), keeping the chain of ancestors so rules can
 * look at their context. Each node is then judged by the rules, which
 * decide per node whether its spelling makes it service code.
 */
#include "sc.h"

#include <stdio.h>

CXCursor w_parent(const struct walk *w, int up)
{
	int i = w->depth - 1 - up;
	return i >= 0 ? w->st[i].c : clang_getNullCursor();
}

enum CXCursorKind w_parent_kind(const struct walk *w, int up)
{
	int i = w->depth - 1 - up;
	return i >= 0 ? w->st[i].k : CXCursor_NoDeclFound;
}

static int is_transparent(enum CXCursorKind k)
{
	/* implicit casts (UnexposedExpr) and parentheses change nothing about
	 * "is this value handed straight to a call" */
	return k == CXCursor_UnexposedExpr || k == CXCursor_ParenExpr;
}

/* Is the current node (looking up through parens and implicit casts) a
 * direct argument of a call? The callee is child 0 of a CallExpr. */
int w_is_call_arg(const struct walk *w, int *argidx, CXCursor *call)
{
	int i = w->depth - 1;
	/* A cast written inside a trusted framework macro (e.g. the (void *)
	 * in fw_copy_from_user) hands the value on unchanged too. */
	while (i > 0 && (is_transparent(w->st[i - 1].k) ||
			 (w->st[i - 1].k == CXCursor_CStyleCastExpr && !sc_is_service(w->sc, w->st[i - 1].c))))
		i--;
	if (i <= 0 || w->st[i - 1].k != CXCursor_CallExpr || w->st[i].idx < 1)
		return 0;
	if (argidx)
		*argidx = w->st[i].idx - 1;
	if (call)
		*call = w->st[i - 1].c;
	return 1;
}

struct kids { CXCursor want; int n, i; };

static enum CXChildVisitResult kid_cb(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	struct kids *k = d;
	if (k->n == k->i) {
		k->want = c;
		k->n++;
		return CXChildVisit_Break;
	}
	k->n++;
	return CXChildVisit_Continue;
}

CXCursor nth_child(CXCursor c, int n)
{
	struct kids k = { clang_getNullCursor(), 0, n };
	clang_visitChildren(c, kid_cb, &k);
	return k.want;
}

CXCursor first_child(CXCursor c)
{
	return nth_child(c, 0);
}

int child_count(CXCursor c)
{
	struct kids k = { clang_getNullCursor(), 0, -1 };
	clang_visitChildren(c, kid_cb, &k);
	return k.n;
}

CXCursor last_child(CXCursor c)
{
	int n = child_count(c);
	return n > 0 ? nth_child(c, n - 1) : clang_getNullCursor();
}

CXCursor strip_implicit(CXCursor c)
{
	while (is_transparent(c.kind) && child_count(c) == 1)
		c = first_child(c);
	return c;
}

static enum CXChildVisitResult node_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	struct walk *w = d;
	if (w->depth >= SC_MAX_STACK) {
		sc_report_at(w->sc, c, "too-deep", "expression nesting too deep to check");
		return CXChildVisit_Continue;
	}
	struct frame *f = &w->st[w->depth];
	f->c = c;
	f->k = clang_getCursorKind(c);
	f->idx = w->depth ? w->st[w->depth - 1].nkids++ : 0;
	f->nkids = 0;
	w->depth++;
	if (clang_isExpression(f->k))
		rules_expr(w, c, f->k);
	else if (clang_isStatement(f->k))
		rules_stmt(w, c, f->k);
	else if (clang_isDeclaration(f->k) || clang_isAttribute(f->k))
		rules_decl(w, c, f->k);
	else if (clang_isReference(f->k))
		rules_ref(w, c, f->k);
	clang_visitChildren(c, node_cb, w);
	w->depth--;
	return CXChildVisit_Continue;
}

static enum CXChildVisitResult top_cb(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	struct walk *w = d;
	if (!sc_expands_in_service(w->sc, c) && !sc_is_service(w->sc, c))
		return CXChildVisit_Continue;  /* framework header: trusted */
	w->depth = 0;
	node_cb(c, parent, w);
	return CXChildVisit_Continue;
}

void sc_walk_tu(struct sc *sc)
{
	static struct walk w;  /* large; one TU per process */
	w.sc = sc;
	w.depth = 0;
	clang_visitChildren(clang_getTranslationUnitCursor(sc->tu), top_cb, &w);
}
