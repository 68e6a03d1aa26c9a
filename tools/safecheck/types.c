/* safecheck — type predicates over canonical types.
 *
 * Layer: host tool. Every rule asks its questions about canonical types, so
 * typedefs, __typeof__ and _Generic cannot hide a pointer, a sealed struct
 * or a flexible array from the checker: they are all resolved by clang
 * before we look. Record types are descended field by field (by value
 * only: a pointer ends the descent, it is its own fact).
 */
#include "sc.h"

#include <stdio.h>
#include <string.h>

CXType ty_canon(CXType t)
{
	return clang_getCanonicalType(t);
}

int ty_is_ptr(CXType t)
{
	enum CXTypeKind k = ty_canon(t).kind;
	return k == CXType_Pointer || k == CXType_BlockPointer;
}

int ty_is_fnptr(CXType t)
{
	if (!ty_is_ptr(t))
		return 0;
	enum CXTypeKind k = ty_canon(clang_getPointeeType(ty_canon(t))).kind;
	return k == CXType_FunctionProto || k == CXType_FunctionNoProto;
}

static CXCursor record_def(CXType t)
{
	CXCursor d = clang_getTypeDeclaration(ty_canon(t));
	CXCursor def = clang_getCursorDefinition(d);
	return clang_Cursor_isNull(def) ? d : def;
}

int ty_is_record(CXType t)
{
	return ty_canon(t).kind == CXType_Record;
}

int ty_is_union(CXType t)
{
	return ty_is_record(t) && record_def(t).kind == CXCursor_UnionDecl;
}

static enum CXChildVisitResult find_annot(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	const char **want = d;
	if (c.kind == CXCursor_AnnotateAttr) {
		CXString s = clang_getCursorSpelling(c);
		int hit = !strcmp(clang_getCString(s), *want);
		clang_disposeString(s);
		if (hit) {
			*want = NULL;
			return CXChildVisit_Break;
		}
	}
	return CXChildVisit_Continue;
}

int cur_has_annot(CXCursor c, const char *what)
{
	const char *want = what;
	if (clang_Cursor_isNull(c))
		return 0;
	clang_visitChildren(c, find_annot, &want);
	return want == NULL;
}

int fn_param_has_annot(CXCursor fn, int i, const char *what)
{
	if (i < 0 || i >= clang_Cursor_getNumArguments(fn))
		return 0;
	return cur_has_annot(clang_Cursor_getArgument(fn, (unsigned)i), what);
}

int ty_is_sealed(CXType t)
{
	if (!ty_is_record(t))
		return 0;
	CXCursor def = clang_getCursorDefinition(clang_getTypeDeclaration(ty_canon(t)));
	return !clang_Cursor_isNull(def) && cur_has_annot(def, "keel_sealed");
}

/* Generic "does any by-value part of t satisfy leaf()" walk. */
typedef int (*leaf_fn)(CXType t);
struct fieldwalk { leaf_fn leaf; int hit; int stop_at_sealed; };
static int ty_any(CXType t, leaf_fn leaf, int stop_at_sealed);

static enum CXVisitorResult field_cb(CXCursor f, CXClientData d)
{
	struct fieldwalk *fw = d;
	if (ty_any(clang_getCursorType(f), fw->leaf, fw->stop_at_sealed)) {
		fw->hit = 1;
		return CXVisit_Break;
	}
	return CXVisit_Continue;
}

static int ty_any(CXType t, leaf_fn leaf, int stop_at_sealed)
{
	t = ty_canon(t);
	if (leaf(t))
		return 1;
	switch (t.kind) {
	case CXType_ConstantArray:
	case CXType_IncompleteArray:
	case CXType_VariableArray:
	case CXType_DependentSizedArray:
		return ty_any(clang_getArrayElementType(t), leaf, stop_at_sealed);
	case CXType_Atomic:  /* _Atomic(int *) holds an int * */
		return ty_any(clang_Type_getValueType(t), leaf, stop_at_sealed);
	case CXType_Record: {
		if (stop_at_sealed && ty_is_sealed(t))
			return 0;
		struct fieldwalk fw = { leaf, 0, stop_at_sealed };
		clang_Type_visitFields(t, field_cb, &fw);
		return fw.hit;
	}
	default:
		return 0;
	}
}

