/* events.c - eventfd, timerfd, poll/select, epoll and signalfd semantics, printed so that a vmlet run and a native run compare byte for byte (nothing timing-dependent is printed). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000L

static const char *ename(int e)
{
	switch (e) {
	case EAGAIN: return "EAGAIN";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EPERM: return "EPERM";
	case EEXIST: return "EEXIST";
	case ENOENT: return "ENOENT";
	case ELOOP: return "ELOOP";
	case EINTR: return "EINTR";
	case EFAULT: return "EFAULT";
	case ENOSYS: return "ENOSYS";
	default: return "other";
	}
}

static void say(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, ename(errno));
	else
		printf("%s: %ld\n", what, r);
}

static uint64_t rd(int fd, const char *what)
{
	uint64_t v = 0;
	ssize_t n = read(fd, &v, sizeof(v));

	if (n < 0)
		printf("%s: -1 %s\n", what, ename(errno));
	else
		printf("%s: %zd bytes, %llu\n", what, n, (unsigned long long)v);
	return n < 0 ? 0 : v;
}

static void wr(int fd, uint64_t v, const char *what)
{
	say(what, write(fd, &v, sizeof(v)));
}

static int revents(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0 };
	int r = poll(&p, 1, timeout);

	return r < 0 ? -errno : p.revents;
}

static void eventfd_checks(void)
{
	int fd = eventfd(3, 0), sem, nb;
	char small[4] = { 0 };
	char link[64] = { 0 }, path[64];

	puts("== eventfd");
	rd(fd, "read initial 3");
	wr(fd, 5, "write 5");
	wr(fd, 2, "write 2");
	rd(fd, "read sum");
	say("read 4 bytes", read(fd, small, 4));
	say("write 4 bytes", write(fd, small, 4));
	wr(fd, UINT64_MAX, "write 2^64-1");
	say("eventfd2 bad flags", eventfd(0, 0x100));
	printf("poll empty: %#x\n", revents(fd, POLLIN | POLLOUT, 0));
	wr(fd, 1, "write 1");
	printf("poll one: %#x\n", revents(fd, POLLIN | POLLOUT, 0));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	say("lseek", lseek(fd, 5, SEEK_SET));
	say("readlink", readlink(path, link, sizeof(link) - 1));
	printf("link: %s\n", link);
	close(fd);

	sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	printf("semaphore flags: %#x cloexec %d\n", fcntl(sem, F_GETFL) & (O_ACCMODE | O_NONBLOCK),
	       fcntl(sem, F_GETFD));
	rd(sem, "sem read");
	rd(sem, "sem read");
	rd(sem, "sem read empty");
	close(sem);

	nb = eventfd(0, 0);
	int on = 1;
	say("FIONBIO", ioctl(nb, FIONBIO, &on));
	rd(nb, "nonblock read empty");
	wr(nb, 0xfffffffffffffffeull, "write max");
	printf("poll full: %#x\n", revents(nb, POLLIN | POLLOUT, 0));
	wr(nb, 1, "write past max");
	rd(nb, "read max");
	printf("poll drained: %#x\n", revents(nb, POLLIN | POLLOUT, 0));
	close(nb);
}

static void show_timer(int fd, const char *what, long max_ns)
{
	struct itimerspec cur;

	if (timerfd_gettime(fd, &cur) < 0) {
		printf("%s: -1 %s\n", what, ename(errno));
		return;
	}
	long left = cur.it_value.tv_sec * 1000000000L + cur.it_value.tv_nsec;
	printf("%s: interval %ld.%09ld, value %s\n", what, (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec,
	       left == 0 ? "0" : left <= max_ns ? "pending" : "too large");
}

static void timerfd_checks(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 30 * MS } }, old;
	struct timespec now;
	int fd, efd = eventfd(0, 0);
	uint64_t n;

	puts("== timerfd");
	say("create bad clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
	say("create bad flags", timerfd_create(CLOCK_MONOTONIC, 0x1));
	say("settime on eventfd", timerfd_settime(efd, 0, &its, 0));
	say("settime on bad fd", timerfd_settime(999, 0, &its, 0));
	close(efd);
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	show_timer(fd, "disarmed", 0);
	its.it_value.tv_nsec = 1000000000;
	say("settime bad nsec", timerfd_settime(fd, 0, &its, 0));
	say("settime bad flags", timerfd_settime(fd, 0x10, &its, 0));
	its.it_value.tv_nsec = 300 * MS;
	say("settime one-shot 300ms (checked at once: robust to slow machines)", timerfd_settime(fd, 0, &its, 0));
	show_timer(fd, "armed", 300 * MS);
	rd(fd, "blocking read one-shot");
	show_timer(fd, "expired", 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	rd(fd, "read again");
	say("write", write(fd, &n, 8));
	say("read 4 bytes", read(fd, &n, 4));

	its = (struct itimerspec){ { 0, 20 * MS }, { 0, 20 * MS } };
	say("settime interval 20ms", timerfd_settime(fd, 0, &its, 0));
	printf("poll armed: %#x\n", revents(fd, POLLIN, -1));
	n = 0;
	read(fd, &n, 8);
	printf("interval read: %s\n", n >= 1 ? "at least 1" : "none");
	show_timer(fd, "interval", 20 * MS);
	its = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
	say("disarm", timerfd_settime(fd, 0, &its, &old));
	printf("old: interval %ld.%09ld\n", (long)old.it_interval.tv_sec, old.it_interval.tv_nsec);
	show_timer(fd, "disarmed", 0);
	rd(fd, "read disarmed");
	printf("poll disarmed 20ms: %#x\n", revents(fd, POLLIN, 20));
	close(fd);

	/* Absolute times in the past: the expirations are counted at once (10 s periods: robust to delays). */
	fd = timerfd_create(CLOCK_REALTIME, 0); /* blocking: Linux counts a past expiry in its timer interrupt, a moment later */
	clock_gettime(CLOCK_REALTIME, &now);
	its = (struct itimerspec){ { 10, 0 }, { now.tv_sec - 35, now.tv_nsec } };
	say("settime realtime abstime past", timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, 0));
	rd(fd, "expirations of 10 s periods 35 s ago");
	close(fd);
	fd = timerfd_create(CLOCK_BOOTTIME, 0);
	clock_gettime(CLOCK_BOOTTIME, &now);
	its = (struct itimerspec){ { 0, 0 }, { now.tv_sec, now.tv_nsec } };
	say("settime boottime abstime now", timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, 0));
	rd(fd, "one-shot read");
	close(fd);
}

