/* fdops.c - calls on descriptions beyond read and write: ftruncate, fallocate, statfs, copy_file_range, sendfile, fadvise, memfd_create. */
#include "fs/tmpfs.h"

#include <linux/errno.h>
#include <linux/fadvise.h>
#include <linux/falloc.h>
#include <linux/fcntl.h>
#include <linux/memfd.h>
#include <linux/stat.h>

long sys_ftruncate(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)(int)A0);
	long r;

	if (!o)
		return -EBADF;
	if ((int64_t)A1 < 0 || (o->oflags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if (o->kind == OFD_TMPFS && S_ISREG(o->node->mode))
		return (o->oflags & O_APPEND) ? -EPERM : tnode_truncate(o->node, A1);
	if (o->kind != OFD_FILE || o->handle < 3)
		return -EINVAL;
	r = hc(VMLET_HC_TRUNCATE, o->handle, A1, 0, 0);
	if (r == 0)
		file_written(); /* cached sizes and read-ahead of the file are stale */
	return r;
}

long sys_fallocate(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)(int)A0);
	int64_t off = (int64_t)A2, len = (int64_t)A3, size;
	long r;

	if (!o)
		return -EBADF;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if ((o->oflags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (o->kind == OFD_STREAM)
		return -ESPIPE;
	if (o->kind != OFD_TMPFS)
		return -EOPNOTSUPP;
	if (!S_ISREG(o->node->mode))
		return S_ISDIR(o->node->mode) ? -EISDIR : -ENODEV;
	if (A1 & ~(uint64_t)FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	size = o->node->size;
	r = tnode_allocate(o->node, (uint64_t)off, (uint64_t)len);
	if (A1 & FALLOC_FL_KEEP_SIZE)
		o->node->size = size;
	return r;
}

/* statfs of a path the host serves (a grant, channel or the directories above them). */
static long host_statfs(uint64_t handle, const char *path, long len, uint64_t ubuf)
{
	static struct vmlet_statfs sf; /* in the kernel image, where the host may write */
	long r;

	if (!user_ok(ubuf, sizeof(sf)))
		return -EFAULT;
	r = hc(VMLET_HC_STATFS, handle, (uint64_t)path, (uint64_t)len, (uint64_t)&sf);
	if (r == 0)
		memcpy((void *)ubuf, &sf, sizeof(sf));
	return r;
}

long sys_statfs(struct gk_frame *f)
{
	static char path[GK_PATH_MAX];
	struct vmlet_stat st;
	struct twalk w;
	long len = path_resolve(AT_FDCWD, A0, path), r;

	if (len < 0)
		return len;
	if ((r = tmpfs_walk(path, &len, 1, &w)) < 0)
		return r;
	if (w.m)
		return w.node ? tmpfs_statfs(w.m, A1) : -ENOENT;
	if (w.syn.in) /* /dev is a tmpfs (devtmpfs); /proc is told as one too */
		return w.syn.e ? tmpfs_statfs(tmpfs_memfd_mount(), A1) : -ENOENT;
	if ((r = fs_stat_resolved(path, len, 0, &st)) < 0)
		return r;
	return host_statfs(VMLET_OFF_NONE, path, len, A1);
}

long sys_fstatfs(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)(int)A0);

	if (!o)
		return -EBADF;
	switch (o->kind) {
	case OFD_TMPFS:
		return tmpfs_statfs(o->node->mnt, A1);
	case OFD_NULL:
	case OFD_ZERO:
	case OFD_FULL:
	case OFD_RANDOM:
	case OFD_SYNTH_DIR:
		return tmpfs_statfs(tmpfs_memfd_mount(), A1);
	default:
		return host_statfs(o->handle, 0, 0, A1);
	}
}

long sys_fadvise64(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)(int)A0);

	if (!o)
		return -EBADF;
	if (o->kind == OFD_STREAM)
		return -ESPIPE;
	if ((int64_t)A2 < 0 || A3 > POSIX_FADV_NOREUSE)
		return -EINVAL;
	return 0;
}

#define COPY_CHUNK (64u << 10)
static uint8_t copy_buf[COPY_CHUNK]; /* in the kernel image, where the host may write */

