/* safecheck — cross-TU signatures (hazard 3) and the framework API table.
 *
 * Layer: host tool. C lets two files disagree about a function's
 * signature or a struct's layout and links them anyway, and a service
 * could declare a framework function or type its own way (a fault upcall
 * taking a 64-word struct the framework passes as 24 bytes; a macro-only
 * function redeclared without its annotation and called with a lying
 * capacity). The boundary is therefore checked globally:
 *
 *   --list-framework-api  (run once over every framework API header)
 *       prints the framework's own view: "K name description annotations" for
 *       every external function (F) and variable (V) a framework header
 *       declares and every struct it defines (T). The description covers the full
 *       canonical type (parameters, result, variadic, every reachable
 *       struct's fields, offsets, and whether it is sealed) *and* the
 *       annotations: FW_API, FW_MACRO_API, FW_UPCALL, FW_FORMAT, noreturn,
 *       must-check, and FW_POD_DST on each parameter.
 *   --sig-out FILE  (every service TU) writes "K name description source" for the
 *       same things as this TU sees them.
 *   sigcheck.sh  fails when a service TU's view of a framework name
 *       differs from the framework's, or two service TUs disagree.
 *   --framework-api FILE  (every service TU) makes the checker judge names
 *       by the framework's table rather than by what the TU happens to
 *       include: a service may not declare any name the framework
 *       declares, and may name an FW_MACRO_API function only from inside
 *       the expansion of a framework macro.
 *
 * --list-exports prints just the names services may link against (FW_API
 * and FW_MACRO_API functions and variables) for the import wall.
 */
#include "sc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf { char *p; size_t n, cap; };

static void put(struct buf *b, const char *s)
{
	size_t l = strlen(s);
	if (b->n + l + 1 > b->cap) {
		b->cap = (b->n + l + 1) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, l + 1);
	b->n += l;
}

static void putf(struct buf *b, const char *fmt, long long v)
{
	char t[64];
	snprintf(t, sizeof(t), fmt, v);
	put(b, t);
}

static void desc(struct buf *b, CXType t, struct strset *seen);

struct fctx { struct buf *b; struct strset *seen; };

static enum CXVisitorResult field_desc(CXCursor f, CXClientData d)
{
	struct fctx *fc = d;
	CXString n = clang_getCursorSpelling(f);
	put(fc->b, clang_getCString(n));
	clang_disposeString(n);
	put(fc->b, ":");
	desc(fc->b, clang_getCursorType(f), fc->seen);
	putf(fc->b, "@%lld", clang_Cursor_getOffsetOfField(f));
	if (clang_Cursor_isBitField(f))
		putf(fc->b, ":%lld", clang_getFieldDeclBitWidth(f));
	put(fc->b, ";");
	return CXVisit_Continue;
}

static void desc_record(struct buf *b, CXType t, struct strset *seen)
{
	CXString s = clang_getTypeSpelling(t);
	const char *sp = clang_getCString(s);
	/* anonymous records are named by file position, which differs per TU */
	int anon = strstr(sp, "unnamed") || strstr(sp, "anonymous");
	put(b, anon ? "record<anon>" : sp);
	if (anon || !strset_has(seen, sp)) {
		if (!anon)
			strset_add(seen, sp);
		if (ty_is_sealed(t))
			put(b, "sealed");
		if (clang_Type_getSizeOf(t) >= 0) {
			putf(b, "{size=%lld;", clang_Type_getSizeOf(t));
			putf(b, "align=%lld;", clang_Type_getAlignOf(t));
			struct fctx fc = { b, seen };
			clang_Type_visitFields(t, field_desc, &fc);
			put(b, "}");
		}
	}
	clang_disposeString(s);
}

