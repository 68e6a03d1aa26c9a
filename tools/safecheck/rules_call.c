/* safecheck — rules on calls and names: call-unsafe, builtin, pod-dst,
 * format, plus the per-kind dispatch of expression rules.
 *
 * Layer: host tool. A service may name a framework function only when the
 * framework marked that declaration FW_API (annotate "keel_safe"); names
 * spelled inside a framework macro body are the macro's business (trusted).
 * pod-dst and format look at *arguments*, which are service values even
 * when the call itself comes from a framework macro, so they are checked
 * for every call expanded in a service file.
 */
#include "sc.h"
#include "../../framework/lib/fmtspec.h"
#include <stdbool.h>

#include <string.h>

static CXType cty(CXCursor c) { return clang_getCursorType(c); }

/* Builtins with no memory effect that services may use. __builtin_unreachable
 * is not here: reaching it is undefined behaviour; call the framework's
 * panic instead. */
static const char *const builtin_ok[] = {
	"__builtin_expect", "__builtin_offsetof", "__builtin_trap",
	"__builtin_constant_p", "__builtin_types_compatible_p", NULL,
};

int sc_builtin_allowed(const char *name)
{
	for (int i = 0; builtin_ok[i]; i++)
		if (!strcmp(name, builtin_ok[i]))
			return 1;
	return 0;
}

static int decl_origin_service(struct sc *sc, CXCursor d)
{
	CXFile f = NULL;
	clang_getSpellingLocation(clang_getCursorLocation(d), &f, NULL, NULL, NULL);
	if (!f) /* a name pasted by a macro (FW_POOL_DECLARE) belongs where it expands */
		clang_getExpansionLocation(clang_getCursorLocation(d), &f, NULL, NULL, NULL);
	return sc_file_origin(sc, f) == ORIGIN_SERVICE;
}

static int decl_has_file(CXCursor d)
{
	CXFile f = NULL;
	clang_getSpellingLocation(clang_getCursorLocation(d), &f, NULL, NULL, NULL);
	if (!f) /* a name pasted by a macro (FW_POOL_DECLARE): where it expands */
		clang_getExpansionLocation(clang_getCursorLocation(d), &f, NULL, NULL, NULL);
	return f != NULL;
}

static void rule_declref(struct walk *w, CXCursor c)
{
	struct sc *sc = w->sc;
	CXCursor d = clang_getCursorReferenced(c);
	CXCursor canon = clang_getCanonicalCursor(d);
	CXString name = clang_getCursorSpelling(d);
	const char *n = clang_getCString(name);
	struct strset *macro = sc->api_macro, *names = sc->api_names;
	if (d.kind == CXCursor_FunctionDecl && macro && strset_has(macro, n)) {
		/* by the framework's table, not the declaration this TU sees: a
		 * service redeclaring it cannot make it its own */
		sc_report_at(sc, c, "call-unsafe",
			     "'%s' is FW_MACRO_API: reached only through its framework macro", n);
	} else if ((d.kind == CXCursor_FunctionDecl || d.kind == CXCursor_VarDecl) && names &&
		   strset_has(names, n) && !strset_has(sc->api_safe, n) && !strset_has(sc->api_upcall, n)) {
		sc_report_at(sc, c, "call-unsafe", "'%s' is a framework name not marked FW_API", n);
	} else if (d.kind == CXCursor_FunctionDecl) {
		if (!strncmp(n, "__builtin_", 10) || !strncmp(n, "__sync_", 7) ||
		    !strncmp(n, "__atomic_", 9) || !decl_has_file(d)) {
			if (!sc_builtin_allowed(n))
				sc_report_at(sc, c, "builtin", "compiler builtin '%s' is not allowed", n);
		} else if (!decl_origin_service(sc, canon) &&
			   !cur_has_annot(d, "keel_safe") && !cur_has_annot(canon, "keel_safe")) {
			sc_report_at(sc, c, "call-unsafe",
				     "'%s' is a framework function not marked FW_API", n);
		}
	} else if (d.kind == CXCursor_VarDecl && !decl_origin_service(sc, canon) &&
		   clang_getCursorSemanticParent(d).kind == CXCursor_TranslationUnit &&
		   !ty_const_object(cty(d)) && !cur_has_annot(d, "keel_safe")) {
		sc_report_at(sc, c, "call-unsafe", "'%s' is a framework variable not marked FW_API", n);
	}
	clang_disposeString(name);
}

