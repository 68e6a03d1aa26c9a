/* safecheck — token- and preprocessor-level rules.
 *
 * Layer: host tool. The preprocessor is service code too (hazard 2): a
 * service file can #define away a keyword the framework's headers rely on,
 * #pragma a warning off, or include a header nobody reviewed. These rules
 * read the raw tokens of every service file in the TU (macro bodies and
 * #if 0 blocks included, so a dormant trick is caught too) and the include
 * graph. The AST rules catch the same constructs semantically; this layer
 * catches them where they are written.
 */
#include "sc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
	"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
	"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
	"switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Alignas",
	"_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
	"_Static_assert", "_Thread_local", "alignas", "alignof", "bool", "true", "false",
	"nullptr", "static_assert", "thread_local", "typeof", "typeof_unqual", "asm",
	"__asm", "__asm__", "__attribute", "__attribute__", "__typeof", "__typeof__",
	"__inline", "__inline__", "__restrict", "__restrict__", "__volatile", "__volatile__",
	"__const", "__const__", "__signed", "__signed__", "__extension__", "__label__",
	"__thread", "__builtin_offsetof", "__builtin_va_arg", "__auto_type", "defined",
	"__has_include", "__has_attribute", "__COUNTER__", "__FILE__", "__LINE__", NULL,
};

static int is_keyword(const char *s)
{
	for (int i = 0; c_keywords[i]; i++)
		if (!strcmp(s, c_keywords[i]))
			return 1;
	return 0;
}

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

