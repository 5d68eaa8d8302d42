/* test_script.c - script_parse: the "#!" line as execve reads it (interpreter, one argument, limits). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "loader/script.h"

static int parse(const char *text, size_t n, const char **interp, const char **arg)
{
	static char buf[SCRIPT_HEAD + 1];

	memcpy(buf, text, n);
	return script_parse(buf, n, interp, arg);
}

#define PARSE(s) parse(s, sizeof(s) - 1, &interp, &arg)

static void test_not_a_script(void **state)
{
	const char *interp, *arg;

	(void)state;
	assert_int_equal(PARSE("\177ELF\2\1\1"), 0);
	assert_int_equal(PARSE("#"), 0);
	assert_int_equal(PARSE(""), 0);
	assert_int_equal(PARSE("# !/bin/sh\n"), 0);
}

static void test_interpreter_and_argument(void **state)
{
	const char *interp, *arg;

	(void)state;
	assert_int_equal(PARSE("#!/bin/sh\necho hi\n"), 1);
	assert_string_equal(interp, "/bin/sh");
	assert_null(arg);
	assert_int_equal(PARSE("#! \t/usr/bin/env  python3 -u \t\nprint(1)\n"), 1);
	assert_string_equal(interp, "/usr/bin/env");
	assert_string_equal(arg, "python3 -u"); /* one argument, inner spaces kept */
	assert_int_equal(PARSE("#!/bin/sh"), 1); /* no newline, file ends */
	assert_string_equal(interp, "/bin/sh");
	assert_null(arg);
	assert_int_equal(PARSE("#!/bin/sh   \r\n"), 1); /* a CR is part of the argument, as in Linux */
	assert_string_equal(arg, "\r");
	assert_int_equal(PARSE("#!/bin/perl -w\0junk\n"), 1);
	assert_string_equal(arg, "-w");
}

static void test_malformed(void **state)
{
	char line[SCRIPT_HEAD];
	const char *interp, *arg;

	(void)state;
	assert_int_equal(PARSE("#!\n"), -ENOEXEC);
	assert_int_equal(PARSE("#!   \t \n/bin/sh\n"), -ENOEXEC);
	/* 256 bytes without a newline: the interpreter's name may be cut. */
	memset(line, 'a', sizeof(line));
	memcpy(line, "#!/", 3);
	assert_int_equal(parse(line, sizeof(line), &interp, &arg), -ENOEXEC);
	/* ...but an argument cut there is kept as read. */
	memcpy(line, "#!/bin/sh ", 10);
	assert_int_equal(parse(line, sizeof(line), &interp, &arg), 1);
	assert_string_equal(interp, "/bin/sh");
	assert_int_equal(strlen(arg), SCRIPT_HEAD - 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_script),
		cmocka_unit_test(test_interpreter_and_argument),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("script_parse", tests, NULL, NULL);
}
