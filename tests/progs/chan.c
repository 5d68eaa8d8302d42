/*
 * chan.c - a guest for the channel tests (tests/vm/test_channels.sh), one job per subcommand.
 * PATH "-" means stdin (for reading) or stdout (for writing). Results of writing jobs go to
 * stderr, so that they can also write to stdout.
 *   write OUT TEXT [STATUS]   create/truncate OUT, write TEXT, exit STATUS (default 0)
 *   copy IN OUT               copy IN to OUT (4 KiB reads), exit 0
 *   halfcrash OUT             write the first half of "AAAA...BBBB", then dereference NULL
 *   spin OUT                  write "spin", then loop forever without system calls
 *   hold OUT                  write "hold", print "ready" on stdout, then sleep 60 s (for signals)
 *   readall IN [CHUNK]        read CHUNK (default 4096) at a time until EOF or error:
 *                             "calls=K bytes=N end=EOF|ERRNAME"
 *   cat IN                    read IN until EOF and print it
 *   writen OUT N [CHUNK]      write N bytes of 'x', CHUNK (default N) per call, retrying short
 *                             writes: stderr "calls=K bytes=N end=ok|ERRNAME"; exit 0 either way
 *   append OUT TEXT           open O_WRONLY|O_APPEND, write TEXT
 *   rw PATH                   open O_RDWR: print the first 5 bytes, overwrite them with "HELLO",
 *                             then write "+tail" at the end (lseek SEEK_END)
 *   grow PATH                 open PATH twice (O_RDWR, O_RDONLY; the second reads 3 bytes first),
 *                             append "0123456789" at SEEK_END, overwrite bytes 0..2 with "XYZ",
 *                             append "+end": "size=S1 end=E size=S2 other=S3 reread=BYTES"
 *                             (fstat sizes after the first and last write, SEEK_END in between,
 *                             the second fd's fstat size, its pread of bytes 0..2)
 *   pread PATH                pread 4 bytes at offset 2: "pread ok: XXXX" or "pread ERRNAME"
 *   open PATH [r|w|c]         open read-only, write-only or O_CREAT|O_WRONLY: "open ok" or "open ERRNAME"
 *   ls DIR                    names in DIR (without . and ..), sorted, one per line
 *   now                       "REALTIME_SEC MONOTONIC_SEC" (whole seconds)
 *   sleepclock SECONDS        sleep; "slept REALTIME_DELTA_MS MONOTONIC_DELTA_MS"
 *   rand                      AT_RANDOM (16 bytes), getrandom (16 bytes) and /dev/urandom (16 bytes) in hex
 *   sock PATH MSG             open the socket channel PATH, write MSG, shut nothing, read the reply
 *                             until EOF and print "reply: ..."
 *   zero PATH N               read N bytes from PATH: "zero ok N" if all are 0
 *   det IN OUT                deterministic workload: reads IN, takes clocks and random bytes,
 *                             sleeps 1 s, writes a summary to OUT and to stdout
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e)
{
	static char other[32];

	switch (e) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EROFS: return "EROFS";
	case EBADF: return "EBADF";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case EFAULT: return "EFAULT";
	case EDQUOT: return "EDQUOT";
	case ESPIPE: return "ESPIPE";
	case EAGAIN: return "EAGAIN";
	case EPIPE: return "EPIPE";
	case EEXIST: return "EEXIST";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

static int open_in(const char *p)
{
	return strcmp(p, "-") ? open(p, O_RDONLY) : 0;
}

static int open_out(const char *p, int flags)
{
	return strcmp(p, "-") ? open(p, flags, 0644) : 1;
}

static int die(const char *what, const char *path)
{
	fprintf(stderr, "%s %s: %s\n", what, path, ename(errno));
	return 2;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static void hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static double secs(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int cmd_write(char **a, int n)
{
	int fd = open_out(a[0], O_WRONLY | O_CREAT | O_TRUNC);

	if (fd < 0)
		return die("open", a[0]);
	if (write_all(fd, a[1], strlen(a[1])) < 0)
		return die("write", a[0]);
	return n > 2 ? atoi(a[2]) : 0;
}

static int cmd_copy(char **a)
{
	int in = open_in(a[0]), out;
	char buf[4096];
	ssize_t r;

	if (in < 0)
		return die("open", a[0]);
	out = open_out(a[1], O_WRONLY | O_CREAT | O_TRUNC);
	if (out < 0)
		return die("open", a[1]);
	while ((r = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)r) < 0)
			return die("write", a[1]);
	if (r < 0)
		return die("read", a[0]);
	return close(out) < 0 ? die("close", a[1]) : 0;
}

static int cmd_halfcrash(char **a)
{
	int fd = open_out(a[0], O_WRONLY | O_CREAT | O_TRUNC);
	volatile int *volatile null = NULL;

	if (fd < 0)
		return die("open", a[0]);
	if (write_all(fd, "AAAAAAAA", 8) < 0) /* the second half, "BBBBBBBB", never comes */
		return die("write", a[0]);
	*null = 1;
	return write_all(fd, "BBBBBBBB", 8) < 0 ? 2 : 0;
}

