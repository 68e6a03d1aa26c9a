/* safecheck — rules on expressions (spatial, type and temporal safety).
 *
 * Layer: host tool. Each rule looks at one node of a service expression
 * and its ancestors (struct walk). A node is service code when the token
 * that *is* the operation (the operator, the cast's '(', the ']', the
 * member name) is spelled in a service file; operations written by a
 * framework macro body are trusted even when their operands are not.
 */
#include "sc.h"

#include <string.h>

static CXType cty(CXCursor c) { return clang_getCursorType(c); }

/* a subscript is judged by its ']' (its location is the base's) */
int rx_subscript_is_service(struct sc *sc, CXCursor c)
{
	return sc_loc_is_service(sc, clang_getRangeEnd(clang_getCursorExtent(c)));
}

/* last child that is an expression (a cast's operand follows its TypeRef) */
static CXCursor last_expr_child(CXCursor c)
{
	CXCursor r = clang_getNullCursor();
	int n = child_count(c);
	for (int i = 0; i < n; i++) {
		CXCursor k = nth_child(c, i);
		if (clang_isExpression(k.kind))
			r = k;
	}
	return r;
}

static int is_local_var(CXCursor d)
{
	if (d.kind == CXCursor_ParmDecl)
		return 1;
	if (d.kind != CXCursor_VarDecl)
		return 0;
	enum CX_StorageClass s = clang_Cursor_getStorageClass(d);
	if (s == CX_SC_Static || s == CX_SC_Extern)
		return 0;
	return clang_getCursorSemanticParent(d).kind == CXCursor_FunctionDecl;
}

/* Follow an lvalue to the object it names: through '.', parens, and array
 * subscripts (noting them). Returns the DeclRefExpr, or null when the path
 * goes through a pointer ('->' or '*'), i.e. the object is not ours. */
static CXCursor lvalue_root(CXCursor c, int *via_subscript)
{
	for (int guard = 0; guard < 256; guard++) {
		c = strip_implicit(c);
		if (c.kind == CXCursor_DeclRefExpr)
			return c;
		if (c.kind == CXCursor_MemberRefExpr) {
			CXCursor base = first_child(c);
			if (clang_Cursor_isNull(base) || ty_is_ptr(cty(base)))
				return clang_getNullCursor();  /* '->' */
			c = base;
		} else if (c.kind == CXCursor_ArraySubscriptExpr) {
			*via_subscript = 1;
			c = first_child(c);
			if (ty_is_ptr(cty(strip_implicit(c))))
				return clang_getNullCursor();
		} else {
			return clang_getNullCursor();
		}
	}
	return clang_getNullCursor();
}

static int root_is_local(CXCursor root)
{
	return !clang_Cursor_isNull(root) && is_local_var(clang_getCursorReferenced(root));
}

static int is_zero_literal(CXCursor c)
{
	c = strip_implicit(c);
	if (c.kind != CXCursor_IntegerLiteral)
		return 0;
	CXEvalResult r = clang_Cursor_Evaluate(c);
	int zero = r && clang_EvalResult_getKind(r) == CXEval_Int && clang_EvalResult_getAsLongLong(r) == 0;
	if (r)
		clang_EvalResult_dispose(r);
	return zero;
}

/* Operands of sizeof/_Alignof and expressions inside a type (typeof in a
 * declaration or a cast) are not evaluated: no address escapes from them. */
static int in_unevaluated(const struct walk *w)
{
	for (int i = w->depth - 2; i >= 0; i--) {
		enum CXCursorKind pk = w->st[i].k;
		CXCursor kid = w->st[i + 1].c;
		if (!clang_isExpression(kid.kind))
			continue;
		if (pk == CXCursor_UnaryExpr)
			return 1;
		if (pk == CXCursor_VarDecl &&
		    !clang_equalCursors(kid, clang_Cursor_getVarDeclInitializer(w->st[i].c)))
			return 1;
		if (pk == CXCursor_ParmDecl || pk == CXCursor_FieldDecl ||
		    pk == CXCursor_TypedefDecl || pk == CXCursor_FunctionDecl)
			return 1;
		if ((pk == CXCursor_CStyleCastExpr || pk == CXCursor_CompoundLiteralExpr) &&
		    w->st[i + 1].idx + 1 < child_count(w->st[i].c))
			return 1;
	}
	return 0;
}

