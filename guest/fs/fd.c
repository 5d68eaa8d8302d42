/* fd.c - descriptor table and the read/write family, with read-ahead so small reads cost no exit. */
#include "fs/events.h"
#include "fs/tmpfs.h"

#include <asm/ioctls.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/stat.h>

static GK_HOT_TABLE struct ofd ofds[OFD_MAX];
static char ofd_paths[OFD_MAX][GK_PATH_MAX];
static GK_HOT_TABLE struct {
	uint8_t ofd;     /* index + 1; 0: free */
	uint8_t cloexec;
} fdt[GK_FD_MAX];

/* Read-ahead: a buffer for the stdin stream and a few for file ranges. */
#define STREAM_RA (256u << 10)
#define FILE_RA (256u << 10)
#define FILE_SLOTS 2

static struct {
	uint8_t buf[STREAM_RA];
	uint64_t pos, len;
	int eof;
} stream_ra;

static struct {
	uint8_t buf[FILE_RA];
	uint32_t handle;
	int valid;
	uint64_t off, len, used;
} file_ra[FILE_SLOTS];
static uint64_t file_ra_clock;

/* Writes to host files so far: an open file's cached stat is refreshed once this moved. */
static uint64_t file_writes;

static void stdio_open(int fd)
{
	const struct vmlet_stdio_info *io = &gk_boot.stdio[fd];
	int regular = (io->mode & S_IFMT) == S_IFREG;
	struct ofd *o = ofd_alloc(regular ? OFD_FILE : OFD_STREAM);

	o->handle = (uint32_t)fd;
	o->oflags = io->oflags;
	o->off = regular ? (uint64_t)io->offset : 0;
	o->sequential = 1;
	o->exact = !!(io->flags & VMLET_STDIO_EXACT);
	stat_stdio(io, &o->st);
	fdt[fd].ofd = (uint8_t)(o - ofds + 1);
}

void fd_init(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		stdio_open(fd);
}

struct ofd *fd_get(long fd)
{
	if (fd < 0 || fd >= GK_FD_MAX || !fdt[fd].ofd)
		return 0;
	return &ofds[fdt[fd].ofd - 1];
}

int ofd_is_dir(const struct ofd *o)
{
	return o->kind == OFD_DIR || o->kind == OFD_SYNTH_DIR || (o->kind == OFD_TMPFS && S_ISDIR(o->node->mode));
}

struct ofd *ofd_alloc(enum ofd_kind kind)
{
	int i;

	for (i = 0; i < OFD_MAX; i++)
		if (ofds[i].kind == OFD_FREE) {
			memset(&ofds[i], 0, sizeof(ofds[i]));
			ofds[i].path = ofd_paths[i];
			ofds[i].kind = kind;
			ofds[i].refs = 1;
			ofds[i].st_writes = file_writes; /* the stat an open fetches is current */
			return &ofds[i];
		}
	return 0;
}

struct ofd *ofd_anon(enum ofd_kind kind, const char *name, uint64_t flags)
{
	struct ofd *o = ofd_alloc(kind);

	if (!o)
		return 0;
	o->oflags = O_RDWR | (uint32_t)(flags & O_NONBLOCK);
	o->sequential = 1;
	o->st.mode = 0600;
	memcpy(o->path, "anon_inode:[", 12);
	memcpy(o->path + 12, name, strlen(name));
	memcpy(o->path + 12 + strlen(name), "]", 2);
	return o;
}

void fd_close_handle(uint32_t handle)
{
	int i;

	if (handle < 3)
		return;
	for (i = 0; i < FILE_SLOTS; i++)
		if (file_ra[i].handle == handle)
			file_ra[i].valid = 0;
	gk_hypercall.close_mask |= 1ull << handle;
}

uint64_t ofd_off(const struct ofd *o)
{
	return o->shared_off ? __atomic_load_n(o->shared_off, __ATOMIC_RELAXED) : o->off;
}

void ofd_set_off(struct ofd *o, uint64_t off)
{
	if (o->shared_off)
		__atomic_store_n(o->shared_off, off, __ATOMIC_RELAXED);
	else
		o->off = off;
}

/* Its offset is the file position processes share across fork (not a directory's slot). */
static int has_file_offset(const struct ofd *o)
{
	return o->kind == OFD_FILE || (o->kind == OFD_TMPFS && S_ISREG(o->node->mode));
}