static void poll_select_checks(void)
{
	int efd = eventfd(0, EFD_NONBLOCK), tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	int mfd = memfd_create("m", 0), dn = open("/dev/null", O_RDWR), pr = open("/proc/self/status", O_RDONLY);
	int closed = dup(0);
	struct pollfd p[8];
	struct itimerspec its = { { 0, 0 }, { 0, 20 * MS } };
	struct timeval tv;
	struct timespec ts;
	fd_set rs, ws;
	sigset_t mask;
	int i, r;

	puts("== poll and select");
	close(closed);
	p[0] = (struct pollfd){ 1, POLLOUT, 0 };
	p[1] = (struct pollfd){ efd, POLLIN | POLLOUT, 0 };
	p[2] = (struct pollfd){ tfd, POLLIN, 0 };
	p[3] = (struct pollfd){ mfd, POLLIN | POLLOUT, 0 };
	p[4] = (struct pollfd){ dn, POLLIN, 0 };
	p[5] = (struct pollfd){ pr, POLLIN, 0 };
	p[6] = (struct pollfd){ closed, POLLIN, 0 };
	p[7] = (struct pollfd){ -1, POLLIN, 0 };
	say("poll all", poll(p, 8, 0));
	for (i = 0; i < 8; i++)
		printf("  [%d] %#x\n", i, p[i].revents);
	say("poll nothing 30ms", poll(&p[2], 1, 30));
	timerfd_settime(tfd, 0, &its, 0);
	say("poll timerfd forever", poll(&p[2], 1, -1));
	printf("  revents %#x\n", p[2].revents);
	ts = (struct timespec){ 0, 10 * MS };
	sigemptyset(&mask);
	say("ppoll timeout", ppoll(&p[2], 0, &ts, &mask));

	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_SET(efd, &rs);
	FD_SET(tfd, &rs);
	FD_SET(mfd, &rs);
	FD_SET(efd, &ws);
	tv = (struct timeval){ 0, 0 };
	r = select(tfd > mfd ? tfd + 1 : mfd + 1, &rs, &ws, 0, &tv);
	printf("select: %d efd r%d w%d tfd r%d mfd r%d\n", r, FD_ISSET(efd, &rs), FD_ISSET(efd, &ws),
	       FD_ISSET(tfd, &rs), FD_ISSET(mfd, &rs));
	FD_ZERO(&rs);
	FD_SET(efd, &rs);
	tv = (struct timeval){ 0, 30000 };
	r = select(efd + 1, &rs, 0, 0, &tv);
	printf("select timeout: %d set %d left %ld.%06ld\n", r, FD_ISSET(efd, &rs), (long)tv.tv_sec, (long)tv.tv_usec);
	FD_SET(closed, &rs);
	say("select closed fd", select(closed + 1, &rs, 0, 0, &tv));
	say("select nfds -1", select(-1, 0, 0, 0, &tv));
	tv = (struct timeval){ 0, -1 };
	say("select bad timeval", select(1, 0, 0, 0, &tv));
	uint64_t one = 1;
	write(efd, &one, 8);
	FD_ZERO(&rs);
	FD_SET(efd, &rs);
	FD_SET(tfd, &rs);
	ts = (struct timespec){ 5, 0 };
	r = pselect(tfd > efd ? tfd + 1 : efd + 1, &rs, 0, 0, &ts, &mask);
	printf("pselect: %d efd %d tfd %d\n", r, FD_ISSET(efd, &rs), FD_ISSET(tfd, &rs));
	FD_ZERO(&rs);
	FD_SET(tfd, &rs);
	ts = (struct timespec){ 0, 20 * MS };
	r = pselect(tfd + 1, &rs, 0, 0, &ts, 0);
	printf("pselect timeout: %d tfd %d\n", r, FD_ISSET(tfd, &rs));
	timerfd_settime(tfd, 0, &its, 0);
	FD_ZERO(&rs);
	FD_SET(tfd, &rs);
	r = select(tfd + 1, &rs, 0, 0, 0);
	printf("select timerfd forever: %d tfd %d\n", r, FD_ISSET(tfd, &rs));
	close(efd);
	close(tfd);
	close(mfd);
	close(dn);
	close(pr);
}

