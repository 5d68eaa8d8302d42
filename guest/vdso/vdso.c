/* vdso.c - clock_gettime, gettimeofday and time in the program's own context: TSC plus the guest kernel's calibration. */
#include <stdint.h>

#include "../../include/vmlet_abi.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define SYS_clock_gettime 228
#define SYS_gettimeofday 96

struct timespec_k {
	int64_t sec, nsec;
};

struct timeval_k {
	int64_t sec, usec;
};

static long syscall2(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

/* 0 and the time in *ns, or -1 when the guest kernel must answer (not calibrated, other clock). */
static int vdso_ns(long id, uint64_t *ns)
{
	const struct vmlet_vvar *v = (const struct vmlet_vvar *)VMLET_VVAR_ADDR;
	uint32_t lo, hi;
	uint64_t base, tsc;

	if (!v->ready)
		return -1;
	switch (id) {
	case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: base = v->real0; break;
	case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME: base = v->mono0; break;
	default: return -1;
	}
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	tsc = ((uint64_t)hi << 32) | lo;
	*ns = base + (uint64_t)(((unsigned __int128)(tsc - v->tsc0) * v->mult) >> 32);
	return 0;
}

/* Static: exported functions calling each other would need a PLT, and the vDSO has no relocations. */
static int clock_gettime_impl(long id, struct timespec_k *ts)
{
	uint64_t ns;

	if (vdso_ns(id, &ns))
		return (int)syscall2(SYS_clock_gettime, id, (long)ts);
	ts->sec = (int64_t)(ns / 1000000000u);
	ts->nsec = (int64_t)(ns % 1000000000u);
	return 0;
}

int __vdso_clock_gettime(long id, struct timespec_k *ts)
{
	return clock_gettime_impl(id, ts);
}

int __vdso_gettimeofday(struct timeval_k *tv, void *tz)
{
	uint64_t ns;

	if (tz || vdso_ns(CLOCK_REALTIME, &ns))
		return (int)syscall2(SYS_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->sec = (int64_t)(ns / 1000000000u);
		tv->usec = (int64_t)(ns % 1000000000u / 1000u);
	}
	return 0;
}

int64_t __vdso_time(int64_t *t)
{
	struct timespec_k ts;

	clock_gettime_impl(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.sec;
	return ts.sec;
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	(void)unused;
	if (cpu)
		*cpu = 0;
	if (node)
		*node = 0;
	return 0;
}

int clock_gettime(long, struct timespec_k *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval_k *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
