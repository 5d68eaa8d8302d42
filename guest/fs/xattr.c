/* xattr.c - extended attributes: files vmlet serves carry none (reads answer ENODATA or an empty list). */
#include "fs/fd.h"

#include <linux/errno.h>
#include <linux/fcntl.h>

/* The named path exists (followed or not), or -errno. */
static long path_exists(uint64_t upath, int nofollow)
{
	static char path[GK_PATH_MAX];
	struct vmlet_stat st;
	long len = path_resolve(AT_FDCWD, upath, path);

	return len < 0 ? len : fs_stat_resolved(path, len, nofollow, &st);
}

/* getxattr, lgetxattr: no attribute of any name. */
long sys_getxattr(struct gk_frame *f)
{
	long r = path_exists(A0, 0);

	return r < 0 ? r : -ENODATA;
}

long sys_lgetxattr(struct gk_frame *f)
{
	long r = path_exists(A0, 1);

	return r < 0 ? r : -ENODATA;
}

long sys_fgetxattr(struct gk_frame *f)
{
	return fd_get((long)(int)A0) ? -ENODATA : -EBADF;
}

/* listxattr, llistxattr: an empty list. */
long sys_listxattr(struct gk_frame *f)
{
	long r = path_exists(A0, 0);

	return r < 0 ? r : 0;
}

long sys_llistxattr(struct gk_frame *f)
{
	long r = path_exists(A0, 1);

	return r < 0 ? r : 0;
}

long sys_flistxattr(struct gk_frame *f)
{
	return fd_get((long)(int)A0) ? 0 : -EBADF;
}
