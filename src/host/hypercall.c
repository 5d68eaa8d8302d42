/* hypercall.c - the host side of every hypercall: snapshot the block, check every value, act, answer. */
#include "../core/vm_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PATH_MAX_GUEST 4096
#define IO_MAX (1ull << 30)

typedef int64_t (*hc_fn)(struct vmlet_vm *vm, struct vmlet_hypercall *h);

static struct handle *handle_get(struct vmlet_vm *vm, uint64_t h)
{
	if (h >= VMLET_HANDLE_MAX || vm->handles[h].kind == HANDLE_FREE)
		return NULL;
	return &vm->handles[h];
}

void handle_close(struct vmlet_vm *vm, uint64_t h)
{
	if (h < 3 || h >= VMLET_HANDLE_MAX || vm->handles[h].kind == HANDLE_FREE)
		return;
	if (vm->handles[h].fd >= 0)
		close(vm->handles[h].fd);
	free(vm->handles[h].vpath);
	vm->handles[h] = (struct handle){ .kind = HANDLE_FREE, .fd = -1 };
}

/* Copy a guest path into buf; -EFAULT / -ENAMETOOLONG / -EINVAL on bad input. */
static int guest_path(struct vmlet_vm *vm, uint64_t addr, uint64_t len, char *buf)
{
	const char *p;

	if (len == 0 || len >= PATH_MAX_GUEST)
		return len ? -ENAMETOOLONG : -ENOENT;
	p = vm_guest_ptr(vm, addr, len);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	buf[len] = 0;
	return strlen(buf) == len ? 0 : -EINVAL;
}

/* Stat results are copied, not stored through the pointer: a guest address may be unaligned. */
static void to_vmlet_stat(const struct stat *s, void *out)
{
	struct vmlet_stat vs, *v = &vs;

	memset(v, 0, sizeof(*v));
	v->dev = s->st_dev;
	v->ino = s->st_ino;
	v->nlink = s->st_nlink;
	v->mode = s->st_mode;
	v->uid = s->st_uid;
	v->gid = s->st_gid;
	v->rdev = s->st_rdev;
	v->size = s->st_size;
	v->blksize = s->st_blksize;
	v->blocks = s->st_blocks;
	v->atime = s->st_atim.tv_sec;
	v->atime_ns = s->st_atim.tv_nsec;
	v->mtime = s->st_mtim.tv_sec;
	v->mtime_ns = s->st_mtim.tv_nsec;
	v->ctime = s->st_ctim.tv_sec;
	v->ctime_ns = s->st_ctim.tv_nsec;
	memcpy(out, v, sizeof(*v));
}

/* A directory that exists only because grants lie below it. */
static void ancestor_stat(void *out)
{
	struct vmlet_stat v;

	memset(&v, 0, sizeof(v));
	v.mode = S_IFDIR | 0555;
	v.nlink = 2;
	v.blksize = 4096;
	v.ino = 1;
	memcpy(out, &v, sizeof(v));
}

static int64_t hc_exit(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	uint64_t sig = h->arg[1];

	if (sig > 64) /* no such signal: the guest kernel is broken or hostile */
		vm_finish(vm, VMLET_SIGNALED, 0, SIGSYS, "guest fault: exit with invalid signal %llu",
			  (unsigned long long)sig);
	else if (sig && h->arg[2] == 1 && vm->fault_signal) /* the program did not handle its fault */
		vm_finish(vm, VMLET_SIGNALED, 0, (int)sig, "%s", vm->fault_line);
	else if (sig) /* a signal the program sent itself: no message, as a native death */
		vm_finish(vm, VMLET_SIGNALED, 0, (int)sig, NULL);
	else
		vm_finish(vm, VMLET_EXITED, (int)(h->arg[0] & 0xff), 0, NULL);
	return 0;
}

static int64_t hc_flush(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	(void)vm;
	(void)h;
	return 0; /* the ring was drained before dispatch */
}