/* ---- cast-pointer ---- */
void rx_cast(struct walk *w, CXCursor c)
{
	CXType to = ty_canon(cty(c));
	CXCursor op = last_expr_child(c);
	CXType from = ty_canon(cty(op));
	if (to.kind == CXType_Void)
		return;  /* (void)x discards a value */
	if (ty_is_union(to))
		sc_report_at(w->sc, c, "union", "cast to a union type");
	if (ty_is_ptr(to) || ty_is_ptr(from) || from.kind == CXType_ConstantArray ||
	    from.kind == CXType_FunctionProto || from.kind == CXType_FunctionNoProto)
		sc_report_at(w->sc, c, "cast-pointer", "explicit cast involving a pointer type");
}

/* ---- implicit conversions and array decay ---- */
static void rule_decay(struct walk *w, CXCursor c, CXCursor inner)
{
	inner = strip_implicit(inner);
	if (inner.kind == CXCursor_StringLiteral)
		return;  /* static storage, read through APIs only */
	if (inner.kind == CXCursor_MemberRefExpr &&
	    ty_canon(cty(inner)).kind == CXType_IncompleteArray)
		return;  /* flexible arrays: rule flex-decay */
	enum CXCursorKind pk = w_parent_kind(w, 1);
	int idx = w->st[w->depth - 1].idx;
	if (pk == CXCursor_ArraySubscriptExpr)
		return;  /* subscripting: rule ptr-subscript */
	if (pk == CXCursor_BinaryOperator || pk == CXCursor_CompoundAssignOperator) {
		enum CXBinaryOperatorKind bop = clang_getCursorBinaryOperatorKind(w_parent(w, 1));
		/* a + i: rx_binary reports it as addr-of-element; a comparison or
		 * a logical operator yields an int. Anything else (`p = arr`,
		 * `(f(), arr)`) hands the array's address on: judged below
		 * (attack round 2: `p = arr` in a block kept a dead array's
		 * address past the block's end). */
		if (bop == CXBinaryOperator_Add || bop == CXBinaryOperator_Sub || bop == CXBinaryOperator_AddAssign ||
		    bop == CXBinaryOperator_SubAssign || bop == CXBinaryOperator_EQ || bop == CXBinaryOperator_NE ||
		    bop == CXBinaryOperator_LAnd || bop == CXBinaryOperator_LOr || bop == CXBinaryOperator_LT ||
		    bop == CXBinaryOperator_GT || bop == CXBinaryOperator_LE || bop == CXBinaryOperator_GE)
			return;
	}
	if (pk == CXCursor_CStyleCastExpr && ty_canon(cty(w_parent(w, 1))).kind == CXType_Void)
		return;  /* (void)arr */
	if (pk == CXCursor_UnaryOperator &&
	    clang_getCursorUnaryOperatorKind(w_parent(w, 1)) == CXUnaryOperator_Deref)
		return;  /* *a is a[0] */
	(void)idx;
	if (w_is_call_arg(w, NULL, NULL) || in_unevaluated(w))
		return;  /* lends the array for the duration of the call */
	int sub = 0;
	if (root_is_local(lvalue_root(inner, &sub)))
		sc_report_at(w->sc, c, "addr-of-local",
			     "a local array decays to a pointer outside a call argument");
	else
		sc_report_at(w->sc, c, "addr-of-element",
			     "array decays to a pointer outside a call argument");
}