/* The argument as written, before it was converted to void *. */
static CXCursor arg_origin(struct sc *sc, CXCursor arg)
{
	CXCursor cur = arg;
	for (int g = 0; g < 64; g++) {
		/* look through implicit conversions, parentheses, and casts that a
		 * trusted framework macro wrote */
		bool fw_cast = cur.kind == CXCursor_CStyleCastExpr && !sc_is_service(sc, cur);
		if ((cur.kind != CXCursor_UnexposedExpr && cur.kind != CXCursor_ParenExpr && !fw_cast) ||
		    (!fw_cast && child_count(cur) != 1))
			break;
		if (fw_cast) {
			cur = last_child(cur);
			continue;
		}
		CXCursor k = first_child(cur);
		enum CXTypeKind kk = ty_canon(cty(k)).kind;
		if (!ty_is_ptr(cty(k)) && kk != CXType_ConstantArray)
			break;
		cur = k;
	}
	return cur;
}

static void rule_pod_dst(struct walk *w, CXCursor call, CXCursor fn)
{
	int n = clang_Cursor_getNumArguments(fn);
	for (int i = 0; i < n; i++) {
		if (fn_param_has_annot(fn, i, "keel_pod_src")) {
			/* its bytes leave the object: every one must be a member's */
			CXCursor orig = arg_origin(w->sc, clang_Cursor_getArgument(call, (unsigned)i));
			CXType t = ty_canon(cty(orig));
			CXType pointee = t.kind == CXType_ConstantArray ? t
					 : ty_is_ptr(t) ? clang_getPointeeType(t) : t;
			if ((ty_is_ptr(t) || t.kind == CXType_ConstantArray) && ty_has_padding(pointee))
				sc_report_at(w->sc, orig, "pod-src",
					     "bytes copied out of an object with padding or a pointer (stale stack bytes in a "
					     "temporary's padding, or a kernel address, would leave with them): give the type "
					     "explicit padding fields");
		}
		if (!fn_param_has_annot(fn, i, "keel_pod_dst"))
			continue;
		CXCursor arg = clang_Cursor_getArgument(call, (unsigned)i);
		CXCursor orig = arg_origin(w->sc, arg);
		CXType t = ty_canon(cty(orig));
		const char *why = "not a pointer";
		int ok = 0;
		CXCursor lit = strip_implicit(orig);
		if (lit.kind == CXCursor_UnaryOperator && clang_getCursorUnaryOperatorKind(lit) == CXUnaryOperator_AddrOf)
			lit = strip_implicit(first_child(lit));
		if (lit.kind == CXCursor_StringLiteral)
			why = "a string literal: read-only storage the linker may share";  /* C types it char[N] */
		else if (t.kind == CXType_ConstantArray)
			ok = ty_is_pod(t, &why);
		else if (ty_is_ptr(t))
			ok = ty_is_pod(clang_getPointeeType(t), &why);
		if (!ok)
			sc_report_at(w->sc, orig, "pod-dst",
				     "destination filled from outside is not plain data (%s)", why);
	}
}

/* The format language is the formatter's own parser (fmtspec.h, shared
 * with framework/lib/fmt.c): every conversion must be one it implements,
 * so what -Wformat checked is what it reads. In services, %s takes only a
 * string literal (NUL-terminated, static), and %.*s takes a constant bound
 * no larger than the array that follows it, so the formatter never reads
 * past a service object (FW_STR(arr) in <fw/log.h> writes that pair). */
