/* test_config.c - what the library checks before any VM exists: messages that are never cut. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmlet.h"

/* A ~3000-byte path that does not exist: 15 components of 199 bytes under /nonexistent. */
static const char *long_path(void)
{
	static char p[3100];
	size_t n = (size_t)snprintf(p, sizeof(p), "/nonexistent");
	int i;

	for (i = 0; i < 15; i++) {
		p[n++] = '/';
		memset(p + n, 'a' + i, 199);
		n += 199;
	}
	p[n] = 0;
	return p;
}

static void test_long_program_path_not_cut(void **state)
{
	struct vmlet_error err;
	char want[4096];
	const char *p = long_path();

	(void)state;
	assert_true(strlen(p) > 3000);
	assert_int_equal(vmlet_program_check(p, 0, &err), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", p);
	assert_string_equal(err.message, want);
	assert_int_equal(err.program, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_program_path_not_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