static int leaf_data_ptr(CXType t) { return ty_is_ptr(t) && !ty_is_fnptr(t); }
static int leaf_sealed(CXType t) { return ty_is_sealed(t); }
static int leaf_flex(CXType t)
{
	/* a record whose last field is an incomplete array */
	return t.kind == CXType_IncompleteArray;
}

/* Framework-internal pointers inside a sealed struct are the framework's
 * business (services cannot reach them), so the descent stops there. */
int ty_has_data_ptr(CXType t) { return ty_any(t, leaf_data_ptr, 1); }
int ty_has_sealed(CXType t) { return ty_any(t, leaf_sealed, 0); }

/* Can a pointer inside t reach storage that holds a data pointer? That is
 * the way a borrowed pointer gets out of its scope without being stored in
 * a service declaration: `*out = p` through T **, `(*out)[0] = p` through
 * T *(*)[N], `out->p = p` through a pointer to a struct holding one, or a
 * function pointer whose signature has such a parameter or result. The
 * descent follows arrays, record fields (not into sealed types, whose
 * pointers services cannot touch) and function-pointer signatures; it
 * does not follow a pointer to plain data any further (the pointee's own
 * declaration is judged where it is declared). */
static int p2h(CXType t, int depth);

static enum CXVisitorResult p2h_field(CXCursor f, CXClientData d)
{
	int *st = d;
	if (p2h(clang_getCursorType(f), st[1] + 1)) {
		st[0] = 1;
		return CXVisit_Break;
	}
	return CXVisit_Continue;
}

static int p2h_fn(CXType fn, int depth)
{
	if (p2h(clang_getResultType(fn), depth + 1))
		return 1;
	int n = clang_getNumArgTypes(fn);
	for (int i = 0; i < n; i++)
		if (p2h(clang_getArgType(fn, (unsigned)i), depth + 1))
			return 1;
	return 0;
}

static int p2h(CXType t, int depth)
{
	if (depth > 32)
		return 0;  /* recursive record types: the pointer already ended it */
	t = ty_canon(t);
	switch (t.kind) {
	case CXType_Pointer:
	case CXType_BlockPointer: {
		CXType e = ty_canon(clang_getPointeeType(t));
		if (e.kind == CXType_FunctionProto || e.kind == CXType_FunctionNoProto)
			return p2h_fn(e, depth);
		return ty_has_data_ptr(e);
	}
	case CXType_FunctionProto:
	case CXType_FunctionNoProto:
		return p2h_fn(t, depth);
	case CXType_ConstantArray:
	case CXType_IncompleteArray:
	case CXType_VariableArray:
		return p2h(clang_getArrayElementType(t), depth + 1);
	case CXType_Atomic:
		return p2h(clang_Type_getValueType(t), depth + 1);
	case CXType_Record: {
		if (ty_is_sealed(t))
			return 0;
		int st[2] = { 0, depth };
		clang_Type_visitFields(t, p2h_field, st);
		return st[0];
	}
	default:
		return 0;
	}
}

int ty_has_ptr_to_holder(CXType t) { return p2h(t, 0); }

long long ty_nonplain_end(CXType t);

static enum CXVisitorResult nonplain_field(CXCursor f, CXClientData d)
{
	long long *end = d;
	long long e = ty_nonplain_end(clang_getCursorType(f));
	long long off = clang_Cursor_getOffsetOfField(f);
	if (e > 0 && off >= 0 && off / 8 + e > *end)
		*end = off / 8 + e;
	return CXVisit_Continue;
}

