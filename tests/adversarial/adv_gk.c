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
 *   shared    a child writes SEED-chosen garbage over the head of the shared tmpfs region (its lock,
 *             mounts and allocator: SEED % 3 == 0 zeros, 1 ones, 2 random bytes) then both
 *             processes make tmpfs calls (run it with --tmpfs /tmp)
 *   pagetables map sparse-region pages, then write SEED-chosen garbage over the page tables (the
 *             page-table area is writable at any CPL): SEED % 3 == 0 all of the area, otherwise
 *             only the tables of the sparse region; then pass sparse-region pointers to system
 *             calls the host serves through those tables (stdin: a pipe with plenty to read)
 * Prints "adv_gk MODE: survived" when the program gets to the end; any clean guest death is fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adv.h"

#define PT_AREA (VMLET_KERNEL_VBASE + 0x10000) /* the page-table area, as the program sees it */
#define PT_AREA_END (VMLET_KERNEL_VBASE + 0x100000)
#define PTE_ADDR 0x000ffffffffff000ull
#define SPARSE_ADDR 0xc000000000ull
#define SPARSE_PAGES 256
#define STREAM_RA (256 << 10) /* reads from stdin this long go to the host unbuffered (guest/fs/fd.c) */

/* A page-table entry: raw bits, another table (or the same one), a kernel-area or user-region
 * frame, a large page, or nothing. */
static uint64_t pt_garbage(uint64_t *s, uint64_t kbase)
{
	switch (adv_rand(s) % 6) {
	case 0: return adv_rand(s);
	case 1: return (kbase + 0x10000 + adv_rand(s) % 240 * 4096) | 7;
	case 2: return (kbase + adv_rand(s) % 1024 * 4096) | 7;
	case 3: return (adv_rand(s) % (kbase >> 12) << 12) | 7;
	case 4: return (adv_rand(s) & PTE_ADDR) | 0x87;
	default: return 0;
	}
}

/* Where the program reaches the table at guest-physical t (the kernel area or the identity-mapped
 * user region); 0 when it cannot. */
static volatile uint64_t *table_at(uint64_t t, uint64_t kbase)
{
	if (t >= kbase + 0x10000 && t < kbase + 0x100000)
		return (volatile uint64_t *)(VMLET_KERNEL_VBASE + (t - kbase));
	if (t >= 0x10000 && t + 4096 <= kbase)
		return (volatile uint64_t *)t;
	return 0;
}

/* Garbage over the tables that map SPARSE_ADDR (leaf first) and the root's sparse-region entries. */
static void scribble_sparse(uint64_t *s, uint64_t kbase, uint64_t root)
{
	volatile uint64_t *path[4];
	uint64_t t = root;
	int level, n = 0, i;

	for (level = 3; level >= 0 && (path[n] = table_at(t, kbase)); level--) {
		t = path[n][(SPARSE_ADDR >> (12 + 9 * level)) & 511] & PTE_ADDR;
		n++;
	}
	while (n-- > 1)
		for (i = 0; i < 8; i++)
			path[n][adv_rand(s) % 2 ? (SPARSE_ADDR >> (12 + 9 * (3 - n))) & 511 : adv_rand(s) % 512] =
				pt_garbage(s, kbase);
	for (i = 0; i < 16; i++)
		path[0][1 + adv_rand(s) % 255] = pt_garbage(s, kbase);
}

/* System calls with sparse-region pointers: first long reads from stdin (the host writes the
 * buffer it finds through the page tables), then fstat, getdents, stat, pread and write, whose
 * bytes the guest kernel copies itself (with garbage tables, a page fault in the guest kernel). */
