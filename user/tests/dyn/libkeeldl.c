/* libkeeldl: a shared library the dyn_link test loads with dlopen: its
 * TLS block is allocated at run time (__tls_get_addr, dynamic TLS). */
__thread long dl_tls[64] = { 11 };
int dl_loaded;

__attribute__((constructor)) static void dl_ctor(void)
{
	dl_loaded++;
}

int dl_mul(int a, int b)
{
	return a * b;
}

long dl_tls_sum(void)
{
	long s = 0;
	for (int i = 0; i < 64; i++)
		s += dl_tls[i];
	return s;
}