/* Does t name a variadic function type: itself, through pointers and
 * arrays, or in a function type's parameters or result? Only framework
 * functions are variadic; a service type for one is a way to call it
 * without naming it (rule variadic). */
static int vfn(CXType t, int depth)
{
	if (depth > 32)
		return 0;
	t = ty_canon(t);
	switch (t.kind) {
	case CXType_Pointer:
	case CXType_BlockPointer:
		return vfn(clang_getPointeeType(t), depth + 1);
	case CXType_ConstantArray:
	case CXType_IncompleteArray:
	case CXType_VariableArray:
		return vfn(clang_getArrayElementType(t), depth + 1);
	case CXType_FunctionProto: {
		if (clang_isFunctionTypeVariadic(t) || vfn(clang_getResultType(t), depth + 1))
			return 1;
		int n = clang_getNumArgTypes(t);
		for (int i = 0; i < n; i++)
			if (vfn(clang_getArgType(t, (unsigned)i), depth + 1))
				return 1;
		return 0;
	}
	case CXType_FunctionNoProto:
		return vfn(clang_getResultType(t), depth + 1);
	default:
		return 0;
	}
}

int ty_has_variadic_fn(CXType t) { return vfn(t, 0); }

/* The end (in bytes) of the last part of t a load cannot take as just
 * bits: a function pointer, a _Bool (or an enum over one: clang assumes
 * 0 or 1 and drops a bounds check), a sealed framework struct (whose
 * fields the framework trusts), a data pointer; 0 if t is plain data. Used by rule null-reach: such a part of a NULL pointer's target
 * must lie below FW_USER_MIN, where no user page is ever mapped. */
long long ty_nonplain_end(CXType t)
{
	t = ty_canon(t);
	long long size = clang_Type_getSizeOf(t);
	switch (t.kind) {
	case CXType_Pointer:
	case CXType_BlockPointer:
	case CXType_Bool:
		return size > 0 ? size : 1;
	case CXType_Enum: /* a C enum is its integer type; one over _Bool is not */
		return ty_canon(clang_getEnumDeclIntegerType(clang_getTypeDeclaration(t))).kind == CXType_Bool ? 1 : 0;
	case CXType_ConstantArray: {
		CXType e = clang_getArrayElementType(t);
		long long end = ty_nonplain_end(e), esz = clang_Type_getSizeOf(e), n = clang_getArraySize(t);
		return end > 0 && n > 0 && esz > 0 ? (n - 1) * esz + end : end;
	}
	case CXType_IncompleteArray:
	case CXType_VariableArray: /* no end at all */
		return ty_nonplain_end(clang_getArrayElementType(t)) > 0 ? 0x7fffffffffffffffLL : 0;
	case CXType_Record: {
		if (ty_is_sealed(t) || ty_is_union(t))
			return size > 0 ? size : 1;
		struct { long long end; } st = { 0 };
		clang_Type_visitFields(t, nonplain_field, &st);
		return st.end;
	}
	default:
		return 0;
	}
}

/* The size of t in bytes as the code generator lays it out, computed
 * here without wrapping; SC_TYPE_MAX + 1 when it is larger (attack round
 * 3). clang sizes a record in a 64-bit count of *bits* and lets the count
 * wrap: 30 fields of 2^60 bytes put the next field, in the code LLVM
 * emits, at 0xF000000000000000, and `p->tail` on a NULL `p` read kernel
 * text. So the sum of the fields is taken here, saturating, and a record
 * is only sized by clang once that sum (plus at most a few alignment
 * paddings) cannot reach 2^61 bytes, where clang's bit count would wrap. */
static long long exact_size(CXType t, int depth);

struct esz { long long sum; int depth, is_union; };

