/* adv_fd.c - invalid and huge file descriptors in every fd-taking call, a full descriptor table,
 * dup onto the limits, and closing stdio. Prints "adv_fd: N calls, U unexpected"; exit 0. */
#include <stdint.h>
#include <stdio.h>

#include "adv.h"

static long n, bad;

static void expect_fail(const char *tag, long r, uint64_t fd)
{
	n++;
	if (r >= 0) {
		adv_report(tag, fd, 0, r);
		bad++;
	}
}

int main(void)
{
	static const uint64_t fds[] = {
		3, 4, 63, 64, 65, 255, 256, 257, 1023, 1024, 65535, 65536, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ull, 0x100000001ull, 1ull << 62, 1ull << 63, ~0ull - 1, ~0ull,
		(uint64_t)-100 /* AT_FDCWD where a plain fd is wanted */,
	};
	static char buf[4096];
	static const char root[] = "/", rel[] = "x";
	struct { int32_t fd; int16_t ev, rev; } pfd[4];
	char line[120];
	long r, i, opened = 0, first = -1, last = -1;
	size_t k;

	for (k = 0; k < sizeof(fds) / sizeof(fds[0]); k++) {
		uint64_t fd = fds[k];
		expect_fail("read", sc3(0, fd, buf, 16), fd);
		expect_fail("write", sc3(1, fd, buf, 16), fd);
		expect_fail("pread64", sc4(17, fd, buf, 16, 0), fd);
		expect_fail("pwrite64", sc4(18, fd, buf, 16, 0), fd);
		expect_fail("close", sc1(3, fd), fd);
		expect_fail("fstat", sc2(5, fd, buf), fd);
		expect_fail("lseek", sc3(8, fd, 0, 0), fd);
		expect_fail("ioctl", sc3(16, fd, 0x5413, buf), fd);
		expect_fail("ioctl-fioclex", sc3(16, fd, 0x5451, 0), fd);
		expect_fail("dup", sc1(32, fd), fd);
		expect_fail("dup2-from", sc2(33, fd, 10), fd);
		expect_fail("dup3-from", sc3(292, fd, 11, 0), fd);
		expect_fail("fcntl-getfd", sc2(72, fd, 1), fd);
		expect_fail("fcntl-setfd", sc3(72, fd, 2, 1), fd);
		expect_fail("fcntl-dupfd", sc3(72, fd, 0, 0), fd);
		expect_fail("getdents64", sc3(217, fd, buf, sizeof(buf)), fd);
		expect_fail("fchdir", sc1(81, fd), fd);
		if ((int)fd != -100) {
			expect_fail("openat-dirfd", sc4(257, fd, rel, 0, 0), fd);
			expect_fail("newfstatat-dirfd", sc4(262, fd, rel, buf, 0), fd);
			expect_fail("readlinkat-dirfd", sc4(267, fd, rel, buf, 64), fd);
		}
		expect_fail("mmap-fd", sc6(9, 0, 4096, 1, 2, fd, 0), fd);
		/* dup onto a huge target: EBADF, never an out-of-range table write. */
		if (fd >= 256) {
			expect_fail("dup2-to", sc2(33, 1, fd), fd);
			expect_fail("dup3-to", sc3(292, 1, fd, 0), fd);
			expect_fail("fcntl-dupfd-min", sc3(72, 1, 0, fd), fd);
		}
		/* poll reports POLLNVAL for a bad fd; it must not fail or block. */
		if ((uint32_t)fd < 3)
			continue;
		pfd[0].fd = (int32_t)fd;
		pfd[0].ev = 1;
		pfd[0].rev = 0;
		r = sc3(7, pfd, 1, 0);
		n++;
		if ((int32_t)fd >= 0 && (r != 1 || pfd[0].rev != 0x20)) {
			adv_report("poll-nval", fd, (uint64_t)pfd[0].rev, r);
			bad++;
		}
	}
	/* Fill the host handle table through "/" opens (61 handles), close them, then fill the
	 * descriptor table with /dev/null (no host handle), then misuse the edges. */
	for (i = 0; i < 100; i++) {
		r = sc3(2, root, 0x10000, 0);
		if (r < 0)
			break;
		opened++;
	}
	for (i = 3; i < 256; i++)
		sc1(3, i);
	for (i = 0; i < 400; i++) {
		r = sc3(2, "/dev/null", 0, 0); /* open file descriptions run out first (ENFILE) */
		if (r < 0)
			r = sc1(32, 1);    /* then dup fills the table (EMFILE) */
		if (r < 0)
			break;
		if (first < 0)
			first = r;
		last = r;
		opened++;
	}
	r = sc3(2, "/dev/zero", 0, 0);
	n++;
	if (r >= 0) {
		adv_report("open-past-limit", 0, 0, r);
		bad++;
	}
	expect_fail("dup-full", sc1(32, 1), 1);
	expect_fail("dup2-256", sc2(33, 1, 256), 256);
	r = sc2(33, 1, 255); /* the last slot: allowed, replaces an open fd */
	n++;
	if (r != 255) {
		adv_report("dup2-255", 255, 0, r);
		bad++;
	}
	for (i = first; i >= 0 && i <= last; i++)
		sc1(3, i);
	sc1(3, 255);
	/* Everything is free again: the same opens succeed. */
	for (i = 0; i < 100; i++) {
		r = sc3(2, root, 0x10000, 0);
		if (r < 0) {
			adv_report("reopen", (uint64_t)i, 0, r);
			bad++;
			break;
		}
		sc1(3, r);
	}
	/* Close stdin, then use it; reopen /dev/null over it. */
	sc1(3, 0);
	expect_fail("read-closed-stdin", sc3(0, 0, buf, 1), 0);
	r = sc3(2, "/dev/null", 0, 0);
	n++;
	if (r != 0) {
		adv_report("reopen-stdin", 0, 0, r);
		bad++;
	}
	snprintf(line, sizeof(line), "adv_fd: %ld calls, %ld unexpected (%ld opened)\n", n, bad, opened);
	adv_puts(line);
	return 0;
}
