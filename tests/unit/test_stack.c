/* test_stack.c - stack_build: argc/argv/envp/auxv layout, alignment, bounds and limits. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loader/stack.h"

#define TOP 0x7fff0000ull
#define SIZE 0x10000ull
#define GUARD 256
#define FILL 0xa5

/* The window with GUARD canary bytes on each side. */
struct win {
	uint8_t raw[GUARD + SIZE + GUARD];
	uint64_t top, size;
};

static uint8_t *wbase(struct win *w)
{
	return w->raw + GUARD;
}

static void win_init(struct win *w, uint64_t size)
{
	memset(w->raw, FILL, sizeof(w->raw));
	w->top = TOP;
	w->size = size;
}

static void check_guards(struct win *w)
{
	size_t i;

	for (i = 0; i < GUARD; i++)
		assert_int_equal(w->raw[i], FILL);
	for (i = GUARD + w->size; i < sizeof(w->raw); i++)
		assert_int_equal(w->raw[i], FILL);
}

/* Host pointer for guest [addr, addr + len), which must lie inside the window. */
static void *g2h(struct win *w, uint64_t addr, uint64_t len)
{
	assert_true(addr >= w->top - w->size);
	assert_true(addr <= w->top && len <= w->top - addr);
	return wbase(w) + (addr - (w->top - w->size));
}

static uint64_t word(struct win *w, uint64_t addr)
{
	uint64_t v;

	memcpy(&v, g2h(w, addr, 8), 8);
	return v;
}

/* The NUL-terminated string at addr, checked to end inside the window. */
static const char *gstr(struct win *w, uint64_t addr)
{
	const char *s = g2h(w, addr, 1);

	assert_non_null(memchr(s, 0, w->top - addr));
	return s;
}

static void default_params(struct stack_params *p, const char *const *argv, const char *const *envp)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->argv = argv;
	p->envp = envp;
	p->execfn = "/usr/bin/prog";
	p->phdr = 0x400040;
	p->phent = 56;
	p->phnum = 9;
	p->entry = 0x401234;
	p->hwcap = 0x178bfbff;
	p->hwcap2 = 2;
	p->uid = 1000;
	p->gid = 100;
	for (i = 0; i < sizeof(p->random); i++)
		p->random[i] = (uint8_t)(0xc0 + i);
}

/* Walk the built stack from rsp and check all of it against p. */
static void verify(struct win *w, const struct stack_params *p, uint64_t rsp)
{
	uint64_t a = rsp, argc, i, type, val;
	size_t envc = 0;
	int seen[64] = { 0 };
	int nauxv = 0;

	assert_int_equal(rsp % 16, 0);
	assert_true(rsp >= w->top - w->size && rsp < w->top);

	argc = word(w, a);
	a += 8;
	for (i = 0; p->argv[i]; i++)
		;
	assert_int_equal(argc, i);
	for (i = 0; i < argc; i++, a += 8)
		assert_string_equal(gstr(w, word(w, a)), p->argv[i]);
	assert_int_equal(word(w, a), 0);
	a += 8;
	while (p->envp && p->envp[envc]) {
		assert_string_equal(gstr(w, word(w, a)), p->envp[envc]);
		envc++;
		a += 8;
	}
	assert_int_equal(word(w, a), 0);
	a += 8;

	for (;;) {
		type = word(w, a);
		val = word(w, a + 8);
		a += 16;
		nauxv++;
		assert_true(nauxv < 64);
		if (type < 64) {
			assert_false(seen[type]); /* no duplicates */
			seen[type] = 1;
		}
		switch (type) {
		case AT_PHDR: assert_int_equal(val, p->phdr); break;
		case AT_PHENT: assert_int_equal(val, p->phent); break;
		case AT_PHNUM: assert_int_equal(val, p->phnum); break;
		case AT_PAGESZ: assert_int_equal(val, 4096); break;
		case AT_ENTRY: assert_int_equal(val, p->entry); break;
		case AT_BASE: assert_int_equal(val, p->base); break;
		case AT_UID: case AT_EUID: assert_int_equal(val, p->uid); break;
		case AT_GID: case AT_EGID: assert_int_equal(val, p->gid); break;
		case AT_SECURE: assert_int_equal(val, 0); break;
		case AT_HWCAP: assert_int_equal(val, p->hwcap); break;
		case AT_HWCAP2: assert_int_equal(val, p->hwcap2); break;
		case AT_RANDOM:
			assert_memory_equal(g2h(w, val, 16), p->random, 16);
			break;
		case AT_EXECFN: assert_string_equal(gstr(w, val), p->execfn); break;
		case AT_PLATFORM: assert_string_equal(gstr(w, val), "x86_64"); break;
		default: break;
		}
		if (type == AT_NULL)
			break;
	}
	assert_true(a <= w->top);
	/* Everything a static libc needs is present. */
	assert_true(seen[AT_PHDR] && seen[AT_PHENT] && seen[AT_PHNUM] && seen[AT_PAGESZ]);
	assert_true(seen[AT_ENTRY] && seen[AT_RANDOM] && seen[AT_EXECFN] && seen[AT_BASE]);
	assert_true(seen[AT_UID] && seen[AT_EUID] && seen[AT_GID] && seen[AT_EGID]);
	assert_true(seen[AT_NULL]);
	check_guards(w);
}