/* For a regular file: 1 if a read at `off` (VMLET_OFF_NONE: the fd's position) finds end of file. */
static int file_at_eof(const struct handle *hd, uint64_t off)
{
	struct stat st;
	off_t pos = off == VMLET_OFF_NONE ? lseek(hd->fd, 0, SEEK_CUR) : (off_t)off;

	if (hd->kind != HANDLE_FILE && hd->kind != HANDLE_STDIO)
		return -1;
	if (pos < 0 || fstat(hd->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return pos >= st.st_size;
}

static int64_t hc_read(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	struct handle *hd = handle_get(vm, h->arg[0]);
	uint64_t len = h->arg[2] > IO_MAX ? IO_MAX : h->arg[2];
	void *buf = vm_guest_ptr_w(vm, h->arg[1], len);
	int64_t allowed;
	ssize_t n;

	if (!hd || hd->kind == HANDLE_DIR || hd->kind == HANDLE_VDIR)
		return hd ? -EISDIR : -EBADF;
	if (!hd->readable)
		return -EBADF;
	if (!buf)
		return -EFAULT;
	/* A sequential channel is read in order: the guest kernel may read ahead, but not elsewhere. */
	if (hd->sequential && h->arg[3] != VMLET_OFF_NONE && h->arg[3] != hd->seq_off)
		return -ESPIPE;
	/* Positioned reads of a pipe or socket fail in the host kernel (ESPIPE). */
	if (h->arg[3] != VMLET_OFF_NONE && h->arg[3] > INT64_MAX)
		return -EINVAL;
	if ((allowed = channel_admit(vm, hd->channel, 0, len, file_at_eof(hd, h->arg[3]))) <= 0)
		return allowed;
	/* A FIFO read before its writer came would see end of file: wait for data first. */
	if (hd->kind == HANDLE_STREAM && vm_wait_fd(vm, hd->fd, POLLIN, -1) == 0)
		return -EINTR;
	for (;;) {
		if (h->arg[3] == VMLET_OFF_NONE)
			n = read(hd->fd, buf, (size_t)allowed);
		else
			n = pread(hd->fd, buf, (size_t)allowed, (off_t)h->arg[3]);
		if (n >= 0) {
			channel_account(vm, hd->channel, 0, buf, (uint64_t)n);
			hd->seq_off += (uint64_t)n;
			return n;
		}
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
		if (vm_wait_fd(vm, hd->fd, POLLIN, -1) == 0)
			return -EINTR;
	}
}

static int64_t hc_write(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	uint64_t len = h->arg[2] > IO_MAX ? IO_MAX : h->arg[2], done = 0, off = h->arg[3];
	const char *buf = vm_guest_ptr(vm, h->arg[1], len);
	int fd = hc_out_fd(vm, (uint32_t)h->arg[0]);
	struct handle *hd = handle_get(vm, h->arg[0]);
	int64_t allowed;

	if (fd < 0 || !hd)
		return -EBADF;
	if (!buf)
		return -EFAULT;
	if (off != VMLET_OFF_NONE && off > INT64_MAX)
		return -EINVAL;
	if (hd->sequential && off != VMLET_OFF_NONE && off != hd->seq_off)
		return -ESPIPE;
	if ((allowed = channel_admit(vm, hd->channel, 1, len, -1)) < 0)
		return allowed;
	len = (uint64_t)allowed;
	while (done < len) {
		ssize_t n = off == VMLET_OFF_NONE ? write(fd, buf + done, len - done)
						  : pwrite(fd, buf + done, len - done, (off_t)(off + done));
		if (n >= 0) {
			channel_account(vm, hd->channel, 1, buf + done, (uint64_t)n);
			hd->seq_off += (uint64_t)n;
			done += (uint64_t)n;
			continue;
		}
		if (errno == EPIPE) /* the guest kernel raises SIGPIPE (or not: ignored, MSG_NOSIGNAL) */
			return done ? (int64_t)done : -EPIPE;
		if (errno != EINTR && errno != EAGAIN)
			return done ? (int64_t)done : -errno;
		if (vm_wait_fd(vm, fd, POLLOUT, -1) == 0)
			return -EINTR;
	}
	return (int64_t)done;
}

int64_t handle_alloc(struct vmlet_vm *vm, int fd, enum handle_kind kind)
{
	unsigned i;

	for (i = 3; i < VMLET_HANDLE_MAX; i++)
		if (vm->handles[i].kind == HANDLE_FREE) {
			vm->handles[i] = (struct handle){ .kind = kind, .fd = fd, .channel = -1, .readable = 1 };
			return i;
		}
	if (fd >= 0)
		close(fd);
	return -EMFILE;
}

static int channel_stat(struct vmlet_vm *vm, int idx, void *out)
{
	const struct channel *c = &vm->channels[idx];
	struct stat st;

	if (fstat(c->fd, &st) < 0) /* every channel's fd was opened at create */
		return -errno;
	to_vmlet_stat(&st, out);
	return 0;
}

/* Any quota set: the guest must then make one hypercall per call (no read-ahead, no batching). */
static int limited(const struct vmlet_limits *l)
{
	return l->reads != VMLET_UNLIMITED || l->read_bytes != VMLET_UNLIMITED || l->writes != VMLET_UNLIMITED ||
	       l->write_bytes != VMLET_UNLIMITED;
}

int64_t channel_open(struct vmlet_vm *vm, int idx, uint64_t flags, void *out, uint64_t *opened)
{
	const struct channel *c = &vm->channels[idx];
	int can_read = c->mode == VMLET_CHANNEL_READ || c->mode == VMLET_CHANNEL_READ_WRITE;
	int can_write = c->mode != VMLET_CHANNEL_READ, fd;
	struct stat st;
	int64_t hd;

	if (((flags & VMLET_OPEN_WRITE) && !can_write) || ((flags & VMLET_OPEN_READ) && !can_read))
		return -EACCES;
	if (flags & VMLET_OPEN_DIRECTORY)
		return -ENOTDIR;
	/* Every channel was opened at create: the running VMM only duplicates fds. */
	fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -EIO;
	}
	to_vmlet_stat(&st, out);
	hd = handle_alloc(vm, fd, c->type == VMLET_CHANNEL_FILE ? HANDLE_FILE : HANDLE_STREAM);
	if (hd < 0)
		return hd;
	vm->handles[hd].channel = idx;
	vm->handles[hd].writable = can_write;
	vm->handles[hd].readable = can_read;
	vm->handles[hd].sequential = c->type == VMLET_CHANNEL_FILE && !c->random_access;
	vm->handles[hd].seq_off = (uint64_t)lseek(fd, 0, SEEK_CUR);
	*opened = (c->type != VMLET_CHANNEL_FILE || !c->random_access ? VMLET_OPENED_SEQUENTIAL : 0) |
		  (c->mode == VMLET_CHANNEL_APPEND ? VMLET_OPENED_APPEND : 0) |
		  (limited(&c->limits) || (can_write && vm_output_exact(st.st_mode, st.st_rdev, 0, run_fsize_limited()))
			   ? VMLET_OPENED_EXACT : 0); /* quotas count each call; write errors come from the call */
	return hd;
}

static int64_t hc_open(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	char path[PATH_MAX_GUEST];
	void *out = vm_guest_ptr_w(vm, h->arg[3], sizeof(struct vmlet_stat));
	uint64_t flags = O_RDONLY | O_NONBLOCK;
	struct stat st;
	int r = guest_path(vm, h->arg[0], h->arg[1], path), fd, ancestor, ch;

	if (r)
		return r;
	if (!out)
		return -EFAULT;
	if (h->arg[2] & VMLET_OPEN_DIRECTORY)
		flags |= O_DIRECTORY;
	if (h->arg[2] & VMLET_OPEN_NOFOLLOW)
		flags |= O_NOFOLLOW;
	ch = channel_find(vm, path);
	if (ch >= 0) {
		int64_t hd = channel_open(vm, ch, h->arg[2], out, &h->out[0]);
		return hd;
	}
	fd = files_open(vm, path, flags, &ancestor, &ch, &st);
	if (fd < 0 && ancestor && !(h->arg[2] & VMLET_OPEN_WRITE)) {
		int64_t hd = handle_alloc(vm, -1, HANDLE_VDIR);
		if (hd >= 0 && !(vm->handles[hd].vpath = strdup(path))) {
			handle_close(vm, (uint64_t)hd);
			return -ENOMEM;
		}
		if (hd >= 0)
			ancestor_stat(out);
		return hd;
	}
	if (fd < 0 && (h->arg[2] & VMLET_OPEN_WRITE) && (ancestor || files_in_grant(vm, path)))
		return -EROFS; /* grants are read-only, existing or not */
	if (fd < 0)
		return fd;
	if (h->arg[2] & VMLET_OPEN_WRITE) {
		close(fd);
		return -EROFS;
	}
	to_vmlet_stat(&st, out); /* a regular file or a directory: files_open checked */
	r = (int)handle_alloc(vm, fd, S_ISDIR(st.st_mode) ? HANDLE_DIR : HANDLE_FILE);
	if (r >= 0)
		vm->handles[r].channel = ch;
	if (r >= 0 && ch >= 0 && limited(&vm->channels[ch].limits))
		h->out[0] |= VMLET_OPENED_EXACT; /* a directory channel's quotas count each call */
	return r;
}

static int64_t hc_close(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	if (!handle_get(vm, h->arg[0]))
		return -EBADF;
	handle_close(vm, h->arg[0]);
	return 0;
}

static int64_t hc_fstat(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	struct handle *hd = handle_get(vm, h->arg[0]);
	void *out = vm_guest_ptr_w(vm, h->arg[1], sizeof(struct vmlet_stat));
	struct stat st;

	if (!hd)
		return -EBADF;
	if (!out)
		return -EFAULT;
	if (hd->kind == HANDLE_VDIR) {
		ancestor_stat(out);
		return 0;
	}
	if (fstat(hd->fd, &st) < 0)
		return -errno;
	to_vmlet_stat(&st, out);
	return 0;
}

static int64_t hc_stat(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	char path[PATH_MAX_GUEST];
	void *out = vm_guest_ptr_w(vm, h->arg[2], sizeof(struct vmlet_stat));
	struct stat st;
	int r = guest_path(vm, h->arg[0], h->arg[1], path), fd, ancestor, ch;

	if (r)
		return r;
	if (!out)
		return -EFAULT;
	if ((ch = channel_find(vm, path)) >= 0)
		return channel_stat(vm, ch, out);
	fd = files_open(vm, path, O_PATH | (h->arg[3] ? O_NOFOLLOW : 0), &ancestor, &ch, &st);
	if (fd < 0) {
		if (fd == -ENOENT && ancestor) {
			ancestor_stat(out);
			return 0;
		}
		return fd;
	}
	close(fd);
	to_vmlet_stat(&st, out);
	return 0;
}

/* linux_dirent64 records for a virtual directory: ".", "..", then the names leading to grants. */
static int64_t vdir_getdents(struct vmlet_vm *vm, struct handle *hd, uint8_t *buf, uint64_t len)
{
	uint64_t used = 0;
	char name[256];

	for (;; hd->vcursor++) {
		size_t n = hd->vcursor, nlen;
		uint16_t reclen;
		if (n < 2) {
			nlen = n + 1;
			memcpy(name, "..", nlen);
			name[nlen] = 0;
		} else if (!(nlen = files_vdir_entry(vm, hd->vpath, n - 2, name, sizeof(name)))) {
			break;
		}
		reclen = (uint16_t)((19 + nlen + 1 + 7) & ~7u);
		if (used + reclen > len)
			return used ? (int64_t)used : -EINVAL;
		memset(buf + used, 0, reclen);
		uint64_t ino = n + 1, off = n + 1;
		memcpy(buf + used, &ino, 8);
		memcpy(buf + used + 8, &off, 8);
		memcpy(buf + used + 16, &reclen, 2);
		buf[used + 18] = 4; /* DT_DIR */
		memcpy(buf + used + 19, name, nlen);
		used += reclen;
	}
	return (int64_t)used;
}

static int64_t hc_getdents(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	struct handle *hd = handle_get(vm, h->arg[0]);
	uint64_t len = h->arg[2] > IO_MAX ? IO_MAX : h->arg[2];
	void *buf = vm_guest_ptr_w(vm, h->arg[1], len);
	long n;

	if (!hd)
		return -EBADF;
	if (hd->kind == HANDLE_VDIR)
		return buf ? vdir_getdents(vm, hd, buf, len) : -EFAULT;
	if (hd->kind != HANDLE_DIR)
		return -ENOTDIR;
	if (!buf)
		return -EFAULT;
	n = syscall(SYS_getdents64, hd->fd, buf, len);
	return n < 0 ? -errno : n;
}

static int64_t hc_clock(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	struct timespec mono, real;

	(void)vm;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	h->out[0] = (uint64_t)mono.tv_sec * 1000000000ull + (uint64_t)mono.tv_nsec;
	h->out[1] = (uint64_t)real.tv_sec * 1000000000ull + (uint64_t)real.tv_nsec;
	return 0;
}

static int64_t hc_sleep(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	int64_t ns = h->arg[0] > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)h->arg[0];
	int r = vm_wait_fd(vm, -1, 0, ns);

	return r == -ETIMEDOUT ? 0 : -EINTR;
}