static int cmd_spin_hold(char **a, int spin)
{
	int fd = open_out(a[0], O_WRONLY | O_CREAT | O_TRUNC);
	volatile unsigned long i = 0;

	if (fd < 0)
		return die("open", a[0]);
	if (write_all(fd, spin ? "spin" : "hold", 4) < 0)
		return die("write", a[0]);
	if (spin)
		for (;;)
			i++;
	printf("ready\n");
	fflush(stdout);
	sleep_s(60);
	return 0;
}

static int cmd_readall(char **a, int n)
{
	size_t chunk = n > 1 ? (size_t)atol(a[1]) : 4096;
	char *buf = malloc(chunk ? chunk : 1);
	unsigned long calls = 0, bytes = 0;
	int fd = open_in(a[0]);
	ssize_t r;

	if (fd < 0)
		return die("open", a[0]);
	while ((r = read(fd, buf, chunk)) > 0) {
		calls++;
		bytes += (unsigned long)r;
	}
	printf("calls=%lu bytes=%lu end=%s\n", calls, bytes, r == 0 ? "EOF" : ename(errno));
	return 0;
}

static int cmd_cat(char **a)
{
	int fd = open_in(a[0]);
	char buf[4096];
	ssize_t r;

	if (fd < 0)
		return die("open", a[0]);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)r, stdout);
	if (r < 0)
		return die("read", a[0]);
	return 0;
}

static int cmd_writen(char **a, int n)
{
	size_t total = (size_t)atol(a[1]), chunk = n > 2 ? (size_t)atol(a[2]) : total, done = 0;
	unsigned long calls = 0;
	char *buf = malloc(total + 1);
	int fd = open_out(a[0], O_WRONLY | O_CREAT | O_TRUNC);
	const char *end = "ok";

	if (fd < 0)
		return die("open", a[0]);
	memset(buf, 'x', total);
	while (done < total) {
		size_t len = total - done < chunk ? total - done : chunk;
		ssize_t w = write(fd, buf + done, len);
		if (w < 0) {
			end = ename(errno);
			break;
		}
		calls++;
		done += (size_t)w;
	}
	fprintf(stderr, "calls=%lu bytes=%zu end=%s\n", calls, done, end);
	return 0;
}

static int cmd_append(char **a)
{
	int fd = open_out(a[0], O_WRONLY | O_APPEND);

	if (fd < 0)
		return die("open", a[0]);
	if (write_all(fd, a[1], strlen(a[1])) < 0)
		return die("write", a[0]);
	return 0;
}

static int cmd_rw(char **a)
{
	int fd = open(a[0], O_RDWR);
	char buf[6] = { 0 };

	if (fd < 0)
		return die("open", a[0]);
	if (read(fd, buf, 5) != 5)
		return die("read", a[0]);
	printf("read: %s\n", buf);
	if (lseek(fd, 0, SEEK_SET) != 0)
		return die("lseek", a[0]);
	if (write_all(fd, "HELLO", 5) < 0)
		return die("write", a[0]);
	if (lseek(fd, 0, SEEK_END) < 0)
		return die("lseek-end", a[0]);
	if (write_all(fd, "+tail", 5) < 0)
		return die("write-end", a[0]);
	return 0;
}

