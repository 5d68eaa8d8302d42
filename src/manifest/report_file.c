/* report_file.c - checks a report's target and writes the report through a temporary file renamed over it. */
#include "report_file.h"
#include "../host/kernelfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <unistd.h>

/* "is on procfs (a kernel interface), not storage" for such a filesystem, else NULL. */
static const char *on_kernel_fs(const struct statfs *fs)
{
	static _Thread_local char why[64];
	const char *name = kernelfs_type_name((unsigned long)fs->f_type); /* the grants' set */

	if (!name)
		return NULL;
	snprintf(why, sizeof(why), "is on %s (a kernel interface), not storage", name);
	return why;
}

static const char *not_regular(mode_t m)
{
	return S_ISDIR(m) ? "is a directory, not a regular file" : S_ISFIFO(m) ? "is a FIFO, not a regular file"
	     : S_ISCHR(m) ? "is a character device, not a regular file"
	     : S_ISBLK(m) ? "is a block device, not a regular file"
	     : S_ISSOCK(m) ? "is a socket, not a regular file" : "is not a regular file";
}

/* The directory part of path ("/" for "/x", "." for "x"), malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

int report_target_check(const char *path, const char **why)
{
	struct statfs fs;
	struct stat st;
	char *dir;
	int e;

	*why = "";
	if (!strcmp(path, "-"))
		return 0;
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			*why = not_regular(st.st_mode);
			return -EINVAL;
		}
		if (statfs(path, &fs) < 0)
			return *why = strerror(errno), -errno;
	} else {
		e = errno;
		if (e == ENOENT && lstat(path, &st) == 0)
			return *why = "dangling symbolic link", -ENOENT;
		if (e != ENOENT)
			return *why = strerror(e), -e;
		if (!(dir = dir_of(path)))
			return *why = strerror(ENOMEM), -ENOMEM;
		e = statfs(dir, &fs) < 0 ? errno : 0;
		free(dir);
		if (e)
			return *why = e == ENOENT ? "its directory does not exist" : strerror(e), -e;
	}
	if ((*why = on_kernel_fs(&fs)))
		return -EINVAL;
	*why = "";
	return 0;
}

/* The file a report replaces: the target itself, or the file its symbolic link names. */
static char *resolve_target(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return realpath(path, NULL);
	return strdup(path);
}

static void release(struct report_file *rf)
{
	if (rf->dirfd >= 0)
		close(rf->dirfd);
	free(rf->name);
	free(rf->tmp_name);
	memset(rf, 0, sizeof(*rf));
	rf->dirfd = -1;
}

int report_file_open(struct report_file *rf, const char *path, char *msg, size_t msglen)
{
	const char *why = NULL;
	char *target = NULL, *dir = NULL;
	struct statfs fs;
	struct stat st;
	int r, fd = -1, exists;

	memset(rf, 0, sizeof(*rf));
	rf->dirfd = -1;
	if (!strcmp(path, "-")) {
		rf->f = stderr;
		return 0;
	}
	if ((r = report_target_check(path, &why)))
		goto fail;
	why = NULL;
	r = -ENOMEM;
	if (!(target = resolve_target(path)) || !(dir = dir_of(target)))
		goto fail;
	exists = stat(target, &st) == 0;
	rf->name = strdup(strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	if (!rf->name || asprintf(&rf->tmp_name, ".%s.vmlet-%d-%u.tmp", rf->name, (int)getpid(), UINT_MAX) < 0) {
		rf->tmp_name = NULL;
		goto fail;
	}
	if ((rf->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		goto fail;
	}
	if (fstatfs(rf->dirfd, &fs) == 0 && (why = on_kernel_fs(&fs))) {
		r = -EINVAL; /* the directory changed since the check */
		goto fail;
	}
	/* As a shell's `>`: 0666 under the umask for a new file; an existing target keeps its bits. */
	fd = openat(rf->dirfd, rf->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 || (exists && fchmod(fd, st.st_mode & 0777) < 0) || !(rf->f = fdopen(fd, "w"))) {
		r = -errno;
		if (fd >= 0) {
			unlinkat(rf->dirfd, rf->tmp_name, 0);
			close(fd);
		}
		goto fail;
	}
	free(target);
	free(dir);
	return 0;
fail:
	snprintf(msg, msglen, "report %s: %s", path, why ? why : strerror(-r));
	release(rf);
	free(target);
	free(dir);
	return r;
}

int report_file_commit(struct report_file *rf, int written, const char *path, char *msg, size_t msglen)
{
	int r = written;

	errno = 0;
	if (rf->f == stderr) {
		if (!r && (fflush(stderr) || ferror(stderr)))
			r = errno ? -errno : -EIO;
	} else if (rf->f) {
		if (!r && (fflush(rf->f) || ferror(rf->f) || fsync(fileno(rf->f)) < 0))
			r = errno ? -errno : -EIO;
		if (fclose(rf->f) && !r)
			r = errno ? -errno : -EIO;
		if (!r && renameat(rf->dirfd, rf->tmp_name, rf->dirfd, rf->name) < 0)
			r = -errno;
		if (r)
			unlinkat(rf->dirfd, rf->tmp_name, 0);
	}
	if (r)
		snprintf(msg, msglen, "writing the report %s: %s", path, strerror(-r));
	release(rf);
	return r;
}

void report_file_discard(struct report_file *rf)
{
	if (rf->f && rf->f != stderr) {
		fclose(rf->f);
		unlinkat(rf->dirfd, rf->tmp_name, 0);
	}
	release(rf);
}