static void desc(struct buf *b, CXType t, struct strset *seen)
{
	t = clang_getCanonicalType(t);
	if (clang_isConstQualifiedType(t)) put(b, "const ");
	if (clang_isVolatileQualifiedType(t)) put(b, "volatile ");
	switch (t.kind) {
	case CXType_Pointer:
		put(b, "*");
		desc(b, clang_getPointeeType(t), seen);
		break;
	case CXType_ConstantArray:
		putf(b, "[%lld]", clang_getArraySize(t));
		desc(b, clang_getArrayElementType(t), seen);
		break;
	case CXType_IncompleteArray:
		put(b, "[]");
		desc(b, clang_getArrayElementType(t), seen);
		break;
	case CXType_FunctionProto:
	case CXType_FunctionNoProto: {
		int n = clang_getNumArgTypes(t);
		put(b, t.kind == CXType_FunctionNoProto ? "fn-noproto(" : "fn(");
		for (int i = 0; i < n; i++) {
			desc(b, clang_getArgType(t, (unsigned)i), seen);
			put(b, ",");
		}
		if (clang_isFunctionTypeVariadic(t))
			put(b, "...");
		put(b, ")->");
		desc(b, clang_getResultType(t), seen);
		/* what the function type promises beyond its parameters: a
		 * noreturn type (a typedef'd one hides it from the declaration's
		 * spelling) lets every caller drop the code after the call */
		CXString ts = clang_getTypeSpelling(t);
		if (strstr(clang_getCString(ts), "noreturn"))
			put(b, "!noreturn");
		clang_disposeString(ts);
		putf(b, "!cc%lld", (long long)clang_getFunctionTypeCallingConv(t));
		break;
	}
	case CXType_Record:
		desc_record(b, t, seen);
		break;
	case CXType_Enum: {
		CXString s = clang_getTypeSpelling(t);
		put(b, clang_getCString(s));
		clang_disposeString(s);
		put(b, ":");
		desc(b, clang_getEnumDeclIntegerType(clang_getTypeDeclaration(t)), seen);
		break;
	}
	default: {
		CXString s = clang_getTypeSpelling(clang_getUnqualifiedType(t));
		put(b, clang_getCString(s));
		clang_disposeString(s);
	}
	}
}

/* The annotations that change what a declaration promises, as one
 * sorted, de-duplicated word list. */
struct annots { char w[16][48]; int n; };

static void annot_add(struct annots *a, const char *s)
{
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->w[i], s))
			return;
	if (a->n < 16)
		snprintf(a->w[a->n++], sizeof(a->w[0]), "%s", s);
}

static enum CXChildVisitResult collect_annots(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	struct annots *a = d;
	char buf[64];
	if (c.kind == CXCursor_AnnotateAttr) {
		CXString s = clang_getCursorSpelling(c);
		const char *v = clang_getCString(s);
		if (!strncmp(v, "keel_", 5))
			annot_add(a, v + 5);
		clang_disposeString(s);
	} else if (c.kind == CXCursor_WarnUnusedResultAttr) {
		annot_add(a, "must_check");
	} else if (clang_isAttribute(c.kind)) {
		const char *n = attr_name(clang_Cursor_getTranslationUnit(c), c, buf, sizeof(buf));
		if (strstr(n, "noreturn") || strstr(n, "Noreturn"))
			annot_add(a, "noreturn");
		else if (!strcmp(n, "format") || !strcmp(n, "__format__"))
			annot_add(a, "printf");
	}
	return CXChildVisit_Continue;
}

static int cmp_word(const void *x, const void *y) { return strcmp(x, y); }

