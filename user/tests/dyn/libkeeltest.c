/* libkeeltest: a shared library the dyn_link test is linked against
 * (DT_NEEDED): a function, a global with a constructor, and a TLS
 * variable in the initial TLS block (static TLS of a shared object). */
__thread int kt_tls = 5;
int kt_ctor_ran;

__attribute__((constructor)) static void kt_ctor(void)
{
	kt_ctor_ran = 1;
}

int kt_add(int a, int b)
{
	return a + b;
}

int *kt_tls_addr(void)
{
	return &kt_tls;
}
