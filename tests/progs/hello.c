/* hello.c - prints a greeting; the smallest end-to-end check. */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
