/* adv_mem.c - memory management at the edges: exhaust memory, mmap/munmap/mremap/brk with
 * addresses in the kernel area, the stack guard, past RAM, wrapping lengths.
 * usage: adv_mem [exhaust|mremap-wrap]   prints "adv_mem: N calls, survived"; exhaust also touches
 * every page it can get (the whole guest RAM) before exiting 0; mremap-wrap remaps a range whose
 * end wraps past 2^64 (the guest kernel accepts it and faults copying from it: a clean death). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adv.h"

#define PROT_RW 3
#define MAP_PA 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */
#define MAP_FIXED_ 0x10

int main(int argc, char **argv)
{
	const volatile struct vmlet_boot *boot = (const volatile struct vmlet_boot *)ADV_GK->boot;
	const uint64_t addrs[] = {
		0, 4096, VMLET_USER_LO - 4096, boot->user_hi, boot->user_hi - 4096, boot->mmap_top,
		boot->stack_lo - 4096, boot->stack_lo, boot->mem_bytes, VMLET_KERNEL_VBASE,
		VMLET_KERNEL_VBASE + VMLET_GK_OFFSET, 0x7ffffffff000ull, 0x800000000000ull, ~0ull - 4095,
	};
	const uint64_t lens[] = { 1, 4096, 1ull << 21, 1ull << 30, 1ull << 40, 1ull << 63, ~0ull - 4095, ~0ull };
	char line[100];
	long n = 0;
	size_t i, j;

	if (argc > 1 && !strcmp(argv[1], "mremap-wrap")) {
		sc6(9, 0, 4096, PROT_RW, MAP_PA, -1, 0); /* any mapping makes the wrapped range "mapped" */
		sc4(25, ~0ull - 4095, 4096, 8192, 1);
	}
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			uint64_t a = addrs[i], l = lens[j];
			long r;
			/* MAP_FIXED inside the program's own memory would zero it; only outside addresses. */
			if (a >= VMLET_USER_LO && a < boot->user_hi)
				r = sc6(9, a, l, PROT_RW, MAP_PA, -1, 0);
			else
				r = sc6(9, a, l, PROT_RW, MAP_PA | MAP_FIXED_, -1, 0);
			n++;
			if (r >= 0 && r < (long)VMLET_USER_LO)
				adv_report("mmap-low", a, l, r);
			if (r > 0 && (uint64_t)r >= boot->user_hi)
				adv_report("mmap-beyond-user", a, l, r);
			if (a + l >= a) /* a wrapping range kills the guest kernel: see mode mremap-wrap */
				sc4(25, a, l, l * 2, 1); /* mremap MAYMOVE */
			sc3(10, a, l, 7);        /* mprotect RWX */
			n += 2;
		}
		sc1(12, addrs[i]); /* brk */
		n++;
	}
	/* munmap of the kernel area and the guard: bookkeeping only, must fail or be a no-op. */
	sc2(11, VMLET_KERNEL_VBASE, 1 << 22);
	sc2(11, boot->mmap_top, 1 << 21);
	n += 2;
	if (argc > 1 && !strcmp(argv[1], "exhaust")) {
		uint64_t total = 0;
		for (;;) {
			long p = sc6(9, 0, 1 << 20, PROT_RW, MAP_PA, -1, 0);
			if (p < 0)
				break;
			memset((void *)p, 0x5a, 1 << 20);
			total += 1 << 20;
		}
		for (;;) { /* then the heap, page by page */
			char *p = malloc(4096);
			if (!p)
				break;
			p[0] = 1;
			total += 4096;
			if (total > (1ull << 34))
				break;
		}
		snprintf(line, sizeof(line), "adv_mem: touched %llu MiB\n", (unsigned long long)(total >> 20));
		adv_puts(line);
	}
	snprintf(line, sizeof(line), "adv_mem: %ld calls, survived\n", n);
	adv_puts(line);
	return 0;
}
