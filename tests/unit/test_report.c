/* test_report.c - report_write: the JSON is read back with jansson and every field checked. */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest/report.h"

/* Write r to memory, check the text's shape, parse it back. */
static json_t *roundtrip(const struct vmlet_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_error_t jerr;
	json_t *root;

	assert_non_null(f);
	assert_int_equal(report_write(f, r), 0);
	fclose(f);
	assert_true(len > 2);
	assert_int_equal(buf[len - 1], '\n');
	assert_non_null(strstr(buf, "\n  \"state\"")); /* indented, one field a line */
	root = json_loads(buf, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		print_error("report does not parse: %s\n%s\n", jerr.text, buf);
	free(buf);
	assert_non_null(root);
	assert_true(json_is_object(root));
	return root;
}

static json_int_t get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		print_error("%s is not an integer\n", key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		print_error("%s is not a string\n", key);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void assert_null_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v); /* present... */
	assert_true(json_is_null(v)); /* ...and null */
}

#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void test_full_report(void **state)
{
	struct vmlet_report_channel ch[3] = {
		{ .guest = "/dev/stdin", .reads = 2, .read_bytes = 3 },
		{ .guest = "/dev/stdout", .writes = 1, .write_bytes = 0, .quotas = REPORT_QUOTA_WRITE_BYTES },
		{ .guest = "/data/in.txt", .reads = 7, .read_bytes = 1ull << 40, .writes = 0 },
	};
	struct vmlet_report_syscall sys[] = { { "read", 9 }, { "write", 1 }, { "exit_group", 1 } };
	struct vmlet_report_process procs[] = { { 2, 1, "/bin/sh", 0, 3, 2, 9 }, { 3, 2, "/bin/\xc3\xa9" "cho", 137, 1, 1, 2 } };
	struct vmlet_report r = {
		.state = REPORT_OK,
		.exit_code = 0,
		.signal = 0,
		.message = "",
		.channels = ch,
		.nchannels = 3,
		.mem_peak = 123456789,
		.exits = 4,
		.hypercalls = 3,
		.processes = 2,
		.process_list = procs,
		.nprocess_list = 2,
		.syscalls = 11,
		.syscalls_by_name = sys,
		.nsyscalls_by_name = 3,
		.phases = { 265000, 38000, 14499, 10500, 1000000, 440000 },
	};
	json_t *root, *c, *s, *p;
	const char *key;
	json_t *v;
	size_t i = 0;

	(void)state;
	sha256("abc", 3, ch[0].read_sha256);
	sha256(NULL, 0, ch[0].write_sha256);
	sha256(NULL, 0, ch[1].read_sha256);
	sha256("abc", 3, ch[1].write_sha256);
	root = roundtrip(&r);

	/* Top level: exactly these fields, in this order. */
	{
		static const char *const want[] = { "version", "state", "exit_code", "signal", "message",
						    "channels", "memory_peak", "exits", "hypercalls",
						    "processes", "process_list", "syscalls", "phases_us" };
		json_object_foreach(root, key, v) {
			assert_true(i < sizeof(want) / sizeof(want[0]));
			assert_string_equal(key, want[i]);
			i++;
		}
		assert_int_equal(i, sizeof(want) / sizeof(want[0]));
	}
	assert_int_equal(get_int(root, "version"), REPORT_FORMAT_VERSION);
	assert_string_equal(get_str(root, "state"), "ok");
	assert_int_equal(get_int(root, "exit_code"), 0);
	assert_null_field(root, "signal");
	assert_null_field(root, "message");
	assert_int_equal(get_int(root, "memory_peak"), 123456789);
	assert_int_equal(get_int(root, "exits"), 4);
	assert_int_equal(get_int(root, "hypercalls"), 3);
	assert_int_equal(get_int(root, "processes"), 2);
	p = json_object_get(root, "process_list");
	assert_true(json_is_array(p));
	assert_int_equal(json_array_size(p), 2);
	assert_int_equal(get_int(json_array_get(p, 0), "pid"), 2);
	assert_int_equal(get_int(json_array_get(p, 0), "ppid"), 1);
	assert_string_equal(get_str(json_array_get(p, 0), "program"), "/bin/sh");
	assert_int_equal(get_int(json_array_get(p, 0), "syscalls"), 9);
	assert_int_equal(get_int(json_array_get(p, 1), "exit_code"), 137);
	assert_string_equal(get_str(json_array_get(p, 1), "program"), "/bin/\xc3\xa9" "cho");
	assert_int_equal(json_object_size(json_array_get(p, 1)), 7);

	c = json_object_get(root, "channels");
	assert_true(json_is_array(c));
	assert_int_equal(json_array_size(c), 3);
	assert_string_equal(get_str(json_array_get(c, 0), "guest"), "/dev/stdin");
	assert_int_equal(get_int(json_array_get(c, 0), "reads"), 2);
	assert_int_equal(get_int(json_array_get(c, 0), "read_bytes"), 3);
	assert_int_equal(get_int(json_array_get(c, 0), "writes"), 0);
	assert_int_equal(get_int(json_array_get(c, 0), "write_bytes"), 0);
	assert_string_equal(get_str(json_array_get(c, 0), "read_sha256"), ABC_SHA);
	assert_string_equal(get_str(json_array_get(c, 0), "write_sha256"), EMPTY_SHA);
	assert_true(json_is_array(json_object_get(json_array_get(c, 0), "quotas")));
	assert_int_equal(json_array_size(json_object_get(json_array_get(c, 0), "quotas")), 0);
	assert_string_equal(get_str(json_array_get(c, 1), "guest"), "/dev/stdout");
	assert_int_equal(get_int(json_array_get(c, 1), "writes"), 1);
	assert_string_equal(get_str(json_array_get(c, 1), "write_sha256"), ABC_SHA);
	assert_int_equal(json_array_size(json_object_get(json_array_get(c, 1), "quotas")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(c, 1), "quotas"), 0)),
			    "write_bytes");
	assert_string_equal(get_str(json_array_get(c, 2), "guest"), "/data/in.txt");
	assert_int_equal(get_int(json_array_get(c, 2), "read_bytes"), 1ll << 40);
	assert_int_equal(json_object_size(json_array_get(c, 2)), 8);

	s = json_object_get(root, "syscalls");
	assert_true(json_is_object(s));
	assert_int_equal(get_int(s, "total"), 11);
	s = json_object_get(s, "by_name");
	assert_true(json_is_object(s));
	assert_int_equal(json_object_size(s), 3);
	assert_int_equal(get_int(s, "read"), 9);
	assert_int_equal(get_int(s, "write"), 1);
	assert_int_equal(get_int(s, "exit_group"), 1);

	/* Phases in whole microseconds, rounded to nearest. */
	p = json_object_get(root, "phases_us");
	assert_int_equal(json_object_size(p), 6);
	assert_int_equal(get_int(p, "create_vm"), 265);
	assert_int_equal(get_int(p, "create_vcpu"), 38);
	assert_int_equal(get_int(p, "memory"), 14);
	assert_int_equal(get_int(p, "load"), 11);
	assert_int_equal(get_int(p, "run"), 1000);
	assert_int_equal(get_int(p, "destroy"), 440);
	json_decref(root);
}