static int char_kind(CXType t)
{
	enum CXTypeKind k = ty_canon(t).kind;
	return k == CXType_Char_S || k == CXType_Char_U || k == CXType_SChar || k == CXType_UChar;
}

static void check_str_arg(struct walk *w, CXCursor call, int i, int nargs)
{
	if (i >= nargs)
		return;  /* too few arguments: -Wformat's error */
	CXCursor a = strip_implicit(clang_Cursor_getArgument(call, (unsigned)i));
	if (a.kind != CXCursor_StringLiteral)
		sc_report_at(w->sc, a, "format",
			     "%%s takes only a string literal in services; print an array with %%.*s and FW_STR(array)");
}

static void check_bounded_arg(struct walk *w, CXCursor call, int i, int nargs)
{
	if (i + 1 >= nargs)
		return;
	CXCursor pc = clang_Cursor_getArgument(call, (unsigned)i);
	CXCursor a = strip_implicit(clang_Cursor_getArgument(call, (unsigned)i + 1));
	CXType t = ty_canon(clang_getCursorType(a));
	long long size = -1, bound = -1;
	if (t.kind == CXType_ConstantArray && char_kind(clang_getArrayElementType(t)))
		size = clang_getArraySize(t);
	CXEvalResult r = clang_Cursor_Evaluate(pc);
	if (r && clang_EvalResult_getKind(r) == CXEval_Int)
		bound = clang_EvalResult_getAsLongLong(r);
	if (r)
		clang_EvalResult_dispose(r);
	if (size < 0)
		sc_report_at(w->sc, a, "format", "%%.*s needs a char array whose size the type states");
	else if (bound < 0 || bound > size)
		sc_report_at(w->sc, pc, "format",
			     "%%.*s bound must be a constant between 0 and the array's size (%lld)", size);
}

static void rule_format(struct walk *w, CXCursor call, CXCursor fn)
{
	int n = clang_Cursor_getNumArguments(fn);
	if (n < 1 || !cur_has_annot(fn, "keel_format"))
		return;
	/* convention (docs/safety.md): the format is the last named parameter */
	CXCursor decayed = clang_Cursor_getArgument(call, (unsigned)(n - 1));
	CXCursor arg = strip_implicit(decayed);
	if (arg.kind != CXCursor_StringLiteral) {
		sc_report_at(w->sc, arg, "format", "format argument must be a string literal");
		return;
	}
	/* the bytes as the compiler sees them: escapes (\x25 is '%')
	 * resolved, adjacent literals joined (libclang evaluates a literal
	 * through its array-to-pointer conversion) */
	CXEvalResult r = clang_Cursor_Evaluate(decayed);
	const char *str = r && clang_EvalResult_getKind(r) == CXEval_StrLiteral ? clang_EvalResult_getAsStr(r) : NULL;
	CXType at = ty_canon(clang_getCursorType(arg));
	if (!str || at.kind != CXType_ConstantArray || !char_kind(clang_getArrayElementType(at)) ||
	    (long long)strlen(str) + 1 != clang_getArraySize(at)) {
		sc_report_at(w->sc, arg, "format", "format must be a plain char string literal without NUL bytes");
		if (r)
			clang_EvalResult_dispose(r);
		return;
	}
	int nargs = clang_Cursor_getNumArguments(call), ai = n;
	for (const char *p = str; *p; p++) {
		if (*p != '%')
			continue;
		struct fmt_spec s;
		if (!fmt_parse_spec(p + 1, &s)) {
			char conv[8] = "";
			for (int k = 0; k < 6 && p[k + 1] > ' ' && p[k + 1] < 127; k++)
				conv[k] = p[k + 1];
			sc_report_at(w->sc, arg, "format",
				     "conversion '%%%s...' is not implemented by the kernel formatter (fmtspec.h)", conv);
			break;
		}
		if (s.kind == FMT_STR)
			check_str_arg(w, call, ai, nargs);
		else if (s.kind == FMT_BOUNDED_STR)
			check_bounded_arg(w, call, ai, nargs);
		ai += fmt_spec_args(&s);
		p += s.len;
	}
	clang_EvalResult_dispose(r);
}

