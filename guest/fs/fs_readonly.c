/* fs_readonly.c - calls that would change the file tree: every grant is read-only, so they fail as on a read-only Linux mount. */
#include "fs/fd.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/stat.h>

/*
 * Linux makes its path checks before it asks the mount for write access, so a
 * program sees ENOENT, ENOTDIR, EEXIST, EISDIR... where it would natively and
 * EROFS only after them. The kind of last component decides some answers, as
 * in Linux's path walk (LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT).
 */
enum last { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };

struct target {
	char path[GK_PATH_MAX]; /* normalized absolute path */
	long len;
	enum last last;
};

static struct target first, second; /* one call handles at most two paths */

static enum last last_kind(const char *raw, size_t n)
{
	size_t end = n, start;

	while (end > 1 && raw[end - 1] == '/')
		end--;
	if (raw[0] == '/' && end == 1)
		return LAST_ROOT;
	for (start = end; start > 0 && raw[start - 1] != '/'; start--)
		;
	if (end - start == 1 && raw[start] == '.')
		return LAST_DOT;
	if (end - start == 2 && raw[start] == '.' && raw[start + 1] == '.')
		return LAST_DOTDOT;
	return LAST_NORM;
}

static long resolve(long dirfd, uint64_t upath, struct target *t)
{
	static char raw[GK_PATH_MAX];
	long n = user_string(upath, raw, sizeof(raw));

	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	t->last = last_kind(raw, (size_t)n);
	t->len = path_resolve(dirfd, upath, t->path);
	return t->len < 0 ? t->len : 0;
}

/* The directory the last component lives in must exist: ENOENT or ENOTDIR otherwise. */
static long parent_ok(const struct target *t)
{
	static char parent[GK_PATH_MAX];
	struct vmlet_stat st;
	long len = t->len, r;

	if (t->last != LAST_NORM) /* the path is itself a directory being walked */
		return fs_stat_resolved(t->path, t->len, 0, &st);
	while (len > 1 && t->path[len - 1] != '/')
		len--;
	if (len > 1)
		len--; /* "/a/b" -> "/a"; "/a" -> "/" */
	memcpy(parent, t->path, (size_t)len);
	parent[len] = 0;
	r = fs_stat_resolved(parent, len, 0, &st);
	if (r < 0)
		return r;
	return S_ISDIR(st.mode) ? 0 : -ENOTDIR;
}

/* mkdir, mknod, symlink, link's new name: EEXIST if the name is taken (a dangling link too). */
static long create_at(long dirfd, uint64_t upath)
{
	struct vmlet_stat st;
	long r = resolve(dirfd, upath, &first);

	if (!r)
		r = parent_ok(&first);
	if (r)
		return r;
	if (first.last != LAST_NORM)
		return -EEXIST;
	r = fs_stat_resolved(first.path, first.len, 1, &st);
	if (r == 0)
		return -EEXIST;
	return r == -ENOENT ? -EROFS : r;
}

/* chmod, chown, utimes, truncate: the file must exist; then the mount refuses. */
static long change_at(long dirfd, uint64_t upath, int nofollow, struct vmlet_stat *st)
{
	long r = resolve(dirfd, upath, &first);

	return r ? r : fs_stat_resolved(first.path, first.len, nofollow, st);
}

static long or_erofs(long r)
{
	return r ? r : -EROFS;
}

long sys_mkdirat(struct gk_frame *f)
{
	return create_at((long)(int)A0, A1);
}

long sys_mkdir(struct gk_frame *f)
{
	return create_at(AT_FDCWD, A0);
}

long sys_mknodat(struct gk_frame *f)
{
	return create_at((long)(int)A0, A1);
}

long sys_mknod(struct gk_frame *f)
{
	return create_at(AT_FDCWD, A0);
}

static long symlink_at(uint64_t utarget, long dirfd, uint64_t upath)
{
	long n = user_string(utarget, second.path, sizeof(second.path));

	if (n < 0)
		return n;
	return n == 0 ? -ENOENT : create_at(dirfd, upath);
}

long sys_symlinkat(struct gk_frame *f)
{
	return symlink_at(A0, (long)(int)A1, A2);
}

long sys_symlink(struct gk_frame *f)
{
	return symlink_at(A0, AT_FDCWD, A1);
}

static long link_at(long olddir, uint64_t uold, long newdir, uint64_t unew, uint64_t flags)
{
	struct vmlet_stat st;
	long r;

	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = resolve(olddir, uold, &second);
	if (!r)
		r = fs_stat_resolved(second.path, second.len, !(flags & AT_SYMLINK_FOLLOW), &st);
	return r ? r : create_at(newdir, unew);
}

long sys_linkat(struct gk_frame *f)
{
	return link_at((long)(int)A0, A1, (long)(int)A2, A3, A4);
}

