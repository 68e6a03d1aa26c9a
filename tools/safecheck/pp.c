/* safecheck — the service preprocessing language (docs/safety.md, "The
 * preprocessor is service code").
 *
 * Layer: host tool. A service may use a deliberately small preprocessor:
 *
 *   #include "rel/path.h"   #include <fw/x.h>   #include <abi/x.h>
 *   #ifndef G / #define G / ... / #endif     as the include guard of a header
 *   #define NAME body       #define NAME(a, b) body
 *
 * and nothing else: no #undef, #pragma, _Pragma, #if, #line, #error, no
 * redefinition, no digraphs or trigraphs, no line splices except at the end
 * of a #define line, no '#' or '##' except '#' opening a directive and
 * 'ident ## ident' in a macro body. Macro names are UPPER_CASE, outside the
 * framework's FW_ namespace, never a name a framework header uses, and a
 * macro body has balanced brackets.
 *
 * Why this is sound rather than a list of spellings: the file is read by
 * clang's own lexer (clang_tokenize, the TU's language options), so token
 * boundaries are the compiler's. The preprocessor acts only on a '#' token
 * that begins a logical line, and such a token is spelled '#', '%:' (a
 * digraph), '??=' (a trigraph) or any of those split by backslash-newline.
 * Every spelling but the plain '#' is rejected outright (digraphs, trigraph
 * sequences, splices inside a token), and *every* '#' token in a service
 * file, wherever it stands, is judged as a directive: it must begin its
 * physical line, and the directive name must follow on that line and be on
 * the allow-list. A '#' the preprocessor does not treat as a directive is
 * only judged more strictly than needed; one it does treat as a directive
 * cannot escape. _Pragma is an identifier beginning with '_', which no
 * service token may be (reserved-ident), and no token pasting in a service
 * or framework macro can produce one (see sc_lint_framework_macro).
 *
 * The preprocessor's own record is then compared with this reading: every
 * macro the preprocessor defined in a service file (libclang's detailed
 * preprocessing record) must be a #define this scan accepted at the same
 * place, no macro may be defined twice, every #include is judged on the file
 * it resolved to, and every token's presumed location must equal its real
 * one (so no #line took effect, however it was spelled).
 */
#include "sc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ptok {
	enum CXTokenKind k;
	unsigned start, end;  /* byte offsets in the file */
	unsigned line;        /* physical line */
	int lstart;           /* begins a logical line */
	int splice_before;    /* the gap before it holds a backslash-newline */
	CXSourceLocation loc;
};

enum dkind { D_INCLUDE, D_DEFINE, D_IFNDEF, D_ENDIF, D_OTHER };

struct pdir {
	enum dkind kind;
	unsigned hash;        /* index of the '#' token */
	unsigned last;        /* index of its last non-comment token */
	char macro[128];      /* #define / #ifndef: the name */
	int objlike_empty;    /* #define NAME with no body */
};

struct pfile {
	struct sc *sc;
	CXFile f;
	const char *buf;
	size_t size;
	CXToken *t;
	unsigned n;
	struct ptok *p;
	struct pdir *d;
	unsigned nd, capd;
};

/* #defines this scan accepted, for the cross-check with the preprocessor */
struct lexdef { CXFile f; unsigned line; char name[128]; };
static struct lexdef *lexdefs;
static size_t nlexdefs, caplexdefs;

static void note_define(CXFile f, unsigned line, const char *name)
{
	if (nlexdefs == caplexdefs) {
		caplexdefs = caplexdefs ? 2 * caplexdefs : 64;
		lexdefs = realloc(lexdefs, caplexdefs * sizeof(*lexdefs));
	}
	lexdefs[nlexdefs].f = f;
	lexdefs[nlexdefs].line = line;
	snprintf(lexdefs[nlexdefs].name, sizeof(lexdefs[nlexdefs].name), "%s", name);
	nlexdefs++;
}

static int lexdef_seen(CXFile f, unsigned line, const char *name)
{
	for (size_t i = 0; i < nlexdefs; i++)
		if (lexdefs[i].line == line && clang_File_isEqual(lexdefs[i].f, f) &&
		    !strcmp(lexdefs[i].name, name))
			return 1;
	return 0;
}

