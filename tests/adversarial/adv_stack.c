/* adv_stack.c - unbounded recursion: the stack runs into the unmapped guard below it (exit 139).
 * usage: adv_stack [big]   (big: 1 MiB frames that jump over the 2 MiB guard in few steps) */
#include <string.h>

#pragma GCC diagnostic ignored "-Winfinite-recursion"

static volatile unsigned long sink;

static unsigned long deep(unsigned long n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	sink += pad[0];
	return deep(n + 1) + pad[0];
}

static unsigned long leap(unsigned long n)
{
	volatile char pad[1 << 20];

	pad[0] = (char)n;
	pad[sizeof(pad) - 1] = (char)n;
	return leap(n + 1) + pad[0];
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "big"))
		return (int)leap(0);
	return (int)deep(0);
}