static int pod_dst_exempt(struct walk *w, CXType to)
{
	int ai;
	CXCursor call;
	if (ty_canon(clang_getPointeeType(to)).kind != CXType_Void)
		return 0;
	if (!w_is_call_arg(w, &ai, &call))
		return 0;
	return fn_param_has_annot(clang_getCursorReferenced(call), ai, "keel_pod_dst");
}

void rx_implicit(struct walk *w, CXCursor c)
{
	if (child_count(c) != 1)
		return;
	CXCursor kid = first_child(c);
	if (!clang_isExpression(kid.kind))
		return;
	CXType to = ty_canon(cty(c)), from = ty_canon(cty(kid));
	if (from.kind == CXType_ConstantArray || from.kind == CXType_IncompleteArray ||
	    from.kind == CXType_VariableArray) {
		if (ty_is_ptr(to))
			rule_decay(w, c, kid);
		return;
	}
	if (from.kind == CXType_FunctionProto || from.kind == CXType_FunctionNoProto) {
		/* naming a function gives its address: fine, except a variadic
		 * one anywhere but as the callee (rule variadic, rule_call) */
		if (ty_has_variadic_fn(from) &&
		    !(w_parent_kind(w, 1) == CXCursor_CallExpr && w->st[w->depth - 1].idx == 0))
			sc_report_at(w->sc, c, "variadic", "a variadic function is called only by its name");
		return;
	}
	int pt = ty_is_ptr(to), pf = ty_is_ptr(from);
	if (!pt && !pf)
		return;
	if (pt && !pf && w_parent_kind(w, 1) == CXCursor_InitListExpr && is_zero_literal(kid))
		return;  /* {0} zero-fills an aggregate whose first member is a pointer */
	if (pt && !pf) {
		if (!ty_is_integer(from))
			return;  /* builtin function designators and the like */
		sc_report_at(w->sc, c, "implicit-pointer-conv", "integer converted to a pointer");
		return;
	}
	if (!pt) {
		if (to.kind != CXType_Bool)
			sc_report_at(w->sc, c, "implicit-pointer-conv", "pointer converted to an integer");
		return;
	}
	CXType pto = clang_getPointeeType(to), pfrom = clang_getPointeeType(from);
	if (!clang_equalTypes(ty_canon(clang_getUnqualifiedType(pto)),
			      ty_canon(clang_getUnqualifiedType(pfrom)))) {
		if (!pod_dst_exempt(w, to))
			sc_report_at(w->sc, c, "implicit-pointer-conv",
				     "pointer converted to a different pointee type");
		return;
	}
	if ((clang_isConstQualifiedType(pfrom) && !clang_isConstQualifiedType(pto)) ||
	    (clang_isVolatileQualifiedType(pfrom) && !clang_isVolatileQualifiedType(pto)))
		sc_report_at(w->sc, c, "implicit-pointer-conv", "conversion drops a qualifier");
}

/* ---- ptr-subscript ---- */
void rx_subscript(struct walk *w, CXCursor c)
{
	CXCursor a = nth_child(c, 0), b = nth_child(c, 1);
	if (ty_is_ptr(cty(b)) || ty_canon(cty(strip_implicit(b))).kind == CXType_ConstantArray) {
		sc_report_at(w->sc, c, "ptr-subscript", "index[array] form is not allowed");
		return;
	}
	CXCursor base = strip_implicit(a);
	enum CXTypeKind bk = ty_canon(cty(base)).kind;
	if (base.kind == CXCursor_DeclRefExpr &&
	    clang_getCursorReferenced(base).kind == CXCursor_ParmDecl)
		bk = CXType_Pointer;  /* "int a[16]" as a parameter is a pointer */
	if (bk == CXType_ConstantArray)
		return;  /* bounds trap covers it */
	if (bk == CXType_IncompleteArray && base.kind == CXCursor_MemberRefExpr)
		return;  /* flexible array member: counted_by trap */
	sc_report_at(w->sc, c, "ptr-subscript", "subscript through a pointer is not bounds-checked");
}

