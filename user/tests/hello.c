/* hello: argv printing, a raw write to stderr, and exit status 42. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char msg[] = "hello on stderr\n";
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	fflush(stdout);
	write(2, msg, sizeof msg - 1);
	return 42;
}
