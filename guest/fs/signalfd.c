/* signalfd.c - signalfd and signalfd4: pending signals of a mask read as struct signalfd_siginfo. */
#include "fs/events.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/poll.h>

#define UNBLOCKABLE ((1ull << 8) | (1ull << 18)) /* SIGKILL, SIGSTOP */
#define SI_TKILL_K (-6)

struct signalfd_siginfo_k {
	uint32_t signo;
	int32_t errno_, code;
	uint32_t pid, uid;
	int32_t fd;
	uint32_t tid, band, overrun, trapno;
	int32_t status, int_;
	uint64_t ptr, utime, stime, addr;
	uint16_t addr_lsb;
	uint8_t pad[46];
};
_Static_assert(sizeof(struct signalfd_siginfo_k) == 128, "struct signalfd_siginfo is 128 bytes");

static long signalfd_open(long fd, uint64_t umask, uint64_t size, uint64_t flags)
{
	struct ofd *o;
	uint64_t mask;

	if (flags & ~(uint64_t)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	if (size != 8)
		return -EINVAL;
	if (!user_ok(umask, 8))
		return -EFAULT;
	mask = *(const uint64_t *)umask & ~UNBLOCKABLE;
	if (fd != -1) {
		if (!(o = fd_get(fd)))
			return -EBADF;
		if (o->kind != OFD_SIGNALFD)
			return -EINVAL;
		o->ev.sfd.mask = mask;
		return fd;
	}
	if (!(o = ofd_anon(OFD_SIGNALFD, "signalfd", flags)))
		return -ENFILE;
	o->ev.sfd.mask = mask;
	return fd_install(o, !!(flags & O_CLOEXEC), 0);
}

long sys_signalfd(struct gk_frame *f)
{
	return signalfd_open((long)(int)A0, A1, A2, 0);
}

long sys_signalfd4(struct gk_frame *f)
{
	return signalfd_open((long)(int)A0, A1, A2, A3);
}

unsigned signalfd_poll(struct ofd *o)
{
	uint64_t pending = 0;
	int sig;

	while ((sig = signal_pending_in(o->ev.sfd.mask & ~pending, 0)))
		pending |= 1ull << (sig - 1);
	if (pending & ~o->ev.sfd.seen) /* a signal arrived: a wake-up */
		o->wake_in++;
	o->ev.sfd.seen = pending;
	return pending ? POLLIN | POLLRDNORM : 0;
}

long signalfd_read(struct ofd *o, uint8_t *buf, uint64_t len)
{
	struct signalfd_siginfo_k *si = (struct signalfd_siginfo_k *)buf;
	uint64_t done = 0;
	long r;
	int sig;

	if (len < sizeof(*si))
		return -EINVAL;
	if (!signal_pending_in(o->ev.sfd.mask, 0) && (r = ready_one(o, POLLIN)) < 0)
		return r;
	for (; done + sizeof(*si) <= len && (sig = signal_pending_in(o->ev.sfd.mask, 1)); done += sizeof(*si), si++) {
		memset(si, 0, sizeof(*si));
		si->signo = (uint32_t)sig;
		si->code = SI_TKILL_K; /* the program sent it to itself */
		si->pid = gk_pid;
		si->uid = cred_uid();
	}
	return (long)done;
}