/* A variadic function (only the framework's FW_FORMAT ones exist) is
 * called by its name: the format rule and -Wformat both judge a call by
 * the declaration it names, and a call through a pointer, a conditional or
 * a _Generic names none, so its format would go unchecked. */
static void rule_variadic_callee(struct walk *w, CXCursor call)
{
	CXCursor callee = strip_implicit(nth_child(call, 0));
	CXType t = ty_canon(clang_getCursorType(callee));
	if (t.kind == CXType_Pointer)
		t = ty_canon(clang_getPointeeType(t));
	if (t.kind != CXType_FunctionProto || !clang_isFunctionTypeVariadic(t))
		return;
	if (callee.kind == CXCursor_DeclRefExpr && clang_getCursorReferenced(callee).kind == CXCursor_FunctionDecl)
		return;
	sc_report_at(w->sc, call, "variadic", "a variadic function is called only by its name (its format is checked there)");
}

/* The function a call names, through parentheses and implicit
 * conversions: libclang's own answer (clang_getCursorReferenced) is null
 * for `(fw_log)(...)`, which let "%s" on an array through (attack round 2). */
static CXCursor called_function(CXCursor call)
{
	CXCursor fn = clang_getCursorReferenced(call);
	if (fn.kind == CXCursor_FunctionDecl)
		return fn;
	CXCursor callee = strip_implicit(nth_child(call, 0));
	if (callee.kind == CXCursor_DeclRefExpr)
		return clang_getCursorReferenced(callee);
	return clang_getNullCursor();
}

static void rule_call(struct walk *w, CXCursor c)
{
	if (sc_expands_in_service(w->sc, c))
		rule_variadic_callee(w, c);
	CXCursor fn = called_function(c);
	if (fn.kind != CXCursor_FunctionDecl || !sc_expands_in_service(w->sc, c))
		return;
	rule_pod_dst(w, c, fn);
	rule_format(w, c, fn);
}

/* sizeof / _Alignof of a type with a flexible array is how raw objects of
 * it get sized; only the framework allocator may do that. */
static enum CXChildVisitResult sizeof_arg(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	int *hit = d;
	if (c.kind == CXCursor_TypeRef || clang_isExpression(c.kind))
		if (ty_has_flex(cty(c)))
			*hit = 1;
	return CXChildVisit_Continue;
}

static void rule_sizeof(struct walk *w, CXCursor c)
{
	int hit = 0;
	clang_visitChildren(c, sizeof_arg, &hit);
	if (hit)
		sc_report_at(w->sc, c, "flex-object", "sizeof/alignof of a type with a flexible array");
}

/* sizeof/_Alignof of void or of a function is 1 in GNU C, and names no
 * object: a trusted macro that sizes a copy by sizeof(*(p)) would take
 * one byte of kernel text (a function designator) or of address 0 (NULL)
 * for a service object. Judged wherever the sizeof expands in a service,
 * since the sizeof token is usually the macro's. */
static enum CXChildVisitResult sizeof_operand(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	CXType *t = d;
	if (c.kind == CXCursor_TypeRef || clang_isExpression(c.kind)) {
		*t = clang_getCursorType(c);
		return CXChildVisit_Break;
	}
	return CXChildVisit_Continue;
}

void rule_sizeof_object(struct walk *w, CXCursor c)
{
	CXType t = { CXType_Invalid, { NULL, NULL } };
	clang_visitChildren(c, sizeof_operand, &t);
	enum CXTypeKind k = ty_canon(t).kind;
	if (k == CXType_Void || k == CXType_FunctionProto || k == CXType_FunctionNoProto)
		sc_report_at(w->sc, c, "sizeof", "sizeof/_Alignof of void or a function type: it names no object, "
			     "and a trusted macro would take it as an object's size");
}

