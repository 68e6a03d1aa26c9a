/* Not checked (compiled directly by the test): what the import wall must
 * catch even if a service slipped past the checker. */
int fw_demo_internal(int a);
void *memset(void *d, int c, unsigned long n) { (void)c; (void)n; return d; }
int evil(void) { return fw_demo_internal(1); }
