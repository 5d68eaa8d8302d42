/* user.c - validation of addresses the program passes to system calls. */
#include "gk.h"

#include <linux/errno.h>

int user_ok(uint64_t addr, uint64_t len)
{
	uint64_t guard_lo = gk_boot.stack_lo - (2ull << 20);

	if (len == 0) /* as Linux: an empty range is valid at any address */
		return 1;
	if (addr >= VMLET_SPARSE_LO && addr >= gk_boot.user_hi)
		return addr < VMLET_SPARSE_HI && len <= VMLET_SPARSE_HI - addr && sparse_ok(addr, addr + len);
	if (addr < VMLET_USER_LO || addr > gk_boot.user_hi || len > gk_boot.user_hi - addr)
		return 0;
	/* The 2 MiB below the stack is an unmapped guard. */
	if (addr + len > guard_lo && addr < gk_boot.stack_lo)
		return 0;
	return pt_all(addr, addr + len, PT_P); /* PROT_NONE: EFAULT, where touching it would fault */
}

int user_ok_w(uint64_t addr, uint64_t len)
{
	return user_ok(addr, len) && (!len || pt_all(addr, addr + len, PT_W));
}

long user_string(uint64_t addr, char *buf, size_t size)
{
	size_t n = 0;

	if (!addr)
		return -EFAULT;
	for (;; n++) {
		if (!user_ok(addr + n, 1))
			return -EFAULT;
		if (n == size)
			return -ENAMETOOLONG;
		buf[n] = *(const char *)(addr + n);
		if (!buf[n])
			return (long)n;
	}
}

uint64_t user_run(uint64_t addr, uint64_t len)
{
	return sparse_contains(addr, addr + 1) ? sparse_run(addr, len) : len;
}
