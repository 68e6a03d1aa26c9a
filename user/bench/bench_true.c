/* The tiny static binary that bench_fork_exec executes. */
int main(void)
{
	return 0;
}
