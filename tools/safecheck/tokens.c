/* safecheck — token-level rules and the include graph.
 *
 * Layer: host tool. These rules read the raw tokens of every service file
 * in the TU (macro bodies included, so a dormant trick is caught too):
 * asm, goto, _Pragma and the other reserved identifiers, builtins and
 * attributes as written; and the include graph as the preprocessor
 * resolved it. The preprocessing language itself (directives, digraphs,
 * splices, macro names) is pp.c. The AST rules catch the same constructs
 * semantically; this layer catches them where they are written.
 */
#include "sc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct toks {
	CXToken *t;
	unsigned n;
	CXTranslationUnit tu;
};

static char *tok_str(struct toks *ts, unsigned i, char *buf, size_t n)
{
	CXString s = clang_getTokenSpelling(ts->tu, ts->t[i]);
	snprintf(buf, n, "%s", clang_getCString(s));
	clang_disposeString(s);
	return buf;
}

static CXSourceLocation tok_loc(struct toks *ts, unsigned i)
{
	return clang_getTokenLocation(ts->tu, ts->t[i]);
}

static int tokenize_file(CXTranslationUnit tu, CXFile f, struct toks *ts)
{
	size_t size = 0;
	ts->tu = tu;
	ts->t = NULL;
	ts->n = 0;
	if (!clang_getFileContents(tu, f, &size) || size > UINT_MAX)
		return -1;
	CXSourceRange r = clang_getRange(clang_getLocationForOffset(tu, f, 0),
					 clang_getLocationForOffset(tu, f, (unsigned)size));
	clang_tokenize(tu, r, &ts->t, &ts->n);
	return 0;
}

/* ---- framework names: what a service #define must not touch ---- */
/* Every file of the TU, without a limit: a fixed-size list once stopped at
 * 512 files, and a #pragma in the 513th was never scanned (attack round 2:
 * a 64 KiB frame jumped the stack guard). */
struct incl_ctx { struct sc *sc; CXFile *files; int n, cap; };

static enum CXChildVisitResult fw_top(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	struct sc *sc = d;
	CXFile f = NULL;
	clang_getSpellingLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
	/* FW_UPCALL functions are declared by the framework for the services
	 * to define (svc_main, svc_syscall, ...): not framework names. */
	if (sc_file_origin(sc, f) == ORIGIN_FRAMEWORK &&
	    (c.kind == CXCursor_FunctionDecl || c.kind == CXCursor_VarDecl) && !cur_has_annot(c, "keel_upcall")) {
		CXString s = clang_getCursorSpelling(c);
		strset_add(sc->fwdecls, clang_getCString(s));
		clang_disposeString(s);
	}
	return CXChildVisit_Continue;
}

static void add_file(struct incl_ctx *ic, CXFile f)
{
	for (int i = 0; i < ic->n; i++)
		if (clang_File_isEqual(ic->files[i], f))
			return;
	if (ic->n == ic->cap) {
		ic->cap = ic->cap ? 2 * ic->cap : 64;
		ic->files = realloc(ic->files, (size_t)ic->cap * sizeof(*ic->files));
		if (!ic->files) {
			fprintf(stderr, "safecheck: out of memory\n");
			exit(2);
		}
	}
	ic->files[ic->n++] = f;
}

static void incl_cb(CXFile inc, CXSourceLocation *stack, unsigned len, CXClientData d)
{
	(void)stack;
	(void)len;
	add_file(d, inc);
}

static struct incl_ctx *all_files(struct sc *sc)
{
	static struct incl_ctx ic;
	ic.sc = sc;
	ic.n = 0;
	clang_getInclusions(sc->tu, incl_cb, &ic);
	return &ic;
}

void sc_collect_framework_names(struct sc *sc)
{
	struct incl_ctx *ic = all_files(sc);
	char buf[256];
	sc->fwnames = strset_new();
	sc->fwdecls = strset_new();
	for (int i = 0; i < ic->n; i++) {
		if (sc_file_origin(sc, ic->files[i]) != ORIGIN_FRAMEWORK)
			continue;
		struct toks ts;
		if (tokenize_file(sc->tu, ic->files[i], &ts))
			continue;
		for (unsigned j = 0; j < ts.n; j++) {
			enum CXTokenKind k = clang_getTokenKind(ts.t[j]);
			if (k == CXToken_Identifier || k == CXToken_Keyword)
				strset_add(sc->fwnames, tok_str(&ts, j, buf, sizeof(buf)));
		}
		clang_disposeTokens(sc->tu, ts.t, ts.n);
	}
	clang_visitChildren(clang_getTranslationUnitCursor(sc->tu), fw_top, sc);
}

