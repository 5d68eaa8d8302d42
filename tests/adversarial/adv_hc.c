/* adv_hc.c - the program calls the host directly: crafted hypercall blocks and `outb` to port 0xd0.
 *
 * usage: adv_hc MODE [N]
 *   battery       every hypercall 1..17 with bad handles, addresses out of range, huge lengths,
 *                 paths without NUL, path lengths 0/4095/4096/2^40, close_mask all ones, handle
 *                 exhaustion. Prints "adv_hc battery: N calls, U unexpected" and the unexpected ones.
 *   nr N          hypercall number N (VMLET_HC_COUNT..2^64-1 are unknown: SIGSYS)
 *   exit-sig N    VMLET_HC_EXIT claiming death by signal N
 *   exit-status N VMLET_HC_EXIT with status N
 *   poll-forever  poll a directory handle with no timeout (only --timeout ends it)
 *   sleep-forever sleep 2^64-1 ns
 *   read-forever  read stdin (an open FIFO nobody writes) with no timeout
 *   write-stdin   write to handle 0 (the host's stdin); prints the result
 *   misaligned    stat, fstat and open with a result buffer at an odd address (the host
 *                 writes struct vmlet_stat there); prints the three results
 *   discard       VMLET_HC_DISCARD on heap pages, unaligned, wrapping, below the heap, the stack,
 *                 past user memory, the kernel; prints the results
 *   text          have the host read stdin into the guest kernel's text at the syscall entry,
 *                 then make a syscall (the bytes given decide what runs there)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adv.h"

static long n, bad;
static char page[3 * 4096] __attribute__((aligned(4096)));

static void expect(const char *tag, long want, long got, uint64_t a, uint64_t b)
{
	n++;
	if (want == 1 ? got < 0 : want == -1 ? got >= 0 || got < -4095 : got != want) {
		adv_report(tag, a, b, got);
		bad++;
	}
}
#define OK 1    /* any success */
#define FAIL -1 /* any -errno */

