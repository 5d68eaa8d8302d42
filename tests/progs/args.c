/* args.c - echoes argc, every argv[i] and every environment entry, one per line. */
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv)
{
	char **e;
	int i;

	printf("argc=%d\n", argc);
	for (i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	for (e = environ; *e; e++)
		printf("env:%s\n", *e);
	return 0;
}