static enum CXVisitorResult esz_field(CXCursor f, CXClientData d)
{
	struct esz *e = d;
	long long s = clang_Cursor_isBitField(f) ? 0 : exact_size(clang_getCursorType(f), e->depth + 1);
	if (e->is_union)  /* members overlap (unions are refused anyway) */
		e->sum = s > e->sum ? s : e->sum;
	else
		e->sum = s > SC_TYPE_MAX - e->sum ? SC_TYPE_MAX + 1 : e->sum + s;
	return e->sum > SC_TYPE_MAX ? CXVisit_Break : CXVisit_Continue;
}

static long long exact_size(CXType t, int depth)
{
	t = ty_canon(t);
	if (depth > 64)
		return SC_TYPE_MAX + 1;  /* deeper than any type clang accepts by value */
	switch (t.kind) {
	case CXType_ConstantArray: {
		long long n = clang_getArraySize(t), e = exact_size(clang_getArrayElementType(t), depth + 1);
		if (n < 0 || e > SC_TYPE_MAX || (e > 0 && n > SC_TYPE_MAX / e))
			return SC_TYPE_MAX + 1;
		return n * e;
	}
	case CXType_IncompleteArray:
	case CXType_VariableArray:
		return 0;  /* no size of its own (flexible arrays, VLAs: their own rules) */
	case CXType_Record: {
		struct esz e = { 0, depth, ty_is_union(t) };
		clang_Type_visitFields(t, esz_field, &e);
		if (e.sum > SC_TYPE_MAX)
			return SC_TYPE_MAX + 1;
		/* the fields alone are below 2^47 bytes; padding adds less than
		 * one maximal alignment (2^32, clang's limit) per field, so with
		 * fewer than 2^28 fields (a source file cannot hold more) clang's
		 * bit count has not wrapped, and its size is the real one */
		long long s = clang_Type_getSizeOf(t);
		return s < 0 ? 0 : s < e.sum || s > SC_TYPE_MAX ? SC_TYPE_MAX + 1 : s;
	}
	default: {
		long long s = clang_Type_getSizeOf(t);
		return s < 0 ? 0 : s;
	}
	}
}

long long ty_exact_size(CXType t)
{
	return exact_size(t, 0);
}

/* Does t have bits no member covers: padding between or after fields,
 * unused bits of a bit-field's storage, an unnamed bit-field (attack round
 * 3)? Such bits are written by nothing in C: -ftrivial-auto-var-init
 * zeroes declared variables, but a temporary (a struct a function returns
 * into its caller's stack, a compound literal) keeps whatever the stack
 * held there, and a byte copy out of the object takes it along. Sealed
 * framework structs count as padded (their bytes are not the service's to
 * copy), and so do pointers, data or function: their bytes are a kernel
 * address, which no copy out of the kernel should carry. Arrays pad as
 * their element does. */
struct padwalk { long long bits; int bad; int depth; };
static int has_padding(CXType t, int depth);

static enum CXVisitorResult pad_field(CXCursor f, CXClientData d)
{
	struct padwalk *pw = d;
	if (clang_Cursor_isBitField(f)) {
		CXString n = clang_getCursorSpelling(f);
		int unnamed = !clang_getCString(n)[0];
		clang_disposeString(n);
		if (unnamed) {  /* not a member: initialisation skips it */
			pw->bad = 1;
			return CXVisit_Break;
		}
		pw->bits += clang_getFieldDeclBitWidth(f);
		return CXVisit_Continue;
	}
	CXType ft = clang_getCursorType(f);
	if (has_padding(ft, pw->depth + 1)) {
		pw->bad = 1;
		return CXVisit_Break;
	}
	long long sz = clang_Type_getSizeOf(ft);
	pw->bits += sz > 0 ? 8 * sz : 0;
	return CXVisit_Continue;
}

