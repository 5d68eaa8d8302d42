/* time.c - clocks from the guest TSC, calibrated by one hypercall on first use; sleeps go to the host. */
#include "gk.h"

#include <linux/errno.h>
#include <linux/time.h>

/*
 * Deterministic runs see a virtual clock that moves only with the program's own
 * actions: 1 us per system call plus the time it asked to sleep (sleeps return
 * at once). It starts at the manifest's epoch (realtime) and at 1 s (monotonic).
 */
#define VIRTUAL_NS_PER_SYSCALL 1000ull
static uint64_t virtual_slept;

static int deterministic(void)
{
	return gk_boot.flags & VMLET_BOOT_DETERMINISTIC;
}

static uint64_t virtual_ns(void)
{
	return gk_stats.syscalls * VIRTUAL_NS_PER_SYSCALL + virtual_slept;
}

/* Published for the vDSO (guest/vdso/vdso.c), at VMLET_VVAR_ADDR. */
struct vmlet_vvar gk_vvar __attribute__((section(".vvar")));
_Static_assert(sizeof(struct vmlet_vvar) <= VMLET_PAGE_SIZE, "the clock page is one page");

static int calibrated;
static uint64_t tsc0, mono0, real0, mult; /* ns = base + ((tsc - tsc0) * mult) >> 32 */

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void calibrate(void)
{
	uint64_t before = rdtsc(), after;

	hc(VMLET_HC_CLOCK, 0, 0, 0, 0);
	after = rdtsc();
	mono0 = gk_hypercall.out[0];
	real0 = gk_hypercall.out[1];
	tsc0 = before + (after - before) / 2;
	mult = gk_boot.tsc_khz ? (1000000ull << 32) / gk_boot.tsc_khz : 0;
	calibrated = 1;
	if (mult && !deterministic()) {
		gk_vvar.tsc0 = tsc0;
		gk_vvar.mult = mult;
		gk_vvar.mono0 = mono0;
		gk_vvar.real0 = real0;
		__atomic_store_n(&gk_vvar.ready, 1, __ATOMIC_RELEASE);
	}
}

/* Nanoseconds since mono0 (or a fresh host reading when the TSC rate is unknown). */
static uint64_t elapsed(void)
{
	if (!calibrated)
		calibrate();
	if (!mult) {
		hc(VMLET_HC_CLOCK, 0, 0, 0, 0);
		return gk_hypercall.out[0] - mono0;
	}
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc0) * mult) >> 32);
}

uint64_t time_mono_ns(void)
{
	if (deterministic())
		return 1000000000ull + virtual_ns();
	return mono0 + elapsed();
}

uint64_t time_real_ns(void)
{
	if (deterministic())
		return (uint64_t)gk_boot.epoch_ns + virtual_ns();
	return real0 + elapsed();
}

/*
 * A deterministic run's sleep moves the virtual clock to its end, or to the next timer
 * before it (whose signal may interrupt it): no real time passes.
 */
long time_sleep_left(uint64_t ns, uint64_t *left)
{
	uint64_t now = time_mono_ns(), end = ns > UINT64_MAX - now ? UINT64_MAX : now + ns, next;
	long r;

	while (now < end) {
		if (deterministic()) {
			next = timers_next();
			if (!next || next >= end) {
				virtual_slept += end - now;
				return 0;
			}
			virtual_slept += next > now ? next - now : 0;
			r = -EINTR;
		} else if ((r = hc(VMLET_HC_SLEEP, end - now, 0, 0, 0)) == 0) {
			return 0;
		}
		if (r == -EINTR && signal_interrupts()) {
			now = time_mono_ns();
			if (left)
				*left = end > now ? end - now : 0;
			return -EINTR;
		}
		now = time_mono_ns();
	}
	return 0;
}

long time_sleep(uint64_t ns)
{
	return time_sleep_left(ns, 0);
}

