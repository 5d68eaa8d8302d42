/* test_env.c - the program's environment: --env and a manifest's "env" add to or override the base, never replace it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/env.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect_env(const char *const *base, const char *const *set, size_t nset, const char *const *want)
{
	const char **env = env_merge(base, set, nset);
	size_t i;

	assert_non_null(env);
	for (i = 0; want[i]; i++) {
		if (!env[i] || strcmp(env[i], want[i]))
			print_error("entry %zu: '%s', wanted '%s'\n", i, env[i] ? env[i] : "(end)", want[i]);
		assert_non_null(env[i]);
		assert_string_equal(env[i], want[i]);
	}
	assert_null(env[i]);
	free(env);
}

static void test_default_kept(void **state)
{
	static const char *const set[] = { "FOO=bar" };
	static const char *const want[] = { "PATH=/bin:/usr/bin", "HOME=/", "FOO=bar", NULL };
	static const char *const none[] = { NULL };

	(void)state;
	expect_env(env_default, NULL, 0, (const char *const[]){ "PATH=/bin:/usr/bin", "HOME=/", NULL });
	expect_env(env_default, set, N(set), want);
	expect_env(NULL, NULL, 0, none);
}

static void test_same_name_overrides_in_place(void **state)
{
	static const char *const set[] = { "HOME=/work", "A=1", "A=2", "PATH=" };
	static const char *const want[] = { "PATH=", "HOME=/work", "A=2", NULL };

	(void)state;
	expect_env(env_default, set, N(set), want);
}

static void test_name_is_up_to_the_first_equals(void **state)
{
	static const char *const base[] = { "X=1", "XY=2", "Y=a=b", NULL };
	static const char *const set[] = { "X=3", "Y=c" };
	static const char *const want[] = { "X=3", "XY=2", "Y=c", NULL };

	(void)state;
	expect_env(base, set, N(set), want);
}

static void test_clear_env_base(void **state)
{
	static const char *const set[] = { "ONLY=1" };
	static const char *const want[] = { "ONLY=1", NULL };

	(void)state;
	expect_env(NULL, set, N(set), want);
}

static void test_inherited_duplicates_dropped(void **state)
{
	/* An inherited environment may hold a name twice: a setting leaves one entry, its own. */
	static const char *const base[] = { "A=old", "B=1", "A=older", NULL };
	static const char *const set[] = { "A=new" };
	static const char *const want[] = { "A=new", "B=1", NULL };

	(void)state;
	expect_env(base, set, N(set), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_kept),
		cmocka_unit_test(test_same_name_overrides_in_place),
		cmocka_unit_test(test_name_is_up_to_the_first_equals),
		cmocka_unit_test(test_clear_env_base),
		cmocka_unit_test(test_inherited_duplicates_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
