/* writev.c - writev with a zero-length iovec whose base is NULL (as musl's stdio flush
 * does): Linux ignores the empty entry and writes the rest. Prints the result. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	struct iovec iov[3] = { { "ab", 2 }, { NULL, 0 }, { "c\n", 2 } };
	char msg[64];
	ssize_t n = writev(1, iov, 3);
	int len = snprintf(msg, sizeof(msg), "writev = %zd%s\n", n, n < 0 && errno == EFAULT ? " EFAULT" : "");

	write(1, msg, (size_t)len);
	return n == 4 ? 0 : 1;
}
