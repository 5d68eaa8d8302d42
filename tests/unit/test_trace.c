/* test_trace.c - trace lines from the guest's records: string arguments as they were when the call began. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/vm_internal.h"

static void line_of(const struct vmlet_trace *t, char *buf, size_t size)
{
	trace_format(t, buf, size);
}

/* The record carries the path: the host never reads guest memory for it (the program may have changed it). */
static void strings_come_from_the_record(void **state)
{
	struct vmlet_trace t = { .nr = 257, .arg = { (uint64_t)-100, 0x401000, 0, 0 }, .ret = -2, .has_str = 1u << 1 };
	char line[1024];

	(void)state;
	strcpy(t.str[1], "/nonexistent-A");
	line_of(&t, line, sizeof(line));
	assert_string_equal(line, "openat(AT_FDCWD, \"/nonexistent-A\", 0, 0) = -1 ENOENT (No such file or directory)\n");
}

static void cut_unreadable_and_odd_strings(void **state)
{
	struct vmlet_trace t = { .nr = 2, .arg = { 0x10, 0, 0 }, .ret = 3 };
	char line[1024];

	(void)state;
	line_of(&t, line, sizeof(line)); /* not copied: an unreadable pointer shows as an address */
	assert_string_equal(line, "open(0x10, 0, 0) = 3\n");
	t.has_str = 1u | (1u << 8);
	memset(t.str[0], 'a', VMLET_TRACE_STR); /* no NUL: a guest kernel may lie */
	line_of(&t, line, sizeof(line));
	assert_int_equal(strlen(line), strlen("open(\"\") = 3\n") + VMLET_TRACE_STR - 1 + 3 + strlen(", 0, 0"));
	assert_non_null(strstr(line, "aaa\"..., 0, 0) = 3\n"));
	strcpy(t.str[0], "a\tb\x7f");
	t.has_str = 1;
	line_of(&t, line, sizeof(line));
	assert_string_equal(line, "open(\"a?b?\", 0, 0) = 3\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strings_come_from_the_record),
		cmocka_unit_test(cut_unreadable_and_odd_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
