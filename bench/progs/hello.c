/* hello.c - the smallest useful static program: print one line and exit (cold-start benchmark). */
#include <stdio.h>

int main(void)
{
	puts("hello, world");
	return 0;
}