static int cmd_grow(char **a)
{
	int fd = open(a[0], O_RDWR), other = open(a[0], O_RDONLY);
	struct stat st1, st2, st3;
	char first[4] = { 0 }, again[4] = { 0 };
	off_t end;

	if (fd < 0 || other < 0 || read(other, first, 3) != 3)
		return die("open", a[0]);
	if (lseek(fd, 0, SEEK_END) < 0 || write_all(fd, "0123456789", 10) < 0 || fstat(fd, &st1) < 0)
		return die("write", a[0]);
	end = lseek(fd, 0, SEEK_END);
	if (pwrite(fd, "XYZ", 3, 0) != 3 || lseek(fd, 0, SEEK_END) < 0 || write_all(fd, "+end", 4) < 0 ||
	    fstat(fd, &st2) < 0 || fstat(other, &st3) < 0 || pread(other, again, 3, 0) != 3)
		return die("write", a[0]);
	printf("size=%lld end=%lld size=%lld other=%lld reread=%s\n", (long long)st1.st_size, (long long)end,
	       (long long)st2.st_size, (long long)st3.st_size, again);
	return 0;
}

static int cmd_pread(char **a)
{
	int fd = open(a[0], O_RDONLY);
	char buf[5] = { 0 };
	ssize_t r;

	if (fd < 0)
		return die("open", a[0]);
	r = pread(fd, buf, 4, 2);
	if (r < 0)
		printf("pread %s\n", ename(errno));
	else
		printf("pread ok: %s\n", buf);
	return 0;
}

static int cmd_open(char **a, int n)
{
	char how = n > 1 ? a[1][0] : 'r';
	int flags = how == 'w' ? O_WRONLY : how == 'c' ? O_WRONLY | O_CREAT : O_RDONLY;
	int fd = open(a[0], flags, 0644);

	if (fd < 0)
		printf("open %s\n", ename(errno));
	else
		printf("open ok\n");
	return 0;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int cmd_ls(char **a)
{
	DIR *d = opendir(a[0]);
	struct dirent *e;
	char *names[256];
	size_t n = 0, i;

	if (!d)
		return die("opendir", a[0]);
	while ((e = readdir(d)) && n < 256)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++)
		printf("%s\n", names[i]);
	return 0;
}

static int cmd_now(void)
{
	printf("%lld %lld\n", (long long)secs(CLOCK_REALTIME), (long long)secs(CLOCK_MONOTONIC));
	return 0;
}

static int cmd_sleepclock(char **a)
{
	double r0 = secs(CLOCK_REALTIME), m0 = secs(CLOCK_MONOTONIC), r1, m1;

	sleep_s(atof(a[0]));
	r1 = secs(CLOCK_REALTIME);
	m1 = secs(CLOCK_MONOTONIC);
	printf("slept %.0f %.0f\n", (r1 - r0) * 1e3, (m1 - m0) * 1e3);
	return 0;
}

static int random_hex(char *out)
{
	const unsigned char *at = (const unsigned char *)getauxval(AT_RANDOM);
	unsigned char g[16], u[16];
	int fd = open("/dev/urandom", O_RDONLY);

	if (!at || getrandom(g, sizeof(g), 0) != (ssize_t)sizeof(g))
		return -1;
	if (fd < 0 || read(fd, u, sizeof(u)) != (ssize_t)sizeof(u))
		memset(u, 0xee, sizeof(u));
	if (fd >= 0)
		close(fd);
	hex(at, 16, out);
	out[32] = ' ';
	hex(g, 16, out + 33);
	out[65] = ' ';
	hex(u, 16, out + 66);
	return 0;
}

static int cmd_rand(void)
{
	char h[128];

	if (random_hex(h) < 0)
		return die("getrandom", "");
	printf("%s\n", h);
	return 0;
}

static int cmd_sock(char **a)
{
	int fd = open(a[0], O_RDWR);
	char buf[512];
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return die("open", a[0]);
	if (write_all(fd, a[1], strlen(a[1])) < 0)
		return die("write", a[0]);
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	printf("reply: %s\n", buf);
	return 0;
}

