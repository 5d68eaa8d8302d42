/* cpuid.c - prints the CPUID leaves libc start-up reads (dump), or checks that vmlet's CPUID table is cheap for libc and self-consistent (check). */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int bad;

static void leaf(unsigned fn, unsigned idx, unsigned r[4])
{
	__cpuid_count(fn, idx, r[0], r[1], r[2], r[3]);
}

static void expect(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "BAD", what);
	bad |= !ok;
}

static void dump(void)
{
	unsigned r[4], max, maxext, fn, i;

	leaf(0, 0, r);
	max = r[0];
	leaf(0x80000000u, 0, r);
	maxext = r[0];
	for (fn = 0; fn <= max; fn++)
		for (i = 0; i < (fn == 4 || fn == 7 || fn == 0xb ? 6 : fn == 0xd ? 20 : 1); i++) {
			leaf(fn, i, r);
			printf("%08x.%02x: %08x %08x %08x %08x\n", fn, i, r[0], r[1], r[2], r[3]);
		}
	for (fn = 0x80000000u; fn <= maxext && fn < 0x80000030u; fn++) {
		leaf(fn, 0, r);
		printf("%08x.00: %08x %08x %08x %08x\n", fn, r[0], r[1], r[2], r[3]);
	}
}

#ifdef __GLIBC__
/* What leaf 4 says of a cache (level, type 1 data 2 code 3 unified): size, ways, line; 0 if absent. */
static long leaf4(unsigned level, unsigned type, long *ways, long *line)
{
	unsigned r[4], i;

	for (i = 0; i < 16; i++) {
		leaf(4, i, r);
		if (!(r[0] & 0x1f))
			break;
		if (((r[0] >> 5) & 7) == level && (r[0] & 0x1f) == type) {
			*ways = (r[1] >> 22) + 1;
			*line = (r[1] & 0xfff) + 1;
			return *ways * (((r[1] >> 12) & 0x3ff) + 1) * *line * (r[2] + 1l);
		}
	}
	return 0;
}
#endif

static void check(void)
{
	unsigned r[4], max, i, xcr0, xcr0_hi;
	char what[160];

	leaf(0, 0, r);
	max = r[0];
	snprintf(what, sizeof(what), "highest basic leaf 0x%x <= 0xd (glibc skips leaves 0x14, 0x19)", max);
	expect(max <= 0xd, what);

	leaf(1, 0, r);
	expect(!(r[3] & (1u << 28)) && ((r[1] >> 16) & 0xff) <= 1, "HTT off, one logical processor");
	for (i = 0; i < 16; i++) {
		unsigned c[4];
		leaf(4, i, c);
		if (!(c[0] & 0x1f))
			break;
		snprintf(what, sizeof(what), "leaf 4.%u: no thread or core sharing the cache (eax %08x)", i, c[0]);
		expect(!(c[0] >> 14), what);
	}

	leaf(0xd, 1, r);
	expect(!(r[0] & (1u << 1)), "XSAVEC hidden (glibc skips leaf 0xd per state component)");

	/* Every state component XCR0 enables lies inside the XSAVE area leaf 0xd.0 sizes. */
	__asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(xcr0_hi) : "c"(0));
	leaf(0xd, 0, r);
	snprintf(what, sizeof(what), "XCR0 %x within leaf 0xd.0's %x, save area %u bytes", xcr0, r[0], r[1]);
	expect((xcr0 & ~r[0]) == 0 && r[1] >= 576, what);
	for (i = 2; i < 32; i++)
		if (xcr0 & (1u << i)) {
			unsigned c[4];
			leaf(0xd, i, c);
			snprintf(what, sizeof(what), "state component %u: %u bytes at %u, inside the area", i, c[0], c[1]);
			expect(c[0] && c[0] + c[1] <= r[1], what);
		}

	leaf(4, 0, r);
	if (r[0] & 0x1f) {
		unsigned l2[4];
		leaf(2, 0, l2);
		expect((l2[0] & 0xff) == 1 && memchr(l2, 0xff, sizeof(l2)) == NULL,
		       "leaf 2 names the caches with descriptors (EAX low byte 1, no 0xff)");
	}
#ifdef __GLIBC__
	/* glibc derives these from leaf 2 (Intel) or 0x80000005/6 (AMD); leaf 4, where present, must agree. */
	static const struct { const char *name; int size, assoc, line; unsigned level, type; } caches[] = {
		{ "L1d", _SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL1_DCACHE_ASSOC, _SC_LEVEL1_DCACHE_LINESIZE, 1, 1 },
		{ "L2", _SC_LEVEL2_CACHE_SIZE, _SC_LEVEL2_CACHE_ASSOC, _SC_LEVEL2_CACHE_LINESIZE, 2, 3 },
		{ "L3", _SC_LEVEL3_CACHE_SIZE, _SC_LEVEL3_CACHE_ASSOC, _SC_LEVEL3_CACHE_LINESIZE, 3, 3 },
	};
	for (i = 0; i < 3; i++) {
		long size = sysconf(caches[i].size), ways = sysconf(caches[i].assoc), line = sysconf(caches[i].line);
		long w4 = 0, l4 = 0, s4 = leaf4(caches[i].level, caches[i].type, &w4, &l4);
		snprintf(what, sizeof(what), "glibc %s: %ld bytes, %ld ways, %ld-byte lines", caches[i].name, size, ways, line);
		if (i == 0)
			expect(size >= 4096 && size <= (1l << 20) && ways > 0 && (line == 32 || line == 64 || line == 128), what);
		else
			expect(size == 0 || (size >= (64l << 10) && size <= (1l << 30) && ways > 0 && line == 64), what);
		if (s4) {
			snprintf(what, sizeof(what), "leaf 4 %s agrees: %ld bytes, %ld ways, %ld-byte lines", caches[i].name, s4, w4, l4);
			expect(s4 == size && w4 == ways && l4 == line, what);
		}
	}
#endif
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "dump"))
		dump();
	else if (argc == 2 && !strcmp(argv[1], "check"))
		check();
	else {
		fprintf(stderr, "usage: cpuid dump|check\n");
		return 2;
	}
	return bad;
}