/* Any deadline is the guest's own business: it only decides when its vCPU is stopped. */
static int64_t hc_alarm(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	return guest_signal_alarm(vm, h->arg[0]);
}

static int64_t hc_poll(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	struct handle *hd = handle_get(vm, h->arg[0]);
	int64_t ms = (int64_t)h->arg[2];
	int r;

	if (!hd)
		return -EBADF;
	r = vm_wait_fd(vm, hd->fd, (short)(h->arg[1] & (POLLIN | POLLOUT)),
		       ms < 0 ? -1 : (ms > INT64_MAX / 1000000 ? INT64_MAX : ms * 1000000));
	if (r == -ETIMEDOUT)
		return 0;
	return r == 0 ? -EINTR : r;
}

static int64_t hc_tty(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	unsigned char buf[64];
	uint64_t size = h->arg[1] == VMLET_TTY_TCGETS ? 36 : 8;
	unsigned long req = h->arg[1] == VMLET_TTY_TCGETS ? 0x5401 /* TCGETS */ : 0x5413 /* TIOCGWINSZ */;
	void *out = vm_guest_ptr_w(vm, h->arg[2], size);

	if (h->arg[0] >= 3)
		return -ENOTTY;
	if (h->arg[1] != VMLET_TTY_TCGETS && h->arg[1] != VMLET_TTY_TIOCGWINSZ)
		return -EINVAL;
	if (!out)
		return -EFAULT;
	if (ioctl(vm->stdio[h->arg[0]], req, buf) < 0)
		return -errno;
	memcpy(out, buf, size);
	return 0;
}

