/* timers.c - alarm, setitimer(ITIMER_REAL) and POSIX timers: deadlines on the monotonic clock, fired as signals, the next one armed in the host. */
#include "gk.h"

#include <linux/errno.h>
#include <linux/time.h>

#define TIMERS_MAX 32 /* POSIX timers; slot TIMERS_MAX is ITIMER_REAL */
#define SIGALRM_K 14
#define SIGEV_SIGNAL_K 0
#define SIGEV_NONE_K 1
#define SI_KERNEL_K 0x80
#define SI_TIMER_K (-2)
#define NS 1000000000ull

struct gtimer {
	int used, notify, signo, clock;
	uint64_t value;    /* sigev_value */
	uint64_t deadline; /* time_mono_ns(); 0: disarmed */
	uint64_t interval;
	uint64_t overrun;  /* expirations past the first of the last firing */
};

static struct gtimer timers[TIMERS_MAX + 1];
static GK_HOT uint64_t next_deadline; /* earliest armed deadline, 0 none */
static uint64_t published;            /* what the host was told (VMLET_HC_ALARM) */

static void recompute(void)
{
	int i;

	next_deadline = 0;
	for (i = 0; i <= TIMERS_MAX; i++)
		if (timers[i].deadline && (!next_deadline || timers[i].deadline < next_deadline))
			next_deadline = timers[i].deadline;
	/* A deterministic run's clock moves only at system calls: no host timer there. */
	if (!(gk_boot.flags & VMLET_BOOT_DETERMINISTIC) && next_deadline != published) {
		published = next_deadline;
		hc(VMLET_HC_ALARM, next_deadline, 0, 0, 0);
	}
}

uint64_t timers_next(void)
{
	return next_deadline;
}

void timers_run(uint64_t fired)
{
	uint64_t now;
	int i;

	if (fired) /* the host stopped the program for that deadline: the host's clock says it passed */
		published = 0;
	if (!next_deadline) {
		if (fired)
			recompute();
		return;
	}
	now = time_mono_ns();
	if (fired > now)
		now = fired;
	if (next_deadline > now && !fired)
		return;
	for (i = 0; i <= TIMERS_MAX; i++) {
		struct gtimer *t = &timers[i];
		if (!t->deadline || t->deadline > now)
			continue;
		t->overrun = 0;
		if (t->interval) {
			uint64_t late = (now - t->deadline) / t->interval;
			t->overrun = late;
			t->deadline += (late + 1) * t->interval;
		} else {
			t->deadline = 0;
		}
		if (t->notify == SIGEV_SIGNAL_K)
			signal_send(t->signo, i == TIMERS_MAX ? SI_KERNEL_K : SI_TIMER_K, t->value,
				    i == TIMERS_MAX ? 0 : (uint32_t)i | (t->overrun << 32));
	}
	recompute();
}

/* ns of a (sec, nsec) pair from the program, or -EINVAL; timespec and timeval alike (unit ns per tick). */
static int64_t span(const int64_t *v, uint64_t unit, uint64_t limit)
{
	if (v[0] < 0 || v[1] < 0 || (uint64_t)v[1] >= limit)
		return -EINVAL;
	if ((uint64_t)v[0] > (UINT64_MAX >> 2) / NS)
		return (int64_t)(UINT64_MAX >> 2);
	return (int64_t)((uint64_t)v[0] * NS + (uint64_t)v[1] * unit);
}


static uint64_t left_of(const struct gtimer *t)
{
	uint64_t now = time_mono_ns();

	return !t->deadline ? 0 : t->deadline > now ? t->deadline - now : 1;
}

/* struct itimerval (unit 1000: microseconds) or itimerspec (unit 1) of t at v: interval, then time left. */
static void put_timer(int64_t *v, const struct gtimer *t, uint64_t unit)
{
	uint64_t left = left_of(t);

	v[0] = (int64_t)(t->interval / NS);
	v[1] = (int64_t)(t->interval % NS / unit);
	v[2] = (int64_t)(left / NS);
	v[3] = (int64_t)(left % NS / unit);
}

/* Arm t: value ns from now (or at the absolute time abs on its clock), then every interval. */
static void arm(struct gtimer *t, uint64_t value, uint64_t interval, int abs)
{
	uint64_t now = time_mono_ns(), base;

	if (!value) {
		t->deadline = 0;
	} else if (abs) { /* a time already past fires at once */
		base = t->clock == CLOCK_REALTIME ? time_real_ns() : now;
		t->deadline = value > base ? now + (value - base) : now;
	} else {
		t->deadline = now + value;
	}
	t->interval = value ? interval : 0;
	recompute();
}

long sys_alarm(struct gk_frame *f)
{
	struct gtimer *t = &timers[TIMERS_MAX];
	uint64_t left = left_of(t);

	t->notify = SIGEV_SIGNAL_K;
	t->signo = SIGALRM_K;
	arm(t, (uint64_t)(uint32_t)A0 * NS, 0, 0);
	return (long)((left + NS / 2) / NS) + (left && left < NS / 2); /* rounded, never 0 if armed */
}