/* Copies up to len bytes in the guest, read then write; in_off/out_off: NULL for the descriptions' offsets. */
static long copy_fds(struct ofd *in, int64_t *in_off, struct ofd *out, int64_t *out_off, uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t want = len - done < COPY_CHUNK ? len - done : COPY_CHUNK;
		long n = ofd_read(in, copy_buf, want, in_off ? (uint64_t)*in_off : 0, !!in_off), w, put = 0;

		if (n <= 0)
			return done ? (long)done : n;
		while (put < n) {
			w = ofd_write(out, copy_buf + put, (uint64_t)(n - put), out_off ? (uint64_t)*out_off : 0, !!out_off);
			if (w <= 0) { /* what was read but not written is read again by the next call */
				if (!in_off && in->kind != OFD_STREAM)
					ofd_set_off(in, ofd_off(in) - (uint64_t)(n - put));
				return done || put ? (long)(done + (uint64_t)put) : w;
			}
			put += w;
			if (out_off)
				*out_off += w;
		}
		if (in_off)
			*in_off += n;
		done += (uint64_t)n;
		if ((uint64_t)n < want)
			break;
	}
	return (long)done;
}

static int regular(const struct ofd *o)
{
	return o->kind == OFD_FILE || (o->kind == OFD_TMPFS && S_ISREG(o->node->mode));
}

static long user_off(uint64_t p, int64_t *v)
{
	if (!p)
		return 0;
	if (!user_ok(p, 8))
		return -EFAULT;
	*v = *(const int64_t *)p;
	return *v < 0 ? -EINVAL : 1;
}

long sys_copy_file_range(struct gk_frame *f)
{
	struct ofd *in = fd_get((long)(int)A0), *out = fd_get((long)(int)A2);
	int64_t ioff = 0, ooff = 0;
	long hi, ho, r;

	if (!in || !out)
		return -EBADF;
	if (A5)
		return -EINVAL;
	if ((in->oflags & O_ACCMODE) == O_WRONLY || (out->oflags & O_ACCMODE) == O_RDONLY || (out->oflags & O_APPEND))
		return -EBADF;
	if (!regular(in) || !regular(out))
		return (in->kind == OFD_TMPFS && S_ISDIR(in->node->mode)) ? -EISDIR : -EINVAL;
	if ((hi = user_off(A1, &ioff)) < 0 || (ho = user_off(A3, &ooff)) < 0)
		return hi < 0 ? hi : ho;
	if (ofd_stat(in)->dev != ofd_stat(out)->dev) /* as Linux for filesystems without their own copy */
		return -EXDEV;
	if (in->kind == OFD_TMPFS && in->node == out->node) { /* one file: the ranges may not overlap */
		int64_t a = hi ? ioff : (int64_t)ofd_off(in), b = ho ? ooff : (int64_t)ofd_off(out);
		if ((uint64_t)(a > b ? a - b : b - a) < A4)
			return -EINVAL;
	}
	r = copy_fds(in, hi ? &ioff : 0, out, ho ? &ooff : 0, A4);
	if (r > 0 && hi)
		*(int64_t *)A1 = ioff;
	if (r > 0 && ho)
		*(int64_t *)A3 = ooff;
	return r;
}

long sys_sendfile(struct gk_frame *f)
{
	struct ofd *out = fd_get((long)(int)A0), *in = fd_get((long)(int)A1);
	int64_t off = 0;
	long h, r;

	if (!in || !out)
		return -EBADF;
	if ((in->oflags & O_ACCMODE) == O_WRONLY || (out->oflags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!regular(in) && in->kind != OFD_NULL && in->kind != OFD_ZERO)
		return -EINVAL;
	if ((h = user_off(A2, &off)) < 0)
		return h;
	r = copy_fds(in, h ? &off : 0, out, 0, A3 > 0x7ffff000ull ? 0x7ffff000ull : A3);
	if (r > 0 && h)
		*(int64_t *)A2 = off;
	return r;
}

#define MFD_NAME_MAX 249
#define MFD_NOEXEC_SEAL_K 8u /* newer than these headers */
#define MFD_EXEC_K 0x10u

long sys_memfd_create(struct gk_frame *f)
{
	static char name[MFD_NAME_MAX + 1];
	long n = user_string(A0, name, sizeof(name));
	struct tnode *node;
	struct ofd *o;

	if (n == -ENAMETOOLONG)
		return -EINVAL;
	if (n < 0)
		return n;
	if (A1 & ~(uint64_t)(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL_K | MFD_EXEC_K))
		return -EINVAL;
	if ((A1 & MFD_NOEXEC_SEAL_K) && (A1 & MFD_EXEC_K))
		return -EINVAL;
	if (!(node = tnode_new(tmpfs_memfd_mount(), S_IFREG | ((A1 & MFD_NOEXEC_SEAL_K) ? 0666 : 0777))))
		return -ENOMEM;
	o = ofd_alloc(OFD_TMPFS);
	if (!o) {
		tnode_drop(node);
		return -EMFILE;
	}
	o->node = node;
	tnode_hold(node);
	o->oflags = O_RDWR;
	memcpy(o->path, "/memfd:", 7);
	memcpy(o->path + 7, name, (size_t)n + 1);
	return fd_install(o, !!(A1 & MFD_CLOEXEC), 0);
}