void fd_tmpfs_refs(int add)
{
	struct ofd *o;

	for (o = ofds; o < ofds + OFD_MAX; o++) {
		if (o->kind == OFD_FREE)
			continue;
		if (add && has_file_offset(o) && !o->shared_off)
			o->shared_off = toffset_new(o->off); /* no memory left: each copy keeps its own */
		if (o->shared_off) {
			if (add)
				toffset_hold(o->shared_off);
			else
				toffset_release(o->shared_off);
		}
		if (o->kind == OFD_TMPFS) {
			if (add)
				tnode_hold(o->node);
			else
				tnode_release(o->node);
		}
	}
}

void ofd_put(struct ofd *o)
{
	if (--o->refs > 0)
		return;
	if (o->kind == OFD_FILE || o->kind == OFD_DIR || o->kind == OFD_STREAM)
		fd_close_handle(o->handle);
	if (o->kind == OFD_TMPFS)
		tnode_release(o->node);
	if (o->shared_off)
		toffset_release(o->shared_off);
	epoll_forget(o);
	o->kind = OFD_FREE;
}

long fd_install(struct ofd *o, int cloexec, long min_fd)
{
	long fd;

	for (fd = min_fd < 0 ? 0 : min_fd; fd < (long)rlimit_nofile(); fd++)
		if (!fdt[fd].ofd) {
			fdt[fd].ofd = (uint8_t)(o - ofds + 1);
			fdt[fd].cloexec = (uint8_t)!!cloexec;
			return fd;
		}
	ofd_put(o);
	return -EMFILE;
}

static int readable(const struct ofd *o)
{
	return (o->oflags & O_ACCMODE) != O_WRONLY;
}

static int writable(const struct ofd *o)
{
	return (o->oflags & O_ACCMODE) != O_RDONLY;
}

/* Where the program may fork, stdin is read as asked: bytes read ahead would be one process's only. */
static int no_read_ahead(void)
{
	return !!(gk_boot.flags & VMLET_BOOT_FORKS);
}

int fd_stream_buffered(const struct ofd *o)
{
	return o->kind == OFD_STREAM && o->handle == 0 && !o->exact && stream_ra.pos < stream_ra.len;
}

/* Sequential read from a stream, through the read-ahead buffer; a non-blocking one asks the host first. */
static long stream_read(struct ofd *o, uint8_t *buf, uint64_t len)
{
	long n;

	if ((o->oflags & O_NONBLOCK) && !fd_stream_buffered(o) && !(ofd_poll(o, POLLIN, 0) & (POLLIN | POLLHUP)))
		return -EAGAIN;
	if (o->handle != 0 || o->exact || no_read_ahead())
		return hc(VMLET_HC_READ, o->handle, (uint64_t)buf, len, VMLET_OFF_NONE);
	if (stream_ra.pos == stream_ra.len) {
		if (len >= STREAM_RA)
			return hc(VMLET_HC_READ, 0, (uint64_t)buf, len, VMLET_OFF_NONE);
		n = hc(VMLET_HC_READ, 0, (uint64_t)stream_ra.buf, STREAM_RA, VMLET_OFF_NONE);
		if (n <= 0)
			return n;
		stream_ra.pos = 0;
		stream_ra.len = (uint64_t)n;
	}
	n = (long)(stream_ra.len - stream_ra.pos < len ? stream_ra.len - stream_ra.pos : len);
	memcpy(buf, stream_ra.buf + stream_ra.pos, (size_t)n);
	stream_ra.pos += (uint64_t)n;
	return n;
}

/* Positional read from a host file, through the read-ahead slots. */
static long file_pread(uint32_t handle, uint8_t *buf, uint64_t len, uint64_t off)
{
	int i, victim = 0;
	long n;

	for (i = 0; i < FILE_SLOTS; i++)
		if (file_ra[i].valid && file_ra[i].handle == handle && off >= file_ra[i].off &&
		    off < file_ra[i].off + file_ra[i].len) {
			uint64_t avail = file_ra[i].off + file_ra[i].len - off;
			if (avail > len)
				avail = len;
			memcpy(buf, file_ra[i].buf + (off - file_ra[i].off), avail);
			file_ra[i].used = ++file_ra_clock;
			return (long)avail;
		}
	if (len >= FILE_RA)
		return hc(VMLET_HC_READ, handle, (uint64_t)buf, len, off);
	for (i = 1; i < FILE_SLOTS; i++)
		if (file_ra[i].used < file_ra[victim].used)
			victim = i;
	n = hc(VMLET_HC_READ, handle, (uint64_t)file_ra[victim].buf, FILE_RA, off);
	if (n <= 0)
		return n;
	file_ra[victim].valid = 1;
	file_ra[victim].handle = handle;
	file_ra[victim].off = off;
	file_ra[victim].len = (uint64_t)n;
	file_ra[victim].used = ++file_ra_clock;
	return file_pread(handle, buf, len, off);
}