struct seen {
	uint64_t data;
	uint32_t events;
};

static int by_data(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	return x->data < y->data ? -1 : x->data > y->data;
}

/* epoll_wait, events sorted by data (Linux's order is that of its ready list). */
static void ewait(int ep, int timeout, const char *what)
{
	struct epoll_event ev[8];
	struct seen s[8];
	int n = epoll_wait(ep, ev, 8, timeout), i;

	if (n < 0) {
		printf("%s: -1 %s\n", what, ename(errno));
		return;
	}
	for (i = 0; i < n; i++)
		s[i] = (struct seen){ ev[i].data.u64, ev[i].events };
	qsort(s, (size_t)n, sizeof(s[0]), by_data);
	printf("%s: %d", what, n);
	for (i = 0; i < n; i++)
		printf(" [%#llx %#x]", (unsigned long long)s[i].data, s[i].events);
	putchar('\n');
}

static int ectl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, op, fd, &ev);
}

static void epoll_checks(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), efd = eventfd(0, EFD_NONBLOCK), et = eventfd(0, EFD_NONBLOCK);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), mfd = memfd_create("m", 0), inner, dn, keep;
	struct itimerspec its = { { 0, 0 }, { 0, 20 * MS } };
	struct timespec ts = { 0, 10 * MS };
	struct epoll_event ev[2];
	sigset_t mask;

	puts("== epoll");
	say("create1 bad flags", epoll_create1(1));
	say("create 0", epoll_create(0));
	say("ctl memfd", ectl(ep, EPOLL_CTL_ADD, mfd, EPOLLIN, 1));
	dn = open("/dev/zero", O_RDONLY);
	say("ctl /dev/zero", ectl(ep, EPOLL_CTL_ADD, dn, EPOLLIN, 1));
	say("ctl bad fd", ectl(ep, EPOLL_CTL_ADD, 999, EPOLLIN, 1));
	say("ctl on non-epoll", ectl(efd, EPOLL_CTL_ADD, et, EPOLLIN, 1));
	say("ctl self", ectl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 1));
	say("ctl bad op", ectl(ep, 7, efd, EPOLLIN, 1));
	say("mod missing", ectl(ep, EPOLL_CTL_MOD, efd, EPOLLIN, 1));
	say("del missing", ectl(ep, EPOLL_CTL_DEL, efd, 0, 0));
	say("add lt eventfd", ectl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, 0x1122334455667788ull));
	say("add again", ectl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, 1));
	say("add et eventfd", ectl(ep, EPOLL_CTL_ADD, et, EPOLLIN | EPOLLOUT | EPOLLET, 0xe7));
	say("wait maxevents 0", epoll_wait(ep, ev, 0, 0));
	say("wait on eventfd", epoll_wait(efd, ev, 1, 0));
	ewait(ep, 0, "et writable once");
	ewait(ep, 0, "nothing");
	wr(efd, 1, "lt write");
	ewait(ep, -1, "lt ready");
	ewait(ep, 0, "lt still ready");
	rd(efd, "lt read");
	ewait(ep, 0, "lt drained");
	wr(et, 1, "et write");
	ewait(ep, 0, "et ready");
	ewait(ep, 0, "et not again");
	wr(et, 1, "et write more");
	ewait(ep, 0, "et new write");
	rd(et, "et read");
	ewait(ep, 0, "et read wakes writers");
	say("mod et to oneshot", ectl(ep, EPOLL_CTL_MOD, et, EPOLLOUT | EPOLLONESHOT, 0x05));
	ewait(ep, 0, "oneshot");
	ewait(ep, 0, "oneshot disarmed");
	say("mod rearm", ectl(ep, EPOLL_CTL_MOD, et, EPOLLOUT | EPOLLONESHOT, 0x06));
	ewait(ep, 0, "oneshot rearmed");
	say("del et", ectl(ep, EPOLL_CTL_DEL, et, 0, 0));

	say("add timerfd", ectl(ep, EPOLL_CTL_ADD, tfd, EPOLLIN | EPOLLET, 0x7f));
	timerfd_settime(tfd, 0, &its, 0);
	ewait(ep, -1, "timer expired");
	rd(tfd, "timer read");
	sigemptyset(&mask);
	say("pwait timeout", epoll_pwait(ep, ev, 2, 10, &mask));
	say("pwait2 timeout", (int)syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, &mask, 8));
	its.it_value.tv_nsec = 10 * MS;
	timerfd_settime(tfd, 0, &its, 0);
	say("pwait2 timer", (int)syscall(SYS_epoll_pwait2, ep, ev, 2, 0, 0, 0));
	printf("  [%#llx %#x]\n", (unsigned long long)ev[0].data.u64, ev[0].events);
	rd(tfd, "timer read");

	wr(efd, 1, "lt write");
	printf("poll epoll fd: %#x\n", revents(ep, POLLIN, 0));
	inner = epoll_create1(0);
	say("nest", ectl(inner, EPOLL_CTL_ADD, ep, EPOLLIN, 0xaa));
	say("nest loop", ectl(ep, EPOLL_CTL_ADD, inner, EPOLLIN, 0xbb));
	ewait(inner, 0, "inner");
	keep = dup(efd);
	close(efd);
	ewait(ep, 0, "closed but duplicated");
	close(keep);
	ewait(ep, 0, "closed");
	close(inner);
	close(ep);
	close(et);
	close(tfd);
	close(mfd);
	close(dn);
}