static void sparse_calls(uint64_t *s)
{
	static const uint64_t at[] = { SPARSE_ADDR, SPARSE_ADDR + 0x1234, VMLET_SPARSE_LO,
				       VMLET_SPARSE_HI - 8, SPARSE_ADDR + SPARSE_PAGES * 4096 - 8 };
	long dir = sc3(2, "/", 0x10000, 0), ok = 0, efault = 0, r;
	char line[100];
	int i;

	for (i = 0; i < 200; i++) {
		uint64_t a = i % 10 == 9 ? at[i / 10 % 5] : SPARSE_ADDR + adv_rand(s) % (SPARSE_PAGES * 4096 - 2 * STREAM_RA);
		r = sc3(0, 0, a, STREAM_RA + adv_rand(s) % STREAM_RA);
		ok += r >= 0;
		efault += r == -14;
	}
	snprintf(line, sizeof(line), "adv_gk pagetables: reads %ld ok, %ld EFAULT\n", ok, efault);
	sc3(1, 1, line, strlen(line));
	for (i = 0; i < 40; i++) {
		uint64_t a = at[i % 5] + (i >= 5 ? adv_rand(s) % (SPARSE_PAGES * 4096) : 0);
		sc2(5, 1, a);
		sc3(217, dir, a, 4096);
		sc2(4, "/", a);
		sc4(17, dir, a, 16, 0);
		sc3(0, 0, a, 4096);
	}
	for (i = 0; i < 5; i++)
		sc3(1, 2, at[i], 8);
	sc1(3, dir);
}

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

/* Calls on /tmp: create, write, read back, a directory, rename, list, unlink. */
static void tmpfs_calls(void)
{
	static char buf[4096];
	long fd = sc3(2, "/tmp/adv", 0102, 0644); /* O_CREAT | O_RDWR */

	if (fd >= 0) {
		sc3(1, fd, "adv_gk shared\n", 14);
		sc3(8, fd, 0, 0);
		sc3(0, fd, buf, sizeof(buf));
		sc1(3, fd);
	}
	sc2(83, "/tmp/d", 0755);
	sc2(82, "/tmp/adv", "/tmp/d/moved");
	fd = sc3(2, "/tmp/d", 0x10000, 0);
	if (fd >= 0) {
		sc3(217, fd, buf, sizeof(buf));
		sc1(3, fd);
	}
	sc1(87, "/tmp/d/moved");
	sc1(84, "/tmp/d");
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
	} else if (!strcmp(mode, "shared")) {
		long pid;
		tmpfs_calls();
		pid = sc1(57, 0); /* fork */
		if (pid == 0) {
			for (p = (volatile uint8_t *)VMLET_SHARED_VBASE; (uint64_t)p < VMLET_SHARED_VBASE + 65536; p++)
				*p = seed % 3 == 0 ? 0 : seed % 3 == 1 ? 0xff : (uint8_t)adv_rand(&s);
			tmpfs_calls();
			sc1(60, 0);
		}
		if (pid > 0)
			sc4(61, pid, 0, 0, 0); /* wait4 */
		tmpfs_calls();
	} else if (!strcmp(mode, "pagetables")) {
		const volatile struct vmlet_boot *b = (const volatile struct vmlet_boot *)ADV_GK->boot;
		uint64_t kbase = b->kbase;
		/* mmap(SPARSE_ADDR, ..., PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) */
		volatile uint8_t *m = (volatile uint8_t *)sc6(9, SPARSE_ADDR, SPARSE_PAGES * 4096, 3, 0x32, -1, 0);
		for (i = 0; (uint64_t)m == SPARSE_ADDR && i < SPARSE_PAGES; i++)
			m[i * 4096] = (uint8_t)i;
		sparse_calls(&s);
		snprintf(line, sizeof(line), "adv_gk pagetables: mmap %#lx, fstat into it %ld, then garbage\n",
			 (unsigned long)m, sc2(5, 1, SPARSE_ADDR + 8));
		sc3(1, 1, line, strlen(line));
		if (seed % 3 == 0)
			for (p = (volatile uint8_t *)PT_AREA; (uint64_t)p < PT_AREA_END; p += 8)
				*(volatile uint64_t *)p = pt_garbage(&s, kbase);
		else
			scribble_sparse(&s, kbase, b->pt_root);
		sparse_calls(&s);
	} else {
		adv_puts("adv_gk: unknown mode\n");
		return 2;
	}
	snprintf(line, sizeof(line), "adv_gk %s: survived\n", mode);
	sc3(1, 1, line, strlen(line));
	return 0;
}