long ofd_read(struct ofd *o, uint8_t *buf, uint64_t len, uint64_t off, int positional)
{
	uint64_t at;
	long n;

	if (!readable(o))
		return -EBADF;
	switch (o->kind) { /* eight bytes or more at a time: before a run of frames could cut them */
	case OFD_EVENTFD:
		return eventfd_read(o, buf, len);
	case OFD_TIMERFD:
		return timerfd_read(o, buf, len);
	case OFD_SIGNALFD:
		return signalfd_read(o, buf, len);
	case OFD_EPOLL:
		return -EINVAL;
	default:
		break;
	}
	len = user_run((uint64_t)buf, len); /* the host reads into one run of frames: a short read */
	switch (o->kind) {
	case OFD_STREAM:
		return positional ? -ESPIPE : stream_read(o, buf, len);
	case OFD_FILE:
		if (positional && o->sequential)
			return -ESPIPE;
		at = positional ? off : ofd_off(o);
		if (o->exact)
			n = hc(VMLET_HC_READ, o->handle, (uint64_t)buf, len, at);
		else
			n = file_pread(o->handle, buf, len, at);
		if (n > 0 && !positional)
			ofd_set_off(o, at + (uint64_t)n);
		return n;
	case OFD_TMPFS:
		if (S_ISDIR(o->node->mode))
			return -EISDIR;
		at = positional ? off : ofd_off(o);
		n = tnode_read(o->node, buf, len, at);
		if (n > 0 && !positional)
			ofd_set_off(o, at + (uint64_t)n);
		return n;
	case OFD_DIR:
	case OFD_SYNTH_DIR:
		return -EISDIR;
	case OFD_NULL:
		return 0;
	case OFD_ZERO:
	case OFD_FULL:
		memset(buf, 0, len);
		return (long)len;
	case OFD_RANDOM:
		random_fill(buf, len);
		return (long)len;
	default:
		return -EBADF;
	}
}

/* A write may change any file's bytes as other handles of its channel read them: drop all read-ahead. */
void file_written(void)
{
	int i;

	for (i = 0; i < FILE_SLOTS; i++)
		file_ra[i].valid = 0;
	file_writes++;
}

const struct vmlet_stat *ofd_stat(struct ofd *o)
{
	static struct vmlet_stat fresh; /* in the kernel image, where the host may write */

	if (o->kind == OFD_TMPFS)
		tnode_stat(o->node, &o->st);
	if (o->kind == OFD_FILE && o->st_writes != file_writes) {
		/* The host drains queued output before it answers: the size includes every write. */
		if (hc(VMLET_HC_FSTAT, o->handle, (uint64_t)&fresh, 0, 0) == 0) {
			o->st.size = fresh.size;
			o->st.blocks = fresh.blocks;
			o->st.mtime = fresh.mtime;
			o->st.mtime_ns = fresh.mtime_ns;
			o->st.ctime = fresh.ctime;
			o->st.ctime_ns = fresh.ctime_ns;
		}
		o->st_writes = file_writes;
	}
	return &o->st;
}

/*
 * Sequential output is batched in the output ring; files written at an
 * offset (random access, read-write) and exact channels go straight to the host.
 */
