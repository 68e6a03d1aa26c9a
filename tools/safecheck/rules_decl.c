/* safecheck — rules on declarations, attributes and statements.
 *
 * Layer: host tool. Declarations are where types enter a service: stored
 * pointers, mutable globals, flexible arrays, sealed values, unions,
 * variadics, extern re-declarations and attributes are all decided by the
 * declared (canonical) type and storage, so typedefs cannot hide them.
 */
#include "sc.h"

#include <stdio.h>
#include <string.h>

static CXType cty(CXCursor c) { return clang_getCursorType(c); }

/* Attributes a service may write: they change diagnostics or layout in
 * ways the compiler still checks, never what code is generated for memory
 * access or where a symbol lands. */
static const char *const attr_ok[] = {
	"unused", "maybe_unused", "noreturn", "_Noreturn", "warn_unused_result",
	"nodiscard", "packed", "aligned", "cold", "hot", "noinline",
	"always_inline", "deprecated", "fallthrough", NULL,
};

static void norm_attr(const char *in, char *out, size_t n)
{
	size_t l = strlen(in);
	if (l > 4 && !strncmp(in, "__", 2) && !strcmp(in + l - 2, "__"))
		snprintf(out, n, "%.*s", (int)(l - 4), in + 2);
	else
		snprintf(out, n, "%s", in);
}

int sc_attr_allowed(const char *name)
{
	char b[128];
	norm_attr(name, b, sizeof(b));
	for (int i = 0; attr_ok[i]; i++)
		if (!strcmp(b, attr_ok[i]))
			return 1;
	return 0;
}

int sc_is_counted_attr(const char *name)
{
	char b[128];
	norm_attr(name, b, sizeof(b));
	return !strncmp(b, "counted_by", 10) || !strncmp(b, "sized_by", 8) ||
	       !strcmp(b, "ended_by");
}

static void rule_attr(struct walk *w, CXCursor c)
{
	char buf[128];
	const char *n = attr_name(w->sc->tu, c, buf, sizeof(buf));
	if (c.kind == CXCursor_AsmLabelAttr)
		sc_report_at(w->sc, c, "asm", "asm label renames a symbol");
	else if (sc_is_counted_attr(n))
		sc_report_at(w->sc, c, "counted-by", "services may not declare counted_by");
	else if (!sc_attr_allowed(n))
		sc_report_at(w->sc, c, "attribute", "attribute '%s' is not on the allow-list", n);
}

/* Type-level attributes (address_space, noderef, ...) and counted_by are
 * part of the type, not attribute cursors: look at the type's spelling. */
static void rule_type_attrs(struct walk *w, CXCursor c, CXType t)
{
	CXString s = clang_getTypeSpelling(t);
	const char *p = clang_getCString(s);
	if (strstr(p, "counted_by") || strstr(p, "sized_by"))
		sc_report_at(w->sc, c, "counted-by", "services may not declare counted_by");
	else if (strstr(p, "address_space") || strstr(p, "__attribute__") ||
		 strstr(p, "noderef") || strstr(p, "btf_type_tag"))
		sc_report_at(w->sc, c, "attribute", "type attribute is not allowed");
	clang_disposeString(s);
}

static int has_vla(CXType t)
{
	for (t = ty_canon(t);; t = ty_canon(clang_getArrayElementType(t))) {
		if (t.kind == CXType_VariableArray)
			return 1;
		if (t.kind != CXType_ConstantArray && t.kind != CXType_IncompleteArray)
			return 0;
	}
}

static int has_zero_array(CXType t)
{
	for (t = ty_canon(t); t.kind == CXType_ConstantArray;
	     t = ty_canon(clang_getArrayElementType(t)))
		if (clang_getArraySize(t) == 0)
			return 1;
	return 0;
}