static void test_basic(void **state)
{
	static struct win w;
	const char *argv[] = { "prog", "-v", "hello world", "", NULL };
	const char *envp[] = { "HOME=/root", "PATH=/bin:/usr/bin", "EMPTY=", NULL };
	struct stack_params p;
	uint64_t rsp = 0;

	(void)state;
	win_init(&w, SIZE);
	default_params(&p, argv, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), 0);
	verify(&w, &p, rsp);
	/* The stack is small: well within the quarter limit. */
	assert_true(rsp >= w.top - w.size / 4);
}

/* A dynamic executable: AT_BASE is the interpreter's load address, AT_ENTRY still the program's. */
static void test_interpreter_auxv(void **state)
{
	static struct win w;
	const char *argv[] = { "python3", "-c", "pass", NULL };
	const char *envp[] = { NULL };
	struct stack_params p;
	uint64_t rsp = 0;

	(void)state;
	win_init(&w, SIZE);
	default_params(&p, argv, envp);
	p.base = 0xf1fc000;
	p.entry = 0x4a1b2c;
	p.execfn = "/usr/bin/python3";
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), 0);
	verify(&w, &p, rsp);
}

static void test_strings_distinct(void **state)
{
	static struct win w;
	const char *argv[] = { "a", "b", "c", NULL };
	const char *envp[] = { "X=1", NULL };
	struct stack_params p;
	uint64_t rsp = 0, a0, a1, a2, e0;

	(void)state;
	win_init(&w, SIZE);
	default_params(&p, argv, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), 0);
	a0 = word(&w, rsp + 8);
	a1 = word(&w, rsp + 16);
	a2 = word(&w, rsp + 24);
	e0 = word(&w, rsp + 40);
	/* Strings sit above the pointer tables, in order, argv strings below envp's as Linux does. */
	assert_true(a0 > rsp + 8 * 6 && a0 < a1 && a1 < a2 && a2 < e0);
	assert_true(e0 < w.top);
}

static void test_empty_envp(void **state)
{
	static struct win w;
	const char *argv[] = { "prog", NULL };
	const char *envp[] = { NULL };
	struct stack_params p;
	uint64_t rsp = 0;

	(void)state;
	win_init(&w, SIZE);
	default_params(&p, argv, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), 0);
	verify(&w, &p, rsp);
	assert_int_equal(word(&w, rsp), 1);
	assert_int_equal(word(&w, rsp + 16), 0); /* argv terminator */
	assert_int_equal(word(&w, rsp + 24), 0); /* envp terminator */

	/* A NULL envp is the same as an empty one. */
	win_init(&w, SIZE);
	default_params(&p, argv, NULL);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), 0);
	verify(&w, &p, rsp);
}

static void test_alignment_all_lengths(void **state)
{
	static struct win w;
	char s1[64], s2[64];
	const char *argv[] = { s1, NULL, NULL };
	const char *envp[] = { s2, NULL };
	struct stack_params p;
	uint64_t rsp;
	size_t n1, n2;

	(void)state;
	/* Every combination of string lengths mod 16 and odd/even argc gives an aligned RSP. */
	for (n1 = 1; n1 < 34; n1++) {
		for (n2 = 0; n2 < 18; n2++) {
			memset(s1, 'a', n1);
			s1[n1] = 0;
			memset(s2, 'b', n2);
			s2[n2] = 0;
			argv[1] = (n2 & 1) ? "x" : NULL;
			win_init(&w, SIZE);
			default_params(&p, argv, envp);
			rsp = 1;
			assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), 0);
			verify(&w, &p, rsp);
		}
	}
}

static void test_empty_argv(void **state)
{
	static struct win w;
	const char *argv[] = { NULL };
	const char *envp[] = { "A=1", NULL };
	struct stack_params p;
	uint64_t rsp = 0;

	(void)state;
	win_init(&w, SIZE);
	default_params(&p, argv, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), -EINVAL);
	default_params(&p, NULL, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), -EINVAL);
	check_guards(&w);
}

