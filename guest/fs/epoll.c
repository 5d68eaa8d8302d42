/* epoll.c - epoll instances: watches of (fd, description) pairs, level- and edge-triggered, one-shot. */
#include "fs/events.h"

#include <linux/errno.h>
#include <linux/eventpoll.h>
#include <linux/fcntl.h>

#define WATCH_MAX OFD_MAX /* watches of all instances together: one per description on average */
#define NEST_MAX 4    /* epoll instances inside epoll instances, as Linux's EP_MAX_NESTS */
#define EVENT_MAX (0x7fffffff / 12)
#define CONTROL_BITS (EPOLLET | EPOLLONESHOT | EPOLLWAKEUP | EPOLLEXCLUSIVE)

struct epoll_event_k {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

struct watch {
	struct ofd *ep; /* the instance; 0: a free slot */
	struct ofd *o;  /* the watched description */
	int32_t fd;
	uint32_t events;            /* as the program gave them, EPOLLET and kin included */
	uint64_t data;
	uint32_t seen_in, seen_out; /* the description's wake-ups up to the last report (edge-triggered) */
	uint32_t last;              /* its events at the last look: an event that rises is new */
	uint8_t disarmed;           /* EPOLLONESHOT reported it; EPOLL_CTL_MOD arms it again */
};

static struct watch watches[WATCH_MAX];
static int nesting; /* depth of epoll_poll: an instance inside an instance */

/* What wt would report now (0: nothing): level-triggered while ready, edge-triggered once per change;
 * *now: its events now. */
static unsigned watch_events(struct watch *wt, struct ready_wait *w, unsigned *now)
{
	unsigned want = wt->events & ~(unsigned)CONTROL_BITS, r;

	*now = 0;
	if (wt->disarmed)
		return 0;
	r = *now = ofd_poll(wt->o, want, w);
	if (!r || !(wt->events & EPOLLET))
		return r;
	if ((r & ~wt->last) || ((want & (EPOLLIN | EPOLLRDNORM)) && wt->o->wake_in != wt->seen_in) ||
	    ((want & (EPOLLOUT | EPOLLWRNORM)) && wt->o->wake_out != wt->seen_out))
		return r;
	return 0;
}

/* The watch was reported with r: edge-triggered state moves on, a one-shot watch is disarmed. */
static void watch_seen(struct watch *wt, unsigned r)
{
	wt->last = r;
	wt->seen_in = wt->o->wake_in;
	wt->seen_out = wt->o->wake_out;
	if (wt->events & EPOLLONESHOT)
		wt->disarmed = 1;
}

unsigned epoll_poll(struct ofd *o, struct ready_wait *w)
{
	unsigned r = 0, now;
	int i;

	if (nesting >= NEST_MAX)
		return 0;
	nesting++;
	for (i = 0; i < WATCH_MAX && !r; i++)
		if (watches[i].ep == o && watch_events(&watches[i], w, &now))
			r = EPOLLIN | EPOLLRDNORM;
	nesting--;
	return r;
}

void epoll_forget(const struct ofd *o)
{
	int i;

	for (i = 0; i < WATCH_MAX; i++)
		if (watches[i].ep == o || watches[i].o == o)
			watches[i].ep = 0;
}

static long epoll_open(uint64_t flags)
{
	struct ofd *o;

	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if (!(o = ofd_anon(OFD_EPOLL, "eventpoll", 0)))
		return -ENFILE;
	return fd_install(o, !!(flags & O_CLOEXEC), 0);
}

long sys_epoll_create(struct gk_frame *f)
{
	return (int)A0 <= 0 ? -EINVAL : epoll_open(0);
}

long sys_epoll_create1(struct gk_frame *f)
{
	return epoll_open(A0);
}

static struct watch *watch_find(const struct ofd *ep, long fd, const struct ofd *o)
{
	int i;

