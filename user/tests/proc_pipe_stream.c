/* proc_pipe_stream: a child writes 1000 numbered lines into a pipe with stdio;
 * a second child relays them through another pipe; the parent checks order. */
#include "t.h"

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int a[2], b[2];
	CHECK(pipe(a) == 0 && pipe(b) == 0, "two pipes");
	pid_t w = fork();
	if (w == 0) {
		close(a[0]); close(b[0]); close(b[1]);
		FILE *f = fdopen(a[1], "w");
		for (int i = 0; i < 1000; i++)
			fprintf(f, "line %04d %s\n", i, "the quick brown fox jumps over the lazy dog");
		fclose(f);
		_exit(0);
	}
	pid_t r = fork();
	if (r == 0) { /* relay: a -> b, uppercase nothing, count bytes */
		close(a[1]); close(b[0]);
		char buf[777];
		ssize_t n;
		while ((n = read(a[0], buf, sizeof buf)) > 0) {
			ssize_t off = 0;
			while (off < n) {
				ssize_t k = write(b[1], buf + off, n - off);
				if (k <= 0) _exit(3);
				off += k;
			}
		}
		_exit(n == 0 ? 0 : 4);
	}
	close(a[0]); close(a[1]); close(b[1]);
	FILE *in = fdopen(b[0], "r");
	char line[128];
	int count = 0, inorder = 1;
	while (fgets(line, sizeof line, in)) {
		int k;
		if (sscanf(line, "line %d", &k) != 1 || k != count) inorder = 0;
		count++;
	}
	fclose(in);
	SAY("lines received: %d\n", count);
	CHECK(inorder, "all lines in order");
	SAY("writer: %s\n", t_wait_desc(w));
	SAY("relay: %s\n", t_wait_desc(r));
	return t_done();
}
