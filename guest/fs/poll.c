/* poll.c - poll, ppoll, select and pselect6 over every kind of descriptor, through the shared wait loop. */
#include "fs/events.h"

#include <linux/errno.h>
#include <linux/poll.h>

struct pollfd_k {
	int32_t fd;
	int16_t events, revents;
};

struct poll_ctx {
	struct pollfd_k *p;
	uint64_t n;
};

static long poll_scan(void *ctx, struct ready_wait *w)
{
	struct poll_ctx *c = ctx;
	long ready = 0;
	uint64_t i;

	for (i = 0; i < c->n; i++) {
		struct pollfd_k *p = &c->p[i];
		struct ofd *o = p->fd < 0 ? 0 : fd_get(p->fd);

		p->revents = p->fd < 0 ? 0 : !o ? POLLNVAL : (int16_t)ofd_poll(o, (uint16_t)p->events, w);
		ready += !!p->revents;
	}
	return ready;
}

static long do_poll(uint64_t addr, uint64_t n, int64_t timeout_ns)
{
	struct poll_ctx c = { (struct pollfd_k *)addr, n };

	if (n > rlimit_nofile())
		return -EINVAL;
	if (!user_ok(addr, n * sizeof(struct pollfd_k)))
		return -EFAULT;
	return ready_loop(poll_scan, &c, timeout_ns);
}

long sys_poll(struct gk_frame *f)
{
	return do_poll(A0, A1, (int)A2 < 0 ? -1 : (int64_t)(int)A2 * 1000000);
}

long sys_ppoll(struct gk_frame *f)
{
	int64_t ns;
	long r;

	if ((r = ready_timeout(A2, A3, A4, &ns)))
		return r;
	return do_poll(A0, A1, ns);
}

/* select's three sets: the program's (in), what is asked (want, copied), fds below n. */
struct select_ctx {
	uint64_t *set[3];
	uint64_t want[3][GK_FD_MAX / 64];
	long n;
};

#define SELECT_IN (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SELECT_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SELECT_EX POLLPRI

static long select_scan(void *ctx, struct ready_wait *w)
{
	static const unsigned ask[3] = { POLLIN | POLLRDNORM | POLLRDBAND, POLLOUT | POLLWRNORM | POLLWRBAND, POLLPRI };
	static const unsigned got[3] = { SELECT_IN, SELECT_OUT, SELECT_EX };
	struct select_ctx *c = ctx;
	uint64_t out[3][GK_FD_MAX / 64] = { { 0 } };
	long fd, ready = 0;
	int k;

	for (fd = 0; fd < c->n; fd++) {
		unsigned events = 0, r;
		uint64_t bit = 1ull << (fd % 64);

		for (k = 0; k < 3; k++)
			if (c->want[k][fd / 64] & bit)
				events |= ask[k];
		if (!events)
			continue;
		r = ofd_poll(fd_get(fd), events, w);
		for (k = 0; k < 3; k++)
			if ((c->want[k][fd / 64] & bit) && (r & got[k])) {
				out[k][fd / 64] |= bit;
				ready++;
			}
	}
	if (ready)
		for (k = 0; k < 3; k++)
			if (c->set[k])
				memcpy(c->set[k], out[k], ((uint64_t)c->n + 63) / 64 * 8);
	return ready;
}

/* The sets at inp, outp, exp (each may be 0) for fds below n; timeout_ns -1: none. */
static long do_select(long n, uint64_t inp, uint64_t outp, uint64_t exp, int64_t timeout_ns)
{
	uint64_t addr[3] = { inp, outp, exp }, words;
	struct select_ctx c;
	long fd, r;
	int k;

	if (n < 0)
		return -EINVAL;
	c.n = n > GK_FD_MAX ? GK_FD_MAX : n;
	words = ((uint64_t)c.n + 63) / 64;
	memset(c.want, 0, sizeof(c.want));
	for (k = 0; k < 3; k++) {
		c.set[k] = (uint64_t *)addr[k];
		if (!addr[k])
			continue;
		if (!user_ok(addr[k], words * 8))
			return -EFAULT;
		memcpy(c.want[k], c.set[k], words * 8);
		if (c.n % 64)
			c.want[k][words - 1] &= (1ull << (c.n % 64)) - 1;
	}
	for (fd = 0; fd < c.n; fd++)
		if (((c.want[0][fd / 64] | c.want[1][fd / 64] | c.want[2][fd / 64]) >> (fd % 64) & 1) && !fd_get(fd))
			return -EBADF;
	r = ready_loop(select_scan, &c, timeout_ns);
	if (r == 0)
		for (k = 0; k < 3; k++)
			if (c.set[k])
				memset(c.set[k], 0, words * 8);
	return r;
}

/* The time left of a timeout that began at start (ns) and lasts ns, for select to write back. */
static uint64_t time_left(uint64_t start, int64_t ns)
{
	uint64_t spent = time_mono_ns() - start;

	return spent >= (uint64_t)ns ? 0 : (uint64_t)ns - spent;
}

long sys_select(struct gk_frame *f)
{
	int64_t *tv = (int64_t *)A4, ns = -1;
	uint64_t start = time_mono_ns(), left;
	long r;

	if (A4) {
		if (!user_ok(A4, 16))
			return -EFAULT;
		if (tv[0] < 0 || tv[1] < 0)
			return -EINVAL;
		ns = tv[0] + tv[1] / 1000000 >= INT64_MAX / 1000000000 - 1 ? INT64_MAX
									  : (tv[0] + tv[1] / 1000000) * 1000000000 +
										    tv[1] % 1000000 * 1000;
	}
	r = do_select((long)(int)A0, A1, A2, A3, ns);
	if (A4 && r >= 0) {
		left = time_left(start, ns);
		tv[0] = (int64_t)(left / 1000000000);
		tv[1] = (int64_t)(left % 1000000000 / 1000);
	}
	return r;
}

long sys_pselect6(struct gk_frame *f)
{
	const uint64_t *sig = (const uint64_t *)A5;
	int64_t *ts = (int64_t *)A4, ns;
	uint64_t start = time_mono_ns(), left;
	long r;

	if (A5) {
		if (!user_ok(A5, 16))
			return -EFAULT;
		if (sig[0] && sig[1] != 8)
			return -EINVAL;
	}
	if ((r = ready_timespec(A4, &ns)))
		return r;
	r = do_select((long)(int)A0, A1, A2, A3, ns);
	if (A4 && r >= 0) {
		left = time_left(start, ns);
		ts[0] = (int64_t)(left / 1000000000);
		ts[1] = (int64_t)(left % 1000000000);
	}
	return r;
}