	for (i = 0; i < WATCH_MAX; i++)
		if (watches[i].ep == ep && watches[i].fd == fd && watches[i].o == o)
			return &watches[i];
	return 0;
}

/* inner, an epoll instance, watches outer (through instances it watches) or lies too deep. */
static int loops(const struct ofd *inner, const struct ofd *outer, int depth)
{
	int i;

	if (inner == outer || depth >= NEST_MAX)
		return 1;
	for (i = 0; i < WATCH_MAX; i++)
		if (watches[i].ep == inner && watches[i].o->kind == OFD_EPOLL && loops(watches[i].o, outer, depth + 1))
			return 1;
	return 0;
}

long sys_epoll_ctl(struct gk_frame *f)
{
	struct ofd *ep, *o;
	struct epoll_event_k ev = { 0, 0 };
	struct watch *wt;
	long fd = (long)(int)A2;
	int i;

	if (A1 != EPOLL_CTL_DEL) {
		if (!user_ok(A3, sizeof(ev)))
			return -EFAULT;
		ev = *(const struct epoll_event_k *)A3;
	}
	if (!(ep = fd_get((long)(int)A0)) || !(o = fd_get(fd)))
		return -EBADF;
	if (!ofd_pollable(o))
		return -EPERM;
	if (ep->kind != OFD_EPOLL || ep == o)
		return -EINVAL;
	wt = watch_find(ep, fd, o);
	switch (A1) {
	case EPOLL_CTL_ADD:
		if (wt)
			return -EEXIST;
		if (o->kind == OFD_EPOLL && loops(o, ep, 1))
			return -ELOOP;
		for (i = 0; i < WATCH_MAX && watches[i].ep; i++)
			;
		if (i == WATCH_MAX)
			return -ENOSPC;
		wt = &watches[i];
		*wt = (struct watch){ .ep = ep, .o = o, .fd = (int32_t)fd };
		break;
	case EPOLL_CTL_MOD:
		if (!wt)
			return -ENOENT;
		if ((ev.events & EPOLLEXCLUSIVE) || (wt->events & EPOLLEXCLUSIVE))
			return -EINVAL;
		break;
	case EPOLL_CTL_DEL:
		if (!wt)
			return -ENOENT;
		wt->ep = 0;
		return 0;
	default:
		return -EINVAL;
	}
	wt->events = ev.events | EPOLLERR | EPOLLHUP;
	wt->data = ev.data;
	wt->last = 0; /* ready now: reported once, edge-triggered too */
	wt->disarmed = 0;
	return 0;
}

struct wait_ctx {
	struct ofd *ep;
	struct epoll_event_k *out;
	long max;
};

/* Reports up to max events, starting after the last watch reported (o->off) so that none starves. */
static long scan(void *ctx, struct ready_wait *w)
{
	struct wait_ctx *c = ctx;
	uint64_t start = c->ep->off;
	long n = 0;
	int k, i;

	for (k = 0; k < WATCH_MAX && n < c->max; k++) {
		struct watch *wt = &watches[(start + (uint64_t)k) % WATCH_MAX];
		unsigned r, now;

		if (wt->ep != c->ep)
			continue;
		if (!(r = watch_events(wt, w, &now))) {
			wt->last = now; /* an event that fell may rise again */
			continue;
		}
		c->out[n].events = r;
		c->out[n].data = wt->data;
		n++;
		watch_seen(wt, r);
		i = (int)(wt - watches);
		c->ep->off = (uint64_t)(i + 1) % WATCH_MAX;
	}
	return n;
}

static long epoll_wait_ns(struct gk_frame *f, int64_t timeout_ns)
{
	struct wait_ctx c;

	if ((int)A2 <= 0 || (int)A2 > EVENT_MAX)
		return -EINVAL;
	if (!user_ok_w(A1, (uint64_t)(int)A2 * sizeof(struct epoll_event_k)))
		return -EFAULT;
	if (!(c.ep = fd_get((long)(int)A0)))
		return -EBADF;
	if (c.ep->kind != OFD_EPOLL)
		return -EINVAL;
	c.out = (struct epoll_event_k *)A1;
	c.max = (int)A2;
	return ready_loop(scan, &c, timeout_ns);
}

static int64_t ms_ns(uint64_t ms)
{
	return (int)ms < 0 ? -1 : (int64_t)(int)ms * 1000000;
}

long sys_epoll_wait(struct gk_frame *f)
{
	return epoll_wait_ns(f, ms_ns(A3));
}

long sys_epoll_pwait(struct gk_frame *f)
{
	if (A4 && A5 != 8)
		return -EINVAL;
	return epoll_wait_ns(f, ms_ns(A3));
}

long sys_epoll_pwait2(struct gk_frame *f)
{
	int64_t ns;
	long r;

	if ((r = ready_timeout(A3, A4, A5, &ns)))
		return r;
	return epoll_wait_ns(f, ns);
}
