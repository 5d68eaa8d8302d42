/* fs.c - path-based calls: open, stat, access, readlink, directories; paths are normalized here, checked by the host. */
#include "fs/tmpfs.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

static char cwd[GK_PATH_MAX] = "/";

long path_normalize(char *out, size_t *len, const char *p)
{
	while (*p) {
		const char *c = p;
		size_t n;

		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		if (*p)
			p++;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (*len > 1 && out[*len - 1] != '/')
				(*len)--;
			if (*len > 1)
				(*len)--;
			out[*len] = 0;
			continue;
		}
		if (*len + 1 + n + 1 > GK_PATH_MAX)
			return -ENAMETOOLONG;
		if (*len > 1)
			out[(*len)++] = '/';
		memcpy(out + *len, c, n);
		*len += n;
		out[*len] = 0;
	}
	return 0;
}

long path_resolve(long dirfd, uint64_t upath, char *out)
{
	static char in[GK_PATH_MAX];
	size_t len = 1;
	long r = user_string(upath, in, sizeof(in));

	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	out[0] = '/';
	out[1] = 0;
	if (in[0] != '/') {
		const char *base = cwd;
		if (dirfd != AT_FDCWD) {
			struct ofd *o = fd_get(dirfd);
			if (!o)
				return -EBADF;
			if (!ofd_is_dir(o))
				return -ENOTDIR;
			base = o->path;
		}
		r = path_normalize(out, &len, base);
		if (r)
			return r;
	}
	r = path_normalize(out, &len, in);
	return r ? r : (long)len;
}

const char *fs_cwd(void)
{
	return cwd;
}

void stat_stdio(const struct vmlet_stdio_info *io, struct vmlet_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->nlink = 1;
	st->blksize = 4096;
	st->dev = 0x16;
	st->mode = io->mode ? io->mode : (S_IFIFO | 0600);
	st->size = io->size;
	st->ino = 2;
	if (io->flags & VMLET_STDIO_TTY)
		st->rdev = 0x8800;
}

long sys_openat(struct gk_frame *f)
{
	static char path[GK_PATH_MAX];
	uint64_t flags = A2, hflags = 0, opened;
	long len = path_resolve((long)(int)A0, A1, path), h; /* dirfd is an int: glibc zero-extends it */
	struct twalk w;
	struct ofd *o;

	if (len < 0)
		return len;
	h = tmpfs_walk(path, &len, !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL), &w);
	if (h < 0)
		return h;
	if (w.m)
		return tmpfs_open(&w, path, len, flags, (uint32_t)A3);
	if (w.syn.in)
		return synth_open(&w.syn, path, len, flags);
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
		hflags |= VMLET_OPEN_WRITE;
	if ((flags & O_ACCMODE) != O_WRONLY)
		hflags |= VMLET_OPEN_READ;
	if (flags & O_DIRECTORY)
		hflags |= VMLET_OPEN_DIRECTORY;
	if (flags & O_NOFOLLOW)
		hflags |= VMLET_OPEN_NOFOLLOW;
	o = ofd_alloc(OFD_FILE);
	if (!o)
		return -EMFILE; /* documented per-VM limit: see docs/SECURITY.md */
	h = hc(VMLET_HC_OPEN, (uint64_t)path, (uint64_t)len, hflags, (uint64_t)&o->st);
	if (h < 0) {
		o->kind = OFD_FREE;
		return h;
	}
	o->handle = (uint32_t)h;
	o->oflags = (uint32_t)(flags & (O_ACCMODE | O_APPEND));
	opened = gk_hypercall.out[0];
	o->sequential = !!(opened & VMLET_OPENED_SEQUENTIAL);
	o->exact = !!(opened & VMLET_OPENED_EXACT);
	o->append = !!(opened & VMLET_OPENED_APPEND) || !!(flags & O_APPEND);
	if (S_ISDIR(o->st.mode))
		o->kind = OFD_DIR;
	else if (!S_ISREG(o->st.mode))
		o->kind = OFD_STREAM; /* FIFO, socket, character device */
	memcpy(o->path, path, (size_t)len + 1);
	return fd_install(o, !!(flags & O_CLOEXEC), 0);
}

long sys_open(struct gk_frame *f)
{
	struct gk_frame g = *f;

	g.rdi = (uint64_t)AT_FDCWD;
	g.rsi = f->rdi;
	g.rdx = f->rsi;
	g.r10 = f->rdx;
	return sys_openat(&g);
}

/* creat(path, mode): open(path, O_CREAT | O_WRONLY | O_TRUNC, mode), as Linux. */
long sys_creat(struct gk_frame *f)
{
	struct gk_frame g = *f;

	g.rdi = (uint64_t)AT_FDCWD;
	g.rsi = f->rdi;
	g.rdx = O_CREAT | O_WRONLY | O_TRUNC;
	g.r10 = f->rsi;
	return sys_openat(&g);
}

