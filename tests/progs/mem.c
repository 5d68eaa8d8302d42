/*
 * mem.c - mem malloc|mmap MIB: allocates MIB MiB, writes every page and reads it back.
 * Prints "ok N MiB" on success; "ENOMEM" (exit 0) when the allocation is refused with
 * ENOMEM; anything else is an error (exit 2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	size_t mib, size, i;
	unsigned char *p;

	if (argc < 3) {
		fprintf(stderr, "usage: mem malloc|mmap MIB\n");
		return 2;
	}
	mib = strtoul(argv[2], NULL, 10);
	size = mib << 20;
	errno = 0;
	if (!strcmp(argv[1], "mmap")) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			p = NULL;
	} else {
		p = malloc(size);
	}
	if (!p) {
		if (errno == ENOMEM) {
			printf("ENOMEM\n");
			return 0;
		}
		printf("allocation failed with errno %d\n", errno);
		return 2;
	}
	for (i = 0; i < size; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	for (i = 0; i < size; i += 4096)
		if (p[i] != (unsigned char)(i >> 12)) {
			printf("corrupt at offset %zu\n", i);
			return 2;
		}
	printf("ok %zu MiB\n", mib);
	return 0;
}