/* ---- attributes written as tokens ----
 * Attribute names are judged by the allow-list; every other identifier
 * inside the parentheses (arguments) is an ordinary token and gets the
 * ordinary token rules: `aligned(8 _Pragma("..."))` would otherwise run a
 * pragma from inside an attribute. */
static void check_ident(struct sc *sc, struct toks *ts, unsigned i, const char *s);

static void attr_token_name(struct sc *sc, struct toks *ts, unsigned j, const char *n)
{
	if (sc_is_counted_attr(n))
		sc_report(sc, tok_loc(ts, j), "counted-by", "services may not declare counted_by");
	else if (!sc_attr_allowed(n))
		sc_report(sc, tok_loc(ts, j), "attribute", "attribute '%s' is not on the allow-list", n);
}

/* Attributes are judged on the tokens as written, and that reading must be
 * the compiler's: libclang shows no statement attribute at all (an
 * AttributedStmt is invisible to its cursor walk), so this scan is the only
 * judge of `__attribute__((assume(i < 4)));`, which lets the optimiser
 * delete a bounds check (attack round 3: rip = 0x4141414141414141). The
 * preprocessor must therefore not be able to make an attribute out of
 * tokens this scan reads otherwise: `__attribute__` and `[[` may not stand
 * in a service macro body (pp.c: `#define ATT __attribute__`, or a macro
 * parameter named `noinline`), and an attribute list is read only in its
 * literal form, `__attribute__((name, name(args)))` or `[[ns::name(args)]]`,
 * every name on the allow-list and nothing else between the names (a
 * macro after a name could add `, assume(...)`). Arguments are balanced
 * (macro bodies are too), so nothing inside them can close the list; their
 * identifiers get the ordinary token rules. */
static int tok_is_str(struct toks *ts, unsigned j, const char *want)
{
	char b[8];
	return j < ts->n && !strcmp(tok_str(ts, j, b, sizeof(b)), want);
}

static int tok_is_name(struct toks *ts, unsigned j)
{
	return j < ts->n && (clang_getTokenKind(ts->t[j]) == CXToken_Identifier ||
			     clang_getTokenKind(ts->t[j]) == CXToken_Keyword);
}

/* ts->t[j] is '(': check the identifiers up to the matching ')' and
 * return its index (ts->n if there is none). */
static unsigned attr_args(struct sc *sc, struct toks *ts, unsigned j)
{
	char b[128];
	int depth = 0;
	for (; j < ts->n; j++) {
		tok_str(ts, j, b, sizeof(b));
		if (!strcmp(b, "(")) {
			depth++;
		} else if (!strcmp(b, ")")) {
			if (--depth == 0)
				return j;
		} else if (tok_is_name(ts, j)) {
			check_ident(sc, ts, j, b);
		}
	}
	return j;
}

static void attr_form(struct sc *sc, struct toks *ts, unsigned j)
{
	sc_report(sc, tok_loc(ts, j < ts->n ? j : ts->n - 1), "attribute",
		  "an attribute list must be written out literally: __attribute__((name, name(args))) or "
		  "[[ns::name(args)]], allowed names only");
}

/* __attribute__ ( ( [name [(args)] {, name [(args)]}] ) ): returns the
 * index of the last token read. */