static void rule_compound_literal(struct walk *w, CXCursor c)
{
	if (ty_has_sealed(cty(c)))
		sc_report_at(w->sc, c, "sealed-copy", "compound literal of a sealed framework type");
	if (ty_has_flex(cty(c)))
		sc_report_at(w->sc, c, "flex-object", "compound literal of a type with a flexible array");
	if (ty_has_data_ptr(cty(c)) && !ty_is_ptr(cty(c)))
		sc_report_at(w->sc, c, "stored-pointer", "compound literal holding a pointer");
	if (ty_has_variadic_fn(cty(c)))
		sc_report_at(w->sc, c, "variadic", "a type for a variadic function: call it by its name");
	rule_null_reach(w->sc, c, cty(c));
	rule_ptr_to_ptr(w->sc, c, cty(c));
}

/* Does the expression contain code spelled in a service file (a service
 * value handed to a trusted macro)? NULL, a framework macro's own
 * constants and operations on them do not. */
static enum CXChildVisitResult find_service_part(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	struct walk *w = d;
	if (sc_is_service(w->sc, c)) {
		w->found = 1;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Recurse;
}

static int has_service_part(struct walk *w, CXCursor e)
{
	if (sc_is_service(w->sc, e))
		return 1;
	w->found = 0;
	clang_visitChildren(e, find_service_part, w);
	return w->found;
}

void rules_expr(struct walk *w, CXCursor c, enum CXCursorKind k)
{
	struct sc *sc = w->sc;
	if (k == CXCursor_CallExpr)
		rule_call(w, c);  /* argument checks: by expansion, see above */
	if (k == CXCursor_ArraySubscriptExpr) {
		if (rx_subscript_is_service(sc, c))
			rx_subscript(w, c);
		return;
	}
	/* sizeof/_Alignof by expansion: a trusted macro's sizeof(*(p)) is a
	 * capacity, and the operand is the service's */
	if (k == CXCursor_UnaryExpr && sc_expands_in_service(sc, c))
		rule_sizeof_object(w, c);
	/* Implicit conversions are the compiler's, not the trusted macro's: one
	 * applied to a service value is judged even where the macro's token
	 * (the '(' of FW_MIN's conditional) comes first. Otherwise a macro
	 * that merely passes a value through launders `T * -> void * -> U *`
	 * and array decays (issue 9 round 2, class "laundering"). */
	if (k == CXCursor_UnexposedExpr && !sc_is_service(sc, c)) {
		if (sc_expands_in_service(sc, c) && child_count(c) == 1 && has_service_part(w, first_child(c)))
			rx_implicit(w, c);
		return;
	}
	if (!sc_is_service(sc, c))
		return;
	if (k == CXCursor_FloatingLiteral || k == CXCursor_ImaginaryLiteral || ty_has_float(cty(c)))
		sc_report_at(sc, c, "float",
			     "floating-point value: the kernel has none, and a folded out-of-range "
			     "conversion is poison the optimiser may use to delete a bounds check");
	switch (k) {
	case CXCursor_CStyleCastExpr: rx_cast(w, c); break;
	case CXCursor_UnexposedExpr: rx_implicit(w, c); break;
	case CXCursor_MemberRefExpr: rx_member(w, c); break;
	case CXCursor_UnaryOperator: rx_unary(w, c); break;
	case CXCursor_BinaryOperator:
	case CXCursor_CompoundAssignOperator: rx_binary(w, c); break;
	case CXCursor_DeclRefExpr: rule_declref(w, c); break;
	case CXCursor_UnaryExpr: rule_sizeof(w, c); break;
	case CXCursor_CompoundLiteralExpr: rule_compound_literal(w, c); break;
	case CXCursor_StmtExpr:
		sc_report_at(sc, c, "stmt-expr", "statement expressions are not allowed in services");
		break;
	case CXCursor_AddrLabelExpr:
		sc_report_at(sc, c, "goto", "address of a label");
		break;
	default:
		break;
	}
}
