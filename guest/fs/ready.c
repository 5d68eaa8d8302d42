/* ready.c - readiness of every kind of description, and the one wait loop poll, select, epoll and blocking reads share. */
#include "fs/events.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/stat.h>

#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM) /* files without a poll method */
#define STREAM_SLICE_MS 10 /* with several host streams to watch, each is waited on this long in turn */

static int stream_is_tty(const struct ofd *o)
{
	return o->handle < 3 && (gk_boot.stdio[o->handle].flags & VMLET_STDIO_TTY);
}

/* A character device that is not a terminal (/dev/null as stdin): no poll method, as Linux's mem devices. */
static int stream_is_plain_device(const struct ofd *o)
{
	return S_ISCHR(o->st.mode) && !stream_is_tty(o);
}

/* A stream: output goes to the ring (room for it always; a FIFO's read end is never writable); input is
 * buffered or the host's to tell. */
static unsigned stream_poll(struct ofd *o, unsigned events, struct ready_wait *w)
{
	int duplex = stream_is_tty(o) || S_ISSOCK(o->st.mode);
	unsigned r = duplex || (o->oflags & O_ACCMODE) != O_RDONLY ? POLLOUT | POLLWRNORM : 0;
	long h;

	if (stream_is_plain_device(o))
		return DEFAULT_POLLMASK;
	if (o->exact && (o->oflags & O_ACCMODE) == O_WRONLY && (events & (POLLOUT | POLLWRNORM))) {
		/* Written straight to the host (a pipe's write end): room is the host's to tell. */
		h = hc(VMLET_HC_POLL, o->handle, POLLOUT, 0, 0);
		if (h > 0)
			return (unsigned)h | ((unsigned)h & POLLOUT ? POLLWRNORM : 0);
		if (w && !w->streams++) {
			w->handle = o->handle;
			w->events = POLLOUT;
		}
		return 0;
	}
	if (!(events & (POLLIN | POLLRDNORM)) || (!duplex && (o->oflags & O_ACCMODE) == O_WRONLY))
		return r;
	h = hc(VMLET_HC_POLL, o->handle, POLLIN, 0, 0);
	if (fd_stream_buffered(o)) /* the host still tells whether the writer is gone */
		return r | POLLIN | POLLRDNORM | (h > 0 ? (unsigned)h & (POLLHUP | POLLERR) : 0);
	if (h > 0)
		return r | (unsigned)h | ((unsigned)h & POLLIN ? POLLRDNORM : 0);
	if (w && !w->streams++) {
		w->handle = o->handle;
		w->events = POLLIN;
	}
	return r;
}

unsigned ofd_poll(struct ofd *o, unsigned events, struct ready_wait *w)
{
	unsigned r;

	events |= POLLERR | POLLHUP;
	switch (o->kind) {
	case OFD_STREAM: r = stream_poll(o, events, w); break;
	case OFD_EVENTFD: r = eventfd_poll(o); break;
	case OFD_TIMERFD: r = timerfd_poll(o, w); break;
	case OFD_SIGNALFD: r = signalfd_poll(o); break;
	case OFD_EPOLL: r = epoll_poll(o, w); break;
	default: r = DEFAULT_POLLMASK; break;
	}
	return r & events;
}

int ofd_pollable(const struct ofd *o)
{
	return (o->kind == OFD_STREAM && !stream_is_plain_device(o)) || o->kind == OFD_EVENTFD || o->kind == OFD_TIMERFD ||
	       o->kind == OFD_SIGNALFD || o->kind == OFD_EPOLL;
}

long ready_loop(long (*scan)(void *ctx, struct ready_wait *w), void *ctx, int64_t timeout_ns)
{
	uint64_t end = timeout_ns < 0 ? UINT64_MAX : time_mono_ns() + (uint64_t)timeout_ns;

	for (;;) {
		struct ready_wait w = { UINT64_MAX, 0, 0, POLLIN };
		long n = scan(ctx, &w);
		uint64_t now, until;

		if (n)
			return n;
		now = time_mono_ns();
		if (timeout_ns == 0 || now >= end)
			return 0;
		if (signal_interrupts())
			return -EINTR;
		until = w.deadline < end ? w.deadline : end;
		if (w.streams) {
			uint64_t ms = until == UINT64_MAX ? UINT64_MAX : (until - now + 999999) / 1000000;
			long h;

			if (w.streams > 1 && ms > STREAM_SLICE_MS)
				ms = STREAM_SLICE_MS;
			h = hc(VMLET_HC_POLL, w.handle, w.events, ms == UINT64_MAX ? (uint64_t)-1 : ms, 0);
			if (h == -EINTR)
				return -EINTR;
			/* The host waited in real time: a virtual clock moves on by as much. */
			if (h == 0 && (gk_boot.flags & VMLET_BOOT_DETERMINISTIC))
				time_sleep(ms * 1000000 < until - now ? ms * 1000000 : until - now);
		} else if (until == UINT64_MAX) {
			return time_wait_signal(); /* nothing but a signal could make it ready */
		} else if (until > now && time_sleep(until - now) != 0) {
			return -EINTR;
		}
	}
}

struct one_fd {
	struct ofd *o;
	unsigned events;
};

static long scan_one(void *ctx, struct ready_wait *w)
{
	struct one_fd *c = ctx;

	return ofd_poll(c->o, c->events, w) & c->events ? 1 : 0;
}

long ready_one(struct ofd *o, unsigned events)
{
	struct one_fd c = { o, events };

	if (o->oflags & O_NONBLOCK)
		return -EAGAIN;
	return ready_loop(scan_one, &c, -1);
}

long ready_timeout(uint64_t addr, uint64_t sigmask, uint64_t sigsetsize, int64_t *ns)
{
	if (sigmask && sigsetsize != 8)
		return -EINVAL;
	return ready_timespec(addr, ns);
}

long ready_timespec(uint64_t addr, int64_t *ns)
{
	const int64_t *ts = (const int64_t *)addr;

	*ns = -1;
	if (!addr)
		return 0;
	if (!user_ok(addr, 16))
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	*ns = ts[0] >= INT64_MAX / 1000000000 - 1 ? INT64_MAX : ts[0] * 1000000000 + ts[1];
	return 0;
}