static unsigned scan_gnu_attr(struct sc *sc, struct toks *ts, unsigned i)
{
	char b[128];
	unsigned j = i + 1;
	if (!tok_is_str(ts, j, "(") || !tok_is_str(ts, j + 1, "(")) {
		attr_form(sc, ts, i);
		return i;
	}
	j += 2;
	if (tok_is_str(ts, j, ")") && tok_is_str(ts, j + 1, ")"))
		return j + 1;  /* __attribute__(()) */
	for (;;) {
		if (!tok_is_name(ts, j)) {
			attr_form(sc, ts, j);
			return j - 1;
		}
		attr_token_name(sc, ts, j, tok_str(ts, j, b, sizeof(b)));
		if (tok_is_str(ts, j + 1, "("))
			j = attr_args(sc, ts, j + 1);
		j++;
		if (tok_is_str(ts, j, ",")) {
			j++;
			continue;
		}
		if (tok_is_str(ts, j, ")") && tok_is_str(ts, j + 1, ")"))
			return j + 1;
		attr_form(sc, ts, j);
		return j - 1;
	}
}

/* [ [ [ns ::] name [(args)] {, ...} ] ]: the name after '::' counts. */
static unsigned scan_std_attr(struct sc *sc, struct toks *ts, unsigned i)
{
	char b[128];
	unsigned j = i + 2;
	if (tok_is_str(ts, j, "]") && tok_is_str(ts, j + 1, "]"))
		return j + 1;  /* [[]] */
	for (;;) {
		if (tok_is_name(ts, j) && tok_is_str(ts, j + 1, "::")) {
			check_ident(sc, ts, j, tok_str(ts, j, b, sizeof(b)));
			j += 2;
		}
		if (!tok_is_name(ts, j)) {
			attr_form(sc, ts, j);
			return j - 1;
		}
		attr_token_name(sc, ts, j, tok_str(ts, j, b, sizeof(b)));
		if (tok_is_str(ts, j + 1, "("))
			j = attr_args(sc, ts, j + 1);
		j++;
		if (tok_is_str(ts, j, ",")) {
			j++;
			continue;
		}
		if (tok_is_str(ts, j, "]") && tok_is_str(ts, j + 1, "]"))
			return j + 1;
		attr_form(sc, ts, j);
		return j - 1;
	}
}

/* ---- single tokens ---- */
struct tokrule { const char *tok; const char *rule; const char *msg; };
static const struct tokrule tokrules[] = {
	{ "asm", "asm", "inline assembly" }, { "__asm", "asm", "inline assembly" },
	{ "__asm__", "asm", "inline assembly" }, { "goto", "goto", "goto" },
	{ "__label__", "goto", "local labels" }, { "_Pragma", "pragma", "_Pragma" },
	{ "__pragma", "pragma", "__pragma" }, { "union", "union", "union" },
	{ "restrict", "restrict", "restrict" }, { "__restrict", "restrict", "restrict" },
	{ "__restrict__", "restrict", "restrict" },
	{ "_Thread_local", "thread-local", "thread-local storage" },
	{ "__thread", "thread-local", "thread-local storage" },
	{ "thread_local", "thread-local", "thread-local storage" },
	{ "__seg_gs", "attribute", "address-space qualifier" },
	{ "__seg_fs", "attribute", "address-space qualifier" },
	{ "__declspec", "attribute", "__declspec" }, { "__ptr32", "attribute", "__ptr32" },
	{ "__ptr64", "attribute", "__ptr64" },
	{ NULL, NULL, NULL },
};

/* The identifiers beginning with '_' a service may write: C11 keywords and
 * the GNU spellings the style uses. Everything else in that namespace is
 * the compiler's (_Pragma, __has_include, __VA_OPT__, __COUNTER__, __int128,
 * __extension__, ...) or the framework's, and a service has no business
 * with it: one rule instead of one per trick. */
static const char *const reserved_allowed[] = {
	"_Static_assert", "_Bool", "_Alignof", "_Alignas", "_Noreturn", "_Generic",
	"__attribute__", "__attribute", "__typeof__", "__typeof", "__alignof__", "__func__", NULL,
};

static int reserved_ok(const char *s)
{
	for (int i = 0; reserved_allowed[i]; i++)
		if (!strcmp(s, reserved_allowed[i]))
			return 1;
	return 0;
}

