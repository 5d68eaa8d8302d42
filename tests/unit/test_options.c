/* test_options.c - parse_size, parse_duration and parse_run_options of the vmlet CLI. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/options.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

/* ---- parse_size ---- */

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0xdeadbeef;
	int r = parse_size(s, &v);

	if (r != 0 || v != want)
		print_error("parse_size(\"%s\") = %d, %llu; wanted %llu\n", s, r, (unsigned long long)v,
			    (unsigned long long)want);
	assert_int_equal(r, 0);
	assert_int_equal(v, want);
}

static void size_bad(const char *s)
{
	uint64_t v = 0xdeadbeef;
	int r = parse_size(s, &v);

	if (r != -EINVAL)
		print_error("parse_size(\"%s\") = %d, %llu; wanted -EINVAL\n", s, r, (unsigned long long)v);
	assert_int_equal(r, -EINVAL);
	assert_int_equal(v, 0xdeadbeef); /* untouched on error */
}

static void test_size_valid(void **state)
{
	(void)state;
	size_ok("4096", 4096);
	size_ok("0", 0);
	size_ok("512k", 512ull << 10);
	size_ok("512K", 512ull << 10);
	size_ok("64M", 64ull << 20);
	size_ok("64m", 64ull << 20);
	size_ok("1G", 1ull << 30);
	size_ok("16g", 16ull << 30);
	size_ok("1MiB", 1ull << 20);
	size_ok("2KiB", 2ull << 10);
	size_ok("1GiB", 1ull << 30);
	size_ok("3MB", 3ull << 20);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("17179869183G", 17179869183ull << 30);
}

static void test_size_junk(void **state)
{
	(void)state;
	size_bad("");
	size_bad("M");
	size_bad("abc");
	size_bad("64X");
	size_bad("64MM");
	size_bad("64 M");
	size_bad("64M ");
	size_bad("1.5G");
	size_bad("0x1000");
	size_bad("64T");
	size_bad("4096B"); /* a suffix needs a unit */
	size_bad("4096i");
	size_bad("1MiBx");
}

static void test_size_negative(void **state)
{
	(void)state;
	size_bad("-1");
	size_bad("-64M");
	size_bad("+64M");
	size_bad("-0");
}

static void test_size_leading_space_negative(void **state)
{
	(void)state;
	/* strtoull skips leading blanks and then accepts a sign: " -1" must not become 2^64 - 1. */
	size_bad(" -1");
	size_bad("\t-64M");
	size_bad(" +1");
}

static void test_size_overflow(void **state)
{
	(void)state;
	size_bad("18446744073709551616");
	size_bad("99999999999999999999999");
	size_bad("17179869184G"); /* 2^34 G = 2^64 */
	size_bad("18014398509481984k"); /* 2^54 k = 2^64 */
	size_bad("17592186044416M"); /* 2^44 M = 2^64 */
}

static void test_size_null(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size(NULL, &v), -EINVAL);
}

/* ---- parse_duration ---- */

static void dur_ok(const char *s, uint64_t want)
{
	uint64_t v = 0xdeadbeef;
	int r = parse_duration(s, &v);

	if (r != 0 || v != want)
		print_error("parse_duration(\"%s\") = %d, %llu; wanted %llu\n", s, r,
			    (unsigned long long)v, (unsigned long long)want);
	assert_int_equal(r, 0);
	assert_int_equal(v, want);
}

static void dur_bad(const char *s)
{
	uint64_t v = 0xdeadbeef;
	int r = parse_duration(s, &v);

	if (r != -EINVAL)
		print_error("parse_duration(\"%s\") = %d, %llu; wanted -EINVAL\n", s, r,
			    (unsigned long long)v);
	assert_int_equal(r, -EINVAL);
	assert_int_equal(v, 0xdeadbeef);
}

