/* adv_sweep.c - every syscall number 0..1023 with pseudo-random arguments (fixed seed, bounded).
 *
 * usage: adv_sweep [SEED [CALLS_PER_NUMBER [PATH...]]]   (defaults: 0x5eed, 32)
 *        PATHs (granted files, channels) join "/" and "/dev/null" as the paths the calls see.
 *
 * Arguments come from a pool of edge values (region edges, kernel addresses, non-canonical
 * addresses, huge lengths, small ints) and raw 64-bit noise. Pointers into valid memory only
 * ever point into a scratch area below the program image, so the sweep cannot destroy itself.
 * Skipped: exit/exit_group, rt_sigreturn, the calls that can block forever (pause, sigsuspend,
 * futex, nanosleep family, poll family, wait, pipes), the process calls (fork and kin multiply
 * the sweep, execve replaces it: test_hostile.sh runs the sweep in a forked child instead), and
 * those that can unmap or zero the program
 * (mmap, munmap, brk, mremap, madvise), signal sending, and arch_prctl SET_FS/GS; getrandom
 * lengths are clamped (it caps a huge length to 32 MiB, which from the scratch area would
 * reach the read-only image and kill the VM with a guest-kernel page fault). Writes to
 * stdout/stderr, and closes or dups over them, are redirected to /dev/null.
 * Prints "adv_sweep: N calls, done"; exit 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adv.h"

#define SCRATCH_LO 0x10000ull /* [64 KiB, image) is mapped and unused by a -no-pie static program */
#define SCRATCH_SIZE (256ull << 10)
#define NULLFD 250

static uint64_t pool[64];
static int npool;

static int skipped(long nr)
{
	switch (nr) {
	case 60: case 231:                 /* exit, exit_group */
	case 15:                           /* rt_sigreturn */
	case 34: case 130: case 202:       /* pause, rt_sigsuspend, futex */
	case 35: case 230:                 /* nanosleep, clock_nanosleep */
	case 7: case 271: case 23: case 270: case 232: case 281: case 441: /* poll family */
	case 61: case 247:                 /* wait4, waitid */
	case 9: case 11: case 12: case 25: case 28: /* mmap, munmap, brk, mremap, madvise */
	case 62: case 200: case 234: case 129: case 297: /* kill, tkill, tgkill, sigqueue */
	case 37: case 38:                  /* alarm, setitimer */
	case 56: case 57: case 58: case 435: /* clone, fork, vfork, clone3: each child would sweep too */
	case 59: case 322:                 /* execve, execveat: would replace the sweep */
	case 22: case 293:                 /* pipe, pipe2: a read of its own empty pipe blocks forever */
		return 1;
	default:
		return 0;
	}
}

static uint64_t pick(uint64_t *s)
{
	uint64_t r = adv_rand(s);

	if ((r & 7) == 0)
		return adv_rand(s); /* raw noise */
	return pool[(r >> 8) % (uint64_t)npool];
}

int main(int argc, char **argv)
{
	const volatile struct vmlet_boot *boot = (const volatile struct vmlet_boot *)ADV_GK->boot;
	uint64_t seed = argc > 1 ? strtoull(argv[1], 0, 0) : 0x5eed, per = argc > 2 ? strtoull(argv[2], 0, 0) : 32;
	uint64_t s = seed ? seed : 1, n = 0, i, *scratch = (uint64_t *)SCRATCH_LO;
	long nr, nullfd = sc3(2, "/dev/null", 2, 0);
	char line[120];

	if ((uint64_t)&pool < SCRATCH_LO + SCRATCH_SIZE) {
		adv_puts("adv_sweep: program image overlaps the scratch area\n");
		return 1;
	}
	sc2(33, nullfd, NULLFD);
	sc1(3, nullfd);
	{
		static const uint64_t edges[] = {
			0, 1, 2, 3, 4, 8, 16, 64, 144, 255, 256, 4095, 4096, 65535,
			0x7ffff000, 1ull << 31, 1ull << 32, 1ull << 40, 1ull << 63, ~0ull, ~0ull - 1,
			(uint64_t)-100, (uint64_t)-4096, 0x7fffffffffffffffull,
			VMLET_USER_LO - 1, 0x800000000000ull, 0xffff800000000000ull,
			VMLET_KERNEL_VBASE, VMLET_KERNEL_VBASE - 8, VMLET_KERNEL_VBASE + 0x1000,
			VMLET_KERNEL_VBASE + VMLET_GK_OFFSET,
			SCRATCH_LO, SCRATCH_LO + 8, SCRATCH_LO + 4096, SCRATCH_LO + 0x8000,
			SCRATCH_LO + SCRATCH_SIZE / 2, SCRATCH_LO + SCRATCH_SIZE / 2 + 3,
		};
		for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
			pool[npool++] = edges[i];
		pool[npool++] = boot->user_hi;
		pool[npool++] = boot->user_hi - 1;
		pool[npool++] = boot->mmap_top; /* stack guard */
		pool[npool++] = boot->mem_bytes;
		pool[npool++] = ADV_GK->hypercall;
		pool[npool++] = ADV_GK->ring;
		pool[npool++] = ADV_GK->boot;
		pool[npool++] = ADV_GK->stats;
		pool[npool++] = ADV_GK->bss_end - 8;
	}
	for (nr = 0; nr < 1024; nr++) {
		if (skipped(nr))
			continue;
		for (i = 0; i < per; i++) {
			uint64_t a[6], k;
			long r;
			/* Scratch holds pool words (so iovecs, sigactions, paths... are edge values too) and a path. */
			for (k = 0; k < 64; k++)
				scratch[k] = pick(&s);
			{
				uint64_t pick_path = adv_rand(&s) % (uint64_t)(argc > 3 ? argc - 1 : 2);
				const char *path = pick_path == 0 ? "/dev/null" : pick_path == 1 ? "/" : argv[pick_path + 1];
				size_t len = strlen(path);
				if (len > 4000)
					len = 4000;
				memcpy((char *)SCRATCH_LO + 4096, path, len);
				((char *)SCRATCH_LO)[4096 + len] = 0;
			}
			for (k = 0; k < 6; k++)
				a[k] = pick(&s);
			switch (nr) {
			case 1: case 18: case 20: case 296: /* writes to stdout/stderr go to /dev/null */
				if (a[0] == 1 || a[0] == 2)
					a[0] = NULLFD;
				break;
			case 3: /* close: keep stdout, stderr and the /dev/null fd */
				if (a[0] == 1 || a[0] == 2 || a[0] == NULLFD)
					a[0] = 999;
				break;
			case 33: case 292: /* dup2/dup3: never over stdout, stderr or /dev/null */
				if (a[1] == 1 || a[1] == 2 || a[1] == NULLFD)
					a[1] = 999;
				break;
			case 72: /* fcntl F_DUPFD may land anywhere; fine. F_SETFD on 1 is harmless too. */
				break;
			case 318: /* getrandom clamps huge lengths to 32 MiB, which from scratch reaches the image */
				if (a[1] > 4096)
					a[1] = 4096;
				break;
			case 158: /* arch_prctl: never move %fs/%gs (libc's TLS) */
				if (a[0] == 0x1001 || a[0] == 0x1002)
					a[0] = 0x1003;
				break;
			}
			r = sc6(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
			(void)r;
			n++;
		}
	}
	snprintf(line, sizeof(line), "adv_sweep: %llu calls, done\n", (unsigned long long)n);
	adv_puts(line);
	return 0;
}