/* Common to variables, fields and parameters. */
static void rule_typed(struct walk *w, CXCursor c, CXType t)
{
	struct sc *sc = w->sc;
	rule_type_attrs(w, c, t);
	if (ty_has_restrict(t))
		sc_report_at(sc, c, "restrict", "restrict is not allowed in services");
	if (has_vla(t))
		sc_report_at(sc, c, "vla", "variable-length array");
	if (has_zero_array(t))
		sc_report_at(sc, c, "zero-length-array", "zero-length array");
	CXType e = ty_canon(t);
	while (e.kind == CXType_ConstantArray)
		e = ty_canon(clang_getArrayElementType(e));
	if (ty_is_union(e))
		sc_report_at(sc, c, "union", "object of union type");
	if (ty_has_variadic_fn(t))
		sc_report_at(sc, c, "variadic", "a type for a variadic function: call it by its name");
	rule_null_reach(sc, c, t);
}

static int tokens_are_zero_init(struct sc *sc, CXCursor init)
{
	CXToken *t = NULL;
	unsigned n = 0;
	int ok = 0;
	clang_tokenize(sc->tu, clang_getCursorExtent(init), &t, &n);
	if (n == 2 || n == 3) {
		CXString a = clang_getTokenSpelling(sc->tu, t[0]);
		CXString b = clang_getTokenSpelling(sc->tu, t[n - 1]);
		ok = !strcmp(clang_getCString(a), "{") && !strcmp(clang_getCString(b), "}");
		clang_disposeString(a);
		clang_disposeString(b);
		if (ok && n == 3) {
			CXString m = clang_getTokenSpelling(sc->tu, t[1]);
			ok = !strcmp(clang_getCString(m), "0");
			clang_disposeString(m);
		}
	}
	clang_disposeTokens(sc->tu, t, n);
	return ok;
}

/* Only {} and {0} start a sealed object: a zero-filled framework object
 * is always a valid empty one; anything else copies or forges state. An
 * aggregate containing sealed members may be brace-initialised as long as
 * each sealed part is {} / {0}. */
static int is_zero_init(struct sc *sc, CXCursor init)
{
	if (!sc_is_service(sc, init))
		return 1;  /* framework initializer macro, or an implicit zero */
	if (tokens_are_zero_init(sc, init))
		return 1;
	if (init.kind != CXCursor_InitListExpr || ty_is_sealed(cty(init)))
		return 0;
	int n = child_count(init);
	for (int i = 0; i < n; i++) {
		CXCursor k = nth_child(init, i);
		/* libclang shows a designated initialiser (`.p = x`, `[1] = x`)
		 * as a void-typed UnexposedExpr: designators, then the value.
		 * Judge the value (attack round 3: `{ .p = objs_pool }` copied a
		 * live pool past this test). */
		if (k.kind == CXCursor_UnexposedExpr && ty_canon(cty(k)).kind == CXType_Void && child_count(k) > 1)
			k = last_child(k);
		if (ty_has_sealed(cty(k)) && !is_zero_init(sc, k))
			return 0;
	}
	return 1;
}

/* A designator naming a field of a sealed framework struct (`.p.objsize =
 * 5` in an initialiser, `__builtin_offsetof(struct fw_pool, impl)`)
 * reaches into it as much as `p.objsize` does. */
void rules_ref(struct walk *w, CXCursor c, enum CXCursorKind k)
{
	if (k != CXCursor_MemberRef || !sc_is_service(w->sc, c))
		return;
	CXCursor rec = clang_getCursorSemanticParent(clang_getCursorReferenced(c));
	if (rec.kind == CXCursor_StructDecl && ty_is_sealed(clang_getCursorType(rec)))
		sc_report_at(w->sc, c, "sealed-access", "designator names a field of a sealed framework struct");
}

static int is_file_scope(CXCursor d)
{
	return clang_getCursorSemanticParent(d).kind == CXCursor_TranslationUnit;
}

static void rule_local_name(struct walk *w, CXCursor c)
{
	CXString nm = clang_getCursorSpelling(c);
	if (sc_framework_name(w->sc, clang_getCString(nm)))
		sc_report_at(w->sc, c, "extern-decl", "'%s' re-declares a framework name",
			     clang_getCString(nm));
	clang_disposeString(nm);
}