static int has_padding(CXType t, int depth)
{
	t = ty_canon(t);
	if (depth > 64)
		return 1;
	switch (t.kind) {
	case CXType_Pointer:
	case CXType_BlockPointer:
		return 1;  /* a kernel address is not the object's data either */
	case CXType_ConstantArray:
	case CXType_IncompleteArray:
		return has_padding(clang_getArrayElementType(t), depth + 1);
	case CXType_Record: {
		if (ty_is_sealed(t) || ty_is_union(t))
			return 1;
		struct padwalk pw = { 0, 0, depth };
		clang_Type_visitFields(t, pad_field, &pw);
		return pw.bad || pw.bits != 8 * clang_Type_getSizeOf(t);
	}
	default:
		return 0;
	}
}

int ty_has_padding(CXType t)
{
	return has_padding(t, 0);
}

int ty_has_flex(CXType t)
{
	t = ty_canon(t);
	while (t.kind == CXType_ConstantArray)
		t = ty_canon(clang_getArrayElementType(t));
	return t.kind == CXType_Record && ty_any(t, leaf_flex, 0);
}

int ty_has_restrict(CXType t)
{
	for (int depth = 0; depth < 16; depth++) {
		if (clang_isRestrictQualifiedType(t) || clang_isRestrictQualifiedType(ty_canon(t)))
			return 1;
		CXType c = ty_canon(t);
		if (c.kind == CXType_Pointer)
			t = clang_getPointeeType(c);
		else if (c.kind == CXType_ConstantArray || c.kind == CXType_IncompleteArray)
			t = clang_getArrayElementType(c);
		else
			return 0;
	}
	return 0;
}

int ty_const_object(CXType t)
{
	/* canonical array types may carry the element's const on the array */
	for (int depth = 0; depth < 16; depth++) {
		if (clang_isConstQualifiedType(t) || clang_isConstQualifiedType(ty_canon(t)))
			return 1;
		CXType c = ty_canon(t);
		if (c.kind != CXType_ConstantArray && c.kind != CXType_IncompleteArray)
			return 0;
		t = clang_getArrayElementType(c);
	}
	return 0;
}

/* Floating types (attack round 5): the kernel has no floating point
 * (-mgeneral-regs-only, no soft-float runtime linked), so the only float
 * a service could write is one the compiler folds, and an out-of-range
 * conversion folds to poison, which the optimiser used to delete a
 * bounds check. Any depth: arrays, pointees, fields, signatures. */
static int fl(CXType t, int depth)
{
	t = ty_canon(t);
	if (depth > 16)
		return 0;
	switch (t.kind) {
	case CXType_Float: case CXType_Double: case CXType_LongDouble:
	case CXType_Half: case CXType_Float16: case CXType_Float128:
	case CXType_BFloat16: case CXType_Ibm128: case CXType_Complex:
		return 1;
	case CXType_ConstantArray: case CXType_IncompleteArray:
	case CXType_VariableArray: case CXType_DependentSizedArray:
		return fl(clang_getArrayElementType(t), depth + 1);
	case CXType_Pointer:
		return fl(clang_getPointeeType(t), depth + 1);
	case CXType_Atomic:
		return fl(clang_Type_getValueType(t), depth + 1);
	case CXType_FunctionProto: case CXType_FunctionNoProto: {
		if (fl(clang_getResultType(t), depth + 1))
			return 1;
		int n = clang_getNumArgTypes(t);
		for (int i = 0; i < n; i++)
			if (fl(clang_getArgType(t, (unsigned)i), depth + 1))
				return 1;
		return 0;
	}
	default:
		return 0;
	}
}

int ty_has_float(CXType t) { return fl(t, 0); }

int ty_is_integer(CXType t)
{
	enum CXTypeKind k = ty_canon(t).kind;
	return (k >= CXType_Bool && k <= CXType_Int128) || k == CXType_Enum;
}

/* Plain data: every bit pattern is a valid value. Integers and records and
 * fixed arrays of them; nothing the code might trust (bool, enum, pointer,
 * const member, sealed state, flexible length). */
struct podwalk { const char **why; int ok; };
static int pod(CXType t, const char **why);

