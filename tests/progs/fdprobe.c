/* fdprobe.c - with a path: opens it and exits leaving it open; without: reports whether fd 3 is open. */
#include <fcntl.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc > 1)
		return open(argv[1], O_RDONLY) == 3 ? 0 : 1;
	printf("fd 3: %s\n", fcntl(3, F_GETFD) < 0 ? "closed" : "open");
	return 0;
}