static int cmd_zero(char **a)
{
	size_t want = (size_t)atol(a[1]), got = 0, i;
	char *buf = malloc(want + 1);
	int fd = open(a[0], O_RDONLY);

	if (fd < 0)
		return die("open", a[0]);
	memset(buf, 0x55, want);
	while (got < want) {
		ssize_t r = read(fd, buf + got, want - got);
		if (r <= 0)
			return die("read", a[0]);
		got += (size_t)r;
	}
	for (i = 0; i < want; i++)
		if (buf[i])
			break;
	printf(i == want ? "zero ok %zu\n" : "zero bad at %zu\n", i);
	return 0;
}

static int cmd_det(char **a)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a of IN */
	char buf[4096], line[512], rnd[128];
	int in = open_in(a[0]), out;
	double r0, m0, r1, m1;
	ssize_t r;
	int n;

	if (in < 0)
		return die("open", a[0]);
	while ((r = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < r; i++)
			h = (h ^ (unsigned char)buf[i]) * 1099511628211ull;
	r0 = secs(CLOCK_REALTIME);
	m0 = secs(CLOCK_MONOTONIC);
	if (random_hex(rnd) < 0)
		return die("getrandom", "");
	sleep_s(1);
	r1 = secs(CLOCK_REALTIME);
	m1 = secs(CLOCK_MONOTONIC);
	n = snprintf(line, sizeof(line), "input %016llx\nclock %.6f %.6f %.6f %.6f\nrandom %s\n",
		     (unsigned long long)h, r0, m0, r1, m1, rnd);
	out = open_out(a[1], O_WRONLY | O_CREAT | O_TRUNC);
	if (out < 0)
		return die("open", a[1]);
	if (write_all(out, line, (size_t)n) < 0)
		return die("write", a[1]);
	fputs(line, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int nargs; } cmds[] = {
		{ "write", 2 }, { "copy", 2 }, { "halfcrash", 1 }, { "spin", 1 }, { "hold", 1 },
		{ "readall", 1 }, { "cat", 1 }, { "writen", 2 }, { "append", 2 }, { "rw", 1 },
		{ "grow", 1 }, { "pread", 1 }, { "open", 1 }, { "ls", 1 }, { "now", 0 }, { "sleepclock", 1 },
		{ "rand", 0 }, { "sock", 2 }, { "zero", 2 }, { "det", 2 },
	};
	const char *c = argc > 1 ? argv[1] : "";
	char **a = argv + 2;
	int n = argc - 2;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(c, cmds[i].name))
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]) || n < cmds[i].nargs) {
		fprintf(stderr, "usage: chan SUBCOMMAND ARGS... (see tests/progs/chan.c)\n");
		return 2;
	}
	if (!strcmp(c, "write")) return cmd_write(a, n);
	if (!strcmp(c, "copy")) return cmd_copy(a);
	if (!strcmp(c, "halfcrash")) return cmd_halfcrash(a);
	if (!strcmp(c, "spin")) return cmd_spin_hold(a, 1);
	if (!strcmp(c, "hold")) return cmd_spin_hold(a, 0);
	if (!strcmp(c, "readall")) return cmd_readall(a, n);
	if (!strcmp(c, "cat")) return cmd_cat(a);
	if (!strcmp(c, "writen")) return cmd_writen(a, n);
	if (!strcmp(c, "append")) return cmd_append(a);
	if (!strcmp(c, "rw")) return cmd_rw(a);
	if (!strcmp(c, "grow")) return cmd_grow(a);
	if (!strcmp(c, "pread")) return cmd_pread(a);
	if (!strcmp(c, "open")) return cmd_open(a, n);
	if (!strcmp(c, "ls")) return cmd_ls(a);
	if (!strcmp(c, "now")) return cmd_now();
	if (!strcmp(c, "sleepclock")) return cmd_sleepclock(a);
	if (!strcmp(c, "rand")) return cmd_rand();
	if (!strcmp(c, "sock")) return cmd_sock(a);
	if (!strcmp(c, "zero")) return cmd_zero(a);
	return cmd_det(a);
}
