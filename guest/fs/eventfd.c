/* eventfd.c - eventfd and eventfd2: a 64-bit counter read and written eight bytes at a time. */
#include "fs/events.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/poll.h>

#define EFD_SEMAPHORE_K 1
#define COUNT_MAX 0xfffffffffffffffeull /* the counter never holds more */

static long eventfd_open(uint64_t initval, uint64_t flags)
{
	struct ofd *o;

	if (flags & ~(uint64_t)(EFD_SEMAPHORE_K | O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	if (!(o = ofd_anon(OFD_EVENTFD, "eventfd", flags)))
		return -ENFILE;
	o->ev.efd.count = (uint32_t)initval;
	o->ev.efd.semaphore = !!(flags & EFD_SEMAPHORE_K);
	return fd_install(o, !!(flags & O_CLOEXEC), 0);
}

long sys_eventfd(struct gk_frame *f)
{
	return eventfd_open(A0, 0);
}

long sys_eventfd2(struct gk_frame *f)
{
	return eventfd_open(A0, A1);
}

unsigned eventfd_poll(struct ofd *o)
{
	return (o->ev.efd.count ? POLLIN | POLLRDNORM : 0) | (o->ev.efd.count < COUNT_MAX ? POLLOUT | POLLWRNORM : 0);
}

long eventfd_read(struct ofd *o, uint8_t *buf, uint64_t len)
{
	uint64_t v;
	long r;

	if (len < 8)
		return -EINVAL;
	if (!o->ev.efd.count && (r = ready_one(o, POLLIN)) < 0)
		return r;
	v = o->ev.efd.semaphore ? 1 : o->ev.efd.count;
	o->ev.efd.count -= v;
	o->wake_out++;
	memcpy(buf, &v, 8);
	return 8;
}

long eventfd_write(struct ofd *o, const uint8_t *buf, uint64_t len)
{
	uint64_t v;

	if (len < 8)
		return -EINVAL;
	memcpy(&v, buf, 8);
	if (v == UINT64_MAX)
		return -EINVAL;
	if (o->ev.efd.count > COUNT_MAX - v) {
		if (o->oflags & O_NONBLOCK)
			return -EAGAIN;
		return time_wait_signal(); /* only a reader elsewhere could make room: none in a single-threaded VM */
	}
	o->ev.efd.count += v;
	o->wake_in++;
	return 8;
}
