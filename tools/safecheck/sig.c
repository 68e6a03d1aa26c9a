/* safecheck — cross-TU type signatures (hazard 3) and the export list.
 *
 * Layer: host tool. C lets two files disagree about a function's
 * signature or a struct's layout and links them anyway. --sig-out writes,
 * for every externally visible function or variable this TU declares or
 * defines, a hash of its full canonical type: parameters, result,
 * variadic-ness, _Noreturn, and every struct reachable from it spelled out
 * as field names, types and bit offsets. `make sigcheck` fails when two
 * TUs hash the same symbol differently.
 *
 * --list-exports prints the external functions and variables that
 * framework headers mark FW_API: the only framework symbols a service
 * object may import (the import wall).
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

static enum CXChildVisitResult find_noreturn(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	char buf[64];
	if (clang_isAttribute(c.kind)) {
		const char *n = attr_name(clang_Cursor_getTranslationUnit(c), c, buf, sizeof(buf));
		if (strstr(n, "noreturn") || strstr(n, "Noreturn"))
			*(int *)d = 1;
	}
	return CXChildVisit_Continue;
}

static unsigned long long fnv(const char *s)
{
	unsigned long long h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

struct sigctx { struct sc *sc; FILE *out; int exports; struct strset *done; };

static enum CXChildVisitResult sig_top(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	struct sigctx *sx = d;
	if ((c.kind != CXCursor_FunctionDecl && c.kind != CXCursor_VarDecl) ||
	    clang_getCursorLinkage(c) != CXLinkage_External)
		return CXChildVisit_Continue;
	CXString n = clang_getCursorSpelling(c);
	const char *name = clang_getCString(n);
	if (sx->exports) {
		CXFile f = NULL;
		clang_getSpellingLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
		if (sc_file_origin(sx->sc, f) == ORIGIN_FRAMEWORK &&
		    (cur_has_annot(c, "keel_safe") || cur_has_annot(c, "keel_macro_only")) &&
		    !strset_has(sx->done, name)) {
			strset_add(sx->done, name);
			fprintf(sx->out, "%s\n", name);
		}
	} else {
		struct buf b = { NULL, 0, 0 };
		struct strset *seen = strset_new();
		int noret = 0;
		put(&b, c.kind == CXCursor_FunctionDecl ? "F:" : "V:");
		desc(&b, clang_getCursorType(c), seen);
		clang_visitChildren(c, find_noreturn, &noret);
		if (noret)
			put(&b, ":noreturn");
		fprintf(sx->out, "%s %016llx %s\n", name, fnv(b.p), sx->sc->mainfile);
		free(b.p);
	}
	clang_disposeString(n);
	return CXChildVisit_Continue;
}

int sc_write_sigs(struct sc *sc, const char *out)
{
	struct sigctx sx = { sc, fopen(out, "w"), 0, NULL };
	if (!sx.out) {
		perror(out);
		return -1;
	}
	clang_visitChildren(clang_getTranslationUnitCursor(sc->tu), sig_top, &sx);
	return fclose(sx.out);
}

int sc_list_exports(struct sc *sc)
{
	struct sigctx sx = { sc, stdout, 1, strset_new() };
	clang_visitChildren(clang_getTranslationUnitCursor(sc->tu), sig_top, &sx);
	return 0;
}
