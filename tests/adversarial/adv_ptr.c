/* adv_ptr.c - system calls with pointers outside guest memory, at region edges, wrapping, and huge lengths.
 * Every call must fail cleanly (or succeed harmlessly for an empty range); the run must end with exit 0.
 * Prints "adv_ptr: N calls, U unexpected" and one line per call that succeeded on a bad range. */
#include <stdint.h>
#include <stdio.h>

#include "adv.h"

#define P_A (-0x4141414141414141L)   /* the bad address under test */
#define P_L (-0x4c4c4c4c4c4c4c4cL)   /* the length under test */
#define P_BUF (-0x4242424242424242L) /* a valid scratch buffer */
#define P_ROOT (-0x5252525252525252L) /* "/" */
#define P_DIR (-0x4444444444444444L) /* an open directory fd */
#define P_TS (-0x5454545454545454L)  /* a valid timespec {0, 1} */

/* NULLOK: the call accepts address 0 as "absent"; NOLEN: the length is not the range size. */
#define NULLOK 1
#define NOLEN 2
#define WRITES 4 /* returns the bytes it wrote at the address */
#define PATH 8   /* the address is a path string */

static const struct call {
	const char *name;
	long nr;
	long a[6];
	int flags;
} calls[] = {
	{ "read", 0, { 0, P_A, P_L }, WRITES },
	{ "pread64", 17, { 0, P_A, P_L, 0 }, WRITES },
	{ "write", 1, { 1, P_A, P_L }, WRITES },
	{ "write-stderr", 1, { 2, P_A, P_L }, WRITES },
	{ "pwrite64", 18, { 1, P_A, P_L, 0 }, WRITES },
	{ "readv", 19, { 0, P_A, 1 }, NOLEN },
	{ "writev", 20, { 1, P_A, 1 }, NOLEN },
	{ "writev-many", 20, { 1, P_A, 1024 }, NOLEN },
	{ "preadv", 295, { 0, P_A, 2, 0 }, NOLEN },
	{ "pwritev", 296, { 1, P_A, 2, 0 }, NOLEN },
	{ "stat-path", 4, { P_A, P_BUF }, NOLEN | PATH },
	{ "stat-buf", 4, { P_ROOT, P_A }, NOLEN },
	{ "lstat-buf", 6, { P_ROOT, P_A }, NOLEN },
	{ "fstat-buf", 5, { 1, P_A }, NOLEN },
	{ "fstat-dir-buf", 5, { P_DIR, P_A }, NOLEN },
	{ "newfstatat-path", 262, { -100, P_A, P_BUF, 0 }, NOLEN | PATH },
	{ "newfstatat-buf", 262, { -100, P_ROOT, P_A, 0 }, NOLEN },
	{ "newfstatat-empty", 262, { P_DIR, P_A, P_BUF, 0x1000 }, NOLEN | PATH },
	{ "statx-buf", 332, { -100, P_ROOT, 0, 0x7ff, P_A }, NOLEN },
	{ "statx-path", 332, { -100, P_A, 0, 0x7ff, P_BUF }, NOLEN | PATH },
	{ "open", 2, { P_A, 0, 0 }, NOLEN | PATH },
	{ "openat", 257, { -100, P_A, 0, 0 }, NOLEN | PATH },
	{ "openat-dirfd", 257, { P_DIR, P_A, 0, 0 }, NOLEN | PATH },
	{ "access", 21, { P_A, 0 }, NOLEN | PATH },
	{ "faccessat2", 439, { -100, P_A, 4, 0 }, NOLEN | PATH },
	{ "chdir", 80, { P_A }, NOLEN | PATH },
	{ "readlink-path", 89, { P_A, P_BUF, 64 }, NOLEN | PATH },
	{ "readlink-buf", 89, { P_ROOT, P_A, P_L }, WRITES },
	{ "readlinkat-buf", 267, { -100, P_ROOT, P_A, P_L }, WRITES },
	{ "getcwd", 79, { P_A, P_L }, WRITES },
	{ "getdents64", 217, { P_DIR, P_A, P_L }, WRITES },
	{ "uname", 63, { P_A }, NOLEN },
	{ "clock_gettime", 228, { 1, P_A }, NOLEN },
	{ "clock_getres", 229, { 1, P_A }, NOLEN | NULLOK },
	{ "gettimeofday", 96, { P_A, 0 }, NOLEN | NULLOK },
	{ "gettimeofday-tz", 96, { 0, P_A }, NOLEN | NULLOK },
	{ "time", 201, { P_A }, NOLEN | NULLOK },
	{ "nanosleep", 35, { P_A, 0 }, NOLEN },
	{ "clock_nanosleep", 230, { 1, 0, P_A, 0 }, NOLEN },
	{ "getrandom", 318, { P_A, P_L, 0 }, WRITES },
	{ "rt_sigaction-act", 13, { 10, P_A, 0, 8 }, NOLEN | NULLOK },
	{ "rt_sigaction-old", 13, { 10, 0, P_A, 8 }, NOLEN | NULLOK },
	{ "rt_sigprocmask-set", 14, { 0, P_A, 0, 8 }, NOLEN | NULLOK },
	{ "rt_sigprocmask-old", 14, { 0, 0, P_A, 8 }, NOLEN | NULLOK },
	{ "sigaltstack-new", 131, { P_A, 0 }, NOLEN | NULLOK },
	{ "sigaltstack-old", 131, { 0, P_A }, NOLEN | NULLOK },
	{ "poll", 7, { P_A, 1, 0 }, NOLEN },
	{ "ppoll", 271, { P_A, 1, P_TS, 0, 8 }, NOLEN },
	{ "ppoll-ts", 271, { P_BUF, 0, P_A, 0, 8 }, NOLEN | NULLOK },
	{ "sysinfo", 99, { P_A }, NOLEN },
	{ "times", 100, { P_A }, NOLEN | NULLOK },
	{ "getrusage", 98, { 0, P_A }, NOLEN },
	{ "prlimit64", 302, { 0, 7, 0, P_A }, NOLEN | NULLOK },
	{ "getrlimit", 97, { 7, P_A }, NOLEN },
	{ "sched_getaffinity", 204, { 0, 128, P_A }, NOLEN },
	{ "sched_getparam", 143, { 0, P_A }, NOLEN },
	{ "fcntl-getlk", 72, { 1, 5, P_A }, NOLEN },
	{ "ioctl-winsz", 16, { 1, 0x5413, P_A }, NOLEN },
	{ "ioctl-tcgets", 16, { 1, 0x5401, P_A }, NOLEN },
	{ "ioctl-fionread", 16, { 0, 0x541b, P_A }, NOLEN },
	{ "futex-wait", 202, { P_A, 0, 0, P_TS }, NOLEN },
	{ "futex-ts", 202, { P_BUF, 0, 0, P_A }, NOLEN | NULLOK }, /* NULL: wait forever */
	{ "arch_prctl-getfs", 158, { 0x1003, P_A }, NOLEN },
	{ "prctl-getname", 157, { 16, P_A }, NOLEN },
	{ "prctl-setname", 157, { 15, P_A }, NOLEN | PATH },
	{ "getgroups", 115, { 64, P_A }, NOLEN | WRITES }, /* returns a count of 4-byte entries */
	{ "mremap", 25, { P_A, 4096, 8192, 1 }, NOLEN },
	{ "madvise", 28, { P_A, P_L, 4 }, 0 },
	{ "rt_sigreturn-never", -1, { 0 }, 0 }, /* placeholder, skipped */
};