/* exit_code only for ok/exit/quota, signal only for signal; every state has its name. */
static void test_states(void **state)
{
	static const struct {
		enum report_state s;
		const char *name;
		int has_code, has_signal;
	} v[] = {
		{ REPORT_OK, "ok", 1, 0 },         { REPORT_EXIT, "exit", 1, 0 },
		{ REPORT_SIGNAL, "signal", 0, 1 }, { REPORT_TIMEOUT, "timeout", 0, 0 },
		{ REPORT_QUOTA, "quota", 1, 0 },   { REPORT_ERROR, "error", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct vmlet_report r = { .state = v[i].s, .exit_code = 3, .signal = 11, .message = "why" };
		json_t *root = roundtrip(&r);

		assert_string_equal(report_state_name(v[i].s), v[i].name);
		assert_string_equal(get_str(root, "state"), v[i].name);
		if (v[i].has_code)
			assert_int_equal(get_int(root, "exit_code"), 3);
		else
			assert_null_field(root, "exit_code");
		if (v[i].has_signal)
			assert_int_equal(get_int(root, "signal"), 11);
		else
			assert_null_field(root, "signal");
		assert_string_equal(get_str(root, "message"), "why");
		json_decref(root);
	}
	assert_null(report_state_name(0));
	assert_null(report_state_name(REPORT_ERROR + 1));
}

static void test_quotas(void **state)
{
	static const char *const names[] = { "reads", "read_bytes", "writes", "write_bytes" };
	unsigned mask, bit;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_string_equal(report_quota_name(1u << i), names[i]);
	assert_null(report_quota_name(0));
	assert_null(report_quota_name(3));
	assert_null(report_quota_name(16));
	/* Every combination, listed in bit order. */
	for (mask = 0; mask <= REPORT_QUOTA_ALL; mask++) {
		struct vmlet_report_channel ch = { .guest = "/x", .quotas = mask };
		struct vmlet_report r = { .state = REPORT_QUOTA, .channels = &ch, .nchannels = 1 };
		json_t *root = roundtrip(&r);
		json_t *q = json_object_get(json_array_get(json_object_get(root, "channels"), 0), "quotas");

		assert_true(json_is_array(q));
		assert_int_equal(json_array_size(q), __builtin_popcount(mask));
		for (bit = 1, i = 0; bit <= REPORT_QUOTA_ALL; bit <<= 1)
			if (mask & bit)
				assert_string_equal(json_string_value(json_array_get(q, i++)), report_quota_name(bit));
		json_decref(root);
	}
}

/* Nothing filled in: empty arrays and objects, zero counters. */
static void test_empty_report(void **state)
{
	struct vmlet_report r = { .state = REPORT_ERROR };
	json_t *root;

	(void)state;
	root = roundtrip(&r);
	assert_int_equal(json_array_size(json_object_get(root, "channels")), 0);
	assert_true(json_is_array(json_object_get(root, "channels")));
	assert_int_equal(get_int(json_object_get(root, "syscalls"), "total"), 0);
	assert_int_equal(json_object_size(json_object_get(json_object_get(root, "syscalls"), "by_name")), 0);
	assert_int_equal(get_int(json_object_get(root, "phases_us"), "run"), 0);
	assert_null_field(root, "message");
	json_decref(root);
}

/* Strings with quotes, newlines and UTF-8 come back unchanged; big counters clamp. */
static void test_escaping_and_limits(void **state)
{
	const char *msg = "line one\nline \"two\" \\ caf\xc3\xa9 \x01";
	struct vmlet_report_channel ch = { .guest = "/d\"ir/f\tile", .write_bytes = UINT64_MAX };
	struct vmlet_report r = { .state = REPORT_SIGNAL, .signal = 9, .message = msg, .channels = &ch,
				  .nchannels = 1, .mem_peak = (uint64_t)INT64_MAX + 5 };
	json_t *root;

	(void)state;
	root = roundtrip(&r);
	assert_string_equal(get_str(root, "message"), msg);
	assert_string_equal(get_str(json_array_get(json_object_get(root, "channels"), 0), "guest"), ch.guest);
	assert_int_equal(get_int(json_array_get(json_object_get(root, "channels"), 0), "write_bytes"), INT64_MAX);
	assert_int_equal(get_int(root, "memory_peak"), INT64_MAX);
	json_decref(root);

	/* Not UTF-8: still a report, the stray bytes replaced. */
	r.message = "bad \xff\xfe byte";
	root = roundtrip(&r);
	assert_string_equal(get_str(root, "message"), "bad ?? byte");
	json_decref(root);
}

static void expect_write_error(const struct vmlet_report *r, int want)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(report_write(f, r), want);
	assert_int_equal(ftell(f), 0); /* nothing half-written */
	fclose(f);
}

