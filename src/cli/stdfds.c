/* stdfds.c - occupies closed standard fds with an O_PATH /dev/null, which can be neither read nor written. */
#include "stdfds.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int stdfds_occupy(void)
{
	int fd, closed = 0;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number: this one, since lower ones are taken by now. */
		int got = open("/dev/null", O_PATH | O_CLOEXEC);
		if (got < 0)
			return -errno;
		if (got != fd) {
			close(got);
			return -EBADF;
		}
		closed |= 1 << fd;
	}
	return closed;
}