static unsigned tok_line(struct toks *ts, unsigned i)
{
	unsigned line = 0;
	clang_getSpellingLocation(clang_getTokenLocation(ts->tu, ts->t[i]), NULL, &line, NULL, NULL);
	return line;
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
struct incl_ctx { struct sc *sc; CXFile files[512]; int n; };

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
	if (ic->n < 512)
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

/* ---- directives ---- */
static const char *const directive_ok[] = {
	"define", "include", "if", "ifdef", "ifndef", "elif", "elifdef", "elifndef",
	"else", "endif", "error", "warning", NULL,
};

static void check_include(struct sc *sc, struct toks *ts, unsigned i, unsigned line)
{
	char b[256], name[512] = "";
	if (i >= ts->n || tok_line(ts, i) != line) {
		sc_report(sc, tok_loc(ts, i - 1), "preproc", "malformed #include");
		return;
	}
	tok_str(ts, i, b, sizeof(b));
	if (clang_getTokenKind(ts->t[i]) == CXToken_Literal && b[0] == '"')
		return;  /* resolved file is checked against the include graph */
	if (strcmp(b, "<")) {
		sc_report(sc, tok_loc(ts, i), "preproc", "computed #include");
		return;
	}
	for (unsigned j = i + 1; j < ts->n && tok_line(ts, j) == line; j++) {
		if (!strcmp(tok_str(ts, j, b, sizeof(b)), ">"))
			break;
		strncat(name, b, sizeof(name) - strlen(name) - 1);
	}
	/* <fw/...>: the framework API; <abi/...>: Linux ABI data (uapi/) */
	if (strncmp(name, "fw/", 3) && strncmp(name, "abi/", 4))
		sc_report(sc, tok_loc(ts, i), "preproc",
			  "#include <%s>: services include only <fw/...> and <abi/...> headers", name);
}

static void check_directive(struct sc *sc, struct toks *ts, unsigned i)
{
	char d[64], m[256];
	unsigned line = tok_line(ts, i);
	if (i + 1 >= ts->n || tok_line(ts, i + 1) != line)
		return;  /* null directive */
	tok_str(ts, i + 1, d, sizeof(d));
	if (!strcmp(d, "pragma")) {
		sc_report(sc, tok_loc(ts, i), "pragma", "#pragma in a service file");
		return;
	}
	if (!strcmp(d, "include")) {
		check_include(sc, ts, i + 2, line);
		return;
	}
	if (!strcmp(d, "define") && i + 2 < ts->n) {
		tok_str(ts, i + 2, m, sizeof(m));
		if (is_keyword(m))
			sc_report(sc, tok_loc(ts, i + 2), "preproc", "#define of keyword '%s'", m);
		else if (sc->fwnames && strset_has(sc->fwnames, m))
			sc_report(sc, tok_loc(ts, i + 2), "preproc",
				  "#define of '%s', a name the framework headers use", m);
		return;
	}
	for (int k = 0; directive_ok[k]; k++)
		if (!strcmp(d, directive_ok[k]))
			return;
	sc_report(sc, tok_loc(ts, i), "preproc", "#%s is not allowed in services", d);
}

/* ---- attributes written as tokens ---- */
static void attr_token_name(struct sc *sc, struct toks *ts, unsigned j, const char *n)
{
	if (sc_is_counted_attr(n))
		sc_report(sc, tok_loc(ts, j), "counted-by", "services may not declare counted_by");
	else if (!sc_attr_allowed(n))
		sc_report(sc, tok_loc(ts, j), "attribute", "attribute '%s' is not on the allow-list", n);
}

/* __attribute__((a, b(x), c)): names sit at paren depth 2 after '((' or ','. */
static unsigned scan_gnu_attr(struct sc *sc, struct toks *ts, unsigned i)
{
	char b[128], prev[128] = "";
	int depth = 0;
	unsigned j;
	for (j = i + 1; j < ts->n; j++) {
		tok_str(ts, j, b, sizeof(b));
		if (!strcmp(b, "(")) {
			depth++;
		} else if (!strcmp(b, ")")) {
			if (--depth <= 0)
				break;
		} else if (depth == 2 && (!strcmp(prev, "(") || !strcmp(prev, ",")) &&
			   (clang_getTokenKind(ts->t[j]) == CXToken_Identifier ||
			    clang_getTokenKind(ts->t[j]) == CXToken_Keyword)) {
			attr_token_name(sc, ts, j, b);
		}
		snprintf(prev, sizeof(prev), "%s", b);
	}
	return j;
}

/* [[a, gnu::b(x)]]: names at bracket depth 2, the part after '::' counts. */
static unsigned scan_std_attr(struct sc *sc, struct toks *ts, unsigned i)
{
	char b[128], next[128];
	int paren = 0;
	unsigned j;
	for (j = i + 2; j < ts->n; j++) {
		tok_str(ts, j, b, sizeof(b));
		if (!strcmp(b, "(")) paren++;
		else if (!strcmp(b, ")")) paren--;
		else if (!strcmp(b, "]") && paren == 0) break;
		else if (paren == 0 && (clang_getTokenKind(ts->t[j]) == CXToken_Identifier ||
					clang_getTokenKind(ts->t[j]) == CXToken_Keyword)) {
			if (j + 1 < ts->n && !strcmp(tok_str(ts, j + 1, next, sizeof(next)), "::"))
				continue;
			attr_token_name(sc, ts, j, b);
		}
	}
	return j;
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
}

static void scan_file(struct sc *sc, CXFile f)
{
	struct toks ts;
	char s[256];
	if (tokenize_file(sc->tu, f, &ts))
		return;
	unsigned prevline = 0;
	for (unsigned i = 0; i < ts.n; i++) {
		unsigned line = tok_line(&ts, i);
		enum CXTokenKind k = clang_getTokenKind(ts.t[i]);
		tok_str(&ts, i, s, sizeof(s));
		if (k == CXToken_Punctuation && !strcmp(s, "#") && (i == 0 || line != prevline))
			check_directive(sc, &ts, i);
		else if (k == CXToken_Identifier || k == CXToken_Keyword) {
			if (!strcmp(s, "__attribute__") || !strcmp(s, "__attribute"))
				i = scan_gnu_attr(sc, &ts, i);
			else
				check_ident(sc, &ts, i, s);
		} else if (k == CXToken_Punctuation && !strcmp(s, "[") && i + 1 < ts.n &&
			   !strcmp(tok_str(&ts, i + 1, s, sizeof(s)), "[")) {
			i = scan_std_attr(sc, &ts, i);
		}
		prevline = line;
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
	for (int i = 0; i < ic->n; i++)
		if (sc_file_origin(sc, ic->files[i]) == ORIGIN_SERVICE)
			scan_file(sc, ic->files[i]);
	clang_getInclusions(sc->tu, incl_edge, sc);
}