static void rule_var(struct walk *w, CXCursor c)
{
	struct sc *sc = w->sc;
	CXType t = cty(c);
	enum CX_StorageClass s = clang_Cursor_getStorageClass(c);
	int global = is_file_scope(c) || s == CX_SC_Static || s == CX_SC_Extern;
	rule_typed(w, c, t);
	if (clang_getCursorTLSKind(c) != CXTLS_None)
		sc_report_at(sc, c, "thread-local", "thread-local storage");
	if (s == CX_SC_Extern)
		sc_report_at(sc, c, "extern-decl", "extern variable declaration");
	/* at any scope: a local named like a framework function captures that
	 * name inside a trusted macro expanded in its block (attack round 3) */
	rule_local_name(w, c);
	if (global && s != CX_SC_Extern && !ty_const_object(t) && !cur_has_annot(c, "keel_trusted"))
		sc_report_at(sc, c, "global-mutable", "mutable global or static variable");
	/* No exemption for keel_trusted storage (FW_GLOBAL, pools, ktest
	 * tables): the type a service instantiates it with is the service's. */
	if (ty_has_data_ptr(t) && (global || !ty_is_ptr(t)))
		sc_report_at(sc, c, "stored-pointer", "%s holds a data pointer",
			     global ? "global" : "local aggregate");
	if (ty_has_flex(t))
		sc_report_at(sc, c, "flex-object", "object of a type with a flexible array");
	if (ty_has_sealed(t)) {
		CXCursor init = clang_Cursor_getVarDeclInitializer(c);
		if (!clang_Cursor_isNull(init) && !is_zero_init(sc, init))
			sc_report_at(sc, c, "sealed-copy",
				     "a sealed framework object may only be initialised with {0}");
	}
}

static void rule_field(struct walk *w, CXCursor c)
{
	CXType t = cty(c);
	rule_typed(w, c, t);
	if (ty_canon(t).kind == CXType_IncompleteArray)
		sc_report_at(w->sc, c, "counted-by", "services may not declare flexible array members");
	if (ty_has_data_ptr(t))
		sc_report_at(w->sc, c, "stored-pointer", "field holds a data pointer");
}

static void rule_param(struct walk *w, CXCursor c)
{
	CXType t = cty(c);
	rule_typed(w, c, t);
	rule_local_name(w, c);
	if (ty_has_sealed(t))
		sc_report_at(w->sc, c, "sealed-copy", "sealed framework object passed by value");
	if (ty_has_flex(t))
		sc_report_at(w->sc, c, "flex-object", "object with a flexible array passed by value");
	/* a parameter is a local: an aggregate holding a pointer is refused
	 * there as in any other local (only framework types could be one) */
	if (ty_has_data_ptr(t) && !ty_is_ptr(t))
		sc_report_at(w->sc, c, "stored-pointer", "parameter aggregate holds a data pointer");
}

static void rule_function(struct walk *w, CXCursor c)
{
	struct sc *sc = w->sc;
	CXType t = cty(c);
	CXType r = clang_getResultType(t);
	CXString name = clang_getCursorSpelling(c);
	const char *n = clang_getCString(name);
	CXFile f = NULL;
	clang_getSpellingLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
	if (!f) /* a name pasted by a macro: judge the file it expands in */
		clang_getExpansionLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
	if (clang_isFunctionTypeVariadic(t))
		sc_report_at(sc, c, "variadic", "variadic function '%s'", n);
	rule_type_attrs(w, c, r);
	if (ty_has_sealed(r))
		sc_report_at(sc, c, "sealed-copy", "sealed framework object returned by value");
	if (ty_has_flex(r))
		sc_report_at(sc, c, "flex-object", "object with a flexible array returned by value");
	if (ty_is_union(r))
		sc_report_at(sc, c, "union", "union returned by value");
	/* returning an aggregate that holds a pointer would carry a borrowed
	 * pointer past return-pointer's rule */
	if (ty_has_data_ptr(r) && !ty_is_ptr(r))
		sc_report_at(sc, c, "stored-pointer", "function returns an aggregate holding a data pointer");
	if (ty_has_variadic_fn(r))
		sc_report_at(sc, c, "variadic", "a type for a variadic function: call it by its name");
	rule_null_reach(sc, c, r);
	if ((sc->fwdecls && strset_has(sc->fwdecls, n)) || sc_framework_name(sc, n))
		sc_report_at(sc, c, "extern-decl", "'%s' re-declares a framework name", n);
	else if (!clang_isCursorDefinition(c) && clang_Cursor_getStorageClass(c) != CX_SC_Static &&
		 (!f || !sc_file_is_header(f) || !is_file_scope(c)))
		sc_report_at(sc, c, "extern-decl",
			     "function prototype outside a service header ('%s')", n);
	clang_disposeString(name);
}

