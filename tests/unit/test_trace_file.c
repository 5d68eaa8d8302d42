/* test_trace_file.c - --trace-file targets: regular files and character devices, nothing that blocks or is not a file. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/trace_file.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vmlet-trace-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_regular_file_created_then_truncated(void **state)
{
	char path[128], msg[256];
	struct stat st;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/trace.log", dir);
	fd = trace_file_open(path, msg, sizeof(msg));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old trace\n", 10), 10);
	close(fd);
	fd = trace_file_open(path, msg, sizeof(msg));
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static void test_chardev_accepted(void **state)
{
	char msg[256];
	int fd = trace_file_open("/dev/null", msg, sizeof(msg));

	(void)state;
	assert_true(fd >= 0);
	close(fd);
}

static void expect_refused(const char *path, const char *want)
{
	char msg[256] = "";
	int fd = trace_file_open(path, msg, sizeof(msg));

	if (fd >= 0 || strcmp(msg, want))
		print_error("trace_file_open(%s) = %d, '%s'; wanted '%s'\n", path, fd, msg, want);
	assert_true(fd < 0);
	assert_string_equal(msg, want);
}

static void test_refused(void **state)
{
	char fifo[128], want[256];

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* No reader: refused at once, not blocked on. */
	snprintf(want, sizeof(want), "--trace-file %s: is a FIFO (give a regular file or a character device)", fifo);
	expect_refused(fifo, want);
	snprintf(want, sizeof(want), "--trace-file %s: Is a directory", dir);
	expect_refused(dir, want);
	expect_refused("/proc/self/comm", "--trace-file /proc/self/comm: is on procfs or sysfs");
	snprintf(want, sizeof(want), "--trace-file %s/no/such: No such file or directory", dir);
	snprintf(fifo, sizeof(fifo), "%s/no/such", dir);
	expect_refused(fifo, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_file_created_then_truncated),
		cmocka_unit_test(test_chardev_accepted),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