long time_wait_signal(void)
{
	for (;;) { /* until a signal, or the run's timeout or a kill ends the VM */
		uint64_t next = deterministic() ? timers_next() : 0, now = time_mono_ns();
		long r = -EINTR;

		if (next)
			virtual_slept += next > now ? next - now : 0;
		else
			r = hc(VMLET_HC_SLEEP, 3600000000000ull, 0, 0, 0);
		if (r == -EINTR && signal_interrupts())
			return -EINTR;
	}
}

static long clock_ns(uint64_t id, uint64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		*ns = time_real_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = time_mono_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(struct gk_frame *f)
{
	uint64_t ns;
	long r = clock_ns(A0, &ns);

	if (r)
		return r;
	if (!user_ok(A1, 16))
		return -EFAULT;
	((int64_t *)A1)[0] = (int64_t)(ns / 1000000000ull);
	((int64_t *)A1)[1] = (int64_t)(ns % 1000000000ull);
	return 0;
}

long sys_clock_getres(struct gk_frame *f)
{
	uint64_t ns;
	long r = clock_ns(A0, &ns);

	if (r)
		return r;
	if (A1) {
		if (!user_ok(A1, 16))
			return -EFAULT;
		((int64_t *)A1)[0] = 0;
		((int64_t *)A1)[1] = (A0 == CLOCK_REALTIME_COARSE || A0 == CLOCK_MONOTONIC_COARSE) ? 4000000 : 1;
	}
	return 0;
}

long sys_gettimeofday(struct gk_frame *f)
{
	uint64_t ns;

	clock_ns(CLOCK_REALTIME, &ns);
	if (A0) {
		if (!user_ok(A0, 16))
			return -EFAULT;
		((int64_t *)A0)[0] = (int64_t)(ns / 1000000000ull);
		((int64_t *)A0)[1] = (int64_t)(ns % 1000000000ull / 1000);
	}
	if (A1) {
		if (!user_ok(A1, 8))
			return -EFAULT;
		((int32_t *)A1)[0] = 0;
		((int32_t *)A1)[1] = 0;
	}
	return 0;
}

long sys_time(struct gk_frame *f)
{
	uint64_t ns;
	int64_t t;

	clock_ns(CLOCK_REALTIME, &ns);
	t = (int64_t)(ns / 1000000000ull);
	if (A0) {
		if (!user_ok(A0, 8))
			return -EFAULT;
		*(int64_t *)A0 = t;
	}
	return t;
}

long time_read_timespec(uint64_t addr, uint64_t *ns)
{
	const int64_t *ts = (const int64_t *)addr;

	if (!user_ok(addr, 16))
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	*ns = (uint64_t)ts[0] > UINT64_MAX / 1000000000ull - 1 ? UINT64_MAX
							     : (uint64_t)ts[0] * 1000000000ull + (uint64_t)ts[1];
	return 0;
}

/* Linux writes the time not slept only when a signal interrupts the sleep (EINTR). */
static long sleep_ns(uint64_t ns, uint64_t rem_addr)
{
	uint64_t left = 0;
	long r = time_sleep_left(ns, &left);

	if (r == -EINTR && rem_addr && user_ok(rem_addr, 16)) {
		((int64_t *)rem_addr)[0] = (int64_t)(left / 1000000000ull);
		((int64_t *)rem_addr)[1] = (int64_t)(left % 1000000000ull);
	}
	return r;
}

long sys_nanosleep(struct gk_frame *f)
{
	uint64_t ns;
	long r = time_read_timespec(A0, &ns);

	return r ? r : sleep_ns(ns, A1);
}

long sys_clock_nanosleep(struct gk_frame *f)
{
	uint64_t ns, now;
	long r = clock_ns(A0, &now);

	if (r)
		return r;
	r = time_read_timespec(A2, &ns);
	if (r)
		return r;
	if (A1 & TIMER_ABSTIME)
		ns = ns > now ? ns - now : 0;
	return sleep_ns(ns, (A1 & TIMER_ABSTIME) ? 0 : A3);
}
