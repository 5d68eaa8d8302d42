/* misc.c - process identity, limits, system information, TLS, futex and exit: answered inside the guest. */
#include "gk.h"

#include <linux/errno.h>
#include <linux/futex.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include <linux/utsname.h>

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define USER_ADDR_LIMIT 0x800000000000ull

static uint32_t umask_value = 022;

long sys_arch_prctl(struct gk_frame *f)
{
	uint64_t v;

	switch (A0) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (A1 >= USER_ADDR_LIMIT)
			return -EPERM;
		if (A0 == ARCH_SET_FS)
			__asm__ volatile("wrfsbase %0" : : "r"(A1));
		else
			__asm__ volatile("wrgsbase %0" : : "r"(A1));
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		if (!user_ok(A1, 8))
			return -EFAULT;
		if (A0 == ARCH_GET_FS)
			__asm__ volatile("rdfsbase %0" : "=r"(v));
		else
			__asm__ volatile("rdgsbase %0" : "=r"(v));
		*(uint64_t *)A1 = v;
		return 0;
	case ARCH_GET_CPUID:
		return 1;
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(struct gk_frame *f)
{
	(void)f;
	return gk_pid;
}

long sys_set_robust_list(struct gk_frame *f)
{
	return A1 == 24 ? 0 : -EINVAL;
}

long sys_rseq(struct gk_frame *f)
{
	if (A2 & 1) /* RSEQ_FLAG_UNREGISTER */
		return 0;
	if (A2 || A1 < 32 || (A0 & 31))
		return -EINVAL;
	if (!user_ok(A0, A1))
		return -EFAULT;
	((uint32_t *)A0)[0] = 0; /* cpu_id_start */
	((uint32_t *)A0)[1] = 0; /* cpu_id */
	return 0;
}

/* What a new VM's program starts with: soft and hard limits equal. */
static uint64_t initial_limit(uint64_t resource)
{
	switch (resource) {
	case RLIMIT_STACK: return gk_boot.user_hi - gk_boot.stack_lo;
	case RLIMIT_NOFILE: return GK_FD_MAX;
	case RLIMIT_AS:
	case RLIMIT_DATA: return gk_boot.mem_bytes;
	case RLIMIT_CORE: return 0;
	case RLIMIT_NPROC: return 1;
	default: return RLIM_INFINITY;
	}
}

/* The limits as the program set them ({0, 0} until first used). RLIMIT_NOFILE is
 * enforced on fd numbers; the others are what the VM's size already enforces. */
static uint64_t limits[RLIM_NLIMITS][2];
static int limits_set[RLIM_NLIMITS];

static uint64_t *limit_of(uint64_t resource)
{
	if (!limits_set[resource]) {
		limits[resource][0] = limits[resource][1] = initial_limit(resource);
		limits_set[resource] = 1;
	}
	return limits[resource];
}

uint64_t rlimit_nofile(void)
{
	return limit_of(RLIMIT_NOFILE)[0];
}

/* Soft above hard is EINVAL; a hard limit above the VM's own is EPERM (the VM cannot grow). */
static long limit_set(uint64_t resource, const uint64_t want[2])
{
	uint64_t *cur = limit_of(resource);

	if (want[0] > want[1])
		return -EINVAL;
	if (want[1] > initial_limit(resource))
		return -EPERM;
	cur[0] = want[0];
	cur[1] = want[1];
	return 0;
}

long sys_prlimit64(struct gk_frame *f)
{
	uint64_t want[2];

	if (A0 != 0 && (int)A0 != gk_pid)
		return -ESRCH;
	if (A1 >= RLIM_NLIMITS)
		return -EINVAL;
	if (A2) {
		if (!user_ok(A2, 16))
			return -EFAULT;
		memcpy(want, (const void *)A2, sizeof(want));
	}
	if (A3) {
		if (!user_ok(A3, 16))
			return -EFAULT;
		memcpy((void *)A3, limit_of(A1), 16);
	}
	return A2 ? limit_set(A1, want) : 0;
}

long sys_setrlimit(struct gk_frame *f)
{
	uint64_t want[2];

	if (A0 >= RLIM_NLIMITS)
		return -EINVAL;
	if (!user_ok(A1, 16))
		return -EFAULT;
	memcpy(want, (const void *)A1, sizeof(want));
	return limit_set(A0, want);
}

long sys_getrlimit(struct gk_frame *f)
{
	if (A0 >= RLIM_NLIMITS)
		return -EINVAL;
	if (!user_ok(A1, 16))
		return -EFAULT;
	memcpy((void *)A1, limit_of(A0), 16);
	return 0;
}

long sys_pause(struct gk_frame *f)
{
	(void)f;
	return time_wait_signal();
}

static void copy_field(char *dst, const char *src)
{
	memcpy(dst, src, strlen(src) + 1);
}

long sys_uname(struct gk_frame *f)
{
	struct new_utsname *u = (struct new_utsname *)A0;

	if (!user_ok(A0, sizeof(*u)))
		return -EFAULT;
	memset(u, 0, sizeof(*u));
	copy_field(u->sysname, GK_UTS_SYSNAME);
	copy_field(u->nodename, GK_UTS_NODENAME);
	copy_field(u->release, GK_UTS_RELEASE);
	copy_field(u->version, GK_UTS_VERSION);
	copy_field(u->machine, "x86_64");
	copy_field(u->domainname, "(none)");
	return 0;
}

uint32_t umask_get(void)
{
	return umask_value;
}

long sys_umask(struct gk_frame *f)
{
	uint32_t old = umask_value;

	umask_value = (uint32_t)A0 & 0777;
	return old;
}

long sys_getpriority(struct gk_frame *f)
{
	(void)f;
	return 20;
}

long sys_sched_getaffinity(struct gk_frame *f)
{
	if (A1 < 8 || (A1 & 7))
		return -EINVAL;
	if (!user_ok(A2, A1))
		return -EFAULT;
	memset((void *)A2, 0, A1);
	*(uint8_t *)A2 = 1;
	return 8;
}

long sys_sched_yield(struct gk_frame *f)
{
	(void)f;
	return 0;
}

long sys_sched_getparam(struct gk_frame *f)
{
	if (!user_ok(A1, 4))
		return -EFAULT;
	*(int32_t *)A1 = 0;
	return 0;
}

long sys_sysinfo(struct gk_frame *f)
{
	struct sysinfo *s = (struct sysinfo *)A0;

	if (!user_ok(A0, sizeof(*s)))
		return -EFAULT;
	memset(s, 0, sizeof(*s));
	s->uptime = (long)(time_mono_ns() / 1000000000ull);
	s->totalram = gk_boot.mem_bytes;
	s->freeram = gk_boot.mem_bytes - (gk_stats.mmap_bytes_peak < gk_boot.mem_bytes ? gk_stats.mmap_bytes_peak : 0);
	s->procs = 1;
	s->mem_unit = 1;
	return 0;
}

long sys_getrusage(struct gk_frame *f)
{
	uint64_t ns = time_mono_ns();

	if (!user_ok(A1, 144))
		return -EFAULT;
	memset((void *)A1, 0, 144);
	((int64_t *)A1)[0] = (int64_t)(ns / 1000000000ull);
	((int64_t *)A1)[1] = (int64_t)(ns % 1000000000ull / 1000);
	return 0;
}

long sys_times(struct gk_frame *f)
{
	int64_t ticks = (int64_t)(time_mono_ns() / 10000000ull);

	if (A0) {
		if (!user_ok(A0, 32))
			return -EFAULT;
		memset((void *)A0, 0, 32);
		((int64_t *)A0)[0] = ticks;
	}
	return ticks;
}

/* A wait or wake on a word other processes may map: the host's futex on the shared region. */
static long futex_shared(struct gk_frame *f, int cmd)
{
	uint32_t bitset = cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET ? (uint32_t)A5 : ~0u;
	uint64_t ns, deadline = 0;
	long r;

	if (cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET)
		return hc(VMLET_HC_FUTEX_WAKE, A0, (int)A2 < 0 ? 0x7fffffff : (uint32_t)A2, bitset, 0);
	if (A3) {
		if ((r = time_read_timespec(A3, &ns)))
			return r;
		if (cmd == FUTEX_WAIT) /* relative */
			deadline = time_mono_ns() + ns;
		else if (A1 & FUTEX_CLOCK_REALTIME) { /* absolute, on the realtime clock */
			uint64_t real = time_real_ns();
			deadline = time_mono_ns() + (ns > real ? ns - real : 0);
		} else {
			deadline = ns;
		}
		if (!deadline)
			deadline = 1;
	}
	return hc(VMLET_HC_FUTEX_WAIT, A0, (uint32_t)A2, deadline, bitset);
}

long sys_futex(struct gk_frame *f)
{
	int cmd = (int)(A1 & FUTEX_CMD_MASK);
	uint64_t ns = UINT64_MAX;
	int shared = !(A1 & FUTEX_PRIVATE_FLAG) && sparse_shared(A0);

	/* Linux takes FUTEX_CLOCK_REALTIME only with the absolute-deadline waits. */
	if ((A1 & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && (uint32_t)A5 == 0)
			return -EINVAL;
		if (!user_ok(A0, 4))
			return -EFAULT;
		if (*(volatile uint32_t *)A0 != (uint32_t)A2)
			return -EAGAIN;
		if (shared)
			return futex_shared(f, cmd);
		if (A3) {
			long r = time_read_timespec(A3, &ns);
			if (r)
				return r;
			if (cmd == FUTEX_WAIT_BITSET) { /* an absolute deadline, on the clock the flag names */
				uint64_t now = (A1 & FUTEX_CLOCK_REALTIME) ? time_real_ns() : time_mono_ns();
				ns = ns > now ? ns - now : 0;
			}
			return time_sleep(ns) ? -EINTR : -ETIMEDOUT;
		}
		/* A single thread waiting with no timeout waits for a signal, as natively. */
		return time_wait_signal();
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && (uint32_t)A5 == 0)
			return -EINVAL;
		if (shared && (A0 & 3))
			return -EINVAL;
		return shared ? futex_shared(f, cmd) : 0;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
	case FUTEX_WAKE_OP:
		return 0;
	default:
		return -ENOSYS;
	}
}

long sys_exit(struct gk_frame *f)
{
	gk_exit((int)A0, 0);
}

long sys_exit_group(struct gk_frame *f)
{
	gk_exit((int)A0, 0);
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39

static char task_name[16] = "main";

long sys_prctl(struct gk_frame *f)
{
	switch (A0) {
	case PR_SET_NAME:
		if (!user_ok(A1, 1))
			return -EFAULT;
		memset(task_name, 0, sizeof(task_name));
		memcpy(task_name, (const void *)A1, strnlen((const char *)A1, sizeof(task_name) - 1));
		return 0;
	case PR_GET_NAME:
		if (!user_ok(A1, sizeof(task_name)))
			return -EFAULT;
		memcpy((void *)A1, task_name, sizeof(task_name));
		return 0;
	case PR_GET_DUMPABLE:
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return 1;
	case PR_SET_PDEATHSIG:
	case PR_SET_DUMPABLE:
	case PR_SET_NO_NEW_PRIVS:
		return 0;
	default:
		return -EINVAL;
	}
}
