/* crash.c - dies in the way argv[1] asks: abort, null (write to address 0), spin (loop, no syscalls). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";

	if (!strcmp(how, "abort")) {
		abort();
	} else if (!strcmp(how, "null")) {
		*(volatile int *)(long)(argc - 2) = 42; /* argc == 2: address 0 */
	} else if (!strcmp(how, "spin")) {
		volatile unsigned long n = 0;
		for (;;)
			n++;
	}
	printf("still alive after '%s'\n", how);
	return 1;
}