static void decl_annots(CXCursor c, struct buf *b)
{
	struct annots a = { .n = 0 };
	clang_visitChildren(c, collect_annots, &a);
	if (c.kind == CXCursor_FunctionDecl) {
		/* _Noreturn is a specifier, not an attribute cursor: the
		 * function type carries it */
		CXString ts = clang_getTypeSpelling(clang_getCursorType(c));
		CXString cs = clang_getTypeSpelling(clang_getCanonicalType(clang_getCursorType(c)));
		if (strstr(clang_getCString(ts), "noreturn") || strstr(clang_getCString(cs), "noreturn"))
			annot_add(&a, "noreturn");
		clang_disposeString(ts);
		clang_disposeString(cs);
		int n = clang_Cursor_getNumArguments(c);
		for (int i = 0; i < n; i++) {
			CXCursor arg = clang_Cursor_getArgument(c, (unsigned)i);
			char w[32];
			if (cur_has_annot(arg, "keel_pod_dst")) {
				snprintf(w, sizeof(w), "pod_dst@%d", i);
				annot_add(&a, w);
			}
			if (cur_has_annot(arg, "keel_pod_src")) {
				snprintf(w, sizeof(w), "pod_src@%d", i);
				annot_add(&a, w);
			}
		}
	}
	qsort(a.w, (size_t)a.n, sizeof(a.w[0]), cmp_word);
	for (int i = 0; i < a.n; i++) {
		if (i)
			put(b, ",");
		put(b, a.w[i]);
	}
}

/* The description itself, made one whitespace-free word: every byte
 * outside '!'..'~', and '%', as %XX. Injective, so two descriptions
 * compare equal exactly when they are equal: no hash to collide (a 64-bit
 * FNV was searched for a collision in minutes: two service TUs then saw a
 * pool's element type as 16 and as 4096 bytes). */
static void print_word(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch > ' ' && ch < 127 && ch != '%')
			fputc(ch, out);
		else
			fprintf(out, "%%%02X", ch);
	}
}

enum sigmode { SIG_SERVICE, SIG_API, SIG_EXPORTS };
struct sigctx { struct sc *sc; FILE *out; enum sigmode mode; struct strset *done; };

static enum origin decl_origin(struct sc *sc, CXCursor c)
{
	CXFile f = NULL;
	clang_getSpellingLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
	if (!f)
		clang_getExpansionLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
	return sc_file_origin(sc, f);
}

/* One line for a function or variable with external linkage. */
static void sig_decl(struct sigctx *sx, CXCursor c, const char *name)
{
	struct buf b = { NULL, 0, 0 }, an = { NULL, 0, 0 };
	struct strset *seen = strset_new();
	char kind = c.kind == CXCursor_FunctionDecl ? 'F' : 'V';
	put(&b, kind == 'F' ? "F:" : "V:");
	desc(&b, clang_getCursorType(c), seen);
	decl_annots(c, &an);
	if (clang_getCursorLinkage(c) != CXLinkage_External)
		put(&an, an.n ? ",static" : "static");  /* in the table only: not a symbol */
	if (!an.n)
		put(&an, "-");
	put(&b, "|");
	put(&b, an.p);
	fprintf(sx->out, "%c %s ", kind, name);
	print_word(sx->out, b.p);
	fprintf(sx->out, " %s\n", sx->mode == SIG_API ? an.p : sx->sc->mainfile);
	free(b.p);
	free(an.p);
}

/* One line for a named struct definition: its layout and sealedness. */
static void sig_record(struct sigctx *sx, CXCursor c)
{
	CXType t = clang_getCursorType(c);
	CXString s = clang_getTypeSpelling(t);
	const char *sp = clang_getCString(s);
	if (!strncmp(sp, "struct ", 7) && !strstr(sp, "unnamed") && !strstr(sp, "anonymous") &&
	    !strset_has(sx->done, sp)) {
		strset_add(sx->done, sp);
		struct buf b = { NULL, 0, 0 };
		struct strset *seen = strset_new();
		desc(&b, t, seen);
		if (ty_is_sealed(t))
			put(&b, "|sealed");
		fprintf(sx->out, "T %s ", sp + 7);
		print_word(sx->out, b.p);
		fprintf(sx->out, " %s\n", sx->mode == SIG_API ? (ty_is_sealed(t) ? "sealed" : "-") : sx->sc->mainfile);
		free(b.p);
	}
	clang_disposeString(s);
}