static void signalfd_checks(void)
{
	struct signalfd_siginfo si[3];
	sigset_t mask;
	int fd, ep, efd = eventfd(0, 0);
	ssize_t n;

	puts("== signalfd");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, 0);
	say("bad size", syscall(SYS_signalfd4, -1, &mask, 4, 0));
	say("bad flags", syscall(SYS_signalfd4, -1, &mask, 8, 1));
	say("on eventfd", signalfd(efd, &mask, 0));
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	say("read empty", read(fd, si, sizeof(si)));
	printf("poll empty: %#x\n", revents(fd, POLLIN, 0));
	ep = epoll_create1(0);
	ectl(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLET, 0x516);
	ewait(ep, 0, "epoll empty");
	raise(SIGUSR1);
	printf("poll raised: %#x\n", revents(fd, POLLIN, -1));
	ewait(ep, -1, "epoll raised");
	ewait(ep, 0, "epoll et again");
	say("read small", read(fd, si, 64));
	n = read(fd, si, sizeof(si));
	printf("read: %zd signo %u code %d errno %d own pid %d own uid %d\n", n, si[0].ssi_signo, si[0].ssi_code,
	       si[0].ssi_errno, si[0].ssi_pid == (uint32_t)getpid(), si[0].ssi_uid == getuid());
	kill(getpid(), SIGUSR2);
	raise(SIGUSR1);
	ewait(ep, 0, "epoll two");
	n = read(fd, si, sizeof(si));
	printf("read: %zd signos %u %u\n", n, si[0].ssi_signo, n > 128 ? si[1].ssi_signo : 0);
	sigdelset(&mask, SIGUSR1);
	say("update mask", signalfd(fd, &mask, 0) == fd);
	raise(SIGUSR1);
	say("read other signal", read(fd, si, sizeof(si)));
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &mask, 0);
	close(ep);
	close(fd);
	close(efd);
}