long sys_link(struct gk_frame *f)
{
	return link_at(AT_FDCWD, A0, AT_FDCWD, A1, 0);
}

static long rmdir_at(long dirfd, uint64_t upath)
{
	long r = resolve(dirfd, upath, &first);

	if (!r)
		r = parent_ok(&first);
	if (r)
		return r;
	switch (first.last) {
	case LAST_DOT: return -EINVAL;
	case LAST_DOTDOT: return -ENOTEMPTY;
	case LAST_ROOT: return -EBUSY;
	default: return -EROFS;
	}
}

static long unlink_at(long dirfd, uint64_t upath, uint64_t flags)
{
	long r;

	if (flags & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	if (flags & AT_REMOVEDIR)
		return rmdir_at(dirfd, upath);
	r = resolve(dirfd, upath, &first);
	if (!r)
		r = parent_ok(&first);
	if (r)
		return r;
	return first.last == LAST_NORM ? -EROFS : -EISDIR;
}

long sys_unlinkat(struct gk_frame *f)
{
	return unlink_at((long)(int)A0, A1, A2);
}

long sys_unlink(struct gk_frame *f)
{
	return unlink_at(AT_FDCWD, A0, 0);
}

long sys_rmdir(struct gk_frame *f)
{
	return rmdir_at(AT_FDCWD, A0);
}

static long rename_at(long olddir, uint64_t uold, long newdir, uint64_t unew, uint64_t flags)
{
	long r;

	if (flags & ~(uint64_t)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT)))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & RENAME_WHITEOUT))
		return -EINVAL;
	r = resolve(olddir, uold, &first);
	if (!r)
		r = parent_ok(&first);
	if (!r)
		r = resolve(newdir, unew, &second);
	if (!r)
		r = parent_ok(&second);
	if (r)
		return r;
	if (first.last != LAST_NORM || second.last != LAST_NORM)
		return -EBUSY;
	return -EROFS;
}

long sys_renameat2(struct gk_frame *f)
{
	return rename_at((long)(int)A0, A1, (long)(int)A2, A3, A4);
}

long sys_renameat(struct gk_frame *f)
{
	return rename_at((long)(int)A0, A1, (long)(int)A2, A3, 0);
}

long sys_rename(struct gk_frame *f)
{
	return rename_at(AT_FDCWD, A0, AT_FDCWD, A1, 0);
}

/* chmod family: fchmodat's flags are fchmodat2's (AT_SYMLINK_NOFOLLOW). */
static long chmod_at(long dirfd, uint64_t upath, uint64_t flags)
{
	struct vmlet_stat st;
	long r;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = change_at(dirfd, upath, !!(flags & AT_SYMLINK_NOFOLLOW), &st);
	return or_erofs(r);
}

long sys_chmod(struct gk_frame *f)
{
	return chmod_at(AT_FDCWD, A0, 0);
}

long sys_fchmodat(struct gk_frame *f)
{
	return chmod_at((long)(int)A0, A1, 0);
}

long sys_chown(struct gk_frame *f)
{
	return chmod_at(AT_FDCWD, A0, 0);
}

long sys_lchown(struct gk_frame *f)
{
	return chmod_at(AT_FDCWD, A0, AT_SYMLINK_NOFOLLOW);
}

long sys_fchownat(struct gk_frame *f)
{
	struct vmlet_stat st;

	if ((A4 & AT_EMPTY_PATH) && user_ok(A1, 1) && *(const char *)A1 == 0)
		return fd_get((long)(int)A0) ? -EROFS : -EBADF;
	if (A4 & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return or_erofs(change_at((long)(int)A0, A1, !!(A4 & AT_SYMLINK_NOFOLLOW), &st));
}

/* utimensat(dirfd, NULL, ...) is futimens on dirfd. */
long sys_utimensat(struct gk_frame *f)
{
	struct vmlet_stat st;

	if (A3 & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!A1)
		return fd_get((long)(int)A0) ? -EROFS : -EBADF;
	return or_erofs(change_at((long)(int)A0, A1, !!(A3 & AT_SYMLINK_NOFOLLOW), &st));
}

/* utime and utimes: the same answers, whatever the time format. */
long sys_utimes(struct gk_frame *f)
{
	struct vmlet_stat st;

	return or_erofs(change_at(AT_FDCWD, A0, 0, &st));
}

long sys_truncate(struct gk_frame *f)
{
	struct vmlet_stat st;
	long r;

	if ((int64_t)A1 < 0)
		return -EINVAL;
	r = change_at(AT_FDCWD, A0, 0, &st);
	if (r)
		return r;
	if (S_ISDIR(st.mode))
		return -EISDIR;
	return S_ISREG(st.mode) ? -EROFS : -EINVAL;
}