static int64_t hc_readlink(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	char path[PATH_MAX_GUEST];
	uint64_t size = h->arg[3] > PATH_MAX_GUEST ? PATH_MAX_GUEST : h->arg[3];
	char *out = vm_guest_ptr_w(vm, h->arg[2], size);
	int r = guest_path(vm, h->arg[0], h->arg[1], path), fd, ancestor, ch;
	struct stat st;
	ssize_t n;

	if (r)
		return r;
	if (!out)
		return -EFAULT;
	fd = files_open(vm, path, O_PATH | O_NOFOLLOW, &ancestor, &ch, &st);
	if (fd < 0)
		return fd == -ENOENT && ancestor ? -EINVAL : fd;
	n = readlinkat(fd, "", out, size);
	r = n < 0 ? -errno : 0;
	close(fd);
	return r ? (r == -ENOENT ? -EINVAL : r) : n;
}

static int64_t hc_seek(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	struct handle *hd = handle_get(vm, h->arg[0]);
	off_t r;

	if (!hd)
		return -EBADF;
	if ((hd->kind != HANDLE_DIR && hd->kind != HANDLE_VDIR) || h->arg[1] != 0 || h->arg[2] != SEEK_SET)
		return -EINVAL;
	if (hd->kind == HANDLE_VDIR) {
		hd->vcursor = 0;
		return 0;
	}
	r = lseek(hd->fd, 0, SEEK_SET);
	return r < 0 ? -errno : r;
}