/* ---- member access: flex-decay, union, sealed-access ---- */
void rx_member(struct walk *w, CXCursor c)
{
	struct sc *sc = w->sc;
	if (ty_canon(cty(c)).kind == CXType_IncompleteArray) {
		int i = w->depth - 1;
		while (i > 0 && w->st[i - 1].k == CXCursor_UnexposedExpr && child_count(w->st[i - 1].c) == 1)
			i--;
		while (i > 0 && w->st[i - 1].k == CXCursor_ParenExpr)
			i--;
		if (!(i > 0 && w->st[i - 1].k == CXCursor_ArraySubscriptExpr && w->st[i].idx == 0))
			sc_report_at(sc, c, "flex-decay", "flexible array used other than by subscript");
	}
	CXCursor field = clang_getCursorReferenced(c);
	CXCursor rec = clang_getCursorSemanticParent(field);
	if (rec.kind == CXCursor_UnionDecl)
		sc_report_at(sc, c, "union", "access to a union member");
	if (rec.kind == CXCursor_StructDecl && ty_is_sealed(clang_getCursorType(rec)))
		sc_report_at(sc, c, "sealed-access", "member of a sealed framework struct");
}

/* ---- unary: &, ++, -- ---- */
static void rule_addr_of(struct walk *w, CXCursor c)
{
	CXCursor op = strip_implicit(first_child(c));
	if (op.kind == CXCursor_CompoundLiteralExpr) {
		sc_report_at(w->sc, c, "compound-literal-addr", "address of a compound literal");
		return;
	}
	int sub = 0;
	CXCursor root = lvalue_root(op, &sub);
	if (sub || op.kind == CXCursor_ArraySubscriptExpr) {
		sc_report_at(w->sc, c, "addr-of-element", "address of an array element");
		return;
	}
	if (ty_canon(cty(op)).kind == CXType_IncompleteArray)
		return;  /* &flex: reported as flex-decay */
	if (root_is_local(root) && !w_is_call_arg(w, NULL, NULL) && !in_unevaluated(w))
		sc_report_at(w->sc, c, "addr-of-local",
			     "address of a local escapes a direct call argument");
}

void rx_unary(struct walk *w, CXCursor c)
{
	enum CXUnaryOperatorKind op = clang_getCursorUnaryOperatorKind(c);
	switch (op) {
	case CXUnaryOperator_AddrOf:
		rule_addr_of(w, c);
		break;
	case CXUnaryOperator_PostInc: case CXUnaryOperator_PostDec:
	case CXUnaryOperator_PreInc: case CXUnaryOperator_PreDec:
		if (ty_is_ptr(cty(c)))
			sc_report_at(w->sc, c, "ptr-arith", "increment/decrement of a pointer");
		break;
	default:
		break;
	}
}

/* ---- binary: pointer arithmetic, ordering, struct assignment ---- */
static int decays_from_array(CXCursor e)
{
	CXCursor in = strip_implicit(e);
	enum CXTypeKind k = ty_canon(cty(in)).kind;
	return k == CXType_ConstantArray || k == CXType_IncompleteArray || k == CXType_VariableArray;
}

/* ---- signed-div (attack round 4) ----
 * Division is the one operation of the service subset whose undefined
 * cases no flag defines: -fwrapv does not cover INT_MIN / -1 (nor its
 * remainder), and the optimiser takes every division it sees as proof
 * that those cases do not happen. Division by zero is trapped before the
 * instruction by -fsanitize=integer-divide-by-zero (required, rule flags);
 * INT_MIN / -1 has no sanitizer apart from one that also traps the
 * wrapping +, -, * services rely on. So a signed division or remainder
 * must have a constant divisor that is neither 0 nor -1: then no case of
 * it is undefined. Unsigned division has only the zero case. */
static int int_signed(CXType t)
{
	t = ty_canon(t);
	if (t.kind == CXType_Enum)
		t = ty_canon(clang_getEnumDeclIntegerType(clang_getTypeDeclaration(t)));
	switch (t.kind) {
	case CXType_Char_S: case CXType_SChar: case CXType_Short: case CXType_Int:
	case CXType_Long: case CXType_LongLong: case CXType_Int128:
		return 1;
	default:
		return 0;
	}
}