/* Stat a program's path into *st (kernel memory). */
static long stat_path(long dirfd, uint64_t upath, int nofollow, struct vmlet_stat *st)
{
	static char path[GK_PATH_MAX];
	long len = path_resolve(dirfd, upath, path);

	return len < 0 ? len : fs_stat_resolved(path, len, nofollow, st);
}

long fs_stat_resolved(const char *path, long len, int nofollow, struct vmlet_stat *st)
{
	static char walked[GK_PATH_MAX];
	struct twalk w;
	long fd;

	memcpy(walked, path, (size_t)len + 1);
	fd = tmpfs_walk(walked, &len, !nofollow, &w);
	if (fd < 0)
		return fd;
	if (w.m) {
		if (!w.node)
			return -ENOENT;
		tnode_stat(w.node, st);
		return 0;
	}
	if (w.syn.in) {
		if (!w.syn.e)
			return -ENOENT;
		synth_stat(&w.syn, st);
		return 0;
	}
	path = walked;
	return hc(VMLET_HC_STAT, (uint64_t)path, (uint64_t)len, (uint64_t)st, (uint64_t)nofollow);
}

static long stat_any(long dirfd, uint64_t upath, uint64_t flags, struct vmlet_stat *st)
{
	if ((flags & AT_EMPTY_PATH) && user_ok(upath, 1) && *(const char *)upath == 0) {
		struct ofd *o = dirfd == AT_FDCWD ? 0 : fd_get(dirfd);
		if (dirfd == AT_FDCWD)
			return stat_path(AT_FDCWD, (uint64_t)".", 0, st);
		if (!o)
			return -EBADF;
		*st = *ofd_stat(o);
		return 0;
	}
	return stat_path(dirfd, upath, !!(flags & AT_SYMLINK_NOFOLLOW), st);
}

static long copy_stat_out(long r, const struct vmlet_stat *st, uint64_t ubuf)
{
	if (r < 0)
		return r;
	if (!user_ok(ubuf, sizeof(*st)))
		return -EFAULT;
	memcpy((void *)ubuf, st, sizeof(*st));
	return 0;
}

long sys_fstat(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);

	if (!o)
		return -EBADF;
	return copy_stat_out(0, ofd_stat(o), A1);
}

long sys_stat(struct gk_frame *f)
{
	struct vmlet_stat st;

	return copy_stat_out(stat_path(AT_FDCWD, A0, 0, &st), &st, A1);
}

long sys_lstat(struct gk_frame *f)
{
	struct vmlet_stat st;

	return copy_stat_out(stat_path(AT_FDCWD, A0, 1, &st), &st, A1);
}

long sys_newfstatat(struct gk_frame *f)
{
	struct vmlet_stat st;

	return copy_stat_out(stat_any((long)(int)A0, A1, A3, &st), &st, A2);
}

static void statx_time(struct statx_timestamp *t, int64_t sec, int64_t nsec)
{
	t->tv_sec = sec;
	t->tv_nsec = (uint32_t)nsec;
}

long sys_statx(struct gk_frame *f)
{
	struct vmlet_stat st;
	struct statx sx;
	long r = stat_any((long)(int)A0, A1, A2, &st);

	if (r < 0)
		return r;
	if (!user_ok(A4, sizeof(sx)))
		return -EFAULT;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.blksize;
	sx.stx_nlink = (uint32_t)st.nlink;
	sx.stx_uid = st.uid;
	sx.stx_gid = st.gid;
	sx.stx_mode = (uint16_t)st.mode;
	sx.stx_ino = st.ino;
	sx.stx_size = (uint64_t)st.size;
	sx.stx_blocks = (uint64_t)st.blocks;
	statx_time(&sx.stx_atime, st.atime, st.atime_ns);
	statx_time(&sx.stx_mtime, st.mtime, st.mtime_ns);
	statx_time(&sx.stx_ctime, st.ctime, st.ctime_ns);
	sx.stx_rdev_major = (uint32_t)(((st.rdev >> 8) & 0xfff) | ((st.rdev >> 32) & ~0xfffull));
	sx.stx_rdev_minor = (uint32_t)((st.rdev & 0xff) | ((st.rdev >> 12) & ~0xffull));
	sx.stx_dev_major = (uint32_t)(((st.dev >> 8) & 0xfff) | ((st.dev >> 32) & ~0xfffull));
	sx.stx_dev_minor = (uint32_t)((st.dev & 0xff) | ((st.dev >> 12) & ~0xffull));
	memcpy((void *)A4, &sx, sizeof(sx));
	return 0;
}