static void test_e2big_long_arg(void **state)
{
	static struct win w;
	static char big[SIZE];
	const char *argv[] = { "prog", big, NULL };
	const char *envp[] = { NULL };
	struct stack_params p;
	uint64_t rsp = 0;
	size_t i;

	(void)state;
	/* One argument longer than the limit. */
	memset(big, 'x', SIZE / 4 + 100);
	big[SIZE / 4 + 100] = 0;
	win_init(&w, SIZE);
	default_params(&p, argv, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size / 4, &p, &rsp), -E2BIG);
	check_guards(&w);
	/* Nothing was written below top - limit. */
	for (i = 0; i < w.size - w.size / 4; i++)
		assert_int_equal(wbase(&w)[i], FILL);

	/* Longer than the whole window, with a limit larger than the window. */
	memset(big, 'y', SIZE - 1);
	big[SIZE - 1] = 0;
	win_init(&w, 4096);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, 1 << 20, &p, &rsp), -E2BIG);
	check_guards(&w);
}

static void test_e2big_many_args(void **state)
{
	static struct win w;
	static const char *argv[2001];
	const char *envp[] = { NULL };
	struct stack_params p;
	uint64_t rsp = 0;
	size_t i;

	(void)state;
	/* 2000 one-char strings: 4000 bytes of strings fit in 4096, their 16000 bytes of pointers do not. */
	for (i = 0; i < 2000; i++)
		argv[i] = "a";
	argv[2000] = NULL;
	win_init(&w, SIZE);
	default_params(&p, argv, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, 4096, &p, &rsp), -E2BIG);
	check_guards(&w);
	for (i = 0; i < w.size - 4096; i++)
		assert_int_equal(wbase(&w)[i], FILL);
	/* The same arguments fit with a bigger limit. */
	win_init(&w, SIZE);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size, &p, &rsp), 0);
	verify(&w, &p, rsp);
}

static void test_e2big_environment(void **state)
{
	static struct win w;
	static char big[8192];
	const char *argv[] = { "prog", NULL };
	const char *envp[] = { "A=1", big, NULL };
	struct stack_params p;
	uint64_t rsp = 0;

	(void)state;
	memset(big, 'e', sizeof(big) - 1);
	big[0] = 'E';
	big[1] = '=';
	big[sizeof(big) - 1] = 0;
	win_init(&w, SIZE);
	default_params(&p, argv, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, 8192, &p, &rsp), -E2BIG);
	check_guards(&w);
}

static void test_limit_boundary(void **state)
{
	static struct win w;
	static char arg[4096];
	const char *argv[] = { arg, NULL };
	const char *envp[] = { NULL };
	struct stack_params p;
	uint64_t rsp, limit = 2048;
	size_t n;
	int ok = 0, nfail = 0;

	(void)state;
	/* Grow one argument byte by byte across the limit: success until it does not fit, then -E2BIG. */
	for (n = 1; n < limit; n++) {
		int r;

		memset(arg, 'z', n);
		arg[n] = 0;
		win_init(&w, SIZE);
		default_params(&p, argv, envp);
		rsp = 0;
		r = stack_build(wbase(&w), w.top, w.size, limit, &p, &rsp);
		if (r == 0) {
			assert_int_equal(nfail, 0); /* no success after the first failure */
			verify(&w, &p, rsp);
			assert_true(rsp >= w.top - limit);
			ok++;
		} else {
			assert_int_equal(r, -E2BIG);
			nfail++;
		}
		check_guards(&w);
	}
	assert_true(ok > 0 && nfail > 0);
}

static void test_window_is_exact(void **state)
{
	static struct win w;
	const char *argv[] = { "prog", "arg", NULL };
	const char *envp[] = { "K=V", NULL };
	struct stack_params p;
	uint64_t rsp = 0;

	(void)state;
	/* A window of one page whose limit is the whole page. */
	win_init(&w, 4096);
	default_params(&p, argv, envp);
	assert_int_equal(stack_build(wbase(&w), w.top, w.size, w.size, &p, &rsp), 0);
	verify(&w, &p, rsp);
	/* The topmost byte belongs to the stack; nothing at or above top was touched. */
	check_guards(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_interpreter_auxv),
		cmocka_unit_test(test_strings_distinct),
		cmocka_unit_test(test_empty_envp),
		cmocka_unit_test(test_alignment_all_lengths),
		cmocka_unit_test(test_empty_argv),
		cmocka_unit_test(test_e2big_long_arg),
		cmocka_unit_test(test_e2big_many_args),
		cmocka_unit_test(test_e2big_environment),
		cmocka_unit_test(test_limit_boundary),
		cmocka_unit_test(test_window_is_exact),
	};

	return cmocka_run_group_tests_name("stack", tests, NULL, NULL);
}