static void check_ident(struct sc *sc, struct toks *ts, unsigned i, const char *s)
{
	for (int k = 0; tokrules[k].tok; k++)
		if (!strcmp(s, tokrules[k].tok)) {
			sc_report(sc, tok_loc(ts, i), tokrules[k].rule, "%s", tokrules[k].msg);
			return;
		}
	if (!strncmp(s, "__builtin_va_", 13) || !strcmp(s, "__builtin_va_list"))
		sc_report(sc, tok_loc(ts, i), "variadic", "va_list / va_arg machinery");
	else if ((!strncmp(s, "__builtin_", 10) || !strncmp(s, "__sync_", 7) ||
		  !strncmp(s, "__atomic_", 9) || !strncmp(s, "__c11_atomic", 12)) &&
		 !sc_builtin_allowed(s))
		sc_report(sc, tok_loc(ts, i), "builtin", "compiler builtin '%s' is not allowed", s);
	else if (s[0] == '_' && !reserved_ok(s) && !sc_builtin_allowed(s))
		sc_report(sc, tok_loc(ts, i), "reserved-ident",
			  "'%s': identifiers beginning with '_' belong to the compiler and the framework", s);
}

static void scan_file(struct sc *sc, CXFile f)
{
	struct toks ts;
	char s[256];
	if (tokenize_file(sc->tu, f, &ts))
		return;
	for (unsigned i = 0; i < ts.n; i++) {
		enum CXTokenKind k = clang_getTokenKind(ts.t[i]);
		tok_str(&ts, i, s, sizeof(s));
		if (k == CXToken_Identifier || k == CXToken_Keyword) {
			if (!strcmp(s, "__attribute__") || !strcmp(s, "__attribute"))
				i = scan_gnu_attr(sc, &ts, i);
			else
				check_ident(sc, &ts, i, s);
		} else if (k == CXToken_Punctuation && !strcmp(s, "[")) {
			/* '[', a comment, '[' opens an attribute too (the lexer
			 * drops the comment); the literal-form reader refuses it */
			unsigned j = i + 1;
			while (j < ts.n && clang_getTokenKind(ts.t[j]) == CXToken_Comment)
				j++;
			if (j < ts.n && !strcmp(tok_str(&ts, j, s, sizeof(s)), "["))
				i = scan_std_attr(sc, &ts, i);
		}
	}
	clang_disposeTokens(sc->tu, ts.t, ts.n);
}

/* ---- the include graph: a service may include framework API headers,
 * files under services/, and files next to the TU (test corpora). ---- */
static int under(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(p, dir, n) && p[n] == '/';
}

static void incl_edge(CXFile inc, CXSourceLocation *stack, unsigned len, CXClientData d)
{
	struct sc *sc = d;
	CXFile from = NULL;
	if (!len)
		return;
	clang_getSpellingLocation(stack[0], &from, NULL, NULL, NULL);
	if (sc_file_origin(sc, from) != ORIGIN_SERVICE)
		return;
	enum origin o = sc_file_origin(sc, inc);
	if (o == ORIGIN_FRAMEWORK)
		return;
	CXString rp = clang_File_tryGetRealPathName(inc);
	const char *p = clang_getCString(rp);
	char svc[PATH_MAX + 16], abi[PATH_MAX + 16], maindir[PATH_MAX];
	snprintf(svc, sizeof(svc), "%s/services", sc->root);
	snprintf(abi, sizeof(abi), "%s/uapi/abi", sc->root); /* Linux ABI data, checked as service code */
	snprintf(maindir, sizeof(maindir), "%s", sc->mainfile);
	char *slash = strrchr(maindir, '/');
	if (slash)
		*slash = 0;
	if (o != ORIGIN_SERVICE || !p || !(under(p, svc) || under(p, abi) || under(p, maindir)))
		sc_report(sc, stack[0], "preproc", "#include of '%s' outside services/ and the framework API",
			  p ? p : "?");
	clang_disposeString(rp);
}

void sc_scan_service_files(struct sc *sc)
{
	struct incl_ctx *ic = all_files(sc);
	for (int i = 0; i < ic->n; i++) {
		enum origin o = sc_file_origin(sc, ic->files[i]);
		if (o == ORIGIN_SERVICE)
			scan_file(sc, ic->files[i]);
		else if (o == ORIGIN_FRAMEWORK)
			sc_lint_framework_file(sc, ic->files[i]);
	}
	sc_pp_check(sc, ic->files, ic->n);
	clang_getInclusions(sc->tu, incl_edge, sc);
}
