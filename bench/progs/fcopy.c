/* fcopy.c - copies file argv[1] to argv[2] in 64 KiB reads and writes; "fsync" as argv[3] syncs the copy. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[64 << 10];
	int in, out;
	ssize_t n;

	if (argc < 3)
		return 2;
	in = open(argv[1], O_RDONLY);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		return 3;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return 4;
	if (n < 0 || (argc > 3 && !strcmp(argv[3], "fsync") && fsync(out) < 0))
		return 5;
	return close(out) ? 6 : 0;
}
