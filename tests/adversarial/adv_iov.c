/* adv_iov.c - iovec arrays whose lengths overflow, wrap, or point outside guest memory.
 * Prints "adv_iov: N calls, U unexpected"; exit 0. Expected output on stdout is only that line
 * (no vector below may write a byte: every one is invalid or empty). */
#include <stdint.h>
#include <stdio.h>

#include "adv.h"

struct iov {
	uint64_t base, len;
};

static struct iov v[1100];
static char buf[4096];
static long n, bad;

static void expect_fail(const char *tag, long nr, long fd, long cnt)
{
	long r = sc4(nr, fd, v, cnt, 0);

	n++;
	if (r >= 0 && !(r == 0 && nr != 20 && nr != 296)) {
		adv_report(tag, v[0].base, (uint64_t)cnt, r);
		bad++;
	}
}

int main(void)
{
	static const long nrs[] = { 19, 20, 295, 296 }; /* readv writev preadv pwritev */
	const volatile struct vmlet_boot *boot = (const volatile struct vmlet_boot *)ADV_GK->boot;
	uint64_t user_hi = boot->user_hi;
	char line[120];
	size_t i, k;

	for (k = 0; k < 4; k++) {
		long nr = nrs[k], fd = (nr == 19 || nr == 295) ? 0 : 1;

		/* Total length overflows 64 bits: 2^63 + 2^63 (+ 16). */
		v[0] = (struct iov){ (uint64_t)buf, 1ull << 63 };
		v[1] = (struct iov){ (uint64_t)buf, 1ull << 63 };
		v[2] = (struct iov){ (uint64_t)buf, 16 };
		expect_fail("iov-sum-2^64", nr, fd, 3);
		/* Each length fits, the sum passes SSIZE_MAX. */
		v[0] = (struct iov){ (uint64_t)buf, 0x7ffff000 };
		v[1] = (struct iov){ (uint64_t)buf, 0x7ffff000 };
		expect_fail("iov-sum-2^32", nr, fd, 2);
		/* ~0 lengths, many of them. */
		for (i = 0; i < 1024; i++)
			v[i] = (struct iov){ (uint64_t)buf, ~0ull };
		expect_fail("iov-all-max", nr, fd, 1024);
		/* Many small vectors whose sum wraps exactly to 0 modulo 2^64. */
		for (i = 0; i < 1024; i++)
			v[i] = (struct iov){ (uint64_t)buf, 1ull << 54 };
		expect_fail("iov-wrap-to-0", nr, fd, 1024);
		/* One bad base among good ones: nothing may be transferred. */
		for (i = 0; i < 8; i++)
			v[i] = (struct iov){ (uint64_t)buf, 0 };
		v[7] = (struct iov){ VMLET_KERNEL_VBASE + VMLET_GK_OFFSET, 64 };
		expect_fail("iov-kernel-base", nr, fd, 8);
		v[7] = (struct iov){ user_hi - 8, 16 };
		expect_fail("iov-crosses-user-hi", nr, fd, 8);
		v[7] = (struct iov){ ~0ull - 7, 16 };
		expect_fail("iov-base-wraps", nr, fd, 8);
		v[7] = (struct iov){ 0x800000000000ull, 1 };
		expect_fail("iov-noncanonical", nr, fd, 8);
		v[7] = (struct iov){ 0, 1 };
		expect_fail("iov-null", nr, fd, 8);
		v[7] = (struct iov){ ADV_GK->ring, 4096 };
		expect_fail("iov-ring", nr, fd, 8);
		/* Counts: too many, negative, huge. */
		v[0] = (struct iov){ (uint64_t)buf, 1 };
		expect_fail("iov-count-1025", nr, fd, 1025);
		expect_fail("iov-count-neg", nr, fd, -1);
		expect_fail("iov-count-2^62", nr, fd, 1ll << 62);
		/* The array itself: outside memory, wrapping, ending past user_hi. */
		{
			long r;
			r = sc4(nr, fd, VMLET_KERNEL_VBASE, 4, 0);
			n++;
			if (r >= 0) { adv_report("iov-array-kernel", 0, 4, r); bad++; }
			r = sc4(nr, fd, ADV_GK->hypercall, 2, 0);
			n++;
			if (r >= 0) { adv_report("iov-array-hcblock", 0, 2, r); bad++; }
			r = sc4(nr, fd, user_hi - 16, 2, 0);
			n++;
			if (r >= 0) { adv_report("iov-array-past-user-hi", 0, 2, r); bad++; }
			r = sc4(nr, fd, ~0ull - 15, 1, 0);
			n++;
			if (r >= 0) { adv_report("iov-array-wraps", 0, 1, r); bad++; }
		}
	}
	/* Positional vectors with offsets near 2^63 on stdin and stdout. */
	v[0] = (struct iov){ (uint64_t)buf, 16 };
	for (k = 0; k < 3; k++) {
		static const uint64_t offs[] = { 1ull << 63, ~0ull, ~0ull - 15 };
		long r = sc4(295, 0, v, 1, offs[k]);
		n++;
		if (r > 0) { adv_report("preadv-offset", offs[k], 1, r); bad++; }
		r = sc4(17, 0, buf, 16, offs[k]);
		n++;
		if (r > 0) { adv_report("pread-offset", offs[k], 1, r); bad++; }
	}
	snprintf(line, sizeof(line), "adv_iov: %ld calls, %ld unexpected\n", n, bad);
	adv_puts(line);
	return 0;
}