/* Give program memory back to the host; anonymous pages read as zeros afterwards. */
/* Fresh anonymous memory (zeros) over guest [addr, addr+len), keeping the heap's huge-page advice. */
int64_t anon_back(struct vmlet_vm *vm, uint64_t addr, uint64_t len)
{
	uint8_t *p = vm->mem.host + addr;

	if (mmap(p, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) ==
	    MAP_FAILED)
		return -errno;
	madvise(p, len, MADV_HUGEPAGE);
	return 0;
}

static int64_t hc_discard(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	uint64_t addr = h->arg[0], len = h->arg[1];

	if ((addr | len) & (VMLET_PAGE_SIZE - 1))
		return -EINVAL;
	/* Only above the program image, whose pages may be a copy-on-write file mapping. */
	if (addr < vm->brk_start || !vm_guest_ptr(vm, addr, len) || addr + len > vm->user_hi)
		return -EINVAL;
	if (!len)
		return 0;
	/* Over a private file mapping MADV_DONTNEED would bring back the file's bytes, not zeros. */
	if (addr < vm->filemap_hi && addr + len > vm->filemap_lo)
		return anon_back(vm, addr, len);
	if (madvise(vm->mem.host + addr, len, MADV_DONTNEED) < 0)
		return -errno;
	return 0;
}