static uint64_t addrs[64];
static int naddrs;

static void add(uint64_t a)
{
	addrs[naddrs++] = a;
}

static uint64_t g_user_hi, g_stack_lo, g_mmap_top;

/* 1 if [a, a+l) is program memory (what the guest kernel must accept). */
static int valid(uint64_t a, uint64_t l)
{
	if (l == 0)
		return 1;
	if (a < VMLET_USER_LO || a > g_user_hi || l > g_user_hi - a)
		return 0;
	return a + l <= g_mmap_top || a >= g_stack_lo;
}

static const uint64_t lens[] = {
	0, 1, 8, 144, 4096, 1ull << 30, 0x7ffff000, 1ull << 31, 1ull << 40, 1ull << 63,
	~0ull, ~0ull - 4095, 0x7fffffffffffffffull,
};

int main(void)
{
	static char buf[8192] __attribute__((aligned(4096)));
	static const char root[] = "/";
	static const long ts[2] = { 0, 1 };
	const volatile struct vmlet_boot *boot = (const volatile struct vmlet_boot *)ADV_GK->boot;
	uint64_t user_hi = boot->user_hi, stack_lo = boot->stack_lo, mmap_top = boot->mmap_top;
	long dir;
	size_t i, j, k;

	g_user_hi = user_hi, g_stack_lo = stack_lo, g_mmap_top = mmap_top;
	dir = sc3(2, root, 0x10000 /* O_DIRECTORY */, 0);
	long n = 0, bad = 0;

	/* The edges of every region, and the places past them. */
	add(0);
	add(1);
	add(0xffff);
	add(VMLET_USER_LO - 1);
	add(VMLET_USER_LO - 8);
	add(user_hi - 1);
	add(user_hi - 8);
	add(user_hi);
	add(user_hi + 4096);
	add(mmap_top);        /* the stack guard */
	add(stack_lo - 4096); /* the stack guard */
	add(boot->mem_bytes);
	add(VMLET_KERNEL_VBASE - 1);
	add(VMLET_KERNEL_VBASE - 8);
	add(VMLET_KERNEL_VBASE);
	add(VMLET_KERNEL_VBASE + 0x1000); /* IDT */
	add(VMLET_KERNEL_VBASE + 0x10000); /* page tables */
	add(VMLET_KERNEL_VBASE + VMLET_GK_OFFSET); /* guest kernel header */
	add(ADV_GK->hypercall);
	add(ADV_GK->ring);
	add(ADV_GK->boot);
	add(ADV_GK->bss_end - 1);
	add(ADV_GK->bss_end);
	add(VMLET_KERNEL_VBASE + VMLET_KERNEL_SIZE - 8);
	add(0x00007ffffffff000ull);
	add(0x0000800000000000ull); /* first non-canonical */
	add(0x8000000000000000ull);
	add(0xffff800000000000ull);
	add(~0ull);
	add(~0ull - 7);
	add(~0ull - 4095);

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct call *c = &calls[i];
		if (c->nr < 0)
			continue;
		for (j = 0; j < (size_t)naddrs; j++) {
			for (k = 0; k < ((c->flags & NOLEN) && !(c->flags & WRITES) ? 1 : sizeof(lens) / sizeof(lens[0])); k++) {
				uint64_t a = addrs[j], l = lens[k];
				long args[6], r;
				int m;
				if (a == 0 && (c->flags & NULLOK))
					continue;
				if ((c->nr == 1 || c->nr == 18) && valid(a, l))
					continue; /* would print whatever lies there */
				for (m = 0; m < 6; m++) {
					long v = c->a[m];
					args[m] = v == P_A ? (long)a : v == P_L ? (long)l : v == P_BUF ? (long)buf
						: v == P_ROOT ? (long)root : v == P_DIR ? dir : v == P_TS ? (long)ts : v;
				}
				r = sc6(c->nr, args[0], args[1], args[2], args[3], args[4], args[5]);
				n++;
				/* A bad range with a nonzero length must not succeed. A few calls may legitimately
				 * succeed (an empty read at EOF, a clamped length); only flag real successes. */
				uint64_t need = (c->flags & PATH) ? 1 : (c->flags & WRITES) ? (uint64_t)r
					: (c->flags & NOLEN) ? 8 : l;
				if (r >= 0 && !valid(a, need) &&
				    !(c->nr == 28 /* madvise: page_up wraps to 0 */ && l > ~0ull - 4096)) {
					adv_report(c->name, a, l, r);
					bad++;
				}
			}
		}
	}
	/* A wrapping range: a valid start whose end wraps around 2^64 (stdin is /dev/null). */
	for (k = 0; k < 4; k++) {
		uint64_t a = (uint64_t)buf, l = ~0ull - a + 1 + k * 0x10000;
		long r = sc3(0, 0, a, l);
		n++;
		if (r > 0) {
			adv_report("read-wrap", a, l, r);
			bad++;
		}
	}
	snprintf(buf, sizeof(buf), "adv_ptr: %ld calls, %ld unexpected\n", n, bad);
	adv_puts(buf);
	return 0;
}