static long access_check(long dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
	static char path[GK_PATH_MAX];
	struct vmlet_stat st;
	struct twalk w;
	long len, r;

	if (mode & ~7ull)
		return -EINVAL;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
		return -EINVAL;
	len = path_resolve(dirfd, upath, path);
	if (len < 0)
		return len;
	r = tmpfs_walk(path, &len, !(flags & AT_SYMLINK_NOFOLLOW), &w);
	if (r < 0)
		return r;
	if (w.m && !w.node)
		return -ENOENT;
	if (w.m) /* root may read and write anything; execute needs an x bit, as stat below */
		tnode_stat(w.node, &st);
	else if ((r = fs_stat_resolved(path, len, !!(flags & AT_SYMLINK_NOFOLLOW), &st)) < 0)
		return r;
	if ((mode & 2) && !S_ISCHR(st.mode) && !w.m)
		return -EROFS;
	if ((mode & 1) && !(st.mode & 0111))
		return -EACCES;
	return 0;
}

long sys_access(struct gk_frame *f)
{
	return access_check(AT_FDCWD, A0, A1, 0);
}

long sys_faccessat(struct gk_frame *f)
{
	return access_check((long)(int)A0, A1, A2, 0);
}

long sys_faccessat2(struct gk_frame *f)
{
	return access_check((long)(int)A0, A1, A2, A3);
}

static long do_readlink(long dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
	static char path[GK_PATH_MAX];
	long len = path_resolve(dirfd, upath, path), r;
	struct twalk w;

	if (len < 0)
		return len;
	if ((int64_t)size <= 0)
		return -EINVAL;
	if (!user_ok(ubuf, size))
		return -EFAULT;
	if ((r = tmpfs_walk(path, &len, 0, &w)) < 0)
		return r;
	if (w.m)
		return w.node ? tmpfs_readlink(w.node, ubuf, size) : -ENOENT;
	if (w.syn.in)
		return synth_readlink(&w.syn, ubuf, size);
	return hc(VMLET_HC_READLINK, (uint64_t)path, (uint64_t)len, ubuf, size);
}

long sys_readlink(struct gk_frame *f)
{
	return do_readlink(AT_FDCWD, A0, A1, A2);
}

long sys_readlinkat(struct gk_frame *f)
{
	return do_readlink((long)(int)A0, A1, A2, A3);
}

long sys_getcwd(struct gk_frame *f)
{
	size_t n = strlen(cwd) + 1;

	if (A1 < n)
		return -ERANGE;
	if (!user_ok(A0, n))
		return -EFAULT;
	memcpy((void *)A0, cwd, n);
	return (long)n;
}

long sys_chdir(struct gk_frame *f)
{
	static char path[GK_PATH_MAX];
	struct vmlet_stat st;
	struct twalk w;
	long len = path_resolve(AT_FDCWD, A0, path), r;

	if (len < 0)
		return len;
	r = tmpfs_walk(path, &len, 1, &w); /* the cwd is where tmpfs symlinks lead */
	if (!r)
		r = fs_stat_resolved(path, len, 0, &st);
	if (r < 0)
		return r;
	if (!S_ISDIR(st.mode))
		return -ENOTDIR;
	memcpy(cwd, path, (size_t)len + 1);
	return 0;
}

long sys_fchdir(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);

	if (!o)
		return -EBADF;
	if (!ofd_is_dir(o))
		return -ENOTDIR;
	memcpy(cwd, o->path, strlen(o->path) + 1);
	return 0;
}

long sys_getdents64(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);

	if (!o)
		return -EBADF;
	if (o->kind != OFD_DIR && o->kind != OFD_TMPFS && o->kind != OFD_SYNTH_DIR)
		return -ENOTDIR;
	if (!user_ok(A1, A2))
		return -EFAULT;
	if (o->kind == OFD_TMPFS)
		return tmpfs_getdents(o, (uint8_t *)A1, A2);
	if (o->kind == OFD_SYNTH_DIR)
		return synth_getdents(o, (uint8_t *)A1, A2);
	return hc(VMLET_HC_GETDENTS, o->handle, A1, A2, 0);
}

struct dirent64_k {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	char name[];
};

uint64_t dirent_put(uint8_t *buf, uint64_t room, uint64_t ino, uint64_t next, uint8_t type, const char *name,
		    size_t len)
{
	struct dirent64_k *e = (struct dirent64_k *)buf;
	uint64_t reclen = (sizeof(*e) + len + 1 + 7) & ~7ull;

	if (reclen > room)
		return 0;
	e->ino = ino;
	e->off = (int64_t)next;
	e->reclen = (uint16_t)reclen;
	e->type = type;
	memcpy(e->name, name, len);
	memset(e->name + len, 0, reclen - sizeof(*e) - len);
	return reclen;
}