/* The symbols the code generator calls by name on the services' behalf
 * (the import wall lets services import them for that reason alone):
 * struct copies and -ftrivial-auto-var-init's zeroing call memcpy and
 * memset. A service declaring one calls the framework's with any length
 * (`void *memset(struct s *, int, unsigned long)` in a service header);
 * a service defining one, even static, takes the compiler's calls in its
 * TU (attack round 3: a no-op static memset left locals unzeroed, and a
 * stale function pointer in one was called). The `__ubsan_handle_*` and
 * `__stack_chk_*` ones begin with '_' (reserved-ident). */
static int runtime_name(const char *n)
{
	return !strcmp(n, "memcpy") || !strcmp(n, "memset") || !strcmp(n, "memmove");
}

static void rule_runtime_name(struct walk *w, CXCursor c)
{
	CXString nm = clang_getCursorSpelling(c);
	if (runtime_name(clang_getCString(nm)))
		sc_report_at(w->sc, c, "extern-decl",
			     "'%s' is the compiler's runtime (called for struct copies and zeroing): "
			     "services neither declare nor define it", clang_getCString(nm));
	clang_disposeString(nm);
}

/* Is n a name the framework declares (by its API table, whatever this TU
 * includes), or in its fw_ namespace? Upcalls are the framework's
 * declarations of functions the services define: not reserved. */
int sc_framework_name(struct sc *sc, const char *n)
{
	if (!strncmp(n, "fw_", 3) || !strncmp(n, "FW_", 3))
		return 1;
	return sc->api_names && strset_has(sc->api_names, n) && !strset_has(sc->api_upcall, n);
}

/* struct/enum tags and typedef names: the framework's types are declared
 * once, by the framework; a service's own `struct fw_fault` would be the
 * layout lie sigcheck exists to catch. */
static void rule_type_name(struct walk *w, CXCursor c)
{
	CXString nm = clang_getCursorSpelling(c);
	const char *n = clang_getCString(nm);
	if (n[0] && (sc_framework_name(w->sc, n) ||
		     (w->sc->api_types && strset_has(w->sc->api_types, n))))
		sc_report_at(w->sc, c, "extern-decl", "type '%s' is in the framework's namespace", n);
	clang_disposeString(nm);
}

/* libclang shows a file-scope asm (and an empty declaration, `;`) only as
 * an UnexposedDecl. The token rule sees `asm` where it is written, but not
 * one assembled by `a ## sm`: anything unexposed but a lone ';' is refused. */
static void rule_unexposed(struct walk *w, CXCursor c)
{
	CXToken *t = NULL;
	unsigned n = 0;
	clang_tokenize(w->sc->tu, clang_getCursorExtent(c), &t, &n);
	int ok = n > 0;  /* no tokens: its extent is in the paste buffer */
	for (unsigned i = 0; i < n; i++) {
		CXString s = clang_getTokenSpelling(w->sc->tu, t[i]);
		ok &= !strcmp(clang_getCString(s), ";");
		clang_disposeString(s);
	}
	clang_disposeTokens(w->sc->tu, t, n);
	if (!ok)
		sc_report_at(w->sc, c, "asm", "a declaration the checker cannot see into (file-scope asm)");
}

