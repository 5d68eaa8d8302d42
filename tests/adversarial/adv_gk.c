/* adv_gk.c - overwrite the guest kernel from the program, then keep making system calls.
 *
 * usage: adv_gk MODE [SEED]
 *   text      write into the guest kernel's text (read-only: a clean page fault)
 *   header    write into the kernel header (also text)
 *   boot      point the boot block's limits at everything (user_hi = ~0 ...), then pass kernel
 *             and system-table addresses to system calls that go to the host
 *   zero      zero all kernel data and bss, then make system calls
 *   ones      fill all kernel data and bss with 0xff, then make system calls
 *   flip      flip SEED-chosen bytes across kernel data and bss, then run a small workload
 *   hcblock   garbage in the hypercall block (close_mask all ones) before each call
 *   stats     garbage in the statistics block the host reads at the end
 *   kstack    garbage over the kernel stack and its saved-rsp slot
 * Prints "adv_gk MODE: survived" when the program gets to the end; any clean guest death is fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adv.h"

static void workload(void)
{
	static char buf[8192];
	static const char msg[] = "adv_gk: workload write\n";
	long fd, i;

	sc3(1, 1, msg, sizeof(msg) - 1);
	fd = sc3(2, "/", 0x10000, 0);
	if (fd >= 0) {
		sc3(217, fd, buf, sizeof(buf));
		sc3(8, fd, 0, 0);
		sc3(217, fd, buf, sizeof(buf));
		sc1(3, fd);
	}
	sc2(4, "/", buf);
	sc2(4, "/etc/passwd", buf);
	sc3(89, "/proc/self/exe", buf, 100);
	sc3(0, 0, buf, 100);
	sc2(228, 1, buf);
	sc3(318, buf, 64, 0);
	for (i = 0; i < 50; i++)
		sc3(1, 2, msg, sizeof(msg) - 1);
	sc2(5, 1, buf);
	sc3(16, 1, 0x5413, buf);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "zero";
	uint64_t seed = argc > 2 ? strtoull(argv[2], 0, 0) : 1, s = seed ? seed : 1;
	uint64_t data = ADV_GK->text_end, end = ADV_GK->bss_end, i;
	volatile uint8_t *p;
	char line[120];

	if (!strcmp(mode, "text")) {
		*(volatile uint64_t *)(VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + 0x2000) = 0xcccccccccccccccc;
	} else if (!strcmp(mode, "header")) {
		((volatile struct vmlet_gk_header *)ADV_GK)->hypercall = 0;
	} else if (!strcmp(mode, "boot")) {
		volatile struct vmlet_boot *b = (volatile struct vmlet_boot *)ADV_GK->boot;
		static char buf[256];
		b->user_hi = ~0ull;
		b->stack_lo = 0;
		b->mmap_top = ~0ull;
		b->mem_bytes = ~0ull;
		memset((void *)b->exe, 'A', sizeof(b->exe)); /* no NUL */
		sc3(89, "/proc/self/exe", buf, sizeof(buf));
		/* The guest kernel now trusts these; the host must not. */
		sc4(0, 0, ADV_GK->hypercall, 64, 0);          /* read into the hypercall block */
		sc3(217, 0, VMLET_KERNEL_VBASE + 0x10000, 4096);
		sc2(4, "/", VMLET_KERNEL_VBASE + 0x10000);     /* stat into the page tables */
		sc2(4, "/", ADV_GK->bss_end);                  /* stat just past the kernel */
		sc2(4, "/", 0x10000000000ull);                 /* stat far past RAM */
		sc3(1, 1, VMLET_KERNEL_VBASE + 0x100000 - 64, 64); /* write from the system area */
		sc3(1, 1, 0x10000000000ull, 1 << 20);          /* write from past RAM */
		sc3(0, 0, 0x10000000000ull, 1 << 20);
	} else if (!strcmp(mode, "zero") || !strcmp(mode, "ones")) {
		int v = !strcmp(mode, "ones") ? 0xff : 0;
		for (p = (volatile uint8_t *)data; (uint64_t)p < end; p++)
			*p = (uint8_t)v;
		workload();
	} else if (!strcmp(mode, "flip")) {
		workload(); /* warm state first: open files, read-ahead, ring records */
		for (i = 0; i < 64; i++) {
			uint64_t r = adv_rand(&s);
			p = (volatile uint8_t *)(data + r % (end - data));
			*p ^= (uint8_t)(adv_rand(&s) | 1);
		}
		workload();
	} else if (!strcmp(mode, "hcblock")) {
		volatile struct vmlet_hypercall *h = (volatile struct vmlet_hypercall *)ADV_GK->hypercall;
		long fd = sc3(2, "/", 0x10000, 0);
		for (i = 0; i < 20; i++) {
			h->close_mask = ~0ull;
			h->nr = adv_rand(&s);
			h->arg[0] = h->arg[1] = h->arg[2] = h->arg[3] = h->arg[4] = h->arg[5] = adv_rand(&s);
			h->ret = (int64_t)adv_rand(&s);
			workload();
		}
		sc1(3, fd);
	} else if (!strcmp(mode, "stats")) {
		volatile struct vmlet_stats *st = (volatile struct vmlet_stats *)ADV_GK->stats;
		workload();
		for (i = 0; i < sizeof(*st) / 8; i++)
			((volatile uint64_t *)st)[i] = ~0ull;
	} else if (!strcmp(mode, "kstack")) {
		/* The kernel stack is the 64 KiB just below bss_end. */
		for (p = (volatile uint8_t *)(end - 65536); (uint64_t)p < end; p++)
			*p = 0xa5;
		workload();
		for (p = (volatile uint8_t *)(end - 65536); (uint64_t)p < end; p++)
			*p = 0x00;
		workload();
	} else {
		adv_puts("adv_gk: unknown mode\n");
		return 2;
	}
	snprintf(line, sizeof(line), "adv_gk %s: survived\n", mode);
	sc3(1, 1, line, strlen(line));
	return 0;
}
