/* timerfd.c - timerfd_create, timerfd_settime, timerfd_gettime: timers read as expiration counts, kept on the guest's clocks. */
#include "fs/events.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/time.h>

#define TFD_TIMER_ABSTIME_K 1
#define TFD_TIMER_CANCEL_ON_SET_K 2
#define CLOCK_REALTIME_ALARM_K 8
#define CLOCK_BOOTTIME_ALARM_K 9
#define NS 1000000000ull

static uint64_t clock_now(uint32_t clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM_K ? time_real_ns() : time_mono_ns();
}

/* Count the expirations up to now: ticks to read, wake-ups for edge-triggered epoll. */
static void timer_update(struct ofd *o)
{
	uint64_t now, n;

	if (!o->ev.tfd.next || (now = clock_now(o->ev.tfd.clock)) < o->ev.tfd.next)
		return;
	if (o->ev.tfd.interval) {
		n = (now - o->ev.tfd.next) / o->ev.tfd.interval + 1;
		o->ev.tfd.next += n * o->ev.tfd.interval;
	} else {
		n = 1;
		o->ev.tfd.next = 0;
	}
	o->ev.tfd.ticks += n;
	o->wake_in += n;
}

unsigned timerfd_poll(struct ofd *o, struct ready_wait *w)
{
	uint64_t now, mono;

	timer_update(o);
	if (o->ev.tfd.ticks)
		return POLLIN | POLLRDNORM;
	if (w && o->ev.tfd.next) {
		now = clock_now(o->ev.tfd.clock);
		mono = time_mono_ns() + (o->ev.tfd.next > now ? o->ev.tfd.next - now : 0);
		if (mono < w->deadline)
			w->deadline = mono;
	}
	return 0;
}

long timerfd_read(struct ofd *o, uint8_t *buf, uint64_t len)
{
	long r;

	if (len < 8)
		return -EINVAL;
	timer_update(o);
	if (!o->ev.tfd.ticks && (r = ready_one(o, POLLIN)) < 0)
		return r;
	memcpy(buf, &o->ev.tfd.ticks, 8);
	o->ev.tfd.ticks = 0;
	return 8;
}

long sys_timerfd_create(struct gk_frame *f)
{
	struct ofd *o;

	if (A0 != CLOCK_REALTIME && A0 != CLOCK_MONOTONIC && A0 != CLOCK_BOOTTIME && A0 != CLOCK_REALTIME_ALARM_K &&
	    A0 != CLOCK_BOOTTIME_ALARM_K)
		return -EINVAL;
	if (A1 & ~(uint64_t)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	if (!(o = ofd_anon(OFD_TIMERFD, "timerfd", A1)))
		return -ENFILE;
	o->ev.tfd.clock = (uint32_t)A0;
	return fd_install(o, !!(A1 & O_CLOEXEC), 0);
}

static long timer_of(long fd, struct ofd **o)
{
	*o = fd_get(fd);
	if (!*o)
		return -EBADF;
	return (*o)->kind == OFD_TIMERFD ? 0 : -EINVAL;
}

/* The timer's value as struct itimerspec {interval, value} at out. */
static void timer_get(struct ofd *o, int64_t *out)
{
	uint64_t left = 0, now;

	timer_update(o);
	if (o->ev.tfd.next) {
		now = clock_now(o->ev.tfd.clock);
		left = o->ev.tfd.next > now ? o->ev.tfd.next - now : 1;
	}
	out[0] = (int64_t)(o->ev.tfd.interval / NS);
	out[1] = (int64_t)(o->ev.tfd.interval % NS);
	out[2] = (int64_t)(left / NS);
	out[3] = (int64_t)(left % NS);
}

static long timespec_ns(const int64_t *ts, uint64_t *ns)
{
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= (int64_t)NS)
		return -EINVAL;
	*ns = (uint64_t)ts[0] >= UINT64_MAX / NS - 1 ? UINT64_MAX / 2 : (uint64_t)ts[0] * NS + (uint64_t)ts[1];
	return 0;
}

long sys_timerfd_settime(struct gk_frame *f)
{
	const int64_t *its = (const int64_t *)A2;
	uint64_t interval, value;
	struct ofd *o;
	long r;

	if ((r = timer_of((long)(int)A0, &o)))
		return r;
	if (A1 & ~(uint64_t)(TFD_TIMER_ABSTIME_K | TFD_TIMER_CANCEL_ON_SET_K))
		return -EINVAL;
	if (!user_ok(A2, 32) || (A3 && !user_ok_w(A3, 32)))
		return -EFAULT;
	if ((r = timespec_ns(its, &interval)) || (r = timespec_ns(its + 2, &value)))
		return r;
	if (A3)
		timer_get(o, (int64_t *)A3);
	o->ev.tfd.ticks = 0;
	o->ev.tfd.interval = value ? interval : 0;
	if (!value)
		o->ev.tfd.next = 0;
	else if (A1 & TFD_TIMER_ABSTIME_K)
		o->ev.tfd.next = value;
	else
		o->ev.tfd.next = clock_now(o->ev.tfd.clock) + value;
	return 0;
}

long sys_timerfd_gettime(struct gk_frame *f)
{
	struct ofd *o;
	long r;

	if ((r = timer_of((long)(int)A0, &o)))
		return r;
	if (!user_ok_w(A1, 32))
		return -EFAULT;
	timer_get(o, (int64_t *)A1);
	return 0;
}