long sys_getitimer(struct gk_frame *f)
{
	const struct gtimer *t = &timers[TIMERS_MAX];

	if (A0 != 0) /* ITIMER_REAL only: no CPU-time clocks */
		return A0 <= 2 ? -ENOSYS : -EINVAL;
	if (!user_ok(A1, 32))
		return -EFAULT;
	put_timer((int64_t *)A1, t, 1000);
	return 0;
}

long sys_setitimer(struct gk_frame *f)
{
	struct gtimer *t = &timers[TIMERS_MAX];
	int64_t interval, value;

	if (A0 != 0)
		return A0 <= 2 ? -ENOSYS : -EINVAL;
	if (A1 && !user_ok(A1, 32))
		return -EFAULT;
	if (A2 && !user_ok(A2, 32))
		return -EFAULT;
	interval = A1 ? span((const int64_t *)A1, 1000, 1000000) : 0;
	value = A1 ? span((const int64_t *)A1 + 2, 1000, 1000000) : 0;
	if (interval < 0 || value < 0)
		return -EINVAL;
	if (A2) {
		put_timer((int64_t *)A2, t, 1000);
	}
	t->notify = SIGEV_SIGNAL_K;
	t->signo = SIGALRM_K;
	arm(t, (uint64_t)value, (uint64_t)interval, 0);
	return 0;
}

struct sigevent_k {
	uint64_t value;
	int32_t signo, notify;
};

long sys_timer_create(struct gk_frame *f)
{
	struct sigevent_k ev = { 0, SIGALRM_K, SIGEV_SIGNAL_K };
	int i;

	/* The CPU-time clocks are the monotonic clock here (time.c), and so are their timers. */
	if (A0 > CLOCK_BOOTTIME || A0 == CLOCK_MONOTONIC_RAW || A0 == CLOCK_REALTIME_COARSE ||
	    A0 == CLOCK_MONOTONIC_COARSE)
		return -EINVAL;
	if (A1) {
		if (!user_ok(A1, sizeof(ev)))
			return -EFAULT;
		ev = *(const struct sigevent_k *)A1;
		if (ev.notify != SIGEV_SIGNAL_K && ev.notify != SIGEV_NONE_K)
			return -EINVAL; /* SIGEV_THREAD_ID: no threads */
		if (ev.notify == SIGEV_SIGNAL_K && (ev.signo < 1 || ev.signo > 64))
			return -EINVAL;
	}
	if (!user_ok_w(A2, 4))
		return -EFAULT;
	for (i = 0; i < TIMERS_MAX && timers[i].used; i++)
		;
	if (i == TIMERS_MAX)
		return -EAGAIN;
	timers[i] = (struct gtimer){ .used = 1, .notify = ev.notify, .signo = ev.signo, .clock = (int)A0,
				     .value = A1 ? ev.value : (uint64_t)i };
	*(int32_t *)A2 = i;
	return 0;
}

static struct gtimer *timer_of(uint64_t id)
{
	return id < TIMERS_MAX && timers[id].used ? &timers[id] : 0;
}

long sys_timer_settime(struct gk_frame *f)
{
	struct gtimer *t = timer_of(A0);
	int64_t interval, value;

	if (!t)
		return -EINVAL;
	if (!user_ok(A2, 32) || (A3 && !user_ok(A3, 32)))
		return -EFAULT;
	interval = span((const int64_t *)A2, 1, NS);
	value = span((const int64_t *)A2 + 2, 1, NS);
	if (interval < 0 || value < 0)
		return -EINVAL;
	if (A3) {
		put_timer((int64_t *)A3, t, 1);
	}
	arm(t, (uint64_t)value, (uint64_t)interval, (A1 & TIMER_ABSTIME) != 0);
	return 0;
}

long sys_timer_gettime(struct gk_frame *f)
{
	const struct gtimer *t = timer_of(A0);

	if (!t)
		return -EINVAL;
	if (!user_ok(A1, 32))
		return -EFAULT;
	put_timer((int64_t *)A1, t, 1);
	return 0;
}

long sys_timer_getoverrun(struct gk_frame *f)
{
	const struct gtimer *t = timer_of(A0);

	return t ? (long)t->overrun : -EINVAL;
}

long sys_timer_delete(struct gk_frame *f)
{
	struct gtimer *t = timer_of(A0);

	if (!t)
		return -EINVAL;
	*t = (struct gtimer){ 0 };
	recompute();
	return 0;
}

void timers_forked_child(void)
{
	memset(timers, 0, sizeof(timers)); /* a child inherits no alarm, itimer or POSIX timer */
	next_deadline = published = 0;     /* nor the host's timer: its VMM has none armed */
}

void timers_exec_reset(void)
{
	memset(timers, 0, TIMERS_MAX * sizeof(timers[0])); /* POSIX timers go; alarm and ITIMER_REAL stay */
	recompute();
}
