/* cat.c - copies stdin to stdout with read/write, handling short writes; reports errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[1 << 16];

int main(void)
{
	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf)), off = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "cat: read: errno %d\n", errno);
			return 1;
		}
		if (n == 0)
			return 0;
		while (off < n) {
			ssize_t w = write(1, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				fprintf(stderr, "cat: write: errno %d\n", errno);
				return 1;
			}
			off += w;
		}
	}
}
