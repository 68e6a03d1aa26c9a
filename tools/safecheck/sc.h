/* safecheck — shared declarations.
 *
 * Layer: host tool (not part of the kernel). It trusts libclang-19 to parse
 * the translation unit exactly as clang-19 compiles it (same flags), and it
 * trusts every declaration and macro body spelled under a framework include
 * directory: those are the framework's safe API, reviewed by hand.
 *
 * Everything else reachable from the TU (the .c file itself, service
 * headers, corpus files) is "service code" and must stay inside the safe
 * subset described in docs/safety.md. Each rule id below is stable: tests,
 * docs and build logs refer to it.
 */
#ifndef SAFECHECK_SC_H
#define SAFECHECK_SC_H

#include <clang-c/Index.h>
#include <stddef.h>

#define SC_MAX_FWDIRS 16
#define SC_MAX_STACK 4096

/* Checker-wide state for one translation unit. */
struct sc {
	CXTranslationUnit tu;
	const char *root;                       /* project root (realpath) */
	const char *fwdirs[SC_MAX_FWDIRS];      /* framework include dirs (realpath) */
	int nfwdirs;
	const char *mainfile;                   /* realpath of the TU's .c */
	int nviol;                              /* violations reported */
	int parse_errors;                       /* clang errors seen */
	struct strset *fwnames;                 /* identifiers used by framework headers */
	struct strset *fwdecls;                 /* names declared at file scope in framework headers */
	struct strset *svcmacros;               /* macros service files defined (pp.c) */
	/* the framework's API table (--framework-api), or NULL */
	struct strset *api_names;               /* every F/V name a framework header declares */
	struct strset *api_safe;                /* ... marked FW_API */
	struct strset *api_macro;               /* ... marked FW_MACRO_API */
	struct strset *api_types;               /* struct tags framework headers define */
	struct strset *api_upcall;              /* ... FW_UPCALL: services define them */
};

/* One node of the AST walk with its ancestors, so rules can ask "am I the
 * direct argument of a call?" without re-walking. */
struct frame {
	CXCursor c;
	enum CXCursorKind k;
	int idx;      /* index among the parent's children */
	int nkids;    /* children visited so far */
};

struct walk {
	struct sc *sc;
	struct frame st[SC_MAX_STACK];
	int depth;    /* st[depth-1] is the current node */
	int found;    /* scratch for sub-walks */
};

/* --- strset.c-like helpers (in loc.c) --- */
struct strset *strset_new(void);
int strset_has(const struct strset *s, const char *k);
void strset_add(struct strset *s, const char *k);