void rules_decl(struct walk *w, CXCursor c, enum CXCursorKind k)
{
	if (!sc_is_service(w->sc, c))
		return;
	if (clang_isAttribute(k)) {
		rule_attr(w, c);
		return;
	}
	if ((k == CXCursor_VarDecl || k == CXCursor_FieldDecl || k == CXCursor_ParmDecl ||
	     k == CXCursor_FunctionDecl || k == CXCursor_TypedefDecl) &&
	    ty_has_float(k == CXCursor_TypedefDecl ? clang_getTypedefDeclUnderlyingType(c) : clang_getCursorType(c)))
		sc_report_at(w->sc, c, "float", "a floating type: services have no floating point");
	switch (k) {
	case CXCursor_UnionDecl: sc_report_at(w->sc, c, "union", "union declaration"); break;
	case CXCursor_UnexposedDecl: rule_unexposed(w, c); break;
	case CXCursor_StructDecl:
		/* the type itself: a NULL pointer to it may exist anywhere */
		if (clang_isCursorDefinition(c))
			rule_type_size(w->sc, c, clang_getCursorType(c));
		if (clang_isCursorDefinition(c) && ty_nonplain_end(clang_getCursorType(c)) > SC_USER_MIN)
			sc_report_at(w->sc, c, "null-reach",
				     "a part that is not plain data lies past FW_USER_MIN: NULL plus its offset reaches user pages");
		rule_type_name(w, c);
		break;
	case CXCursor_EnumDecl:
	case CXCursor_EnumConstantDecl:
		rule_type_name(w, c);
		break;
	case CXCursor_VarDecl:
		rule_runtime_name(w, c);
		rule_var(w, c);
		rule_ptr_to_ptr(w->sc, c, clang_getCursorType(c));
		break;
	case CXCursor_FieldDecl:
		rule_field(w, c);
		rule_ptr_to_ptr(w->sc, c, clang_getCursorType(c));
		break;
	case CXCursor_ParmDecl:
		rule_param(w, c);
		rule_ptr_to_ptr(w->sc, c, clang_getCursorType(c));
		break;
	case CXCursor_FunctionDecl:
		rule_runtime_name(w, c);
		rule_function(w, c);
		rule_ptr_to_ptr(w->sc, c, clang_getResultType(clang_getCursorType(c)));
		rule_returned_pointers(w->sc, c);
		break;
	case CXCursor_TypedefDecl: {
		CXType u = clang_getTypedefDeclUnderlyingType(c);
		rule_type_name(w, c);
		if (ty_has_variadic_fn(u))
			sc_report_at(w->sc, c, "variadic", "a type for a variadic function: call it by its name");
		rule_null_reach(w->sc, c, u);
		if (ty_nonplain_end(u) > SC_USER_MIN)
			sc_report_at(w->sc, c, "null-reach",
				     "a part that is not plain data lies past FW_USER_MIN: NULL plus its offset reaches user pages");
		if (has_vla(u))
			sc_report_at(w->sc, c, "vla", "variable-length array type");
		/* a typedef hides what a declaration holds: none may name an
		 * aggregate that holds a data pointer (int *[4], a struct with a
		 * T * inside); a plain pointer typedef is only a spelling */
		if (ty_has_data_ptr(u) && !ty_is_ptr(u))
			sc_report_at(w->sc, c, "stored-pointer", "typedef of a type that holds a data pointer");
		rule_ptr_to_ptr(w->sc, c, u);
		break;
	}
	default: break;
	}
}

/* Jump-skip, at every depth (issue 9, class 3). A case label is a jump
 * target: control enters its statement without running what precedes it.
 * The rule keeps that harmless by shape:
 *   - a case/default label stands only directly in the switch's braces
 *     (or as the statement of another label there: case 1: case 2:);
 *   - no declaration stands directly in the switch's braces or as a
 *     label's statement; a case that needs locals gives itself a block.
 * Then every jump lands at the top level of the switch body, and every
 * declaration in scope there is inside a block that ended before the
 * label or that the label itself opens: no jump passes an initialiser
 * (or -ftrivial-auto-var-init's zeroing) into the scope of its object. */