static void test_duration_valid(void **state)
{
	(void)state;
	dur_ok("500ms", 500000000ull);
	dur_ok("2s", 2000000000ull);
	dur_ok("1.5s", 1500000000ull);
	dur_ok("3m", 180000000000ull);
	dur_ok("100us", 100000ull);
	dur_ok("10", 10000000000ull);
	dur_ok("250ns", 250);
	dur_ok("1h", 3600000000000ull);
	dur_ok("0.25s", 250000000ull);
	dur_ok("1ns", 1);
}

static void test_duration_junk(void **state)
{
	(void)state;
	dur_bad("");
	dur_bad("s");
	dur_bad("ms");
	dur_bad("abc");
	dur_bad("5x");
	dur_bad("5 s");
	dur_bad("5s ");
	dur_bad("5sec");
	dur_bad("5ss");
	dur_bad("nan");
	dur_bad("inf");
	dur_bad("infs");
	dur_bad("1e300s");
	dur_bad("1e10h");
}

static void test_duration_zero_negative(void **state)
{
	(void)state;
	/* A timeout of zero is not a timeout; "no timeout" is the absence of --timeout. */
	dur_bad("0");
	dur_bad("0s");
	dur_bad("0ms");
	dur_bad("0.1ns"); /* rounds to nothing */
	dur_bad("-1s");
	dur_bad("-500ms");
	dur_bad("+1s");
	dur_bad(" -1s");
	assert_int_equal(parse_duration(NULL, &(uint64_t){ 0 }), -EINVAL);
}

/* ---- parse_run_options ---- */

static int run(int argc, char **argv, struct cli_options *o, char *msg)
{
	msg[0] = 0;
	return parse_run_options(argc, argv, o, msg, 256);
}