long ofd_write(struct ofd *o, const uint8_t *buf, uint64_t len, uint64_t off, int positional)
{
	int stdio = o->handle < 3; /* written at the host fd's own position */
	int direct = o->exact || (o->kind == OFD_FILE && !stdio && (!o->sequential || readable(o)));
	uint64_t at = o->append || o->kind == OFD_STREAM || stdio ? VMLET_OFF_NONE : positional ? off : ofd_off(o);
	long n;

	if (!writable(o))
		return -EBADF;
	if (o->kind == OFD_EVENTFD)
		return eventfd_write(o, buf, len);
	if (o->kind == OFD_TIMERFD || o->kind == OFD_SIGNALFD || o->kind == OFD_EPOLL)
		return -EINVAL;
	len = user_run((uint64_t)buf, len); /* the host writes from one run of frames: a short write */
	switch (o->kind) {
	case OFD_STREAM:
	case OFD_FILE:
		if (positional && (o->sequential || o->kind == OFD_STREAM))
			return -ESPIPE;
		if (o->kind == OFD_STREAM && (o->oflags & O_NONBLOCK) && direct &&
		    !(ofd_poll(o, POLLOUT, 0) & (POLLOUT | POLLERR)))
			return -EAGAIN;
		if (direct)
			n = hc(VMLET_HC_WRITE, o->handle, (uint64_t)buf, len, at);
		else
			n = out_write(o->handle, buf, len);
		if (n == -EPIPE) /* nobody reads: SIGPIPE, which kills, is ignored or runs a handler */
			signal_raise(0, GK_SIGPIPE);
		if (n > 0 && o->kind == OFD_FILE)
			file_written();
		if (n > 0 && !positional)
			ofd_set_off(o, (at == VMLET_OFF_NONE ? ofd_off(o) : at) + (uint64_t)n);
		return n;
	case OFD_TMPFS: /* O_APPEND writes at the end, positioned or not, as Linux */
		tmpfs_enter(); /* the end, the write and the offset at once */
		at = (o->oflags & O_APPEND) ? (uint64_t)o->node->size : positional ? off : ofd_off(o);
		n = tnode_write(o->node, buf, len, at);
		if (n > 0 && !positional)
			ofd_set_off(o, at + (uint64_t)n);
		return n;
	case OFD_NULL:
	case OFD_ZERO:
	case OFD_RANDOM:
		return (long)len;
	case OFD_FULL:
		return -ENOSPC;
	default:
		return -EBADF;
	}
}

#define RW_MAX 0x7ffff000ull /* Linux caps one read or write at this */

long sys_read(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);
	uint64_t len = A2 > RW_MAX ? RW_MAX : A2;

	if (!o)
		return -EBADF;
	if (!user_ok_w(A1, len))
		return -EFAULT;
	return ofd_read(o, (uint8_t *)A1, len, 0, 0);
}

long sys_pread64(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);
	uint64_t len = A2 > RW_MAX ? RW_MAX : A2;

	if (!o)
		return -EBADF;
	if ((int64_t)A3 < 0)
		return -EINVAL;
	if (!user_ok_w(A1, len))
		return -EFAULT;
	return ofd_read(o, (uint8_t *)A1, len, A3, 1);
}

long sys_write(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);
	uint64_t len = A2 > RW_MAX ? RW_MAX : A2;

	if (!o)
		return -EBADF;
	if (!user_ok(A1, len))
		return -EFAULT;
	return ofd_write(o, (const uint8_t *)A1, len, 0, 0);
}

long sys_pwrite64(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);

	if (!o)
		return -EBADF;
	if (!user_ok(A1, A2))
		return -EFAULT;
	if ((int64_t)A3 < 0)
		return -EINVAL;
	return ofd_write(o, (const uint8_t *)A1, A2, A3, 1);
}

struct iovec_k {
	uint64_t base, len;
};
#define IOV_MAX 1024

static long do_vector(struct gk_frame *f, int write, int positional)
{
	struct ofd *o = fd_get((long)A0);
	const struct iovec_k *iov = (const struct iovec_k *)A1;
	uint64_t cnt = A2, off = A3, total = 0, i;
	long n = 0;

	if (!o)
		return -EBADF;
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (!user_ok(A1, cnt * sizeof(*iov)))
		return -EFAULT;
	for (i = 0; i < cnt; i++) {
		if (iov[i].len > RW_MAX - total)
			return -EINVAL;
		total += iov[i].len;
		if (!(write ? user_ok(iov[i].base, iov[i].len) : user_ok_w(iov[i].base, iov[i].len)))
			return -EFAULT;
	}
	for (total = 0, i = 0; i < cnt; i++) {
		if (!iov[i].len)
			continue;
		n = write ? ofd_write(o, (const uint8_t *)iov[i].base, iov[i].len, off + total, positional)
			  : ofd_read(o, (uint8_t *)iov[i].base, iov[i].len, off + total, positional);
		if (n < 0)
			return total ? (long)total : n;
		total += (uint64_t)n;
		if ((uint64_t)n < iov[i].len)
			break;
	}
	return (long)total;
}