static enum CXVisitorResult pod_field(CXCursor f, CXClientData d)
{
	struct podwalk *pw = d;
	CXType ft = clang_getCursorType(f);
	if (clang_isConstQualifiedType(ty_canon(ft))) {
		*pw->why = "const member";
		pw->ok = 0;
	} else {
		pw->ok = pod(ft, pw->why);
	}
	return pw->ok ? CXVisit_Continue : CXVisit_Break;
}

static int pod(CXType t, const char **why)
{
	t = ty_canon(t);
	switch (t.kind) {
	case CXType_Char_U: case CXType_UChar: case CXType_UShort: case CXType_UInt:
	case CXType_ULong: case CXType_ULongLong: case CXType_UInt128:
	case CXType_Char_S: case CXType_SChar: case CXType_Short: case CXType_Int:
	case CXType_Long: case CXType_LongLong: case CXType_Int128:
	case CXType_Char16: case CXType_Char32: case CXType_WChar:
		return 1;
	case CXType_Bool: *why = "_Bool"; return 0;
	case CXType_Enum: *why = "enum"; return 0;
	case CXType_Pointer: case CXType_BlockPointer: *why = "pointer"; return 0;
	case CXType_IncompleteArray: *why = "flexible array"; return 0;
	case CXType_ConstantArray:
		/* const T[N]: the canonical array carries the const on its element */
		if (clang_isConstQualifiedType(clang_getArrayElementType(t))) {
			*why = "const element";
			return 0;
		}
		return pod(clang_getArrayElementType(t), why);
	case CXType_Record: {
		if (ty_is_union(t)) { *why = "union"; return 0; }
		if (ty_is_sealed(t)) { *why = "sealed type"; return 0; }
		if (clang_Type_getSizeOf(t) < 0) { *why = "incomplete type"; return 0; }
		struct podwalk pw = { why, 1 };
		clang_Type_visitFields(t, pod_field, &pw);
		return pw.ok;
	}
	case CXType_Void: *why = "void (type unknown)"; return 0;
	default: *why = "not an integer type"; return 0;
	}
}

int ty_is_pod(CXType t, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (clang_isConstQualifiedType(ty_canon(t))) {
		*why = "const destination";
		return 0;
	}
	return pod(t, why);
}

/* Name of an attribute cursor: its kind when libclang exposes one, else
 * the first identifier of its source extent. */
const char *attr_name(CXTranslationUnit tu, CXCursor a, char *buf, size_t n)
{
	switch (a.kind) {
	case CXCursor_PackedAttr: return "packed";
	case CXCursor_AlignedAttr: return "aligned";
	case CXCursor_WarnUnusedResultAttr: return "warn_unused_result";
	case CXCursor_AnnotateAttr: return "annotate";
	case CXCursor_AsmLabelAttr: return "asm";
	case CXCursor_PureAttr: return "pure";
	case CXCursor_ConstAttr: return "const";
	case CXCursor_VisibilityAttr: return "visibility";
	default: break;
	}
	CXToken *toks = NULL;
	unsigned nt = 0;
	snprintf(buf, n, "?");
	clang_tokenize(tu, clang_getCursorExtent(a), &toks, &nt);
	for (unsigned i = 0; i < nt; i++) {
		enum CXTokenKind tk = clang_getTokenKind(toks[i]);
		if (tk == CXToken_Identifier || tk == CXToken_Keyword) {
			/* [[ns::name]]: the name is what follows the '::' */
			if (i + 2 < nt) {
				CXString sep = clang_getTokenSpelling(tu, toks[i + 1]);
				int scoped = !strcmp(clang_getCString(sep), "::");
				clang_disposeString(sep);
				if (scoped)
					continue;
			}
			CXString s = clang_getTokenSpelling(tu, toks[i]);
			snprintf(buf, n, "%s", clang_getCString(s));
			clang_disposeString(s);
			break;
		}
	}
	clang_disposeTokens(tu, toks, nt);
	return buf;
}
