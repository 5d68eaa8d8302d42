/* trace_file.c - opens the --trace-file target: regular files and character devices only, never blocking. */
#include "trace_file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static int refuse(int fd, const char *path, const char *why, int code, char *msg, size_t msglen)
{
	if (fd >= 0)
		close(fd);
	snprintf(msg, msglen, "--trace-file %s: %s", path, why);
	return code;
}

int trace_file_open(const char *path, char *msg, size_t msglen)
{
	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of waiting for one. */
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644), e;
	struct statfs sfs;
	struct stat st;

	if (fd < 0) {
		e = errno;
		if (e == ENXIO)
			return refuse(-1, path, "is a FIFO (give a regular file or a character device)", -EINVAL, msg,
				      msglen);
		return refuse(-1, path, strerror(e), -e, msg, msglen);
	}
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0) {
		e = errno;
		return refuse(fd, path, strerror(e), -e, msg, msglen);
	}
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		return refuse(fd, path, "not a regular file or character device", -EINVAL, msg, msglen);
	if (sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC)
		return refuse(fd, path, "is on procfs or sysfs", -EINVAL, msg, msglen);
	if ((S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0) || fcntl(fd, F_SETFL, 0) < 0) {
		e = errno;
		return refuse(fd, path, strerror(e), -e, msg, msglen);
	}
	return fd;
}