/* --- loc.c: where code is spelled, and reporting --- */
enum origin { ORIGIN_NONE, ORIGIN_FRAMEWORK, ORIGIN_SERVICE };
enum origin sc_file_origin(struct sc *sc, CXFile f);
int sc_is_service(struct sc *sc, CXCursor c);          /* by spelling location */
int sc_expands_in_service(struct sc *sc, CXCursor c);  /* by expansion location */
int sc_loc_is_service(struct sc *sc, CXSourceLocation l);
void sc_report(struct sc *sc, CXSourceLocation l, const char *rule,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void sc_report_at(struct sc *sc, CXCursor c, const char *rule,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int sc_flush_reports(void);  /* print sorted, de-duplicated; returns count */
int sc_file_is_header(CXFile f);

/* --- types.c: type predicates --- */
CXType ty_canon(CXType t);
int ty_is_ptr(CXType t);           /* any pointer (data or function) */
int ty_is_fnptr(CXType t);
int ty_is_record(CXType t);
int ty_is_union(CXType t);
int ty_has_data_ptr(CXType t);     /* contains a data pointer at any depth */
int ty_has_sealed(CXType t);       /* contains a FW_SEALED struct at any depth */
int ty_has_ptr_to_holder(CXType t); /* a pointer in t reaches storage holding a data pointer */
int ty_is_sealed(CXType t);
int ty_has_variadic_fn(CXType t);  /* names a variadic function type */
long long ty_nonplain_end(CXType t); /* end of its last non-plain-data part */
#define SC_USER_MIN 0x10000LL       /* FW_USER_MIN: nothing is mapped below it */
void rule_null_reach(struct sc *sc, CXCursor c, CXType t);
#define SC_TYPE_MAX 0x800000000000LL /* FW_USER_TOP: no service type is larger */
long long ty_exact_size(CXType t);  /* size without wrapping; SC_TYPE_MAX + 1 if larger */
void rule_type_size(struct sc *sc, CXCursor c, CXType t);
int ty_has_flex(CXType t);         /* record ending in a flexible array */
int ty_is_pod(CXType t, const char **why);
int ty_has_padding(CXType t);     /* bits no member covers (pod-src) */
int ty_has_restrict(CXType t);
int ty_has_float(CXType t);      /* a floating type (arrays, pointees, signatures; not record fields) */
int ty_const_object(CXType t);
int ty_is_integer(CXType t);     /* integer, bool, char or enum */     /* const, looking through arrays */
int cur_has_annot(CXCursor c, const char *what);
int fn_param_has_annot(CXCursor fn, int i, const char *what);
const char *attr_name(CXTranslationUnit tu, CXCursor attr, char *buf, size_t n);

/* --- walk.c --- */
void sc_walk_tu(struct sc *sc);
CXCursor w_parent(const struct walk *w, int up);  /* up=1: parent */
enum CXCursorKind w_parent_kind(const struct walk *w, int up);
int w_is_call_arg(const struct walk *w, int *argidx, CXCursor *call);
CXCursor strip_implicit(CXCursor c);             /* through parens/implicit casts */
CXCursor first_child(CXCursor c);
int child_count(CXCursor c);
CXCursor last_child(CXCursor c);
CXCursor nth_child(CXCursor c, int n);

/* --- rules_expr.c / rules_decl.c --- */
void rx_cast(struct walk *w, CXCursor c);
void rx_implicit(struct walk *w, CXCursor c);
void rx_subscript(struct walk *w, CXCursor c);
void rx_member(struct walk *w, CXCursor c);
void rx_unary(struct walk *w, CXCursor c);
void rx_binary(struct walk *w, CXCursor c);
int rx_subscript_is_service(struct sc *sc, CXCursor c);
int sc_builtin_allowed(const char *name);
int sc_attr_allowed(const char *name);
int sc_is_counted_attr(const char *name);
void rules_expr(struct walk *w, CXCursor c, enum CXCursorKind k);
void rules_decl(struct walk *w, CXCursor c, enum CXCursorKind k);
int sc_framework_name(struct sc *sc, const char *n);
void rules_stmt(struct walk *w, CXCursor c, enum CXCursorKind k);
void rules_ref(struct walk *w, CXCursor c, enum CXCursorKind k);
void rule_sizeof_object(struct walk *w, CXCursor c);
/* rules_ret.c */
void rule_returned_pointers(struct sc *sc, CXCursor fn);
void rule_ptr_to_ptr(struct sc *sc, CXCursor c, CXType t);

/* --- tokens.c: preprocessor- and token-level rules --- */
void sc_collect_framework_names(struct sc *sc);
void sc_scan_service_files(struct sc *sc);
/* --- flags.c --- */
void sc_check_wall_flags(struct sc *sc, int argc, const char *const *argv);
/* --- pp.c: the service preprocessing language --- */
void sc_pp_check(struct sc *sc, CXFile *files, int nfiles);
void sc_lint_framework_file(struct sc *sc, CXFile f);

/* --- sig.c: cross-TU signatures and the export list --- */
int sc_write_sigs(struct sc *sc, const char *out);
int sc_list_exports(struct sc *sc);
int sc_list_framework_api(struct sc *sc);
int sc_load_framework_api(struct sc *sc, const char *path);

#endif