#define TMPFS_MAGIC_K 0x01021994
#define ST_VALID_K 0x20

/* statfs of what a handle or guest path is on: the host's answer; grants and read channels read-only. */
static int64_t hc_statfs(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	/* Built here, then copied out: the guest's address need not be aligned. */
	struct vmlet_statfs o, *out = &o;
	uint8_t *dst = vm_guest_ptr_w(vm, h->arg[3], sizeof(o));
	char path[PATH_MAX_GUEST];
	struct statfs sf;
	struct stat st;
	int fd = -1, own = 0, rdonly = 1, ancestor = 0, ch = -1, r;

	if (!dst)
		return -EFAULT;
	if (h->arg[0] != VMLET_OFF_NONE) {
		struct handle *hd = handle_get(vm, h->arg[0]);
		if (!hd)
			return -EBADF;
		fd = hd->kind == HANDLE_VDIR ? -1 : hd->fd;
		rdonly = !hd->writable;
		ancestor = hd->kind == HANDLE_VDIR;
	} else if ((r = guest_path(vm, h->arg[1], h->arg[2], path))) {
		return r;
	} else if ((ch = channel_find(vm, path)) >= 0 && vm->channels[ch].fd >= 0) {
		fd = vm->channels[ch].fd;
		rdonly = vm->channels[ch].mode == VMLET_CHANNEL_READ;
	} else {
		fd = files_open(vm, path, O_PATH, &ancestor, &ch, &st);
		if (fd < 0 && !(fd == -ENOENT && ancestor))
			return fd;
		own = fd >= 0;
		ancestor = fd < 0;
	}
	memset(out, 0, sizeof(*out));
	if (ancestor) { /* a directory that exists only because grants lie below it */
		out->type = TMPFS_MAGIC_K;
		out->bsize = out->frsize = 4096;
		out->namelen = 255;
		out->flags = ST_VALID_K | ST_RDONLY;
		memcpy(dst, &o, sizeof(o));
		return 0;
	}
	r = fstatfs(fd, &sf) < 0 ? -errno : 0;
	if (own)
		close(fd);
	if (r)
		return r;
	out->type = sf.f_type;
	out->bsize = sf.f_bsize;
	out->blocks = sf.f_blocks;
	out->bfree = sf.f_bfree;
	out->bavail = sf.f_bavail;
	out->files = sf.f_files;
	out->ffree = sf.f_ffree;
	memcpy(out->fsid, &sf.f_fsid, sizeof(out->fsid));
	out->namelen = sf.f_namelen;
	out->frsize = sf.f_frsize;
	out->flags = sf.f_flags | (rdonly ? ST_RDONLY : 0);
	memcpy(dst, &o, sizeof(o));
	return 0;
}

