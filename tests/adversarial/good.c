/* good.c - a well-behaved guest for the concurrency test: prints N numbered lines and a checksum.
 * usage: good [N]   (default 2000); exit 0 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000, i;
	unsigned long sum = 0;

	for (i = 0; i < n; i++) {
		printf("good line %ld of %ld\n", i, n);
		sum = sum * 31 + (unsigned long)i;
	}
	printf("good checksum %lu\n", sum);
	return 0;
}