/* ---- small helpers over the raw buffer ---- */

static int is_hspace(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

/* Does [a, b) hold a backslash-newline (backslash, optional horizontal
 * whitespace, newline: clang accepts the whitespace with a warning)? */
static int has_splice(const char *buf, unsigned a, unsigned b)
{
	for (unsigned i = a; i < b; i++) {
		if (buf[i] != '\\')
			continue;
		unsigned j = i + 1;
		while (j < b && (is_hspace(buf[j]) || buf[j] == '\r'))
			j++;
		if (j < b && buf[j] == '\n')
			return 1;
	}
	return 0;
}

/* Does [a, b) hold a newline that is not part of a splice? */
static int has_newline(const char *buf, unsigned a, unsigned b)
{
	for (unsigned i = a; i < b; i++) {
		if (buf[i] != '\n')
			continue;
		unsigned j = i;
		while (j > a && (is_hspace(buf[j - 1]) || buf[j - 1] == '\r'))
			j--;
		if (!(j > a && buf[j - 1] == '\\'))
			return 1;
	}
	return 0;
}

static void tok_text(struct pfile *pf, unsigned i, char *out, size_t n)
{
	unsigned len = pf->p[i].end - pf->p[i].start;
	if (len >= n)
		len = (unsigned)n - 1;
	memcpy(out, pf->buf + pf->p[i].start, len);
	out[len] = 0;
}

static int tok_is(struct pfile *pf, unsigned i, const char *s)
{
	size_t l = strlen(s);
	return pf->p[i].end - pf->p[i].start == l && !memcmp(pf->buf + pf->p[i].start, s, l);
}

static int is_ident_text(const char *s)
{
	if (!(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static int is_upper_name(const char *s)
{
	if (!(s[0] >= 'A' && s[0] <= 'Z'))
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static void rep(struct pfile *pf, unsigned i, const char *rule, const char *msg, const char *arg)
{
	sc_report(pf->sc, pf->p[i].loc, rule, msg, arg ? arg : "");
}

/* ---- pass 1: tokens, their offsets, logical lines, per-token checks ---- */

static const char *const digraphs[] = { "<:", ":>", "<%", "%>", "%:", "%:%:", NULL };

/* Bytes whose meaning depends on options or is easy to misread: trigraph
 * sequences, NUL (clang reads it as whitespace), and a carriage return
 * that is not part of CRLF (clang reads a lone CR as a new line, which a
 * line-based reading could miss). */
static void check_bytes(struct pfile *pf)
{
	for (size_t i = 0; i < pf->size; i++) {
		const char *b = pf->buf;
		const char *why = NULL;
		if (b[i] == '?' && i + 2 < pf->size && b[i + 1] == '?' && b[i + 2] && strchr("=/'()!<>-", b[i + 2]))
			why = "trigraph sequence";
		else if (b[i] == 0)
			why = "NUL byte";
		else if (b[i] == '\r' && (i + 1 >= pf->size || b[i + 1] != '\n'))
			why = "carriage return outside CRLF";
		if (why) {
			CXSourceLocation l = clang_getLocationForOffset(pf->sc->tu, pf->f, (unsigned)i);
			sc_report(pf->sc, l, "preproc", "%s in a service file", why);
		}
	}
}

static void check_token(struct pfile *pf, unsigned i)
{
	struct ptok *t = &pf->p[i];
	char s[256];
	if (has_splice(pf->buf, t->start, t->end))
		rep(pf, i, "preproc", "line continuation inside a token", NULL);
	if (t->k == CXToken_Comment)
		return;
	tok_text(pf, i, s, sizeof(s));
	if (t->k == CXToken_Punctuation)
		for (int d = 0; digraphs[d]; d++)
			if (!strcmp(s, digraphs[d]))
				rep(pf, i, "preproc", "digraph '%s'", s);
	if ((t->k == CXToken_Identifier || t->k == CXToken_Keyword) && !is_ident_text(s))
		rep(pf, i, "preproc", "identifier spelled with characters outside [A-Za-z0-9_]: '%s'", s);
	if (t->k != CXToken_Literal)
		for (unsigned j = t->start; j < t->end; j++)
			if ((unsigned char)pf->buf[j] >= 0x80) {
				rep(pf, i, "preproc", "non-ASCII character outside a literal or comment", NULL);
				break;
			}
}

static void lex_pass(struct pfile *pf)
{
	pf->p = calloc(pf->n ? pf->n : 1, sizeof(*pf->p));
	unsigned prev_end = 0;
	int line_reported = 0, sys_reported = 0;
	CXString fname = clang_getFileName(pf->f);
	const char *fn = clang_getCString(fname);
	for (unsigned i = 0; i < pf->n; i++) {
		struct ptok *t = &pf->p[i];
		CXSourceRange r = clang_getTokenExtent(pf->sc->tu, pf->t[i]);
		unsigned off = 0, eoff = 0;
		t->k = clang_getTokenKind(pf->t[i]);
		t->loc = clang_getRangeStart(r);
		clang_getSpellingLocation(t->loc, NULL, &t->line, NULL, &off);
		clang_getSpellingLocation(clang_getRangeEnd(r), NULL, NULL, NULL, &eoff);
		t->start = off;
		t->end = eoff > off ? eoff : off;
		if (t->end > pf->size)
			t->end = (unsigned)pf->size;
		t->lstart = i == 0 || has_newline(pf->buf, prev_end, t->start);
		t->splice_before = has_splice(pf->buf, prev_end, t->start);
		prev_end = t->end;
		check_token(pf, i);
		/* #line, in any spelling, shows as a presumed location that is not
		 * the real one: judge what the preprocessor did. */
		CXString pfn;
		unsigned pline = 0;
		clang_getPresumedLocation(t->loc, &pfn, &pline, NULL);
		const char *ps = clang_getCString(pfn);
		if ((pline != t->line || !ps || !fn || strcmp(ps, fn)) && !line_reported) {
			rep(pf, i, "preproc", "presumed location differs from the real one (#line)", NULL);
			line_reported = 1;
		}
		clang_disposeString(pfn);
		/* a system header's diagnostics are suppressed: a service file
		 * must never be one (GNU linemarker flag 3, system_header pragma) */
		if (clang_Location_isInSystemHeader(t->loc) && !sys_reported) {
			rep(pf, i, "preproc", "service code marked as a system header", NULL);
			sys_reported = 1;
		}
	}
	clang_disposeString(fname);
	if (has_splice(pf->buf, prev_end, (unsigned)pf->size)) {
		CXSourceLocation l = clang_getLocationForOffset(pf->sc->tu, pf->f, prev_end);
		sc_report(pf->sc, l, "preproc", "line continuation at the end of the file");
	}
}

/* ---- pass 2: logical lines and directives ---- */

static void add_dir(struct pfile *pf, struct pdir d)
{
	if (pf->nd == pf->capd) {
		pf->capd = pf->capd ? 2 * pf->capd : 16;
		pf->d = realloc(pf->d, pf->capd * sizeof(*pf->d));
	}
	pf->d[pf->nd++] = d;
}

/* Only spaces and tabs between the start of the physical line and offset. */
static int begins_physical_line(struct pfile *pf, unsigned off)
{
	while (off > 0 && pf->buf[off - 1] != '\n') {
		if (!is_hspace(pf->buf[off - 1]))
			return 0;
		off--;
	}
	return 1;
}

/* The non-comment tokens of the logical line [a, b) into idx[]. */
static unsigned code_tokens(struct pfile *pf, unsigned a, unsigned b, unsigned *idx)
{
	unsigned n = 0;
	for (unsigned i = a; i < b; i++)
		if (pf->p[i].k != CXToken_Comment)
			idx[n++] = i;
	return n;
}

static int name_ok_for_macro(struct pfile *pf, unsigned i, const char *m)
{
	struct sc *sc = pf->sc;
	if (!is_upper_name(m)) {
		rep(pf, i, "preproc", "macro name '%s' is not UPPER_CASE (service macros are [A-Z][A-Z0-9_]*)", m);
		return 0;
	}
	if (!strncmp(m, "FW_", 3)) {
		rep(pf, i, "preproc", "macro name '%s' is in the framework's FW_ namespace", m);
		return 0;
	}
	if (sc->fwnames && strset_has(sc->fwnames, m)) {
		rep(pf, i, "preproc", "#define of '%s', a name the framework headers use", m);
		return 0;
	}
	return 1;
}

/* #include "a/b.h" or <fw/x.h> / <abi/x.h>: the spelling, on one line. */
static void check_include_text(struct pfile *pf, unsigned name, unsigned *c, unsigned nc)
{
	char arg[512];
	unsigned a = pf->p[name].end, b = nc > 2 ? pf->p[c[nc - 1]].end : a;
	if (nc < 3 || b - a >= sizeof(arg)) {
		rep(pf, name, "preproc", "malformed #include", NULL);
		return;
	}
	memcpy(arg, pf->buf + a, b - a);
	arg[b - a] = 0;
	char copy[512];
	memcpy(copy, arg, sizeof(copy));
	char *s = copy;
	while (is_hspace(*s))
		s++;
	size_t l = strlen(s);
	char open = s[0], close = l ? s[l - 1] : 0;
	int ok = l > 4 && ((open == '"' && close == '"') || (open == '<' && close == '>'));
	if (ok) {
		s[l - 1] = 0;
		s++;
		for (char *q = s; *q; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
			      *q == '_' || *q == '-' || *q == '/' || *q == '.'))
				ok = 0;
		l = strlen(s);
		ok = ok && l > 2 && !strcmp(s + l - 2, ".h") && s[0] != '/' && !strstr(s, "..") &&
		     !strstr(s, "//");
		if (ok && open == '<' && strncmp(s, "fw/", 3) && strncmp(s, "abi/", 4)) {
			rep(pf, name, "preproc", "#include <%s>: services include only <fw/...> and <abi/...> headers", s);
			return;
		}
	}
	if (!ok)
		rep(pf, name, "preproc", "#include must name a header as \"dir/file.h\" or <fw/file.h> (got %s)", arg);
}

static void check_macro_body(struct pfile *pf, unsigned *c, unsigned from, unsigned nc,
			     char params[][128], unsigned np)
{
	int depth[3] = { 0, 0, 0 };
	const char *open = "([{", *close = ")]}";
	for (unsigned k = from; k < nc; k++) {
		unsigned i = c[k];
		char s[256];
		tok_text(pf, i, s, sizeof(s));
		if (pf->p[i].k == CXToken_Punctuation && strlen(s) == 1) {
			const char *o = strchr(open, s[0]), *cl = strchr(close, s[0]);
			if (o)
				depth[o - open]++;
			if (cl && --depth[cl - close] < 0) {
				rep(pf, i, "preproc", "macro body closes a bracket it did not open", NULL);
				return;
			}
		}
		/* attributes are judged as written (tokens.c): no macro may
		 * make one, nor stand for its name (`#define ATT __attribute__`,
		 * a parameter named like an allowed attribute) */
		if (!strcmp(s, "__attribute__") || !strcmp(s, "__attribute") ||
		    (!strcmp(s, "[") && k + 1 < nc && tok_is(pf, c[k + 1], "[")))
			rep(pf, i, "attribute", "attribute syntax in a service macro body (write attributes out where they apply)%s", NULL);
		if (!strcmp(s, "#")) {
			rep(pf, i, "preproc", "'#' (stringizing) in a service macro", NULL);
		} else if (!strcmp(s, "##")) {
			int okl = k > from && pf->p[c[k - 1]].k == CXToken_Identifier;
			int okr = k + 1 < nc && pf->p[c[k + 1]].k == CXToken_Identifier;
			if (!okl || !okr)
				rep(pf, i, "preproc", "'##' must join two identifiers", NULL);
		}
	}
	(void)params;
	(void)np;
	if (depth[0] || depth[1] || depth[2])
		rep(pf, c[from > 0 ? from - 1 : 0], "preproc", "macro body has unbalanced brackets", NULL);
}

static void do_define(struct pfile *pf, unsigned *c, unsigned nc, struct pdir *d)
{
	char m[128], s[128];
	unsigned name = c[1];
	if (nc < 3 || (pf->p[c[2]].k != CXToken_Identifier && pf->p[c[2]].k != CXToken_Keyword)) {
		rep(pf, name, "preproc", "malformed #define", NULL);
		return;
	}
	tok_text(pf, c[2], m, sizeof(m));
	snprintf(d->macro, sizeof(d->macro), "%s", m);
	if (pf->p[c[2]].line != pf->p[name].line)
		rep(pf, c[2], "preproc", "#define split across lines before its body", NULL);
	name_ok_for_macro(pf, c[2], m);
	note_define(pf->f, pf->p[c[2]].line, m);
	unsigned body = 3;
	char params[32][128];
	unsigned np = 0;
	if (nc > 3 && tok_is(pf, c[3], "(") && pf->p[c[3]].start == pf->p[c[2]].end) {
		/* function-like: identifiers separated by commas, no '...' */
		unsigned k = 4;
		int want_ident = 1;
		for (; k < nc && !tok_is(pf, c[k], ")"); k++) {
			tok_text(pf, c[k], s, sizeof(s));
			if (want_ident && pf->p[c[k]].k == CXToken_Identifier && s[0] != '_' && np < 32) {
				snprintf(params[np++], sizeof(params[0]), "%s", s);
			} else if (!want_ident && !strcmp(s, ",")) {
				;
			} else {
				rep(pf, c[k], "preproc", "macro parameter list may hold only plain identifiers ('%s')", s);
				return;
			}
			want_ident = !want_ident;
		}
		if (k >= nc) {
			rep(pf, name, "preproc", "malformed macro parameter list", NULL);
			return;
		}
		body = k + 1;
	}
	d->objlike_empty = body == 3 && nc == 3;
	check_macro_body(pf, c, body, nc, params, np);
}

static void do_directive(struct pfile *pf, unsigned *c, unsigned nc)
{
	struct pdir d = { D_OTHER, c[0], c[nc - 1], "", 0 };
	char name[64];
	if (!begins_physical_line(pf, pf->p[c[0]].start))
		rep(pf, c[0], "preproc", "'#' must be the first thing on its line", NULL);
	if (nc < 2 || c[1] != c[0] + 1 || pf->p[c[1]].line != pf->p[c[0]].line ||
	    (pf->p[c[1]].k != CXToken_Identifier && pf->p[c[1]].k != CXToken_Keyword)) {
		rep(pf, c[0], "preproc", "a directive name must follow '#' on the same line", NULL);
		add_dir(pf, d);
		return;
	}
	tok_text(pf, c[1], name, sizeof(name));
	if (strchr(name, '\\'))
		snprintf(name, sizeof(name), "(a name split by a line continuation)");
	if (!strcmp(name, "include")) {
		d.kind = D_INCLUDE;
		check_include_text(pf, c[1], c, nc);
	} else if (!strcmp(name, "define")) {
		d.kind = D_DEFINE;
		do_define(pf, c, nc, &d);
	} else if (!strcmp(name, "ifndef") || !strcmp(name, "endif")) {
		d.kind = name[0] == 'i' ? D_IFNDEF : D_ENDIF;
		unsigned want = d.kind == D_IFNDEF ? 3 : 2;
		if (nc != want || (d.kind == D_IFNDEF && pf->p[c[2]].k != CXToken_Identifier))
			rep(pf, c[1], "preproc", "#%s takes exactly an include guard's name", name);
		else if (d.kind == D_IFNDEF)
			tok_text(pf, c[2], d.macro, sizeof(d.macro));
	} else if (!strcmp(name, "pragma")) {
		rep(pf, c[0], "pragma", "#pragma in a service file", NULL);
	} else {
		rep(pf, c[0], "preproc", "#%s is not in the service preprocessing language", name);
	}
	add_dir(pf, d);
}

/* #ifndef/#endif exist only as the include guard of a header:
 *   #ifndef G  #define G  ...  #endif   with nothing but comments outside. */
static void check_guard(struct pfile *pf, unsigned first_code, unsigned last_code)
{
	unsigned nif = 0, nend = 0;
	for (unsigned i = 0; i < pf->nd; i++) {
		nif += pf->d[i].kind == D_IFNDEF;
		nend += pf->d[i].kind == D_ENDIF;
	}
	if (!nif && !nend)
		return;
	struct pdir *a = &pf->d[0], *z = &pf->d[pf->nd - 1];
	int ok = sc_file_is_header(pf->f) && nif == 1 && nend == 1 && pf->nd >= 3 && a->kind == D_IFNDEF &&
		 pf->d[1].kind == D_DEFINE && pf->d[1].objlike_empty && !strcmp(a->macro, pf->d[1].macro) &&
		 z->kind == D_ENDIF && a->hash == first_code && z->last == last_code;
	if (!ok)
		rep(pf, a->kind == D_IFNDEF ? a->hash : z->hash, "preproc",
		    "#ifndef/#endif only as a header's include guard (#ifndef G, #define G, ..., #endif)", NULL);
}

static void line_pass(struct pfile *pf)
{
	unsigned *c = calloc(pf->n ? pf->n : 1, sizeof(unsigned));
	unsigned first_code = pf->n, last_code = 0;
	for (unsigned a = 0; a < pf->n;) {
		unsigned b = a + 1;
		while (b < pf->n && !pf->p[b].lstart)
			b++;
		unsigned nc = code_tokens(pf, a, b, c);
		int directive = nc > 0 && tok_is(pf, c[0], "#");
		if (nc) {
			if (first_code == pf->n)
				first_code = c[0];
			last_code = c[nc - 1];
		}
		if (directive) {
			do_directive(pf, c, nc);
		} else {
			for (unsigned k = 0; k < nc; k++)
				if (tok_is(pf, c[k], "#") || tok_is(pf, c[k], "##"))
					rep(pf, c[k], "preproc", "'%s' outside a directive or macro body",
					    tok_is(pf, c[k], "#") ? "#" : "##");
		}
		int define = directive && pf->nd && pf->d[pf->nd - 1].kind == D_DEFINE;
		for (unsigned i = a + 1; i < b; i++)
			if (pf->p[i].splice_before && !define)
				rep(pf, i, "preproc", "line continuation outside a #define", NULL);
		if (pf->p[a].splice_before)
			rep(pf, a, "preproc", "line continuation that continues nothing", NULL);
		a = b;
	}
	check_guard(pf, first_code, last_code);
	free(c);
}

static void scan_service_file(struct sc *sc, CXFile f)
{
	struct pfile pf = { .sc = sc, .f = f };
	pf.buf = clang_getFileContents(sc->tu, f, &pf.size);
	if (!pf.buf || pf.size > 0x7fffffff)
		return;
	CXSourceRange r = clang_getRange(clang_getLocationForOffset(sc->tu, f, 0),
					 clang_getLocationForOffset(sc->tu, f, (unsigned)pf.size));
	clang_tokenize(sc->tu, r, &pf.t, &pf.n);
	check_bytes(&pf);
	lex_pass(&pf);
	line_pass(&pf);
	clang_disposeTokens(sc->tu, pf.t, pf.n);
	free(pf.p);
	free(pf.d);
}

/* ---- the preprocessor's record ---- */

struct macro_seen { struct strset *names; };

static enum CXChildVisitResult pp_record(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	struct sc *sc = d;
	if (c.kind != CXCursor_MacroDefinition)
		return CXChildVisit_Continue;
	CXFile f = NULL;
	unsigned line = 0;
	clang_getSpellingLocation(clang_getCursorLocation(c), &f, &line, NULL, NULL);
	if (sc_file_origin(sc, f) != ORIGIN_SERVICE)
		return CXChildVisit_Continue;
	CXString n = clang_getCursorSpelling(c);
	const char *name = clang_getCString(n);
	if (!lexdef_seen(f, line, name))
		sc_report_at(sc, c, "preproc",
			     "the preprocessor defined '%s' here, but not by a #define this checker accepted", name);
	if (strset_has(sc->svcmacros, name))
		sc_report_at(sc, c, "preproc", "macro '%s' is defined twice (no redefinition in services)", name);
	strset_add(sc->svcmacros, name);
	clang_disposeString(n);
	return CXChildVisit_Continue;
}

void sc_pp_check(struct sc *sc, CXFile *files, int nfiles)
{
	sc->svcmacros = strset_new();
	for (int i = 0; i < nfiles; i++)
		if (sc_file_origin(sc, files[i]) == ORIGIN_SERVICE)
			scan_service_file(sc, files[i]);
	clang_visitChildren(clang_getTranslationUnitCursor(sc->tu), pp_record, sc);
}

/* ---- framework macros that paste tokens ----
 * A framework macro body is trusted, but what `##` makes of a service
 * argument must never be a service macro name (UPPER_CASE) nor an
 * identifier beginning with '_' (_Pragma): every `##` needs a fixed operand
 * (not a parameter) containing a lower-case letter, and a fixed left operand
 * must not begin with '_'. And no pragma in a framework API header at all.
 * Checked on every framework header a TU includes; a violation is reported
 * against the header, failing every service. */
void sc_lint_framework_file(struct sc *sc, CXFile f)
{
	struct pfile pf = { .sc = sc, .f = f };
	pf.buf = clang_getFileContents(sc->tu, f, &pf.size);
	if (!pf.buf || pf.size > 0x7fffffff)
		return;
	CXSourceRange r = clang_getRange(clang_getLocationForOffset(sc->tu, f, 0),
					 clang_getLocationForOffset(sc->tu, f, (unsigned)pf.size));
	clang_tokenize(sc->tu, r, &pf.t, &pf.n);
	pf.p = calloc(pf.n ? pf.n : 1, sizeof(*pf.p));
	unsigned prev_end = 0;
	for (unsigned i = 0; i < pf.n; i++) {
		CXSourceRange tr = clang_getTokenExtent(sc->tu, pf.t[i]);
		unsigned off = 0, eoff = 0;
		pf.p[i].k = clang_getTokenKind(pf.t[i]);
		pf.p[i].loc = clang_getRangeStart(tr);
		clang_getSpellingLocation(pf.p[i].loc, NULL, &pf.p[i].line, NULL, &off);
		clang_getSpellingLocation(clang_getRangeEnd(tr), NULL, NULL, NULL, &eoff);
		pf.p[i].start = off;
		pf.p[i].end = eoff > off ? eoff : off;
		pf.p[i].lstart = i == 0 || has_newline(pf.buf, prev_end, off);
		prev_end = pf.p[i].end;
	}
	unsigned *c = calloc(pf.n ? pf.n : 1, sizeof(unsigned));
	for (unsigned a = 0; a < pf.n;) {
		unsigned b = a + 1;
		while (b < pf.n && !pf.p[b].lstart)
			b++;
		unsigned nc = code_tokens(&pf, a, b, c);
		/* a framework macro expands inside service code: a pragma in one
		 * would switch a diagnostic off for the service around it */
		for (unsigned k = 0; k < nc; k++)
			if (tok_is(&pf, c[k], "_Pragma") || tok_is(&pf, c[k], "__pragma") ||
			    (k == 1 && tok_is(&pf, c[0], "#") && tok_is(&pf, c[1], "pragma")))
				rep(&pf, c[k], "framework-macro", "pragma in a framework API header%s", NULL);
		if (nc > 3 && tok_is(&pf, c[0], "#") && tok_is(&pf, c[1], "define")) {
			char params[32][128], s[128];
			unsigned np = 0, body = 3;
			if (tok_is(&pf, c[3], "(") && pf.p[c[3]].start == pf.p[c[2]].end) {
				unsigned k = 4;
				for (; k < nc && !tok_is(&pf, c[k], ")"); k++)
					if (pf.p[c[k]].k == CXToken_Identifier && np < 32)
						tok_text(&pf, c[k], params[np++], sizeof(params[0]));
				body = k + 1;
			}
			for (unsigned k = body; k < nc; k++) {
				if (!tok_is(&pf, c[k], "##"))
					continue;
				int ok = 0;
				for (int side = -1; side <= 1; side += 2) {
					if (k + side < body || k + side >= nc)
						continue;
					unsigned o = c[k + side];
					tok_text(&pf, o, s, sizeof(s));
					int param = 0, lower = 0;
					for (unsigned q = 0; q < np; q++)
						param |= !strcmp(params[q], s);
					for (char *q = s; *q; q++)
						lower |= *q >= 'a' && *q <= 'z';
					if (pf.p[o].k == CXToken_Identifier && !param && lower &&
					    !(side < 0 && s[0] == '_'))
						ok = 1;
				}
				if (!ok)
					rep(&pf, c[k], "framework-macro",
					    "'##' in a framework macro needs a fixed lower-case operand%s", NULL);
			}
		}
		a = b;
	}
	free(c);
	clang_disposeTokens(sc->tu, pf.t, pf.n);
	free(pf.p);
}
