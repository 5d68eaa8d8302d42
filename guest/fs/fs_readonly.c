/* fs_readonly.c - calls that change the file tree: a tmpfs serves them (tmpfs_calls.c); every grant is read-only, so there they fail as on a read-only Linux mount. */
#include "fs/tmpfs.h"

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
	struct twalk w;         /* where the path is in a tmpfs */
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

/* The mount table: 1 if a tmpfs serves t (t->w), 0 if the host does (t->path may have been
 * rewritten by a tmpfs symlink), or -errno. */
static long in_tmpfs(struct target *t, int follow)
{
	long r = tmpfs_walk(t->path, &t->len, follow, &t->w);

	return r ? r : !!t->w.m;
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

/* mkdir, mknod, symlink, link's new name: EEXIST if the name is taken (a dangling link too).
 * 1: a tmpfs serves it (first.w). */
static long create_at(long dirfd, uint64_t upath)
{
	struct vmlet_stat st;
	long r = resolve(dirfd, upath, &first);

	if (!r)
		r = in_tmpfs(&first, 0);
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

/* chmod, chown, utimes, truncate: the file must exist; then the mount refuses. 1: a tmpfs node, first.w.node. */
static long change_at(long dirfd, uint64_t upath, int nofollow, struct vmlet_stat *st)
{
	long r = resolve(dirfd, upath, &first);

	if (!r)
		r = in_tmpfs(&first, !nofollow);
	if (r == 1 && !first.w.node)
		return -ENOENT;
	return r ? r : fs_stat_resolved(first.path, first.len, nofollow, st);
}

static long or_erofs(long r)
{
	return r ? r : -EROFS;
}

static long mknod_at(long dirfd, uint64_t upath, uint32_t mode)
{
	long r = create_at(dirfd, upath);

	return r == 1 ? tmpfs_mknod(&first.w, mode) : r;
}

long sys_mkdirat(struct gk_frame *f)
{
	return mknod_at((long)(int)A0, A1, S_IFDIR | ((uint32_t)A2 & 07777));
}

long sys_mkdir(struct gk_frame *f)
{
	return mknod_at(AT_FDCWD, A0, S_IFDIR | ((uint32_t)A1 & 07777));
}

long sys_mknodat(struct gk_frame *f)
{
	return (A2 & S_IFMT) == S_IFDIR ? -EINVAL : mknod_at((long)(int)A0, A1, (uint32_t)A2);
}

long sys_mknod(struct gk_frame *f)
{
	return (A1 & S_IFMT) == S_IFDIR ? -EINVAL : mknod_at(AT_FDCWD, A0, (uint32_t)A1);
}

static long symlink_at(uint64_t utarget, long dirfd, uint64_t upath)
{
	long n = user_string(utarget, second.path, sizeof(second.path));

	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	n = create_at(dirfd, upath);
	return n == 1 ? tmpfs_symlink(&first.w, second.path) : n;
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

	struct tnode *node = 0;
	long to;

	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && user_ok(uold, 1) && *(const char *)uold == 0) {
		struct ofd *o = fd_get(olddir);
		if (!o)
			return -EBADF;
		if (o->kind != OFD_TMPFS)
			return -EXDEV; /* a host file: the new name may not be made */
		node = o->node;
		r = 1;
	} else {
		r = resolve(olddir, uold, &second);
		if (!r)
			r = in_tmpfs(&second, !!(flags & AT_SYMLINK_FOLLOW));
		if (r == 1 && !(node = second.w.node))
			r = -ENOENT;
		if (!r)
			r = fs_stat_resolved(second.path, second.len, !(flags & AT_SYMLINK_FOLLOW), &st);
	}
	if (r < 0)
		return r;
	to = create_at(newdir, unew);
	if (to < 0 && to != -EROFS)
		return to;
	if (node && to == 1)
		return tmpfs_link(node, &first.w);
	return node || to == 1 ? -EXDEV : to;
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
		r = in_tmpfs(&first, 0);
	if (r == 1 && first.last == LAST_NORM)
		return tmpfs_unlink(&first.w, 1);
	if (r == 1) /* "." or "..": as on any mount, after the path is found */
		r = first.w.node ? 0 : -ENOENT;
	else if (!r)
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
		r = in_tmpfs(&first, 0);
	if (r == 1)
		return tmpfs_unlink(&first.w, 0);
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
	long a, b;

	r = resolve(olddir, uold, &first);
	if (!r)
		r = resolve(newdir, unew, &second);
	if (r)
		return r;
	a = in_tmpfs(&first, 0);
	b = a < 0 ? a : in_tmpfs(&second, 0);
	if (a < 0 || b < 0)
		return a < 0 ? a : b;
	if (a == 1 && !first.w.node)
		return -ENOENT;
	if (!a && (r = parent_ok(&first)))
		return r;
	if (!b && (r = parent_ok(&second)))
		return r;
	if (first.last != LAST_NORM || second.last != LAST_NORM)
		return -EBUSY;
	if (a && b)
		return tmpfs_rename(&first.w, &second.w, flags);
	return a || b ? -EXDEV : -EROFS;
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
static long chmod_at(long dirfd, uint64_t upath, uint64_t flags, uint32_t mode)
{
	struct vmlet_stat st;
	long r;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = change_at(dirfd, upath, !!(flags & AT_SYMLINK_NOFOLLOW), &st);
	return r == 1 ? tmpfs_chmod(first.w.node, mode) : or_erofs(r);
}

long sys_chmod(struct gk_frame *f)
{
	return chmod_at(AT_FDCWD, A0, 0, (uint32_t)A1);
}

long sys_fchmodat(struct gk_frame *f)
{
	return chmod_at((long)(int)A0, A1, 0, (uint32_t)A2);
}

/* The description behind fd, for the calls that take one: a tmpfs node, NULL for others, or -EBADF in *r. */
static struct tnode *fd_node(long fd, long *r)
{
	struct ofd *o = fd_get(fd);

	*r = o ? 0 : -EBADF;
	return o && o->kind == OFD_TMPFS ? o->node : 0;
}

long sys_fchmod(struct gk_frame *f)
{
	long r;
	struct tnode *n = fd_node((long)(int)A0, &r);

	return n ? tmpfs_chmod(n, (uint32_t)A1) : or_erofs(r);
}

static long chown_at(long dirfd, uint64_t upath, uint64_t flags, uint32_t uid, uint32_t gid)
{
	struct vmlet_stat st;
	long r;

	if ((flags & AT_EMPTY_PATH) && user_ok(upath, 1) && *(const char *)upath == 0) {
		struct tnode *n = fd_node(dirfd, &r);
		return n ? tmpfs_chown(n, uid, gid) : or_erofs(r);
	}
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = change_at(dirfd, upath, !!(flags & AT_SYMLINK_NOFOLLOW), &st);
	return r == 1 ? tmpfs_chown(first.w.node, uid, gid) : or_erofs(r);
}

long sys_chown(struct gk_frame *f)
{
	return chown_at(AT_FDCWD, A0, 0, (uint32_t)A1, (uint32_t)A2);
}

long sys_lchown(struct gk_frame *f)
{
	return chown_at(AT_FDCWD, A0, AT_SYMLINK_NOFOLLOW, (uint32_t)A1, (uint32_t)A2);
}

long sys_fchownat(struct gk_frame *f)
{
	return chown_at((long)(int)A0, A1, A4, (uint32_t)A2, (uint32_t)A3);
}

long sys_fchown(struct gk_frame *f)
{
	long r;
	struct tnode *n = fd_node((long)(int)A0, &r);

	return n ? tmpfs_chown(n, (uint32_t)A1, (uint32_t)A2) : or_erofs(r);
}

/* Times as utimensat takes them (two timespecs; NULL: now) into ts, from the program's format. */
static long times_in(uint64_t utimes, int format, int64_t ts[4])
{
	const int64_t *u = (const int64_t *)utimes;
	int i;

	if (!utimes)
		return 0;
	if (!user_ok(utimes, 32 / (format == 2 ? 2 : 1)))
		return -EFAULT;
	for (i = 0; i < 2; i++) {
		if (format == 2) { /* utime: struct utimbuf, seconds */
			ts[2 * i] = u[i];
			ts[2 * i + 1] = 0;
		} else if (format == 1) { /* utimes: struct timeval */
			if (u[2 * i + 1] < 0 || u[2 * i + 1] >= 1000000)
				return -EINVAL;
			ts[2 * i] = u[2 * i];
			ts[2 * i + 1] = u[2 * i + 1] * 1000;
		} else {
			ts[2 * i] = u[2 * i];
			ts[2 * i + 1] = u[2 * i + 1];
		}
	}
	return 1;
}

static long utimes_at(long dirfd, uint64_t upath, uint64_t utimes, int format, uint64_t flags)
{
	struct vmlet_stat st;
	int64_t ts[4];
	long t = times_in(utimes, format, ts), r;

	if (t < 0)
		return t;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!upath || ((flags & AT_EMPTY_PATH) && user_ok(upath, 1) && *(const char *)upath == 0)) {
		struct tnode *n = fd_node(dirfd, &r); /* utimensat(fd, NULL, ...) is futimens */
		return n ? tmpfs_utimens(n, t ? (uint64_t)ts : 0) : or_erofs(r);
	}
	r = change_at(dirfd, upath, !!(flags & AT_SYMLINK_NOFOLLOW), &st);
	return r == 1 ? tmpfs_utimens(first.w.node, t ? (uint64_t)ts : 0) : or_erofs(r);
}

long sys_utimensat(struct gk_frame *f)
{
	return utimes_at((long)(int)A0, A1, A2, 0, A3);
}

long sys_utimes(struct gk_frame *f)
{
	return utimes_at(AT_FDCWD, A0, A1, 1, 0);
}

long sys_futimesat(struct gk_frame *f)
{
	return utimes_at((long)(int)A0, A1, A2, 1, 0);
}

long sys_utime(struct gk_frame *f)
{
	return utimes_at(AT_FDCWD, A0, A1, 2, 0);
}

long sys_truncate(struct gk_frame *f)
{
	struct vmlet_stat st;
	long r;

	if ((int64_t)A1 < 0)
		return -EINVAL;
	r = change_at(AT_FDCWD, A0, 0, &st);
	if (r == 1 && S_ISDIR(first.w.node->mode))
		return -EISDIR;
	if (r == 1)
		return S_ISREG(first.w.node->mode) ? tnode_truncate(first.w.node, A1) : -EINVAL;
	if (r)
		return r;
	if (S_ISDIR(st.mode))
		return -EISDIR;
	return S_ISREG(st.mode) ? -EROFS : -EINVAL;
}
