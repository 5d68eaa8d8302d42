/* adv_persist.c - leave marks everywhere a program can reach, then (in the next run on a reused
 * VM) look for them: a reset VM must not carry anything of the previous program.
 *
 * usage: adv_persist write   marks: the free space below the image, a big heap block, the
 *                            stack, the output ring, the hypercall block, all kernel data, and
 *                            (through a stat the host writes) the kernel's syscall entry; then it
 *                            exits by a direct hypercall (the kernel is garbage by then)
 *        adv_persist check   looks at the same places; prints "adv_persist: clean" or where it
 *                            found a mark */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adv.h"

#define MARK 0x4b52414d54534550ull /* "PERSTMARK" */
#define LOW_LO 0x10000ull
#define LOW_HI 0x400000ull

static int found;

static void look(const char *what, uint64_t lo, uint64_t hi)
{
	char line[160];
	uint64_t a;

	for (a = lo; a + 8 <= hi; a += 8)
		if (*(volatile uint64_t *)a == MARK) {
			snprintf(line, sizeof(line), "adv_persist: mark in %s at %#llx\n", what, (unsigned long long)a);
			adv_puts(line);
			found++;
			return;
		}
}

static void fill(uint64_t lo, uint64_t hi)
{
	uint64_t a;

	for (a = lo; a + 8 <= hi; a += 8)
		*(volatile uint64_t *)a = MARK;
}

int main(int argc, char **argv)
{
	const volatile struct vmlet_boot *boot = (const volatile struct vmlet_boot *)ADV_GK->boot;
	uint64_t heap = boot->mmap_top - (8ull << 20), data = ADV_GK->text_end, end = ADV_GK->bss_end;
	uint64_t sp = (uint64_t)__builtin_frame_address(0) & ~4095ull;

	if (argc > 1 && !strcmp(argv[1], "write")) {
		static char root[] = "/";
		fill(LOW_LO, LOW_HI);
		fill(heap, boot->mmap_top);
		fill(boot->stack_lo, sp - 4096);
		/* The kernel's syscall entry: the host writes a struct stat over it. */
		adv_hc(VMLET_HC_STAT, (uint64_t)root, 1, ADV_GK->syscall_entry, 0);
		fill(data, end); /* last: the kernel, the ring and the hypercall block become marks */
		__asm__ volatile("outb %%al, %0" : : "i"(VMLET_PORT_HYPERCALL), "a"(0) : "memory");
		/* nr is MARK now: an unknown hypercall ends the run; if not, exit directly */
		for (;;)
			adv_hc(VMLET_HC_EXIT, 0, 0, 0, 0);
	}
	look("free memory below the image", LOW_LO, LOW_HI);
	look("the heap", heap, boot->mmap_top);
	look("the stack", boot->stack_lo, sp - 4096);
	look("kernel data", data, end);
	if (!found)
		adv_puts("adv_persist: clean\n");
	return 0;
}