static void test_run_minimal(void **state)
{
	char *argv[] = { "run", "/bin/prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_string_equal(o.config.path, "/bin/prog");
	assert_ptr_equal(o.config.argv, &argv[1]);
	assert_null(o.config.argv[1]);
	assert_int_equal(o.config.ngrants, 0);
	assert_int_equal(o.nenv, 0);
	assert_null(o.env[0]);
	assert_int_equal(o.config.flags & VMLET_TRACE, 0);
	assert_int_equal(o.config.mem_bytes, 0);
	assert_int_equal(o.config.timeout_ns, 0);
	assert_int_equal(o.config.stdout_fd, 1);
	assert_false(o.inherit_env || o.stats || o.help || o.version);
	cli_options_free(&o);
}

static void test_run_all_options(void **state)
{
	char *argv[] = { "run", "--mem", "64M", "--timeout=2s", "--ro", "/usr/lib", "--ro",
			 "data:/data", "--env", "A=1", "--env=B=two=2", "--inherit-env", "--stats",
			 "--trace", "prog", "x", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_int_equal(o.config.mem_bytes, 64ull << 20);
	assert_int_equal(o.config.timeout_ns, 2000000000ull);
	assert_int_equal(o.config.ngrants, 2);
	assert_ptr_equal(o.config.grants, o.grants);
	assert_string_equal(o.grants[0].host_path, "/usr/lib");
	assert_null(o.grants[0].guest_path);
	assert_string_equal(o.grants[1].host_path, "data");
	assert_string_equal(o.grants[1].guest_path, "/data");
	/* argv itself is not modified by the split. */
	assert_string_equal(argv[7], "data:/data");
	assert_int_equal(o.nenv, 2);
	assert_string_equal(o.env[0], "A=1");
	assert_string_equal(o.env[1], "B=two=2");
	assert_null(o.env[2]);
	assert_true(o.inherit_env);
	assert_true(o.stats);
	assert_true(o.config.flags & VMLET_TRACE);
	assert_string_equal(o.config.path, "prog");
	assert_ptr_equal(o.config.argv, &argv[14]);
	assert_string_equal(o.config.argv[1], "x");
	assert_null(o.config.argv[2]);
	cli_options_free(&o);
}

static void test_run_program_args_untouched(void **state)
{
	char *argv[] = { "run", "--mem", "32M", "prog", "--mem", "junk", "-v", "--trace", "--",
			 "--unknown", "-x", NULL };
	char *copy[ARGC(argv) + 1];
	struct cli_options o;
	char msg[256];
	int i;

	(void)state;
	memcpy(copy, argv, sizeof(argv));
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_string_equal(o.config.path, "prog");
	assert_ptr_equal(o.config.argv, &argv[3]);
	/* Nothing after the program was consumed or reordered. */
	for (i = 0; i < ARGC(argv); i++)
		assert_ptr_equal(argv[i], copy[i]);
	assert_string_equal(o.config.argv[1], "--mem");
	assert_string_equal(o.config.argv[2], "junk");
	assert_string_equal(o.config.argv[3], "-v");
	assert_string_equal(o.config.argv[4], "--trace");
	assert_string_equal(o.config.argv[5], "--");
	assert_string_equal(o.config.argv[6], "--unknown");
	assert_null(o.config.argv[8]);
	assert_int_equal(o.config.mem_bytes, 32ull << 20);
	assert_int_equal(o.config.flags & VMLET_TRACE, 0);
	cli_options_free(&o);
}

static void test_run_double_dash(void **state)
{
	char *argv[] = { "run", "--", "--weird-name", "-a", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_string_equal(o.config.path, "--weird-name");
	assert_string_equal(o.config.argv[1], "-a");
	cli_options_free(&o);
}

static void expect_run_error(int argc, char **argv, const char *want)
{
	struct cli_options o;
	char msg[256];
	int r = run(argc, argv, &o, msg);

	if (r != -EINVAL || !strstr(msg, want))
		print_error("parse_run_options returned %d, message '%s', wanted -EINVAL and '%s'\n", r,
			    msg, want);
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(msg, want));
	assert_null(strchr(msg, '\n'));
	cli_options_free(&o);
}

static void test_run_ro_errors(void **state)
{
	char *a1[] = { "run", "--ro", "relative/dir", "prog", NULL };
	char *a2[] = { "run", "--ro", "/host:relative", "prog", NULL };
	char *a3[] = { "run", "--ro", "/host:", "prog", NULL };
	char *a4[] = { "run", "--ro", "", "prog", NULL };
	char *a5[] = { "run", "--ro", "/ok", "--ro", "bad", "prog", NULL };

	(void)state;
	expect_run_error(ARGC(a1), a1, "absolute");
	expect_run_error(ARGC(a2), a2, "absolute");
	expect_run_error(ARGC(a3), a3, "absolute");
	expect_run_error(ARGC(a4), a4, "--ro");
	expect_run_error(ARGC(a5), a5, "bad");
}

static void test_run_tmpfs(void **state)
{
	char *ok[] = { "run", "--tmpfs", "/tmp", "--tmpfs", "/run:1M", "prog", NULL };
	char *a1[] = { "run", "--tmpfs", "/tmp:lots", "prog", NULL };
	char *a2[] = { "run", "--tmpfs", "/tmp:0", "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(ok), ok, &o, msg), 0);
	assert_int_equal(o.config.ntmpfs, 2);
	assert_string_equal(o.config.tmpfs[0].path, "/tmp");
	assert_int_equal(o.config.tmpfs[0].size, 0);
	assert_string_equal(o.config.tmpfs[1].path, "/run");
	assert_int_equal(o.config.tmpfs[1].size, 1u << 20);
	cli_options_free(&o);
	expect_run_error(ARGC(a1), a1, "--tmpfs: invalid size in '/tmp:lots'");
	expect_run_error(ARGC(a2), a2, "--tmpfs: invalid size");
}

static void test_run_root(void **state)
{
	char *argv[] = { "run", "--root", "/srv/rootfs", "--ro", "/data", "/usr/bin/python3", "-c", "pass", NULL };
	char *empty[] = { "run", "--root", "", "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_string_equal(o.config.root, "/srv/rootfs");
	assert_string_equal(o.config.path, "/usr/bin/python3");
	assert_int_equal(o.config.ngrants, 1);
	cli_options_free(&o);
	expect_run_error(ARGC(empty), empty, "--root: empty path");
}

static void test_run_ids(void **state)
{
	char *argv[] = { "run", "--uid", "65534", "--gid=4294967294", "prog", NULL };
	char *none[] = { "run", "prog", NULL };
	char *big[] = { "run", "--uid", "4294967295", "prog", NULL };
	char *neg[] = { "run", "--gid", "-1", "prog", NULL };
	char *name[] = { "run", "--uid", "nobody", "prog", NULL };
	char *junk[] = { "run", "--gid", "12x", "prog", NULL };
	char *empty[] = { "run", "--uid=", "prog", NULL };
	char *manifest[] = { "run", "--manifest", "m.json", "--uid", "1", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_int_equal(o.config.uid, 65534);
	assert_int_equal(o.config.gid, 4294967294u);
	cli_options_free(&o);
	assert_int_equal(run(ARGC(none), none, &o, msg), 0);
	assert_int_equal(o.config.uid, 0);
	assert_int_equal(o.config.gid, 0);
	cli_options_free(&o);
	expect_run_error(ARGC(big), big, "--uid: expected a number from 0 to 4294967294, got '4294967295'");
	expect_run_error(ARGC(neg), neg, "--gid: expected a number from 0 to 4294967294, got '-1'");
	expect_run_error(ARGC(name), name, "--uid: expected a number from 0 to 4294967294, got 'nobody'");
	expect_run_error(ARGC(junk), junk, "--gid: expected a number from 0 to 4294967294, got '12x'");
	expect_run_error(ARGC(empty), empty, "--uid: expected a number from 0 to 4294967294, got ''");
	expect_run_error(ARGC(manifest), manifest, "--manifest declares the ids (\"uid\", \"gid\"): no --uid or --gid with it");
}

static void test_run_ro_limit(void **state)
{
	char *argv[2 * OPT_MAX_GRANTS + 5];
	struct cli_options o;
	char msg[256];
	int n = 0, i;

	(void)state;
	argv[n++] = "run";
	for (i = 0; i < OPT_MAX_GRANTS; i++) {
		argv[n++] = "--ro";
		argv[n++] = "/x";
	}
	argv[n++] = "prog";
	argv[n] = NULL;
	assert_int_equal(run(n, argv, &o, msg), 0);
	assert_int_equal(o.config.ngrants, OPT_MAX_GRANTS);
	cli_options_free(&o);
	/* One more is refused. */
	argv[n - 1] = "--ro";
	argv[n++] = "/y";
	argv[n++] = "prog";
	argv[n] = NULL;
	expect_run_error(n, argv, "64");
}

static void test_run_env_errors(void **state)
{
	char *a1[] = { "run", "--env", "NOVALUE", "prog", NULL };
	char *a2[] = { "run", "--env", "=value", "prog", NULL };
	char *a3[] = { "run", "--env", "", "prog", NULL };
	char *ok[] = { "run", "--env", "EMPTY=", "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	expect_run_error(ARGC(a1), a1, "NAME=VALUE");
	expect_run_error(ARGC(a2), a2, "NAME=VALUE");
	expect_run_error(ARGC(a3), a3, "NAME=VALUE");
	assert_int_equal(run(ARGC(ok), ok, &o, msg), 0);
	assert_string_equal(o.env[0], "EMPTY=");
	cli_options_free(&o);
}

static void test_run_env_limit(void **state)
{
	static char *argv[2 * OPT_MAX_ENV + 5];
	struct cli_options o;
	char msg[256];
	int n = 0, i;

	(void)state;
	argv[n++] = "run";
	for (i = 0; i < OPT_MAX_ENV; i++) {
		argv[n++] = "--env";
		argv[n++] = "K=V";
	}
	argv[n++] = "prog";
	argv[n] = NULL;
	assert_int_equal(run(n, argv, &o, msg), 0);
	assert_int_equal(o.nenv, OPT_MAX_ENV);
	assert_null(o.env[OPT_MAX_ENV]);
	cli_options_free(&o);
	argv[n - 1] = "--env";
	argv[n++] = "K2=V";
	argv[n++] = "prog";
	argv[n] = NULL;
	expect_run_error(n, argv, "too many");
}

static void test_run_clear_env(void **state)
{
	char *ok[] = { "run", "--clear-env", "--env", "A=1", "prog", NULL };
	char *both[] = { "run", "--clear-env", "--inherit-env", "prog", NULL };
	char *m1[] = { "run", "--manifest", "m.json", "--env", "A=1", NULL };
	char *m2[] = { "run", "--clear-env", "--manifest", "m.json", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(ok), ok, &o, msg), 0);
	assert_true(o.clear_env);
	assert_false(o.inherit_env);
	assert_int_equal(o.nenv, 1);
	cli_options_free(&o);
	expect_run_error(ARGC(both), both, "--clear-env and --inherit-env: give one (--env then adds to it)");
	/* The manifest's "env" and "clear_env" say it; a second source would be ignored silently. */
	expect_run_error(ARGC(m1), m1, "--manifest declares the environment");
	expect_run_error(ARGC(m2), m2, "--manifest declares the environment");
}

/* --mem is checked by the library's own rule (vmlet_mem_check): no silent default, no rounding into range. */
static void test_run_mem_range(void **state)
{
	char *zero[] = { "run", "--mem", "0", "prog", NULL };
	char *small[] = { "run", "--mem", "15M", "prog", NULL };
	char *big[] = { "run", "--mem=65G", "prog", NULL };
	char *odd[] = { "run", "--mem", "16777215", "prog", NULL };
	char *lo[] = { "run", "--mem", "16M", "prog", NULL };
	char *hi[] = { "run", "--mem", "64G", "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	expect_run_error(ARGC(zero), zero, "--mem: guest memory must be between 16M and 64G, got 0");
	expect_run_error(ARGC(small), small, "--mem: guest memory must be between 16M and 64G, got 15M");
	expect_run_error(ARGC(big), big, "--mem: guest memory must be between 16M and 64G, got 65G");
	expect_run_error(ARGC(odd), odd, "--mem: guest memory must be between 16M and 64G, got 16777215");
	assert_int_equal(run(ARGC(lo), lo, &o, msg), 0);
	assert_int_equal(o.config.mem_bytes, 16ull << 20);
	cli_options_free(&o);
	assert_int_equal(run(ARGC(hi), hi, &o, msg), 0);
	assert_int_equal(o.config.mem_bytes, 64ull << 30);
	cli_options_free(&o);
}

static void test_run_bad_values(void **state)
{
	char *a1[] = { "run", "--mem", "lots", "prog", NULL };
	char *a2[] = { "run", "--timeout", "soon", "prog", NULL };
	char *a3[] = { "run", "--mem=-1", "prog", NULL };

	(void)state;
	expect_run_error(ARGC(a1), a1, "--mem");
	expect_run_error(ARGC(a2), a2, "--timeout");
	expect_run_error(ARGC(a3), a3, "--mem");
}

static void test_run_unknown_option(void **state)
{
	char *a1[] = { "run", "--bogus", "prog", NULL };
	char *a2[] = { "run", "-q", "prog", NULL };

	(void)state;
	expect_run_error(ARGC(a1), a1, "--bogus");
	expect_run_error(ARGC(a2), a2, "-q");
}

static void test_run_missing_program(void **state)
{
	char *a1[] = { "run", NULL };
	char *a2[] = { "run", "--mem", "64M", "--trace", NULL };
	char *a3[] = { "run", "--", NULL };

	(void)state;
	expect_run_error(ARGC(a1), a1, "no program");
	expect_run_error(ARGC(a2), a2, "no program");
	expect_run_error(ARGC(a3), a3, "no program");
}

static void test_run_missing_value(void **state)
{
	char *a1[] = { "run", "--mem", NULL };
	char *a2[] = { "run", "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	/* An option at the end without its value: say so, not "unknown option". */
	expect_run_error(ARGC(a1), a1, "--mem");
	assert_int_equal(run(ARGC(a1), a1, &o, msg), -EINVAL);
	cli_options_free(&o);
	if (!strstr(msg, "needs a value"))
		print_error("message for a missing value: '%s'\n", msg);
	assert_non_null(strstr(msg, "needs a value"));
	assert_int_equal(run(ARGC(a2), a2, &o, msg), 0);
	cli_options_free(&o);
}

static void test_run_help(void **state)
{
	char *argv[] = { "run", "--help", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_true(o.help);
	cli_options_free(&o);
}

static void test_run_trace(void **state)
{
	char *argv[] = { "run", "--trace", "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_int_equal(o.config.flags & VMLET_TRACE, VMLET_TRACE);
	cli_options_free(&o);
}

static void test_run_trace_file(void **state)
{
	char *argv[] = { "run", "--trace-file", "/tmp/t.log", "prog", NULL };
	char *eq[] = { "run", "--trace-file=/tmp/t.log", "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_int_equal(o.config.flags & VMLET_TRACE, VMLET_TRACE);
	assert_string_equal(o.trace_file, "/tmp/t.log");
	cli_options_free(&o);
	assert_int_equal(run(ARGC(eq), eq, &o, msg), 0);
	assert_string_equal(o.trace_file, "/tmp/t.log");
	cli_options_free(&o);
}

/* --opt=value works for every option that takes a value; one that takes none says so. */
static void test_run_equals_forms(void **state)
{
	char *ok[] = { "run", "--mem=64M", "--ro=/usr", "--env=A=1", "--channel=/o:out:mode=write", "prog", NULL };
	char *t1[] = { "run", "--trace=FILE", "prog", NULL };
	char *t2[] = { "run", "--stats=yes", "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(ok), ok, &o, msg), 0);
	assert_int_equal(o.config.mem_bytes, 64ull << 20);
	assert_int_equal(o.config.ngrants, 1);
	assert_string_equal(o.env[0], "A=1");
	assert_int_equal(o.config.nchannels, 1);
	cli_options_free(&o);
	expect_run_error(ARGC(t1), t1, "option --trace takes no value, got '--trace=FILE' (to write the trace to a file: --trace-file FILE)");
	expect_run_error(ARGC(t2), t2, "option --stats takes no value, got '--stats=yes'");
}

/* --channel takes the manifest's names (and the aliases both accept) from one table. */
static void test_channel_names_shared(void **state)
{
	char *argv[] = { "run",
			 "--channel", "/d1:/nonexistent-d1:type=directory",
			 "--channel", "/d2:/nonexistent-d2:type=dir",
			 "--channel", "/f1:f1:mode=read-write,access=sequential",
			 "--channel", "/f2:f2:mode=rw,read_bytes=1k,write-bytes=2k,reads=3,writes=4",
			 "--channel", "/f3:f3:type=file,mode=append",
			 "prog", NULL };
	struct cli_options o;
	char msg[256];

	(void)state;
	assert_int_equal(run(ARGC(argv), argv, &o, msg), 0);
	assert_int_equal(o.config.nchannels, 5);
	assert_int_equal(o.channels[0].type, VMLET_CHANNEL_DIRECTORY);
	assert_int_equal(o.channels[1].type, VMLET_CHANNEL_DIRECTORY);
	assert_int_equal(o.channels[2].mode, VMLET_CHANNEL_READ_WRITE);
	assert_int_equal(o.channels[2].random_access, 0);
	assert_int_equal(o.channels[3].mode, VMLET_CHANNEL_READ_WRITE);
	assert_int_equal(o.channels[3].limits.read_bytes, 1024);
	assert_int_equal(o.channels[3].limits.write_bytes, 2048);
	assert_int_equal(o.channels[3].limits.reads, 3);
	assert_int_equal(o.channels[3].limits.writes, 4);
	assert_int_equal(o.channels[4].type, VMLET_CHANNEL_FILE);
	assert_int_equal(o.channels[4].mode, VMLET_CHANNEL_APPEND);
	cli_options_free(&o);
}

static void test_channel_bad_values(void **state)
{
	char *t[] = { "run", "--channel", "/a:a:type=pipe", "prog", NULL };
	char *m[] = { "run", "--channel", "/a:a:mode=readwrite", "prog", NULL };
	char *a[] = { "run", "--channel", "/a:a:access=fast", "prog", NULL };
	char *k[] = { "run", "--channel", "/a:a:colour=red", "prog", NULL };
	char *l[] = { "run", "--channel", "/a:a:reads=lots", "prog", NULL };
	char *h[] = { "run", "--channel", "/a:a:read-bytz=1", "prog", NULL };
	char *w[] = { "run", "--channel", "/a:a:read-bytes-and-more=1", "prog", NULL };

	(void)state;
	expect_run_error(ARGC(t), t, "--channel: type must be one of file, directory (or dir), fifo, chardev, socket, got 'pipe'");
	expect_run_error(ARGC(m), m, "--channel: mode must be one of read, write, append, read-write (or rw), got 'readwrite'");
	expect_run_error(ARGC(a), a, "--channel: access must be one of sequential, random, got 'fast'");
	expect_run_error(ARGC(k), k, "--channel: unknown option 'colour' (options: type, mode, access, reads, read_bytes, writes, write_bytes)");
	expect_run_error(ARGC(l), l, "--channel: reads must be a count or size (e.g. 100, 64k), got 'lots'");
	expect_run_error(ARGC(h), h, "--channel: unknown option 'read-bytz' (options:");
	expect_run_error(ARGC(w), w, "--channel: unknown option 'read-bytes-and-more' (options:");
}

static void test_run_reparse_after_error(void **state)
{
	char *bad[] = { "run", "-xy", "prog", NULL };
	char *good[] = { "run", "prog", NULL };
	struct cli_options o;
	char msg[256];
	int r;

	(void)state;
	/* An error in the middle of a cluster of short options must not leak getopt state into the next parse. */
	assert_int_equal(run(ARGC(bad), bad, &o, msg), -EINVAL);
	cli_options_free(&o);
	r = run(ARGC(good), good, &o, msg);
	if (r != 0)
		print_error("second parse failed: '%s'\n", msg);
	assert_int_equal(r, 0);
	assert_string_equal(o.config.path, "prog");
	cli_options_free(&o);
}

static void test_run_unknown_in_cluster(void **state)
{
	char *argv[] = { "run", "-xy", "prog", NULL };

	(void)state;
	/* The message names the offending option, not argv[0] ("unknown option 'run'"). */
	expect_run_error(ARGC(argv), argv, "-x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_valid),
		cmocka_unit_test(test_size_junk),
		cmocka_unit_test(test_size_negative),
		cmocka_unit_test(test_size_leading_space_negative),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_size_null),
		cmocka_unit_test(test_duration_valid),
		cmocka_unit_test(test_duration_junk),
		cmocka_unit_test(test_duration_zero_negative),
		cmocka_unit_test(test_run_minimal),
		cmocka_unit_test(test_run_root),
		cmocka_unit_test(test_run_ids),
		cmocka_unit_test(test_run_all_options),
		cmocka_unit_test(test_run_program_args_untouched),
		cmocka_unit_test(test_run_double_dash),
		cmocka_unit_test(test_run_ro_errors),
		cmocka_unit_test(test_run_ro_limit),
		cmocka_unit_test(test_run_tmpfs),
		cmocka_unit_test(test_run_env_errors),
		cmocka_unit_test(test_run_env_limit),
		cmocka_unit_test(test_run_clear_env),
		cmocka_unit_test(test_run_mem_range),
		cmocka_unit_test(test_run_bad_values),
		cmocka_unit_test(test_run_unknown_option),
		cmocka_unit_test(test_run_missing_program),
		cmocka_unit_test(test_run_missing_value),
		cmocka_unit_test(test_run_help),
		cmocka_unit_test(test_run_trace),
		cmocka_unit_test(test_run_trace_file),
		cmocka_unit_test(test_run_equals_forms),
		cmocka_unit_test(test_channel_names_shared),
		cmocka_unit_test(test_channel_bad_values),
		/* Last: if getopt state leaks, it must not disturb the other tests. */
		cmocka_unit_test(test_run_reparse_after_error),
		cmocka_unit_test(test_run_unknown_in_cluster),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