static void test_contract_errors(void **state)
{
	struct vmlet_report_channel noname = { .guest = NULL };
	struct vmlet_report_channel badquota = { .guest = "/x", .quotas = 16 };
	struct vmlet_report_syscall dup[] = { { "read", 1 }, { "read", 2 } };
	struct vmlet_report_syscall nameless[] = { { NULL, 1 } };
	struct vmlet_report r;

	(void)state;
	r = (struct vmlet_report){ .state = 0 };
	expect_write_error(&r, -EINVAL);
	r = (struct vmlet_report){ .state = REPORT_ERROR + 1 };
	expect_write_error(&r, -EINVAL);
	r = (struct vmlet_report){ .state = REPORT_OK, .channels = &noname, .nchannels = 1 };
	expect_write_error(&r, -EINVAL);
	r = (struct vmlet_report){ .state = REPORT_OK, .channels = &badquota, .nchannels = 1 };
	expect_write_error(&r, -EINVAL);
	r = (struct vmlet_report){ .state = REPORT_OK, .channels = NULL, .nchannels = 2 };
	expect_write_error(&r, -EINVAL);
	r = (struct vmlet_report){ .state = REPORT_OK, .syscalls_by_name = dup, .nsyscalls_by_name = 2 };
	expect_write_error(&r, -EINVAL);
	r = (struct vmlet_report){ .state = REPORT_OK, .syscalls_by_name = nameless, .nsyscalls_by_name = 1 };
	expect_write_error(&r, -EINVAL);
	r = (struct vmlet_report){ .state = REPORT_OK, .syscalls_by_name = NULL, .nsyscalls_by_name = 1 };
	expect_write_error(&r, -EINVAL);
}

static void test_write_failure(void **state)
{
	struct vmlet_report r = { .state = REPORT_OK };
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f) {
		print_message("skip: /dev/full is missing\n");
		skip();
	}
	assert_int_equal(report_write(f, &r), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_report),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_quotas),
		cmocka_unit_test(test_empty_report),
		cmocka_unit_test(test_escaping_and_limits),
		cmocka_unit_test(test_contract_errors),
		cmocka_unit_test(test_write_failure),
	};

	report_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
