/* safecheck — rules on returned pointers: return-pointer, ptr-to-ptr.
 *
 * Layer: host tool. Closes the one way a borrowed pointer could outlive
 * its referent without being stored: handing it back through a return
 * value (`int *id(int *p) { return p; }` then `return id(&local);`).
 * A service function that returns a data pointer may return only
 *   - NULL,
 *   - the result of a call (by induction every service function obeys this
 *     rule, and framework functions returning pointers are trusted: pool
 *     getters and FW_GLOBAL accessors return pool or static storage), or
 *   - a local pointer variable that is only ever set from those two and
 *     whose address is never taken,
 * and pointer-to-pointer types are not allowed at all (they are the other
 * way to pass a pointer out through a caller's variable).
 */
#include "sc.h"
#include <string.h>

static CXType cty(CXCursor c) { return clang_getCursorType(c); }

static int is_data_ptr(CXType t)
{
	t = ty_canon(t);
	return t.kind == CXType_Pointer && !ty_is_fnptr(t);
}

/* NULL as the framework spells it: ((void *)0), or a literal 0. */
static int is_null(CXCursor e)
{
	e = strip_implicit(e);
	if (e.kind == CXCursor_CStyleCastExpr)
		e = strip_implicit(last_child(e));
	if (e.kind != CXCursor_IntegerLiteral)
		return 0;
	CXEvalResult r = clang_Cursor_Evaluate(e);
	int zero = r && clang_EvalResult_getKind(r) == CXEval_Int && clang_EvalResult_getAsLongLong(r) == 0;
	if (r)
		clang_EvalResult_dispose(r);
	return zero;
}

static int is_call_or_null(CXCursor e)
{
	e = strip_implicit(e);
	return e.kind == CXCursor_CallExpr || is_null(e);
}

struct var_scan {
	CXCursor var;
	int bad;
};

static int refers_to(CXCursor e, CXCursor var)
{
	e = strip_implicit(e);
	return e.kind == CXCursor_DeclRefExpr && clang_equalCursors(clang_getCursorReferenced(e), var);
}

static enum CXChildVisitResult scan_var(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	struct var_scan *vs = d;
	if (c.kind == CXCursor_BinaryOperator || c.kind == CXCursor_CompoundAssignOperator) {
		enum CXBinaryOperatorKind op = clang_getCursorBinaryOperatorKind(c);
		if (op == CXBinaryOperator_Assign && refers_to(first_child(c), vs->var) && !is_call_or_null(last_child(c)))
			vs->bad = 1;
	}
	if (c.kind == CXCursor_UnaryOperator && clang_getCursorUnaryOperatorKind(c) == CXUnaryOperator_AddrOf &&
	    refers_to(first_child(c), vs->var))
		vs->bad = 1;
	return CXChildVisit_Recurse;
}

/* A local set only from calls or NULL, its address never taken. */
static int local_ok(CXCursor fn, CXCursor var)
{
	if (var.kind != CXCursor_VarDecl)
		return 0;
	enum CX_StorageClass s = clang_Cursor_getStorageClass(var);
	if (s == CX_SC_Static || s == CX_SC_Extern)
		return 0;
	/* the initializer, if any, is the VarDecl's last child expression */
	int n = child_count(var);
	if (n > 0) {
		CXCursor init = last_child(var);
		if (clang_isExpression(init.kind) && !is_call_or_null(init))
			return 0;
	}
	struct var_scan vs = {var, 0};
	clang_visitChildren(fn, scan_var, &vs);
	return !vs.bad;
}

static int expr_ok(CXCursor fn, CXCursor e)
{
	e = strip_implicit(e);
	if (is_call_or_null(e))
		return 1;
	if (e.kind == CXCursor_ConditionalOperator) {
		int n = child_count(e);
		return n == 3 && expr_ok(fn, nth_child(e, 1)) && expr_ok(fn, nth_child(e, 2));
	}
	if (e.kind == CXCursor_DeclRefExpr)
		return local_ok(fn, clang_getCursorReferenced(e));
	return 0;
}

