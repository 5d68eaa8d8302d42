/* pipe.c - pipe and pipe2: a host pipe whose two ends are handles, shared by the processes that fork from here. */
#include "fs/fd.h"

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
	o->st.mode = S_IFIFO | 0600;
	o->st.nlink = 1;
	o->st.blksize = 4096;
	return o;
}

/* pipe2(fds, flags) */
long sys_pipe2(struct gk_frame *f)
{
	struct ofd *rd, *wr;
	long r, rfd, wfd;

	if (A1 & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL; /* O_DIRECT (packet mode) and O_NOTIFICATION_PIPE are not served */
	if (!user_ok_w(A0, 8))
		return -EFAULT;
	if ((r = hc(VMLET_HC_PIPE, 0, 0, 0, 0)) < 0)
		return r;
	rd = pipe_end((uint32_t)gk_hypercall.out[0], O_RDONLY, A1);
	wr = pipe_end((uint32_t)gk_hypercall.out[1], O_WRONLY, A1);
	if (!rd || !wr) {
		if (rd)
			ofd_put(rd);
		if (wr)
			ofd_put(wr);
		return -ENFILE;
	}
	if ((rfd = fd_install(rd, !!(A1 & O_CLOEXEC), 0)) < 0) {
		ofd_put(wr);
		return rfd;
	}
	if ((wfd = fd_install(wr, !!(A1 & O_CLOEXEC), 0)) < 0) {
		fd_close(rfd);
		return wfd;
	}
	((int *)A0)[0] = (int)rfd;
	((int *)A0)[1] = (int)wfd;
	return 0;
}

long sys_pipe(struct gk_frame *f)
{
	f->rsi = 0;
	return sys_pipe2(f);
}