/* ftruncate of a written file channel: one write call against its quotas (zeros grown are not data written). */
static int64_t hc_truncate(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	int fd = hc_out_fd(vm, (uint32_t)h->arg[0]);
	struct handle *hd = handle_get(vm, h->arg[0]);
	int64_t allowed;

	if (!hd)
		return -EBADF;
	if (fd < 0 || hd->kind != HANDLE_FILE || h->arg[1] > INT64_MAX)
		return -EINVAL;
	if ((allowed = channel_admit(vm, hd->channel, 1, 0, -1)) < 0)
		return allowed;
	if (ftruncate(fd, (off_t)h->arg[1]) < 0)
		return -errno;
	channel_account(vm, hd->channel, 1, "", 0);
	return 0;
}

/*
 * Map the host file behind a read-only handle (the root's or a --ro grant's, never a channel's:
 * their quotas count reads) copy-on-write over guest memory: zero copies, and the page cache
 * shared by every VM that maps the same library. Only whole pages inside the file are mapped
 * from it (touching one past its end would raise SIGBUS in the host); the rest is fresh
 * anonymous memory, zeros. Returns the bytes mapped from the file.
 */
static int64_t hc_mmap(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	struct handle *hd = handle_get(vm, h->arg[0]);
	uint64_t addr = h->arg[1], len = h->arg[2], off = h->arg[3], flen = 0;
	struct stat st;
	uint8_t *host;

	if (!hd)
		return -EBADF;
	if (hd->kind != HANDLE_FILE || hd->channel >= 0 || !hd->readable)
		return -ENODEV;
	if (((addr | len | off) & (VMLET_PAGE_SIZE - 1)) || !len || off > INT64_MAX)
		return -EINVAL;
	if (addr < vm->brk_start || addr > vm->mmap_top || len > vm->mmap_top - addr ||
	    !(host = vm_guest_ptr_w(vm, addr, len)))
		return -EFAULT;
	if (fstat(hd->fd, &st) < 0)
		return -errno;
	if (off < (uint64_t)st.st_size)
		flen = ((uint64_t)st.st_size - off + VMLET_PAGE_SIZE - 1) & ~(VMLET_PAGE_SIZE - 1);
	if (flen > len)
		flen = len;
	if (flen && mmap(host, flen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, hd->fd,
			 (off_t)off) == MAP_FAILED)
		return errno == ENODEV || errno == EACCES ? -ENODEV : -errno; /* a filesystem without mmap: copy */
	if (addr < vm->filemap_lo || vm->filemap_hi == 0)
		vm->filemap_lo = addr;
	if (addr + len > vm->filemap_hi)
		vm->filemap_hi = addr + len;
	if (len > flen) {
		int r = anon_back(vm, addr + flen, len - flen);
		if (r)
			return r;
	}
	return (int64_t)flen;
}