long sys_readv(struct gk_frame *f)
{
	return do_vector(f, 0, 0);
}

long sys_writev(struct gk_frame *f)
{
	return do_vector(f, 1, 0);
}

long sys_preadv(struct gk_frame *f)
{
	return do_vector(f, 0, 1);
}

long sys_pwritev(struct gk_frame *f)
{
	return do_vector(f, 1, 1);
}

long sys_lseek(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);
	int64_t off = (int64_t)A1, base;

	if (!o)
		return -EBADF;
	switch (o->kind) {
	case OFD_STREAM:
		return -ESPIPE;
	case OFD_NULL:
	case OFD_ZERO:
	case OFD_FULL:
	case OFD_RANDOM:
	case OFD_EVENTFD: /* Linux's noop_llseek: the position stays 0 */
	case OFD_TIMERFD:
	case OFD_SIGNALFD:
	case OFD_EPOLL:
		return 0;
	case OFD_SYNTH_DIR: /* offsets are the ones getdents64 gave: slots, stable */
		if ((A2 != SEEK_SET && A2 != SEEK_CUR) || (A2 == SEEK_CUR && off) || off < 0)
			return -EINVAL;
		if (A2 == SEEK_SET)
			o->off = (uint64_t)off;
		return (long)o->off;
	case OFD_DIR:
		if (A2 != SEEK_SET || off != 0)
			return -EINVAL;
		return hc(VMLET_HC_SEEK, o->handle, 0, SEEK_SET, 0);
	case OFD_TMPFS:
		if (S_ISDIR(o->node->mode)) { /* offsets are the ones getdents64 gave: stable */
			if ((A2 != SEEK_SET && A2 != SEEK_CUR) || (A2 == SEEK_CUR && off) || off < 0)
				return -EINVAL;
			if (A2 == SEEK_SET)
				o->off = (uint64_t)off;
			return (long)o->off;
		}
		if (A2 == SEEK_DATA || A2 == SEEK_HOLE) { /* holes read as data: one extent, then the end */
			if (off < 0 || off >= o->node->size)
				return -ENXIO;
			ofd_set_off(o, A2 == SEEK_DATA ? (uint64_t)off : (uint64_t)o->node->size);
			return (long)ofd_off(o);
		}
		break;
	default:
		break;
	}
	if (o->sequential && !(A2 == SEEK_CUR && off == 0))
		return -ESPIPE;
	switch (A2) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)ofd_off(o); break;
	case SEEK_END: base = ofd_stat(o)->size; break;
	default: return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	ofd_set_off(o, (uint64_t)(base + off));
	return base + off;
}

void fd_close_on_exec(void)
{
	long fd;

	for (fd = 0; fd < GK_FD_MAX; fd++)
		if (fdt[fd].ofd && fdt[fd].cloexec)
			fd_close(fd);
}

long fd_close(long fd)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -EBADF;
	fdt[fd].ofd = 0;
	ofd_put(o);
	return 0;
}

long sys_close(struct gk_frame *f)
{
	return fd_close((long)A0);
}

static long dup_to(long oldfd, long newfd, int cloexec)
{
	struct ofd *o = fd_get(oldfd), *old;

	if (!o || newfd < 0 || newfd >= (long)rlimit_nofile())
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	old = fd_get(newfd);
	o->refs++;
	fdt[newfd].ofd = (uint8_t)(o - ofds + 1);
	fdt[newfd].cloexec = (uint8_t)!!cloexec;
	if (old)
		ofd_put(old);
	return newfd;
}

long sys_dup(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);

	if (!o)
		return -EBADF;
	o->refs++;
	return fd_install(o, 0, 0);
}

long sys_dup2(struct gk_frame *f)
{
	if (A0 == A1)
		return fd_get((long)A0) ? (long)A1 : -EBADF;
	return dup_to((long)A0, (long)A1, 0);
}

