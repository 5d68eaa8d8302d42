/* pipe.c - pipes and socket pairs: host pipes and AF_UNIX pairs whose ends are handles, shared by the processes that fork from here. */
#include "fs/events.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

static struct ofd *pipe_end(uint32_t handle, uint32_t access, uint64_t flags)
{
	struct ofd *o = ofd_alloc(OFD_STREAM);

	if (!o) {
		fd_close_handle(handle);
		return 0;
	}
	o->handle = handle;
	o->oflags = access | (uint32_t)(flags & O_NONBLOCK);
	o->sequential = 1;
	o->exact = 1; /* another process reads what this one writes: no batching, no read-ahead */
	o->st.nlink = 1;
	o->st.blksize = 4096;
	return o;
}

/*
 * The two ends the host just made (out0, out1 of the hypercall) as descriptions with access
 * modes am, bm and mode, installed as two fds written to the program's int[2] at ufds.
 */
static long install_pair(uint32_t am, uint32_t bm, uint32_t mode, uint64_t flags, uint64_t ufds)
{
	struct ofd *a = pipe_end((uint32_t)gk_hypercall.out[0], am, flags);
	struct ofd *b = pipe_end((uint32_t)gk_hypercall.out[1], bm, flags);
	long fa, fb;

	if (!a || !b) {
		if (a)
			ofd_put(a);
		if (b)
			ofd_put(b);
		return -ENFILE;
	}
	a->st.mode = b->st.mode = mode;
	if ((fa = fd_install(a, !!(flags & O_CLOEXEC), 0)) < 0) {
		ofd_put(b);
		return fa;
	}
	if ((fb = fd_install(b, !!(flags & O_CLOEXEC), 0)) < 0) {
		fd_close(fa);
		return fb;
	}
	((int *)ufds)[0] = (int)fa;
	((int *)ufds)[1] = (int)fb;
	return 0;
}

/* pipe2(fds, flags) */
long sys_pipe2(struct gk_frame *f)
{
	long r;

	if (A1 & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL; /* O_DIRECT (packet mode) and O_NOTIFICATION_PIPE are not served */
	if (!user_ok_w(A0, 8))
		return -EFAULT;
	if ((r = hc(VMLET_HC_PIPE, 0, 0, 0, 0)) < 0)
		return r;
	return install_pair(O_RDONLY, O_WRONLY, S_IFIFO | 0600, A1, A0);
}

long sys_pipe(struct gk_frame *f)
{
	f->rsi = 0;
	return sys_pipe2(f);
}

#define AF_UNIX_K 1
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK_K O_NONBLOCK
#define SOCK_CLOEXEC_K O_CLOEXEC
#define MSG_DONTWAIT_K 0x40
#define MSG_NOSIGNAL_K 0x4000

/* socketpair(domain, type, protocol, sv): a connected pair of host AF_UNIX sockets. */
long sys_socketpair(struct gk_frame *f)
{
	uint64_t type = A1 & SOCK_TYPE_MASK, flags = A1 & ~(uint64_t)SOCK_TYPE_MASK;
	long r;

	if (A0 != AF_UNIX_K)
		return -EAFNOSUPPORT;
	if (flags & ~(uint64_t)(SOCK_NONBLOCK_K | SOCK_CLOEXEC_K))
		return -EINVAL;
	if (A2 != 0)
		return -EPROTONOSUPPORT;
	if (!user_ok_w(A3, 8))
		return -EFAULT;
	if ((r = hc(VMLET_HC_SOCKETPAIR, type, 0, 0, 0)) < 0)
		return r == -EINVAL ? -ESOCKTNOSUPPORT : r;
	return install_pair(O_RDWR, O_RDWR, S_IFSOCK | 0777, flags, A3);
}

/* A socket of a pair, or -ENOTSOCK / -EBADF. */
static struct ofd *socket_of(long fd, long *err)
{
	struct ofd *o = fd_get(fd);

	*err = !o ? -EBADF : !S_ISSOCK(o->st.mode) || o->kind != OFD_STREAM ? -ENOTSOCK : 0;
	return *err ? 0 : o;
}

/* sendto(fd, buf, len, flags, addr, addrlen) on a connected pair: a write. */
long sys_sendto(struct gk_frame *f)
{
	long err, n;
	struct ofd *o = socket_of((long)(int)A0, &err);
	uint32_t saved;
	int had_sigpipe;

	if (!o)
		return err;
	if (A4)
		return -EISCONN;
	if (A3 & ~(uint64_t)(MSG_DONTWAIT_K | MSG_NOSIGNAL_K))
		return -EOPNOTSUPP;
	if (!user_ok(A1, A2))
		return -EFAULT;
	saved = o->oflags;
	if (A3 & MSG_DONTWAIT_K)
		o->oflags |= O_NONBLOCK;
	had_sigpipe = signal_pending_in(1ull << (GK_SIGPIPE - 1), 0) != 0;
	n = ofd_write(o, (const uint8_t *)A1, A2, 0, 0);
	o->oflags = saved;
	if (n == -EPIPE && (A3 & MSG_NOSIGNAL_K) && !had_sigpipe)
		signal_pending_in(1ull << (GK_SIGPIPE - 1), 1); /* MSG_NOSIGNAL: EPIPE alone */
	return n;
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) on a connected pair: a read; the peer has no name. */
long sys_recvfrom(struct gk_frame *f)
{
	long err, n;
	struct ofd *o = socket_of((long)(int)A0, &err);
	uint32_t saved;

	if (!o)
		return err;
	if (A3 & ~(uint64_t)MSG_DONTWAIT_K)
		return -EOPNOTSUPP; /* MSG_PEEK, MSG_WAITALL... are not served */
	if (!user_ok_w(A1, A2) || (A4 && !user_ok_w(A5, 4)))
		return -EFAULT;
	saved = o->oflags;
	if (A3 & MSG_DONTWAIT_K)
		o->oflags |= O_NONBLOCK;
	n = ofd_read(o, (uint8_t *)A1, A2, 0, 0);
	o->oflags = saved;
	if (n >= 0 && A4)
		*(uint32_t *)A5 = 0;
	return n;
}
