/* events.h - readiness of descriptions and waits on it; the event kinds (eventfd, timerfd, signalfd, epoll). */
#ifndef GK_EVENTS_H
#define GK_EVENTS_H

#include "fs/fd.h"

/* What a wait for readiness may sleep on: filled by ofd_poll for the descriptions that were not ready. */
struct ready_wait {
	uint64_t deadline;  /* earliest timer expiry, CLOCK_MONOTONIC ns; UINT64_MAX: none */
	int streams;        /* host streams whose readiness only the host can see */
	uint32_t handle;    /* the first of them */
	uint32_t events;    /* what it waits for: POLLIN, or POLLOUT (a pipe's write end) */
};

/* The poll events of o among events (POLLERR and POLLHUP always count), as Linux's poll reports them;
 * what could make it ready later goes into w (may be NULL). A host stream costs one exit. */
unsigned ofd_poll(struct ofd *o, unsigned events, struct ready_wait *w);
/* epoll_ctl may watch o (Linux: the file has a poll method; regular files and directories do not). */
int ofd_pollable(const struct ofd *o);

/* scan(ctx, w) counts what is ready now (or -errno) and notes in w what to sleep on; ready_loop calls it
 * until it counts something, timeout_ns passes (-1: never) or an unblocked signal is pending (-EINTR). */
long ready_loop(long (*scan)(void *ctx, struct ready_wait *w), void *ctx, int64_t timeout_ns);
/* A blocking read or write on o waits for events: 1 once it has them, -EAGAIN if o is non-blocking, -EINTR. */
long ready_one(struct ofd *o, unsigned events);
/* A timeout timespec at addr (0: none, -1) in ns: 0 or -errno. */
long ready_timespec(uint64_t addr, int64_t *ns);
/* ... and a signal mask's size must be 8 bytes when there is one (the mask itself is not applied). */
long ready_timeout(uint64_t addr, uint64_t sigmask, uint64_t sigsetsize, int64_t *ns);

/* eventfd.c, timerfd.c, signalfd.c: read and write on a description of their kind; poll events. */
long eventfd_read(struct ofd *o, uint8_t *buf, uint64_t len);
long eventfd_write(struct ofd *o, const uint8_t *buf, uint64_t len);
unsigned eventfd_poll(struct ofd *o);
long timerfd_read(struct ofd *o, uint8_t *buf, uint64_t len);
unsigned timerfd_poll(struct ofd *o, struct ready_wait *w);
long signalfd_read(struct ofd *o, uint8_t *buf, uint64_t len);
unsigned signalfd_poll(struct ofd *o);
/* epoll.c: the instance has events to report; the description o is gone (its watches go with it). */
unsigned epoll_poll(struct ofd *o, struct ready_wait *w);
void epoll_forget(const struct ofd *o);

/* signal.c: the lowest pending signal in mask (0: none), taken off the pending set if take. */
int signal_pending_in(uint64_t mask, int take);

#endif
