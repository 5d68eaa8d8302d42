/* tmpfs_calls.c - system calls on tmpfs paths and descriptions, with Linux's answers; fs.c, fs_readonly.c and fd.c route here. */
#include "fs/tmpfs.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/stat.h>

#define UTIME_NOW_K ((1l << 30) - 1)
#define UTIME_OMIT_K ((1l << 30) - 2)

static uint32_t perm(uint32_t mode)
{
	return mode & 07777 & ~umask_get();
}

long tmpfs_open(struct twalk *w, const char *path, long len, uint64_t flags, uint32_t mode)
{
	struct tnode *n = w->node;
	uint64_t acc = flags & O_ACCMODE;
	struct ofd *o;
	long r;

	tmpfs_enter();

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		if (!n)
			return -ENOENT;
		if (!S_ISDIR(n->mode))
			return -ENOTDIR;
		if (acc == O_RDONLY)
			return -EINVAL;
		if (!(n = tnode_new(w->m, S_IFREG | perm(mode))))
			return -ENOSPC;
	} else if (!n) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		if (flags & O_DIRECTORY)
			return -EINVAL;
		if (!(n = tnode_new(w->m, S_IFREG | perm(mode))))
			return -ENOSPC;
		if ((r = dir_add(w->dir, w->name, w->len, n))) {
			tnode_drop(n);
			return r;
		}
	} else {
		if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
		if (S_ISLNK(n->mode))
			return -ELOOP; /* O_NOFOLLOW: the walk stopped at it */
		if (S_ISDIR(n->mode) && (acc != O_RDONLY || (flags & O_CREAT)))
			return -EISDIR;
		if ((flags & O_DIRECTORY) && !S_ISDIR(n->mode))
			return -ENOTDIR;
		if (!S_ISDIR(n->mode) && !S_ISREG(n->mode))
			return -ENXIO; /* a FIFO or socket node: nothing else could open its other end */
		if (flags & O_TRUNC)
			tnode_truncate(n, 0);
	}
	o = ofd_alloc(OFD_TMPFS);
	if (!o) {
		tnode_drop(n);
		return -EMFILE; /* documented per-VM limit: see docs/SECURITY.md */
	}
	o->node = n;
	tnode_hold(n);
	o->oflags = (uint32_t)(flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	o->append = !!(flags & O_APPEND);
	memcpy(o->path, path, (size_t)len + 1);
	return fd_install(o, !!(flags & O_CLOEXEC), 0);
}

long tmpfs_getdents(struct ofd *o, uint8_t *buf, uint64_t size)
{
	struct tnode *d = o->node;
	uint64_t pos = o->off, done = 0;

	tmpfs_enter();

	if (!S_ISDIR(d->mode))
		return -ENOTDIR;
	for (;;) {
		struct tnode *n = d;
		const char *name = "..";
		size_t len = 2;
		uint64_t next = pos + 1, put;

		if (pos == 0)
			len = 1;
		else if (pos == 1)
			n = d->parent ? d->parent : d;
		else {
			long k = dir_next(d, pos - 2, &n, &name, &len);
			if (k < 0)
				break;
			next = (uint64_t)k + 3;
		}
		put = dirent_put(buf + done, size - done, n->ino, next, (uint8_t)((n->mode >> 12) & 15), name, len);
		if (!put) {
			if (!done)
				return -EINVAL;
			break;
		}
		done += put;
		pos = next;
	}
	o->off = pos;
	return (long)done;
}

long tmpfs_mknod(struct twalk *w, uint32_t mode)
{
	uint32_t type = mode & S_IFMT;
	struct tnode *n;
	long r;

	tmpfs_enter();

	if (w->node)
		return -EEXIST;
	if (!type)
		type = S_IFREG;
	if (type == S_IFCHR || type == S_IFBLK)
		return -EPERM; /* devices are the host's, not the program's */
	if (!(n = tnode_new(w->m, type | perm(mode))))
		return -ENOSPC;
	if ((r = dir_add(w->dir, w->name, w->len, n))) {
		n->nlink = 0;
		tnode_drop(n);
	}
	return r;
}

long tmpfs_symlink(struct twalk *w, const char *target)
{
	size_t len = strlen(target);
	struct tnode *n;
	long r;

	tmpfs_enter();

	if (w->node)
		return -EEXIST;
	if (!(n = tnode_new(w->m, S_IFLNK | 0777)))
		return -ENOSPC;
	r = tnode_write(n, (const uint8_t *)target, len, 0);
	if (r >= 0)
		r = dir_add(w->dir, w->name, w->len, n);
	if (r < 0) {
		tnode_drop(n);
		return r;
	}
	return 0;
}

long tmpfs_link(struct tnode *old, struct twalk *w)
{
	tmpfs_enter();
	if (w->node)
		return -EEXIST;
	if (old->mnt != w->m)
		return -EXDEV;
	if (S_ISDIR(old->mode))
		return -EPERM;
	return dir_add(w->dir, w->name, w->len, old);
}