struct ret_scan {
	struct sc *sc;
	CXCursor fn;
};

static enum CXChildVisitResult scan_returns(CXCursor c, CXCursor p, CXClientData d)
{
	(void)p;
	struct ret_scan *rs = d;
	if (c.kind == CXCursor_ReturnStmt && child_count(c) == 1 && sc_is_service(rs->sc, c) &&
	    !expr_ok(rs->fn, first_child(c)))
		sc_report_at(rs->sc, c, "return-pointer",
			     "a returned pointer must be NULL, a call's result, or a local set only from those");
	return CXChildVisit_Recurse;
}

void rule_returned_pointers(struct sc *sc, CXCursor fn)
{
	if (!clang_isCursorDefinition(fn) || !is_data_ptr(clang_getResultType(cty(fn))))
		return;
	struct ret_scan rs = {sc, fn};
	clang_visitChildren(fn, scan_returns, &rs);
}

/* Class 2 of issue 9: one predicate, ty_has_ptr_to_holder, for every type
 * a service writes down (variables, parameters, results, fields, typedefs,
 * compound literals): no pointer to storage that holds a data pointer. */
void rule_ptr_to_ptr(struct sc *sc, CXCursor c, CXType t)
{
	if (ty_has_ptr_to_holder(t))
		sc_report_at(sc, c, "ptr-to-ptr",
			     "pointer to storage holding a data pointer (T **, T *(*)[N], struct holding T *): "
			     "a way to pass a borrowed pointer out");
}

/* null-reach (attack round 2): NULL plus a field's offset must not reach a
 * user page. fw_vm_map maps nothing below FW_USER_MIN (64 KiB), and SMAP is
 * not on every CPU the kernel supports; a service type with a function
 * pointer 2 MiB in made `h->fn()` on a NULL `h` call what a user page held
 * (shown at run time under -cpu max,-smap). So in every type a service
 * writes down, and in what its pointers point to, every part that is not
 * plain data (function pointer, _Bool, sealed struct) ends below
 * FW_USER_MIN; a plain-data byte read from a user page is just a value. */
void rule_null_reach(struct sc *sc, CXCursor c, CXType t)
{
	rule_type_size(sc, c, t);
	for (int depth = 0; depth < 8; depth++) {
		t = ty_canon(t);
		while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray)
			t = ty_canon(clang_getArrayElementType(t));
		if (t.kind == CXType_Pointer && !ty_is_fnptr(t)) {
			t = clang_getPointeeType(t);
			if (ty_nonplain_end(t) > SC_USER_MIN) {
				sc_report_at(sc, c, "null-reach",
					     "a NULL pointer to this type reaches past FW_USER_MIN to a part that is not plain data");
				return;
			}
			continue;
		}
		return;
	}
}

/* type-size (attack round 3): the null-reach argument, and every bound a
 * trusted macro takes from sizeof, need sizes and offsets to be what the
 * generated code uses. clang lays records out in a 64-bit count of bits
 * and lets it wrap (a record of 30 fields of 2^60 bytes put its next
 * field, in the code, at 0xF000000000000000: `p->tail` on a NULL p was a
 * read of any kernel address). So no type a service writes down, nor any
 * type its pointers point to, may be larger than FW_USER_TOP (2^47 bytes),
 * measured without wrapping (ty_exact_size). Then NULL plus any field
 * offset or in-bounds index is an address below 2^61: a user address,
 * unmapped, or non-canonical, never the kernel half. */
void rule_type_size(struct sc *sc, CXCursor c, CXType t)
{
	for (int depth = 0; depth < 8; depth++) {
		t = ty_canon(t);
		if (ty_exact_size(t) > SC_TYPE_MAX) {
			sc_report_at(sc, c, "type-size",
				     "a type larger than FW_USER_TOP (2^47 bytes): NULL plus its offsets would leave the user half");
			return;
		}
		while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray)
			t = ty_canon(clang_getArrayElementType(t));
		if (t.kind != CXType_Pointer || ty_is_fnptr(t))
			return;
		t = clang_getPointeeType(t);
	}
}