/* the type C computes a / b in: both promoted (narrower than int: int),
 * then the usual arithmetic conversions (LP64) */
static int division_is_signed(CXType a, CXType b)
{
	long long sa = clang_Type_getSizeOf(ty_canon(a)), sb = clang_Type_getSizeOf(ty_canon(b));
	int ga = int_signed(a) || sa < 4, gb = int_signed(b) || sb < 4;
	if (sa < 4)
		sa = 4;
	if (sb < 4)
		sb = 4;
	if (ga == gb)
		return ga;
	return ga ? sa > sb : sb > sa;  /* the signed one wins only if wider */
}

static void rule_signed_div(struct walk *w, CXCursor c, CXCursor l, CXCursor r)
{
	CXType lt = cty(strip_implicit(l)), rt = cty(strip_implicit(r));
	if (!ty_is_integer(lt) || !ty_is_integer(rt) || !division_is_signed(lt, rt))
		return;
	long long size = clang_Type_getSizeOf(ty_canon(lt)) > clang_Type_getSizeOf(ty_canon(rt))
				 ? clang_Type_getSizeOf(ty_canon(lt)) : clang_Type_getSizeOf(ty_canon(rt));
	int ok = 0;
	CXEvalResult ev = clang_Cursor_Evaluate(strip_implicit(r));
	if (ev && clang_EvalResult_getKind(ev) == CXEval_Int) {
		unsigned long long v = (unsigned long long)clang_EvalResult_getAsLongLong(ev);
		unsigned long long mask = size >= 8 ? ~0ULL : (1ULL << (size < 4 ? 32 : size * 8)) - 1;
		ok = (v & mask) != 0 && (v & mask) != mask;
	}
	if (ev)
		clang_EvalResult_dispose(ev);
	if (!ok)
		sc_report_at(w->sc, c, "signed-div",
			     "signed division or remainder needs a constant divisor other than 0 and -1 "
			     "(INT_MIN / -1 is undefined and untrapped): divide unsigned values");
}

void rx_binary(struct walk *w, CXCursor c)
{
	enum CXBinaryOperatorKind op = clang_getCursorBinaryOperatorKind(c);
	CXCursor l = nth_child(c, 0), r = nth_child(c, 1);
	int pl = ty_is_ptr(cty(l)) || decays_from_array(l);
	int pr = ty_is_ptr(cty(r)) || decays_from_array(r);
	switch (op) {
	case CXBinaryOperator_Add: case CXBinaryOperator_Sub:
	case CXBinaryOperator_AddAssign: case CXBinaryOperator_SubAssign:
		if ((pl && decays_from_array(l)) || (pr && decays_from_array(r)))
			sc_report_at(w->sc, c, "addr-of-element", "array + offset makes an element pointer");
		else if (pl || pr)
			sc_report_at(w->sc, c, "ptr-arith", "pointer arithmetic");
		break;
	case CXBinaryOperator_LT: case CXBinaryOperator_GT:
	case CXBinaryOperator_LE: case CXBinaryOperator_GE:
		if (pl || pr)
			sc_report_at(w->sc, c, "ptr-arith", "ordering comparison of pointers");
		break;
	case CXBinaryOperator_Div: case CXBinaryOperator_Rem:
	case CXBinaryOperator_DivAssign: case CXBinaryOperator_RemAssign:
		rule_signed_div(w, c, l, r);
		break;
	case CXBinaryOperator_Assign:
		if (ty_has_sealed(cty(l)))
			sc_report_at(w->sc, c, "sealed-copy", "assignment copies a sealed framework object");
		if (ty_has_flex(cty(l)))
			sc_report_at(w->sc, c, "flex-object", "assignment copies an object with a flexible array");
		break;
	default:
		break;
	}
}