long sys_dup3(struct gk_frame *f)
{
	if (A0 == A1)
		return -EINVAL;
	if (A2 & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	return dup_to((long)A0, (long)A1, !!(A2 & O_CLOEXEC));
}

struct flock_k {
	int16_t type, whence;
	int64_t start, len;
	int32_t pid;
};

long sys_fcntl(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);
	long fd = (long)A0;

	if (!o)
		return -EBADF;
	switch (A1) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (A2 >= rlimit_nofile())
			return -EINVAL;
		o->refs++;
		return fd_install(o, A1 == F_DUPFD_CLOEXEC, (long)A2);
	case F_GETFD:
		return fdt[fd].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		fdt[fd].cloexec = (uint8_t)!!(A2 & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return o->oflags;
	case F_SETFL:
		o->oflags = (o->oflags & ~(uint32_t)(O_APPEND | O_NONBLOCK)) |
			    ((uint32_t)A2 & (O_APPEND | O_NONBLOCK));
		return 0;
	case F_GETLK:
		if (!user_ok(A2, sizeof(struct flock_k)))
			return -EFAULT;
		((struct flock_k *)A2)->type = F_UNLCK;
		return 0;
	case F_SETLK:
	case F_SETLKW:
		return 0;
	default:
		return -EINVAL;
	}
}

/* flock(2): locks belong to open file descriptions; another description of the same file conflicts. */
static int same_file(const struct ofd *a, const struct ofd *b)
{
	if (a->kind == OFD_TMPFS || b->kind == OFD_TMPFS)
		return a->kind == b->kind && a->node == b->node;
	return a->kind == b->kind && (a->kind == OFD_FILE || a->kind == OFD_DIR) && a->st.dev == b->st.dev &&
	       a->st.ino == b->st.ino;
}

long sys_flock(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)(int)A0);
	uint64_t op = A1 & ~(uint64_t)LOCK_NB;
	int i;

	if (!o)
		return -EBADF;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		return -EINVAL;
	if (op == LOCK_UN) {
		o->flock = 0;
		return 0;
	}
	for (i = 0; i < OFD_MAX; i++)
		if (&ofds[i] != o && ofds[i].kind != OFD_FREE && ofds[i].flock && same_file(&ofds[i], o) &&
		    (op == LOCK_EX || ofds[i].flock == LOCK_EX)) {
			if (A1 & LOCK_NB)
				return -EWOULDBLOCK;
			return time_wait_signal(); /* only this program could release it */
		}
	o->flock = (uint8_t)op;
	return 0;
}

struct winsize_k {
	uint16_t row, col, xpixel, ypixel;
};

long sys_ioctl(struct gk_frame *f)
{
	struct ofd *o = fd_get((long)A0);
	int tty;

	if (!o)
		return -EBADF;
	tty = o->handle < 3 && (o->kind == OFD_STREAM) &&
	      (gk_boot.stdio[o->handle].flags & VMLET_STDIO_TTY);
	switch (A1) {
	case FIOCLEX:
	case FIONCLEX:
		fdt[A0].cloexec = A1 == FIOCLEX;
		return 0;
	case FIONBIO:
		if (!user_ok(A2, 4))
			return -EFAULT;
		o->oflags = *(const int32_t *)A2 ? o->oflags | O_NONBLOCK : o->oflags & ~(uint32_t)O_NONBLOCK;
		return 0;
	case FIONREAD:
		if (!user_ok(A2, 4))
			return -EFAULT;
		if (o->kind == OFD_STREAM && o->handle == 0)
			*(int32_t *)A2 = (int32_t)(stream_ra.len - stream_ra.pos);
		else if (o->kind == OFD_FILE || (o->kind == OFD_TMPFS && S_ISREG(o->node->mode)))
			*(int32_t *)A2 = (int32_t)((uint64_t)ofd_stat(o)->size > ofd_off(o) ? (uint64_t)o->st.size - ofd_off(o) : 0);
		else
			return -ENOTTY;
		return 0;
	case TCGETS:
		if (!tty)
			return -ENOTTY;
		if (!user_ok(A2, 36))
			return -EFAULT;
		return hc(VMLET_HC_TTY, o->handle, VMLET_TTY_TCGETS, A2, 0);
	case TIOCGWINSZ:
		if (!tty)
			return -ENOTTY;
		if (!user_ok(A2, sizeof(struct winsize_k)))
			return -EFAULT;
		return hc(VMLET_HC_TTY, o->handle, VMLET_TTY_TIOCGWINSZ, A2, 0);
	case TIOCGPGRP:
		if (!tty)
			return -ENOTTY;
		if (!user_ok(A2, 4))
			return -EFAULT;
		*(int32_t *)A2 = gk_pid;
		return 0;
	default:
		return -ENOTTY;
	}
}
