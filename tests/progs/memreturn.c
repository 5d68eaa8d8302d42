/* memreturn.c - touches 64 MiB, frees it, and reports each step; waits on stdin between steps. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void step(const char *what)
{
	char c;

	printf("%s\n", what);
	fflush(stdout);
	if (read(0, &c, 1) != 1)
		_exit(2);
}

int main(void)
{
	size_t n = 64 << 20, i;
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	memset(p, 7, n);
	step("touched");
	munmap(p, n);
	step("freed");
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < n; i += 4096)
		if (p[i])
			return 3; /* old contents visible */
	return 0;
}