static enum CXChildVisitResult sig_top(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	struct sigctx *sx = d;
	int fwdecl = decl_origin(sx->sc, c) == ORIGIN_FRAMEWORK;
	if (c.kind == CXCursor_StructDecl && clang_isCursorDefinition(c)) {
		if (sx->mode == SIG_SERVICE || (sx->mode == SIG_API && fwdecl))
			sig_record(sx, c);
		return CXChildVisit_Continue;
	}
	if (c.kind != CXCursor_FunctionDecl && c.kind != CXCursor_VarDecl)
		return CXChildVisit_Continue;
	/* the API table names the framework's static inline functions too (a
	 * service may not redeclare them); symbols are external ones only */
	if (clang_getCursorLinkage(c) != CXLinkage_External && !(sx->mode == SIG_API && fwdecl))
		return CXChildVisit_Continue;
	CXString n = clang_getCursorSpelling(c);
	const char *name = clang_getCString(n);
	if (sx->mode == SIG_EXPORTS) {
		if (fwdecl && (cur_has_annot(c, "keel_safe") || cur_has_annot(c, "keel_macro_only")) &&
		    !strset_has(sx->done, name)) {
			strset_add(sx->done, name);
			fprintf(sx->out, "%s\n", name);
		}
	} else if (sx->mode == SIG_API) {
		if (fwdecl && !strset_has(sx->done, name)) {
			strset_add(sx->done, name);
			sig_decl(sx, c, name);
		}
	} else {
		sig_decl(sx, c, name);
	}
	clang_disposeString(n);
	return CXChildVisit_Continue;
}

int sc_write_sigs(struct sc *sc, const char *out)
{
	struct sigctx sx = { sc, fopen(out, "w"), SIG_SERVICE, strset_new() };
	if (!sx.out) {
		perror(out);
		return -1;
	}
	clang_visitChildren(clang_getTranslationUnitCursor(sc->tu), sig_top, &sx);
	return fclose(sx.out);
}

int sc_list_exports(struct sc *sc)
{
	struct sigctx sx = { sc, stdout, SIG_EXPORTS, strset_new() };
	clang_visitChildren(clang_getTranslationUnitCursor(sc->tu), sig_top, &sx);
	return 0;
}

int sc_list_framework_api(struct sc *sc)
{
	struct sigctx sx = { sc, stdout, SIG_API, strset_new() };
	clang_visitChildren(clang_getTranslationUnitCursor(sc->tu), sig_top, &sx);
	return 0;
}

/* ---- reading the table back (--framework-api) ---- */
int sc_load_framework_api(struct sc *sc, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	if (!f) {
		perror(path);
		return -1;
	}
	sc->api_names = strset_new();
	sc->api_safe = strset_new();
	sc->api_macro = strset_new();
	sc->api_types = strset_new();
	sc->api_upcall = strset_new();
	while (getline(&line, &cap, f) > 0) {
		/* K name description annotations: the description is one word */
		char *save = NULL, *kind = strtok_r(line, " \n", &save), *name = strtok_r(NULL, " \n", &save);
		char *descr = strtok_r(NULL, " \n", &save), *an = strtok_r(NULL, " \n", &save);
		if (!kind || !name || !descr || !an)
			continue;
		if (kind[0] == 'T') {
			strset_add(sc->api_types, name);
			continue;
		}
		strset_add(sc->api_names, name);
		/* the word list is comma-separated: match whole words */
		char *wsave = NULL;
		for (char *w = strtok_r(an, ",", &wsave); w; w = strtok_r(NULL, ",", &wsave)) {
			if (!strcmp(w, "safe"))
				strset_add(sc->api_safe, name);
			else if (!strcmp(w, "macro_only"))
				strset_add(sc->api_macro, name);
			else if (!strcmp(w, "upcall"))
				strset_add(sc->api_upcall, name);
		}
	}
	free(line);
	fclose(f);
	return 0;
}