static void battery(void)
{
	const volatile struct vmlet_boot *boot = (const volatile struct vmlet_boot *)ADV_GK->boot;
	volatile struct vmlet_hypercall *h = (volatile struct vmlet_hypercall *)ADV_GK->hypercall;
	uint64_t user_hi = boot->user_hi, gk_lo = VMLET_KERNEL_VBASE + VMLET_GK_OFFSET, gk_hi = ADV_GK->bss_end;
	const uint64_t badaddr[] = {
		0, 1, 0xffff, VMLET_USER_LO - 1, user_hi, user_hi + 1, boot->mem_bytes, 1ull << 40,
		VMLET_KERNEL_VBASE - 1, VMLET_KERNEL_VBASE, VMLET_KERNEL_VBASE + 0x1000,
		VMLET_KERNEL_VBASE + 0x10000, gk_lo - 1, gk_hi + 1, VMLET_KERNEL_VBASE + VMLET_KERNEL_SIZE,
		0x800000000000ull, 0x8000000000000000ull, ~0ull, ~0ull - 143,
	};
	const uint64_t badh[] = { 4, 5, 62, 63, 64, 65, 255, 1ull << 32, (1ull << 32) + 1, 1ull << 63, ~0ull };
	struct vmlet_stat *st = (struct vmlet_stat *)page;
	char *path = page + 4096;
	long r, dir, i, hs[80];
	size_t k;

	/* A directory handle to play with ("/" always exists as a virtual directory). */
	path[0] = '/';
	dir = adv_hc(VMLET_HC_OPEN, (uint64_t)path, 1, VMLET_OPEN_DIRECTORY, (uint64_t)st);
	expect("open-root", OK, dir, 0, 0);

	for (k = 0; k < sizeof(badaddr) / sizeof(badaddr[0]); k++) {
		uint64_t a = badaddr[k];
		expect("read-badaddr", -EFAULT, adv_hc(VMLET_HC_READ, 0, a, 16, VMLET_OFF_NONE), a, 0);
		expect("write-badaddr", -EFAULT, adv_hc(VMLET_HC_WRITE, 1, a, 16, VMLET_OFF_NONE), a, 0);
		expect("open-badpath", -EFAULT, adv_hc(VMLET_HC_OPEN, a, 1, 0, (uint64_t)st), a, 0);
		expect("open-badstat", -EFAULT, adv_hc(VMLET_HC_OPEN, (uint64_t)path, 1, 0, a), a, 0);
		expect("fstat-badaddr", -EFAULT, adv_hc(VMLET_HC_FSTAT, 1, a, 0, 0), a, 0);
		expect("fstat-dir-badaddr", -EFAULT, adv_hc(VMLET_HC_FSTAT, (uint64_t)dir, a, 0, 0), a, 0);
		expect("stat-badpath", -EFAULT, adv_hc(VMLET_HC_STAT, a, 1, (uint64_t)st, 0), a, 0);
		expect("stat-badstat", -EFAULT, adv_hc(VMLET_HC_STAT, (uint64_t)path, 1, a, 0), a, 0);
		expect("getdents-badaddr", -EFAULT, adv_hc(VMLET_HC_GETDENTS, (uint64_t)dir, a, 4096, 0), a, 0);
		expect("tty-badaddr", FAIL, adv_hc(VMLET_HC_TTY, 1, VMLET_TTY_TCGETS, a, 0), a, 0);
		expect("readlink-badpath", -EFAULT, adv_hc(VMLET_HC_READLINK, a, 1, (uint64_t)page, 64), a, 0);
		expect("readlink-badbuf", -EFAULT, adv_hc(VMLET_HC_READLINK, (uint64_t)path, 1, a, 64), a, 0);
		expect("statfs-badpath", -EFAULT, adv_hc(VMLET_HC_STATFS, VMLET_OFF_NONE, a, 1, (uint64_t)page), a, 0);
		expect("statfs-badbuf", -EFAULT, adv_hc(VMLET_HC_STATFS, 1, 0, 0, a), a, 0);
	}
	/* Ranges that end exactly at, or one byte past, the edges. */
	expect("stat-at-user-hi", -EFAULT, adv_hc(VMLET_HC_STAT, (uint64_t)path, 1, user_hi - sizeof(*st) + 1, 0), 0, 0);
	expect("stat-at-gk-hi", -EFAULT, adv_hc(VMLET_HC_STAT, (uint64_t)path, 1, gk_hi - sizeof(*st) + 1, 0), 0, 0);
	expect("stat-below-gk-lo", -EFAULT, adv_hc(VMLET_HC_STAT, (uint64_t)path, 1, gk_lo - 8, 0), 0, 0);
	expect("stat-gk-top", 0, adv_hc(VMLET_HC_STAT, (uint64_t)path, 1, gk_hi - sizeof(*st), 0), 0, 0);
	expect("read-user-lo", 0, adv_hc(VMLET_HC_READ, 0, VMLET_USER_LO, 16, VMLET_OFF_NONE), 0, 0);
	expect("read-crosses-user-hi", -EFAULT, adv_hc(VMLET_HC_READ, 0, user_hi - 8, 16, VMLET_OFF_NONE), 0, 0);
	expect("read-wraps", -EFAULT, adv_hc(VMLET_HC_READ, 0, (uint64_t)page, ~0ull - (uint64_t)page + 16, VMLET_OFF_NONE), 0, 0);
	expect("write-wraps", -EFAULT, adv_hc(VMLET_HC_WRITE, 1, (uint64_t)page, ~0ull - (uint64_t)page + 16, VMLET_OFF_NONE), 0, 0);
	/* Huge lengths: clamped to 1 GiB by the host, then out of range (256 MiB guest). */
	{
		static const uint64_t lens[] = { 1ull << 30, (1ull << 30) + 1, 1ull << 40, 1ull << 63, ~0ull };
		for (k = 0; k < 5; k++) {
			expect("read-hugelen", -EFAULT, adv_hc(VMLET_HC_READ, 0, (uint64_t)page, lens[k], VMLET_OFF_NONE), lens[k], 0);
			expect("write-hugelen", -EFAULT, adv_hc(VMLET_HC_WRITE, 1, (uint64_t)page, lens[k], VMLET_OFF_NONE), lens[k], 0);
			expect("getdents-hugelen", -EFAULT, adv_hc(VMLET_HC_GETDENTS, (uint64_t)dir, (uint64_t)page, lens[k], 0), lens[k], 0);
			expect("readlink-hugelen", -EINVAL, adv_hc(VMLET_HC_READLINK, (uint64_t)path, 1, (uint64_t)page, lens[k]), lens[k], 0);
		}
	}
	/* Offsets: past INT64_MAX is EINVAL for a positional read of stdin. */
	expect("read-offset-2^63", -EINVAL, adv_hc(VMLET_HC_READ, 0, (uint64_t)page, 16, 1ull << 63), 0, 0);
	expect("read-offset-max-1", -EINVAL, adv_hc(VMLET_HC_READ, 0, (uint64_t)page, 16, ~0ull - 1), 0, 0);
	/* Bad handles everywhere a handle goes. */
	for (k = 0; k < sizeof(badh) / sizeof(badh[0]); k++) {
		uint64_t b = badh[k];
		expect("read-badh", -EBADF, adv_hc(VMLET_HC_READ, b, (uint64_t)page, 16, VMLET_OFF_NONE), b, 0);
		expect("write-badh", -EBADF, adv_hc(VMLET_HC_WRITE, b, (uint64_t)page, 16, VMLET_OFF_NONE), b, 0);
		expect("close-badh", -EBADF, adv_hc(VMLET_HC_CLOSE, b, 0, 0, 0), b, 0);
		expect("fstat-badh", -EBADF, adv_hc(VMLET_HC_FSTAT, b, (uint64_t)st, 0, 0), b, 0);
		expect("getdents-badh", -EBADF, adv_hc(VMLET_HC_GETDENTS, b, (uint64_t)page, 4096, 0), b, 0);
		expect("poll-badh", -EBADF, adv_hc(VMLET_HC_POLL, b, 1, 0, 0), b, 0);
		expect("tty-badh", -ENOTTY, adv_hc(VMLET_HC_TTY, b, VMLET_TTY_TCGETS, (uint64_t)page, 0), b, 0);
		expect("seek-badh", -EBADF, adv_hc(VMLET_HC_SEEK, b, 0, 0, 0), b, 0);
		expect("statfs-badh", -EBADF, adv_hc(VMLET_HC_STATFS, b, 0, 0, (uint64_t)page), b, 0);
		expect("truncate-badh", -EBADF, adv_hc(VMLET_HC_TRUNCATE, b, 0, 0, 0), b, 0);
	}
	/* Truncation only of a written file channel: never stdio, a directory, a grant. */
	expect("truncate-stdout", -EINVAL, adv_hc(VMLET_HC_TRUNCATE, 1, 0, 0, 0), 0, 0);
	expect("truncate-stdin", -EINVAL, adv_hc(VMLET_HC_TRUNCATE, 0, 0, 0, 0), 0, 0);
	expect("truncate-dir", -EINVAL, adv_hc(VMLET_HC_TRUNCATE, (uint64_t)dir, 0, 0, 0), 0, 0);
	expect("statfs-dir", 0, adv_hc(VMLET_HC_STATFS, (uint64_t)dir, 0, 0, (uint64_t)page), 0, 0);
	expect("statfs-root", 0, adv_hc(VMLET_HC_STATFS, VMLET_OFF_NONE, (uint64_t)path, 1, (uint64_t)page), 0, 0);
	/* Stdio handles where files or directories are expected; closing stdio is a no-op. */
	expect("getdents-stdio", -ENOTDIR, adv_hc(VMLET_HC_GETDENTS, 1, (uint64_t)page, 4096, 0), 0, 0);
	expect("seek-stdio", -EINVAL, adv_hc(VMLET_HC_SEEK, 0, 0, 0, 0), 0, 0);
	expect("close-stdin", 0, adv_hc(VMLET_HC_CLOSE, 0, 0, 0, 0), 0, 0);
	expect("close-stdout", 0, adv_hc(VMLET_HC_CLOSE, 1, 0, 0, 0), 0, 0);
	expect("write-stdout-after-close", 3, adv_hc(VMLET_HC_WRITE, 1, (uint64_t)"ok\n", 3, VMLET_OFF_NONE), 0, 0);
	expect("write-stdin", FAIL, adv_hc(VMLET_HC_WRITE, 0, (uint64_t)page, 1, VMLET_OFF_NONE), 0, 0);
	expect("read-dir", -EISDIR, adv_hc(VMLET_HC_READ, (uint64_t)dir, (uint64_t)page, 16, VMLET_OFF_NONE), 0, 0);
	expect("tty-badreq", -EINVAL, adv_hc(VMLET_HC_TTY, 1, 0, (uint64_t)page, 0), 0, 0);
	expect("tty-badreq2", -EINVAL, adv_hc(VMLET_HC_TTY, 1, ~0ull, (uint64_t)page, 0), 0, 0);
	expect("tty-notatty", -ENOTTY, adv_hc(VMLET_HC_TTY, 0, VMLET_TTY_TIOCGWINSZ, (uint64_t)page, 0), 0, 0);
	/* Directory handle odds and ends. */
	expect("getdents-len0", -EINVAL, adv_hc(VMLET_HC_GETDENTS, (uint64_t)dir, (uint64_t)page, 0, 0), 0, 0);
	expect("getdents-len1", -EINVAL, adv_hc(VMLET_HC_GETDENTS, (uint64_t)dir, (uint64_t)page, 1, 0), 0, 0);
	expect("getdents-ok", OK, adv_hc(VMLET_HC_GETDENTS, (uint64_t)dir, (uint64_t)page, 4096, 0), 0, 0);
	expect("getdents-end", 0, adv_hc(VMLET_HC_GETDENTS, (uint64_t)dir, (uint64_t)page, 4096, 0), 0, 0);
	expect("seek-dir-1", -EINVAL, adv_hc(VMLET_HC_SEEK, (uint64_t)dir, 1, 0, 0), 0, 0);
	expect("seek-dir-end", -EINVAL, adv_hc(VMLET_HC_SEEK, (uint64_t)dir, 0, 2, 0), 0, 0);
	expect("seek-dir-0", 0, adv_hc(VMLET_HC_SEEK, (uint64_t)dir, 0, 0, 0), 0, 0);
	expect("getdents-again", OK, adv_hc(VMLET_HC_GETDENTS, (uint64_t)dir, (uint64_t)page, 4096, 0), 0, 0);
	expect("poll-dir-0", 0, adv_hc(VMLET_HC_POLL, (uint64_t)dir, 1, 0, 0), 0, 0);
	expect("poll-stdin", OK, adv_hc(VMLET_HC_POLL, 0, 1, 0, 0), 0, 0);
	expect("poll-stdout-garbage-events", OK, adv_hc(VMLET_HC_POLL, 1, ~0ull, 0, 0), 0, 0);
	expect("poll-dir-neg-ms", 0, adv_hc(VMLET_HC_POLL, (uint64_t)dir, 1, 1, 0), 0, 0);
	expect("sleep-0", 0, adv_hc(VMLET_HC_SLEEP, 0, 0, 0, 0), 0, 0);
	expect("sleep-1ns", 0, adv_hc(VMLET_HC_SLEEP, 1, 0, 0, 0), 0, 0);
	expect("clock", 0, adv_hc(VMLET_HC_CLOCK, ~0ull, ~0ull, ~0ull, ~0ull), 0, 0);
	expect("flush", 0, adv_hc(VMLET_HC_FLUSH, ~0ull, ~0ull, ~0ull, ~0ull), 0, 0);
	/* Paths: lengths 0, 4095, 4096, 2^40; no NUL needed (length-delimited); embedded NUL; odd paths. */
	memset(path, 'a', 8192);
	path[0] = '/';
	expect("open-len0", -ENOENT, adv_hc(VMLET_HC_OPEN, (uint64_t)path, 0, 0, (uint64_t)st), 0, 0);
	expect("open-len4095", -ENOENT, adv_hc(VMLET_HC_OPEN, (uint64_t)path, 4095, 0, (uint64_t)st), 0, 0);
	expect("open-len4096", -ENAMETOOLONG, adv_hc(VMLET_HC_OPEN, (uint64_t)path, 4096, 0, (uint64_t)st), 0, 0);
	expect("open-len2^40", -ENAMETOOLONG, adv_hc(VMLET_HC_OPEN, (uint64_t)path, 1ull << 40, 0, (uint64_t)st), 0, 0);
	expect("open-len~0", -ENAMETOOLONG, adv_hc(VMLET_HC_OPEN, (uint64_t)path, ~0ull, 0, (uint64_t)st), 0, 0);
	expect("stat-len4095", -ENOENT, adv_hc(VMLET_HC_STAT, (uint64_t)path, 4095, (uint64_t)st, 0), 0, 0);
	expect("readlink-len4095", FAIL, adv_hc(VMLET_HC_READLINK, (uint64_t)path, 4095, (uint64_t)page, 64), 0, 0);
	expect("open-path-at-user-hi", -EFAULT, adv_hc(VMLET_HC_OPEN, user_hi - 100, 101, 0, (uint64_t)st), 0, 0);
	expect("open-path-to-user-hi", FAIL, adv_hc(VMLET_HC_OPEN, user_hi - 100, 100, 0, (uint64_t)st), 0, 0);
	path[1] = 0;
	path[2] = 'x';
	expect("open-embedded-nul", -EINVAL, adv_hc(VMLET_HC_OPEN, (uint64_t)path, 3, 0, (uint64_t)st), 0, 0);
	{
		static const char *const odd[] = {
			"/..", "/../..", "/./", "//", "/a/../..", "..", "", "relative", "/proc/self/root",
			"/\xff\xfe", "/" "\n", "/dev/../..", "/.", "/..a", "/a/./b",
		};
		for (k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
			size_t len = strlen(odd[k]);
			memcpy(path, odd[k], len);
			r = adv_hc(VMLET_HC_OPEN, (uint64_t)path, len, 0, (uint64_t)st);
			if (r >= 3)
				adv_hc(VMLET_HC_CLOSE, (uint64_t)r, 0, 0, 0);
			expect(odd[k], FAIL, r, len, 0); /* the host takes only normalized absolute paths */
			r = adv_hc(VMLET_HC_STAT, (uint64_t)path, len, (uint64_t)st, 1);
			n++;
			r = adv_hc(VMLET_HC_READLINK, (uint64_t)path, len, (uint64_t)page, 4096);
			n++;
		}
	}
	/* Open for write: read-only everything. */
	path[0] = '/';
	expect("open-write-root", FAIL, adv_hc(VMLET_HC_OPEN, (uint64_t)path, 1, VMLET_OPEN_WRITE, (uint64_t)st), 0, 0);
	expect("open-all-flags", OK, r = adv_hc(VMLET_HC_OPEN, (uint64_t)path, 1, ~0ull & ~(uint64_t)VMLET_OPEN_WRITE, (uint64_t)st), 0, 0);
	if (r >= 3)
		adv_hc(VMLET_HC_CLOSE, (uint64_t)r, 0, 0, 0);
	/* Exhaust the host handle table: 61 handles (3..63), then EMFILE. */
	for (i = 0; i < 80; i++)
		hs[i] = adv_hc(VMLET_HC_OPEN, (uint64_t)path, 1, 0, (uint64_t)st);
	expect("exhaust-first", OK, hs[0], 0, 0);
	expect("exhaust-emfile", -EMFILE, hs[79], 0, 0);
	/* close_mask: every bit. The host closes 3..63 before the call; stdio stays. */
	h->close_mask = ~0ull;
	expect("close-mask-flush", 0, adv_hc(VMLET_HC_FLUSH, 0, 0, 0, 0), 0, 0);
	expect("close-mask-cleared", 0, (long)h->close_mask, 0, 0);
	expect("after-mask-dir-gone", -EBADF, adv_hc(VMLET_HC_GETDENTS, (uint64_t)dir, (uint64_t)page, 4096, 0), 0, 0);
	expect("after-mask-stdout", 3, adv_hc(VMLET_HC_WRITE, 1, (uint64_t)"ok\n", 3, VMLET_OFF_NONE), 0, 0);
	for (i = 0; i < 61; i++) {
		r = adv_hc(VMLET_HC_OPEN, (uint64_t)path, 1, 0, (uint64_t)st);
		if (r < 0)
			break;
	}
	expect("reopen-61", 61, i, 0, 0);
	/* close_mask together with a call that uses a closed handle: closes come first. */
	h->close_mask = 1ull << 3;
	expect("mask-then-use", -EBADF, adv_hc(VMLET_HC_FSTAT, 3, (uint64_t)st, 0, 0), 0, 0);
	h->close_mask = ~0ull;
	adv_hc(VMLET_HC_FLUSH, 0, 0, 0, 0);
	/* The host writes into the hypercall block and the ring when asked: both are in the image. */
	expect("clock-again", OK, adv_hc(VMLET_HC_CLOCK, 0, 0, 0, 0), 0, 0);
	expect("read-into-ring", 0, adv_hc(VMLET_HC_READ, 0, ADV_GK->ring, 4096, VMLET_OFF_NONE), 0, 0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "battery";
	uint64_t arg = argc > 2 ? strtoull(argv[2], 0, 0) : 0;
	char line[160];
	long r;

	if (!strcmp(mode, "battery")) {
		battery();
		snprintf(line, sizeof(line), "adv_hc battery: %ld calls, %ld unexpected\n", n, bad);
		adv_puts(line);
		return 0;
	} else if (!strcmp(mode, "nr")) {
		r = adv_hc(arg, 0, 0, 0, 0);
	} else if (!strcmp(mode, "exit-sig")) {
		r = adv_hc(VMLET_HC_EXIT, 0, arg, 0, 0);
	} else if (!strcmp(mode, "exit-status")) {
		r = adv_hc(VMLET_HC_EXIT, arg, 0, 0, 0);
	} else if (!strcmp(mode, "poll-forever")) {
		page[0] = '/';
		r = adv_hc(VMLET_HC_OPEN, (uint64_t)page, 1, 0, (uint64_t)page + 4096);
		r = adv_hc(VMLET_HC_POLL, (uint64_t)r, 1, ~0ull, 0);
	} else if (!strcmp(mode, "sleep-forever")) {
		r = adv_hc(VMLET_HC_SLEEP, ~0ull, 0, 0, 0);
	} else if (!strcmp(mode, "read-forever")) {
		r = adv_hc(VMLET_HC_READ, 0, (uint64_t)page, 16, VMLET_OFF_NONE);
	} else if (!strcmp(mode, "write-stdin")) {
		r = adv_hc(VMLET_HC_WRITE, 0, (uint64_t)"x", 1, VMLET_OFF_NONE);
	} else if (!strcmp(mode, "discard")) {
		const volatile struct vmlet_boot *boot = (const volatile struct vmlet_boot *)ADV_GK->boot;
		uint64_t heap = (boot->brk_start + (2ull << 20)) & ~4095ull, hi = boot->user_hi;
		long r[10];
		*(volatile char *)heap = 1;
		r[0] = adv_hc(VMLET_HC_DISCARD, heap, 1 << 20, 0, 0);
		r[1] = adv_hc(VMLET_HC_DISCARD, heap + 1, 4096, 0, 0);
		r[2] = adv_hc(VMLET_HC_DISCARD, heap, 4095, 0, 0);
		r[3] = adv_hc(VMLET_HC_DISCARD, heap, ~0ull - 4095, 0, 0);
		r[4] = adv_hc(VMLET_HC_DISCARD, 0x400000, 4096, 0, 0); /* the program image */
		r[5] = adv_hc(VMLET_HC_DISCARD, boot->stack_lo, 4096, 0, 0); /* the (unused) bottom of the stack */
		r[6] = adv_hc(VMLET_HC_DISCARD, hi, 4096, 0, 0);
		r[7] = adv_hc(VMLET_HC_DISCARD, VMLET_KERNEL_VBASE + VMLET_GK_OFFSET, 4096, 0, 0);
		r[8] = adv_hc(VMLET_HC_DISCARD, ADV_GK->text_end, 4096, 0, 0);
		r[9] = adv_hc(VMLET_HC_DISCARD, heap, 0, 0, 0);
		snprintf(line, sizeof(line), "adv_hc discard: %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld heap %d\n", r[0], r[1],
			 r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], *(volatile char *)heap);
		adv_hc(VMLET_HC_WRITE, 1, (uint64_t)line, strlen(line), VMLET_OFF_NONE);
		return 0;
	} else if (!strcmp(mode, "misaligned")) {
		long a, b, c;
		page[0] = '/';
		a = adv_hc(VMLET_HC_STAT, (uint64_t)page, 1, (uint64_t)page + 4096 + 1, 0);
		b = adv_hc(VMLET_HC_FSTAT, 1, (uint64_t)page + 4096 + 3, 0, 0);
		c = adv_hc(VMLET_HC_OPEN, (uint64_t)page, 1, 0, (uint64_t)page + 4096 + 5);
		snprintf(line, sizeof(line), "adv_hc misaligned: %ld %ld %ld\n", a, b, c);
		adv_puts(line);
		return 0;
	} else if (!strcmp(mode, "text")) {
		uint64_t entry = ADV_GK->syscall_entry;
		uint8_t before = *(volatile uint8_t *)entry;
		r = adv_hc(VMLET_HC_READ, 0, entry, 64, 0);
		snprintf(line, sizeof(line), "adv_hc text: host read %ld bytes into the kernel text (first byte %#x -> %#x)\n",
			 r, before, *(volatile uint8_t *)entry);
		/* Not write(2): the syscall entry now holds the bytes just read. */
		adv_hc(VMLET_HC_WRITE, 1, (uint64_t)line, strlen(line), VMLET_OFF_NONE);
		r = sc0(39); /* getpid: enters the guest kernel at the bytes just read */
	} else {
		adv_puts("adv_hc: unknown mode\n");
		return 2;
	}
	snprintf(line, sizeof(line), "adv_hc %s: returned %ld\n", mode, r);
	adv_puts(line);
	return 0;
}
