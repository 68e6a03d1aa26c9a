// expect: extern-decl
/* issue 9, class 4: a service declares the fault upcall's struct itself,
 * 64 words instead of the framework's 3, and defines the upcall against
 * it without the framework's header in view: it would read 488 bytes past
 * the framework's object. Types in the framework's namespace, by name or
 * by the framework's table, are the framework's alone. */
struct fw_fault {
	unsigned long words[64];
};
typedef unsigned long fw_word_t;
enum svc_kinds { FW_KIND_A, SVC_KIND_B };
void svc_on_fault(const struct fw_fault *f);
void svc_on_fault(const struct fw_fault *f)
{
	(void)f->words[63];
}