/* stdin is a pipe whose writer wrote "hello\n" and closed it: epoll, poll and select see it. */
static void stdin_checks(void)
{
	int lt = epoll_create1(0), et = epoll_create1(0);
	char buf[64];
	fd_set rs;
	struct timeval tv = { 0, 0 };

	puts("== stdin");
	printf("poll: %#x\n", revents(0, POLLIN, -1));
	FD_ZERO(&rs);
	FD_SET(0, &rs);
	say("select", select(1, &rs, 0, 0, &tv));
	say("add lt", ectl(lt, EPOLL_CTL_ADD, 0, EPOLLIN, 0x10));
	say("add et", ectl(et, EPOLL_CTL_ADD, 0, EPOLLIN | EPOLLET, 0x20));
	ewait(lt, -1, "lt");
	ewait(lt, 0, "lt again");
	ewait(et, -1, "et");
	ewait(et, 0, "et again");
	say("read", read(0, buf, 3));
	ewait(lt, 0, "lt after partial read");
	ewait(et, 0, "et after partial read");
	say("read", read(0, buf, sizeof(buf)));
	say("read eof", read(0, buf, sizeof(buf)));
	ewait(lt, 0, "lt at eof");
	printf("poll eof: %#x\n", revents(0, POLLIN, 0));
	close(lt);
	close(et);
}

/* stdin is /dev/null: always ready, and epoll refuses it (the device has no poll method). */
static void devnull_checks(void)
{
	int ep = epoll_create1(0);
	char c;

	puts("== stdin /dev/null");
	printf("poll: %#x\n", revents(0, POLLIN | POLLOUT, -1));
	say("epoll add", ectl(ep, EPOLL_CTL_ADD, 0, EPOLLIN, 1));
	say("read", read(0, &c, 1));
	close(ep);
}

/* path is a FIFO a writer fills and closes: epoll waits for its input until the end, then reports the hang-up. */
static void fifo_checks(const char *path)
{
	int fd = open(path, O_RDONLY), ep = epoll_create1(0);
	char data[256];
	size_t got = 0;
	ssize_t n = 1;
	struct epoll_event ev;

	puts("== fifo");
	say("epoll add", ectl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0xf1f0));
	while (n > 0 && got < sizeof(data) && epoll_wait(ep, &ev, 1, -1) == 1) {
		if (!(ev.events & (EPOLLIN | EPOLLHUP)) || ev.data.u64 != 0xf1f0)
			printf("unexpected event %#x\n", ev.events);
		n = read(fd, data + got, sizeof(data) - got);
		got += n > 0 ? (size_t)n : 0;
	}
	printf("read %zu bytes: %.*s", got, (int)got, data);
	ewait(ep, 0, "at the end");
	printf("poll at the end: %#x\n", revents(fd, POLLIN, 0));
	close(ep);
	close(fd);
}

/* path is a FIFO no writer ever opens: never ready, so every wait is its timeout (or a timer's). */
static void quiet_fifo_checks(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK), ep = epoll_create1(0), tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { { 0, 0 }, { 0, 30 * MS } };
	struct timeval tv = { 0, 20000 };
	fd_set rs;

	puts("== quiet fifo");
	printf("poll 50ms: %#x\n", revents(fd, POLLIN, 50));
	FD_ZERO(&rs);
	FD_SET(fd, &rs);
	say("select 20ms", select(fd + 1, &rs, 0, 0, &tv));
	ectl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0xf1f0);
	ewait(ep, 20, "epoll 20ms");
	ectl(ep, EPOLL_CTL_ADD, tfd, EPOLLIN, 0x7f);
	timerfd_settime(tfd, 0, &its, 0);
	ewait(ep, -1, "epoll with a timer");
	rd(tfd, "timer read");
	close(tfd);
	close(ep);
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "stdin")) {
		stdin_checks();
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "quiet")) {
		quiet_fifo_checks(argv[2]);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "fifo")) {
		fifo_checks(argv[2]);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "devnull")) {
		devnull_checks();
		return 0;
	}
	eventfd_checks();
	timerfd_checks();
	poll_select_checks();
	epoll_checks();
	signalfd_checks();
	return 0;
}