struct swctx { struct walk *w; CXCursor body; int has_default; };

static int label_allowed(CXCursor parent, CXCursor body)
{
	return clang_equalCursors(parent, body) || parent.kind == CXCursor_CaseStmt ||
	       parent.kind == CXCursor_DefaultStmt;
}

static enum CXChildVisitResult sw_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	struct swctx *sx = d;
	if (c.kind == CXCursor_SwitchStmt)
		return CXChildVisit_Continue;  /* its labels are its own; it is checked itself */
	if (c.kind == CXCursor_DefaultStmt)
		sx->has_default = 1;
	if (c.kind == CXCursor_CaseStmt || c.kind == CXCursor_DefaultStmt) {
		/* a label inside a label's statement is fine only in a chain
		 * that starts directly in the body, which the walk from the body
		 * guarantees: the chain's parents are labels all the way up */
		if (!label_allowed(parent, sx->body))
			sc_report_at(sx->w->sc, c, "jump-skip",
				     "case label inside a nested statement of its switch; labels stand directly in the switch's braces");
		else {
			CXCursor s = nth_child(c, child_count(c) - 1);
			if (s.kind == CXCursor_DeclStmt)
				sc_report_at(sx->w->sc, s, "jump-skip",
					     "declaration as a case's statement; give the case a block");
		}
	}
	if (c.kind == CXCursor_DeclStmt && clang_equalCursors(parent, sx->body))
		sc_report_at(sx->w->sc, c, "jump-skip",
			     "declaration directly in a switch body; wrap the case in braces");
	return CXChildVisit_Recurse;
}

/* The condition's type before integer promotion (what clang's Sema looks
 * at): implicit conversions stripped, parentheses and the rest kept. */
static CXType switch_cond_type(CXCursor sw)
{
	CXCursor e = nth_child(sw, 0);
	while (e.kind == CXCursor_UnexposedExpr && child_count(e) == 1 && clang_isExpression(first_child(e).kind))
		e = first_child(e);
	return ty_canon(clang_getCursorType(e));
}

static void rule_switch(struct walk *w, CXCursor sw)
{
	CXCursor body = nth_child(sw, child_count(sw) - 1);
	struct swctx sx = { w, body, 0 };
	if (body.kind == CXCursor_CaseStmt || body.kind == CXCursor_DefaultStmt)
		sx.body = sw;  /* switch (x) case 1: stmt; — the label is the whole body */
	clang_visitChildren(sw, sw_visit, &sx);
	/* enum-switch: clang's CFG takes a switch whose cases name every
	 * enumerator as exhaustive and drops its "no case matched" edge, so
	 * -Wreturn-type and -Winvalid-noreturn stay silent on a path that C
	 * still takes (an enum holds any value of its integer type): a
	 * _Noreturn function returns, a pointer function returns garbage. A
	 * default label keeps that edge in every such switch. */
	if (!sx.has_default && switch_cond_type(sw).kind == CXType_Enum)
		sc_report_at(w->sc, sw, "enum-switch",
			     "a switch on an enum needs a default label (the compiler's analyses take it as exhaustive)");
}

void rules_stmt(struct walk *w, CXCursor c, enum CXCursorKind k)
{
	if (!sc_is_service(w->sc, c))
		return;
	switch (k) {
	case CXCursor_GCCAsmStmt:
	case CXCursor_MSAsmStmt: sc_report_at(w->sc, c, "asm", "inline assembly"); break;
	case CXCursor_GotoStmt:
	case CXCursor_IndirectGotoStmt: sc_report_at(w->sc, c, "goto", "goto"); break;
	case CXCursor_SwitchStmt: rule_switch(w, c); break;
	default: break;
	}
}