static const hc_fn table[VMLET_HC_COUNT] = {
	[VMLET_HC_EXIT] = hc_exit,	   [VMLET_HC_FLUSH] = hc_flush,
	[VMLET_HC_READ] = hc_read,	   [VMLET_HC_WRITE] = hc_write,
	[VMLET_HC_OPEN] = hc_open,	   [VMLET_HC_CLOSE] = hc_close,
	[VMLET_HC_FSTAT] = hc_fstat,	   [VMLET_HC_STAT] = hc_stat,
	[VMLET_HC_GETDENTS] = hc_getdents, [VMLET_HC_CLOCK] = hc_clock,
	[VMLET_HC_SLEEP] = hc_sleep,	   [VMLET_HC_POLL] = hc_poll,
	[VMLET_HC_TTY] = hc_tty,	   [VMLET_HC_READLINK] = hc_readlink,
	[VMLET_HC_SEEK] = hc_seek,	   [VMLET_HC_DISCARD] = hc_discard,
	[VMLET_HC_STATFS] = hc_statfs,	   [VMLET_HC_TRUNCATE] = hc_truncate,
	[VMLET_HC_MMAP] = hc_mmap,	   [VMLET_HC_FORK] = hc_fork,
	[VMLET_HC_WAIT] = hc_wait,	   [VMLET_HC_PIPE] = hc_pipe,
	[VMLET_HC_EXEC] = hc_exec,	   [VMLET_HC_SOCKETPAIR] = hc_socketpair,
	[VMLET_HC_ALARM] = hc_alarm,	   [VMLET_HC_KILL] = hc_kill,
	[VMLET_HC_LOCK_WAIT] = hc_lock_wait, [VMLET_HC_LOCK_WAKE] = hc_lock_wake,
	[VMLET_HC_FUTEX_WAIT] = hc_futex_wait, [VMLET_HC_FUTEX_WAKE] = hc_futex_wake,
	[VMLET_HC_PGID] = hc_pgid,	   [VMLET_HC_SHARED] = hc_shared,
};

_Static_assert(sizeof(table) / sizeof(table[0]) == VMLET_HC_COUNT, "one handler per hypercall");

enum exit_action hypercall_handle(struct vmlet_vm *vm)
{
	struct vmlet_hypercall *shared = vm_guest_ptr(vm, vm->gk.hypercall, sizeof(*shared));
	struct vmlet_hypercall h;
	unsigned i;

	vm->hypercalls++;
	if (!shared) {
		vm_finish(vm, VMLET_FAILED, 0, 0, "hypercall block out of range");
		return EXIT_STOP;
	}
	memcpy(&h, shared, sizeof(h)); /* one snapshot: the guest cannot change it under us */
	if (ring_drain(vm) || vm->res->outcome)
		return EXIT_STOP;
	for (i = 3; i < VMLET_HANDLE_MAX; i++)
		if (h.close_mask & (1ull << i))
			handle_close(vm, i);
	shared->close_mask = 0;
	if (h.nr >= VMLET_HC_COUNT) {
		vm_finish(vm, VMLET_SIGNALED, 0, SIGSYS, "guest fault: unknown hypercall %llu",
			  (unsigned long long)h.nr);
		return EXIT_STOP;
	}
	h.out[0] = h.out[1] = 0;
	h.ret = table[h.nr](vm, &h);
	if (vm->res->outcome)
		return EXIT_STOP;
	shared->ret = h.ret;
	shared->out[0] = h.out[0];
	shared->out[1] = h.out[1];
	return EXIT_CONTINUE;
}