long tmpfs_unlink(struct twalk *w, int dir)
{
	struct tnode *n = w->node;

	tmpfs_enter();

	if (!n)
		return -ENOENT;
	if (!w->len) /* the mount point */
		return dir ? -EBUSY : -EISDIR;
	if (dir && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if (!dir && S_ISDIR(n->mode))
		return -EISDIR;
	if (dir && n->entries)
		return -ENOTEMPTY;
	dir_remove(w->dir, w->slot);
	if (dir)
		n->nlink = 0;
	tnode_drop(n);
	return 0;
}

long tmpfs_rename(struct twalk *from, struct twalk *to, uint64_t flags)
{
	struct tnode *n = from->node, *old = to->node, *d;
	long r;

	tmpfs_enter();

	if (!n)
		return -ENOENT;
	if (from->m != to->m)
		return -EXDEV;
	if (!from->len || !to->len)
		return -EBUSY;
	if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL; /* not served (docs/ARCHITECTURE.md) */
	if (old && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (old == n)
		return 0;
	for (d = to->dir; d; d = d->parent) /* a directory cannot move under itself */
		if (d == n)
			return -EINVAL;
	if (old) {
		if (S_ISDIR(n->mode) && !S_ISDIR(old->mode))
			return -ENOTDIR;
		if (!S_ISDIR(n->mode) && S_ISDIR(old->mode))
			return -EISDIR;
		if (S_ISDIR(old->mode) && old->entries)
			return -ENOTEMPTY;
		dir_replace(to->dir, to->slot, n);
		dir_remove(from->dir, from->slot);
		if (S_ISDIR(old->mode))
			old->nlink = 0;
		tnode_drop(old);
		return 0;
	}
	r = dir_add(to->dir, to->name, to->len, n);
	if (!r)
		dir_remove(from->dir, from->slot);
	return r;
}

long tmpfs_readlink(struct tnode *n, uint64_t ubuf, uint64_t size)
{
	tmpfs_enter();
	if (!S_ISLNK(n->mode))
		return -EINVAL;
	tnode_touch(n, TOUCH_A);
	return tnode_read(n, (uint8_t *)ubuf, size, 0);
}

long tmpfs_chmod(struct tnode *n, uint32_t mode)
{
	tmpfs_enter();
	n->mode = (n->mode & S_IFMT) | (mode & 07777);
	tnode_touch(n, TOUCH_C);
	return 0;
}

long tmpfs_chown(struct tnode *n, uint32_t uid, uint32_t gid)
{
	tmpfs_enter();
	if (uid != (uint32_t)-1)
		n->uid = uid;
	if (gid != (uint32_t)-1)
		n->gid = gid;
	tnode_touch(n, TOUCH_C);
	return 0;
}

static long set_time(int64_t *sec, int64_t *nsec, const int64_t *ts)
{
	if (ts[1] == UTIME_OMIT_K)
		return 0;
	if (ts[1] != UTIME_NOW_K) {
		*sec = ts[0];
		*nsec = ts[1];
	} else {
		uint64_t now = time_real_ns();
		*sec = (int64_t)(now / 1000000000ull);
		*nsec = (int64_t)(now % 1000000000ull);
	}
	return 1;
}

long tmpfs_utimens(struct tnode *n, uint64_t utimes)
{
	static const int64_t now[4] = { 0, UTIME_NOW_K, 0, UTIME_NOW_K };
	const int64_t *ts = utimes ? (const int64_t *)utimes : now;
	int i;

	tmpfs_enter();

	for (i = 0; i < 2; i++)
		if (ts[2 * i + 1] != UTIME_NOW_K && ts[2 * i + 1] != UTIME_OMIT_K &&
		    (ts[2 * i + 1] < 0 || ts[2 * i + 1] >= 1000000000))
			return -EINVAL;
	if (set_time(&n->atime, &n->atime_ns, ts) | set_time(&n->mtime, &n->mtime_ns, ts + 2))
		tnode_touch(n, TOUCH_C);
	return 0;
}

#define ST_VALID_K 0x20
#define ST_RELATIME_K 0x1000

long tmpfs_statfs(struct tmount *m, uint64_t ubuf)
{
	struct vmlet_statfs *s = (struct vmlet_statfs *)ubuf;
	uint64_t files = gk_boot.mem_bytes / 4096 / 2; /* Linux's default nr_inodes */

	tmpfs_enter();

	if (!user_ok(ubuf, sizeof(*s)))
		return -EFAULT;
	memset(s, 0, sizeof(*s));
	s->type = TMPFS_MAGIC;
	s->bsize = s->frsize = 4096;
	s->blocks = m->max_pages;
	s->bfree = s->bavail = m->max_pages - m->used_pages;
	s->files = files;
	s->ffree = files > m->nodes ? files - m->nodes : 0;
	s->namelen = TMPFS_NAME_MAX;
	s->flags = ST_VALID_K | ST_RELATIME_K;
	return 0;
}
