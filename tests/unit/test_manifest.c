/* test_manifest.c - manifest_parse (every validation rule, defaults, normalization), manifest_load, manifest_check_host. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest/manifest.h"
#include "vmlet.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define UNL MANIFEST_UNLIMITED

/* JSON written with single quotes, for readability: J("{'a': 1}") -> {"a": 1}. */
static const char *J(const char *s)
{
	static char bufs[4][16384];
	static int next;
	char *b = bufs[next++ & 3], *p;

	assert_true(strlen(s) < sizeof(bufs[0]));
	strcpy(b, s);
	for (p = b; *p; p++)
		if (*p == '\'')
			*p = '"';
	return b;
}

static void good(const char *json, struct vmlet_manifest *m)
{
	char msg[512] = "";
	int r = manifest_parse(json, strlen(json), "job.json", m, msg, sizeof(msg));

	if (r)
		print_error("manifest_parse(%s) = %d: %s\n", json, r, msg);
	assert_int_equal(r, 0);
	assert_string_equal(m->name, "job.json");
}

/* Fails with -EINVAL, this exact message (after "job.json: "), and leaves *m empty. */
static void bad(const char *json, const char *want)
{
	struct vmlet_manifest m, zero;
	char msg[512] = "", full[600];
	int r;

	memset(&m, 0x5a, sizeof(m));
	memset(&zero, 0, sizeof(zero));
	r = manifest_parse(json, strlen(json), "job.json", &m, msg, sizeof(msg));
	snprintf(full, sizeof(full), "job.json: %s", want);
	if (r != -EINVAL || strcmp(msg, full))
		print_error("manifest_parse(%s)\n  = %d, '%s'\n  want -EINVAL, '%s'\n", json, r, msg, full);
	assert_int_equal(r, -EINVAL);
	assert_string_equal(msg, full);
	assert_null(strchr(msg, '\n'));
	assert_memory_equal(&m, &zero, sizeof(m));
	manifest_free(&m);
}

/* A channel inside {'program': 'p', 'channels': [ ... ]}. */
static const char *CH(const char *channels)
{
	static char b[4][8192];
	static int next;
	char *o = b[next++ & 3];

	snprintf(o, sizeof(b[0]), "{'program': 'p', 'channels': [%s]}", channels);
	return J(o);
}

/* ---- syntax and top level ---- */

static void test_syntax_errors(void **state)
{
	(void)state;
	bad("{", "line 1, column 1: string or '}' expected near end of file");
	bad("", "line 1, column 0: '[' or '{' expected near end of file");
	bad("{\n  \"program\": \"p\",\n}", "line 3, column 1: string or '}' expected near '}'");
	bad(J("{'program': 'p'} x"), "line 1, column 18: end of file expected near 'x'");
	bad(J("{'program': 'p', 'program': 'q'}"), "line 1, column 26: duplicate object key near '\"program\"'");
	bad(J("{'program': 'p', 'memory': 99999999999999999999}"),
	    "line 1, column 47: too big integer near '99999999999999999999'");
	bad("[1]", "must be a JSON object, got [1]");
	bad("5", "line 1, column 1: '[' or '{' expected near '5'");
}

static void test_top_level_fields(void **state)
{
	(void)state;
	bad(J("{'program': 'p', 'colour': 'red'}"),
	    "unknown field \"colour\" (expected version, program, args, env, clear_env, memory, timeout, channels, "
	    "deterministic, report, commit, tmpfs, root, uid, gid, processes)");
	bad(J("{'program': 'p', 'a\\nb': 1}"),
	    "unknown field \"a\\nb\" (expected version, program, args, env, clear_env, memory, timeout, channels, "
	    "deterministic, report, commit, tmpfs, root, uid, gid, processes)");
	bad(J("{'program': 'p', 'version': 2}"), "version: must be 1 (the only format version so far), got 2");
	bad(J("{'program': 'p', 'version': '1'}"), "version: must be 1 (the only format version so far), got \"1\"");
	bad(J("{}"), "program: required field missing");
	bad(J("{'program': 5}"), "program: must be a non-empty string, got 5");
	bad(J("{'program': ''}"), "program: must be a non-empty string, got \"\"");
	bad(J("{'program': null}"), "program: must be a non-empty string, got null");
	bad(J("{'program': '../bin/p'}"), "program: must not contain '..' components, got \"../bin/p\"");
	bad(J("{'program': '/a/../p'}"), "program: must not contain '..' components, got \"/a/../p\"");
	bad(J("{'program': 'a/..'}"), "program: must not contain '..' components, got \"a/..\"");
	bad(J("{'program': 'p', 'commit': 'sometimes'}"),
	    "commit: must be one of success, always, got \"sometimes\"");
	bad(J("{'program': 'p', 'commit': true}"), "commit: must be one of success, always, got true");
}

static void test_tmpfs(void **state)
{
	struct vmlet_manifest m;

	(void)state;
	good(J("{'program': 'p', 'tmpfs': [{'path': '/tmp/', 'size': '64M'}, {'path': '/run'}]}"), &m);
	assert_int_equal(m.ntmpfs, 2);
	assert_string_equal(m.tmpfs[0].path, "/tmp");
	assert_int_equal(m.tmpfs[0].size, 64ull << 20);
	assert_string_equal(m.tmpfs[1].path, "/run");
	assert_int_equal(m.tmpfs[1].size, 0);
	manifest_free(&m);
	bad(J("{'program': 'p', 'tmpfs': '/tmp'}"),
	    "tmpfs: must be an array of {\"path\": ..., \"size\": ...}, got \"/tmp\"");
	bad(J("{'program': 'p', 'tmpfs': [{'size': '1M'}]}"), "tmpfs[0].path: required field missing");
	bad(J("{'program': 'p', 'tmpfs': [{'path': 'tmp'}]}"), "tmpfs[0].path: must be an absolute path, got \"tmp\"");
	bad(J("{'program': 'p', 'tmpfs': [{'path': '/tmp', 'size': 0}]}"), "tmpfs[0].size: must not be 0");
	bad(J("{'program': 'p', 'tmpfs': [{'path': '/tmp', 'mode': 1}]}"),
	    "tmpfs[0]: unknown field \"mode\" (expected path, size)");
}

static void test_ids(void **state)
{
	struct vmlet_manifest m;

	(void)state;
	good(J("{'program': 'p'}"), &m);
	assert_int_equal(m.uid, -1); /* not declared: the run's ids are 0 */
	assert_int_equal(m.gid, -1);
	manifest_free(&m);
	good(J("{'program': 'p', 'uid': 65534, 'gid': 4294967294}"), &m);
	assert_int_equal(m.uid, 65534);
	assert_int_equal(m.gid, 4294967294ll);
	manifest_free(&m);
	bad(J("{'program': 'p', 'uid': 4294967295}"), "uid: must be an integer from 0 to 4294967294, got 4294967295");
	bad(J("{'program': 'p', 'gid': -1}"), "gid: must be an integer from 0 to 4294967294, got -1");
	bad(J("{'program': 'p', 'uid': 'nobody'}"), "uid: must be an integer from 0 to 4294967294, got \"nobody\"");
	bad(J("{'program': 'p', 'gid': 1.5}"), "gid: must be an integer from 0 to 4294967294, got 1.5");
}

static void test_long_values_are_cut(void **state)
{
	char json[6000], big[5000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	snprintf(json, sizeof(json), "{\"program\": \"p\", \"commit\": \"%s\"}", big);
	bad(json, "commit: must be one of success, always, got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...");
	snprintf(json, sizeof(json), "{\"program\": \"/%s\"}", big);
	bad(json, "program: too long (5000 bytes, at most 4095)");
}

static void test_args_env(void **state)
{
	(void)state;
	bad(J("{'program': 'p', 'args': 'a b'}"), "args: must be an array of strings, got \"a b\"");
	bad(J("{'program': 'p', 'args': ['a', 2]}"), "args[1]: must be a string, got 2");
	bad(J("{'program': 'p', 'env': {'A': '1'}}"), "env: must be an array of strings, got {\"A\":\"1\"}");
	bad(J("{'program': 'p', 'env': [null]}"), "env[0]: must be a string, got null");
	bad(J("{'program': 'p', 'env': ['A=1', 'B']}"), "env[1]: must be NAME=VALUE, got \"B\"");
	bad(J("{'program': 'p', 'env': ['=1']}"), "env[0]: must be NAME=VALUE, got \"=1\"");
	bad(J("{'program': 'p', 'env': ['A=1', 'B=2', 'A=3']}"), "env[2]: duplicate variable A (also env[0])");
	bad(J("{'program': 'p', 'clear_env': 1}"), "clear_env: must be true or false, got 1");
}

static void test_clear_env(void **state)
{
	struct vmlet_manifest m;

	(void)state;
	good(J("{'program': 'p', 'env': ['A=1']}"), &m);
	assert_int_equal(m.clear_env, 0);
	manifest_free(&m);
	good(J("{'program': 'p', 'env': ['A=1'], 'clear_env': true}"), &m);
	assert_int_equal(m.clear_env, 1);
	assert_int_equal(m.nenv, 1);
	manifest_free(&m);
}

static void test_memory(void **state)
{
	(void)state;
	bad(J("{'program': 'p', 'memory': -5}"), "memory: must be a non-negative integer or size string, got -5");
	bad(J("{'program': 'p', 'memory': '12X'}"),
	    "memory: must be a non-negative integer or size string, got \"12X\"");
	bad(J("{'program': 'p', 'memory': 1.5}"), "memory: must be a non-negative integer or size string, got 1.5");
	bad(J("{'program': 'p', 'memory': '-64M'}"),
	    "memory: must be a non-negative integer or size string, got \"-64M\"");
	bad(J("{'program': 'p', 'memory': '99999999999999G'}"),
	    "memory: must be a non-negative integer or size string, got \"99999999999999G\"");
	/* The range is the library's (vmlet_mem_check), word for word as --mem gives it. */
	bad(J("{'program': 'p', 'memory': '1M'}"), "memory: guest memory must be between 16M and 64G, got 1M");
	bad(J("{'program': 'p', 'memory': '15M'}"), "memory: guest memory must be between 16M and 64G, got 15M");
	bad(J("{'program': 'p', 'memory': '65G'}"), "memory: guest memory must be between 16M and 64G, got 65G");
	bad(J("{'program': 'p', 'memory': 16777215}"),
	    "memory: guest memory must be between 16M and 64G, got 16777215");
	bad(J("{'program': 'p', 'memory': 0}"), "memory: guest memory must be between 16M and 64G, got 0");
}

static void test_timeout(void **state)
{
	(void)state;
	bad(J("{'program': 'p', 'timeout': 0}"),
	    "timeout: must be a positive integer (seconds) or duration string, got 0");
	bad(J("{'program': 'p', 'timeout': -1}"),
	    "timeout: must be a positive integer (seconds) or duration string, got -1");
	bad(J("{'program': 'p', 'timeout': '0s'}"),
	    "timeout: must be a positive integer (seconds) or duration string, got \"0s\"");
	bad(J("{'program': 'p', 'timeout': 'soon'}"),
	    "timeout: must be a positive integer (seconds) or duration string, got \"soon\"");
	bad(J("{'program': 'p', 'timeout': 1.5}"),
	    "timeout: must be a positive integer (seconds) or duration string, got 1.5");
	bad(J("{'program': 'p', 'timeout': 1000000001}"),
	    "timeout: must be a positive integer (seconds) or duration string, got 1000000001");
}

static void test_deterministic(void **state)
{
	(void)state;
	bad(J("{'program': 'p', 'deterministic': true}"), "deterministic: must be an object, got true");
	bad(J("{'program': 'p', 'deterministic': {'clock': 0}}"),
	    "deterministic: unknown field \"clock\" (expected enabled, epoch, seed)");
	bad(J("{'program': 'p', 'deterministic': {'enabled': 1}}"),
	    "deterministic.enabled: must be true or false, got 1");
	bad(J("{'program': 'p', 'deterministic': {'epoch': -1}}"),
	    "deterministic.epoch: must be an integer from 0 to 9223372036 (seconds since 1970), got -1");
	bad(J("{'program': 'p', 'deterministic': {'epoch': 9223372037}}"),
	    "deterministic.epoch: must be an integer from 0 to 9223372036 (seconds since 1970), got 9223372037");
	bad(J("{'program': 'p', 'deterministic': {'epoch': '2024-01-01'}}"),
	    "deterministic.epoch: must be an integer from 0 to 9223372036 (seconds since 1970), got \"2024-01-01\"");
	bad(J("{'program': 'p', 'deterministic': {'epoch': 1.0}}"),
	    "deterministic.epoch: must be an integer from 0 to 9223372036 (seconds since 1970), got 1.0");
	bad(J("{'program': 'p', 'deterministic': {'seed': 'abc'}}"),
	    "deterministic.seed: must be 64 hex digits (32 bytes), got \"abc\"");
	bad(J("{'program': 'p', 'deterministic': {'seed': "
	      "'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g'}}"),
	    "deterministic.seed: must be 64 hex digits (32 bytes), got \"000102030405060708090a0b0c0d0e0f10111213141...");
	bad(J("{'program': 'p', 'deterministic': {'seed': "
	      "'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0'}}"),
	    "deterministic.seed: must be 64 hex digits (32 bytes), got \"000102030405060708090a0b0c0d0e0f10111213141...");
	bad(J("{'program': 'p', 'deterministic': {'seed': 12}}"),
	    "deterministic.seed: must be 64 hex digits (32 bytes), got 12");
	bad(J("{'program': 'p', 'deterministic': {'seed': "
	      "' 00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'}}"),
	    "deterministic.seed: must be 64 hex digits (32 bytes), got \" 00102030405060708090a0b0c0d0e0f10111213141...");
}

static void test_report_field(void **state)
{
	(void)state;
	bad(J("{'program': 'p', 'report': ''}"), "report: must be a non-empty string, got \"\"");
	bad(J("{'program': 'p', 'report': false}"), "report: must be a non-empty string, got false");
	bad(J("{'program': 'p', 'report': 'out/../r.json'}"),
	    "report: must not contain '..' components, got \"out/../r.json\"");
}

static void test_root_field(void **state)
{
	struct vmlet_manifest m;

	(void)state;
	bad(J("{'program': 'p', 'root': ''}"), "root: must be a non-empty string, got \"\"");
	bad(J("{'program': 'p', 'root': 1}"), "root: must be a non-empty string, got 1");
	bad(J("{'program': 'p', 'root': 'r/../x'}"), "root: must not contain '..' components, got \"r/../x\"");
	good(J("{'program': '/usr/bin/python3', 'root': '/'}"), &m);
	assert_string_equal(m.root, "/");
	manifest_free(&m);
}

/* ---- channels ---- */

static void test_channel_shape(void **state)
{
	char json[40000];
	size_t i, n;

	(void)state;
	bad(J("{'program': 'p', 'channels': {}}"), "channels: must be an array of objects, got {}");
	bad(CH("'/data'"), "channels[0]: must be an object, got \"/data\"");
	bad(CH("{'guest': '/a', 'host': 'a'}, []"), "channels[1]: must be an object, got []");
	bad(CH("{'guest': '/a', 'host': 'a', 'size': 1}"),
	    "channels[0]: unknown field \"size\" (expected guest, host, type, mode, access, limits)");
	/* At most MANIFEST_MAX_CHANNELS. */
	n = (size_t)snprintf(json, sizeof(json), "{\"program\": \"p\", \"channels\": [");
	for (i = 0; i <= MANIFEST_MAX_CHANNELS; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s{\"guest\": \"/c%zu\", \"host\": \"h\"}",
				      i ? ", " : "", i);
	snprintf(json + n, sizeof(json) - n, "]}");
	bad(json, "channels: at most 256 channels, got 257");
}

static void test_channel_paths(void **state)
{
	(void)state;
	bad(CH("{'host': 'a'}"), "channels[0].guest: required field missing");
	bad(CH("{'guest': 5, 'host': 'a'}"), "channels[0].guest: must be a non-empty string, got 5");
	bad(CH("{'guest': '', 'host': 'a'}"), "channels[0].guest: must be a non-empty string, got \"\"");
	bad(CH("{'guest': 'data', 'host': 'a'}"), "channels[0].guest: must be an absolute path, got \"data\"");
	bad(CH("{'guest': './data', 'host': 'a'}"), "channels[0].guest: must be an absolute path, got \"./data\"");
	bad(CH("{'guest': '/a/../etc/passwd', 'host': 'a'}"),
	    "channels[0].guest: must not contain '..' components, got \"/a/../etc/passwd\"");
	bad(CH("{'guest': '/..', 'host': 'a'}"), "channels[0].guest: must not contain '..' components, got \"/..\"");
	bad(CH("{'guest': '/a'}"), "channels[0].host: required field missing");
	bad(CH("{'guest': '/a', 'host': ''}"), "channels[0].host: must be a non-empty string, got \"\"");
	bad(CH("{'guest': '/a', 'host': ['x']}"), "channels[0].host: must be a non-empty string, got [\"x\"]");
	bad(CH("{'guest': '/a', 'host': '../secret'}"),
	    "channels[0].host: must not contain '..' components, got \"../secret\"");
	bad(CH("{'guest': '/a', 'host': 'data/../../secret'}"),
	    "channels[0].host: must not contain '..' components, got \"data/../../secret\"");
	bad(CH("{'guest': '/', 'host': 'f'}"), "channels[0].guest: only a directory channel can be /");
}

static void test_channel_enums(void **state)
{
	(void)state;
	bad(CH("{'guest': '/a', 'host': 'a', 'type': 'pipe'}"),
	    "channels[0].type: must be one of file, directory (or dir), fifo, chardev, socket, got \"pipe\"");
	bad(CH("{'guest': '/a', 'host': 'a', 'type': 'inherited'}"),
	    "channels[0].type: must be one of file, directory (or dir), fifo, chardev, socket, got \"inherited\"");
	bad(CH("{'guest': '/a', 'host': 'a', 'mode': 'readwrite'}"),
	    "channels[0].mode: must be one of read, write, append, read-write (or rw), got \"readwrite\"");
	bad(CH("{'guest': '/a', 'host': 'a', 'mode': 1}"),
	    "channels[0].mode: must be one of read, write, append, read-write (or rw), got 1");
	bad(CH("{'guest': '/a', 'host': 'a', 'access': 'fast'}"),
	    "channels[0].access: must be one of sequential, random, got \"fast\"");
	bad(CH("{'guest': '/dev/stdout', 'type': 'file'}"),
	    "channels[0].type: needs host (without one, /dev/stdout is vmlet's own)");
}

/* The names --channel takes are the manifest's, aliases included (one table, channel_names.c). */
static void test_channel_aliases(void **state)
{
	struct vmlet_manifest m;

	(void)state;
	good(J("{'program': 'p', 'channels': [{'guest': '/a', 'host': 'a', 'type': 'dir'},"
	       " {'guest': '/b', 'host': 'b', 'mode': 'rw'}]}"), &m);
	assert_int_equal(m.channels[3].type, MANIFEST_DIRECTORY);
	assert_int_equal(m.channels[4].mode, MANIFEST_READ_WRITE);
	manifest_free(&m);
}

static void test_channel_rules(void **state)
{
	(void)state;
	bad(CH("{'guest': '/d', 'host': 'd', 'type': 'directory', 'mode': 'write'}"),
	    "channels[0].mode: a directory channel must be mode read, got \"write\"");
	bad(CH("{'guest': '/d', 'host': 'd', 'type': 'directory', 'mode': 'read-write'}"),
	    "channels[0].mode: a directory channel must be mode read, got \"read-write\"");
	bad(CH("{'guest': '/dev/stdin', 'mode': 'write'}"), "channels[0].mode: /dev/stdin must be mode read, got \"write\"");
	bad(CH("{'guest': '/dev/stdout', 'mode': 'read'}"),
	    "channels[0].mode: /dev/stdout cannot be mode read (write or append)");
	bad(CH("{'guest': '/dev/stderr', 'host': 'e', 'mode': 'read-write'}"),
	    "channels[0].mode: /dev/stderr cannot be mode read-write (write or append)");
	bad(CH("{'guest': '/dev/stdin', 'host': 'd', 'type': 'directory'}"),
	    "channels[0].type: /dev/stdin cannot be a directory");
	bad(CH("{'guest': '/f', 'host': 'f', 'type': 'fifo', 'access': 'random'}"),
	    "channels[0].access: a fifo channel is sequential, got \"random\"");
	bad(CH("{'guest': '/c', 'host': '/dev/null', 'type': 'chardev', 'access': 'random'}"),
	    "channels[0].access: a chardev channel is sequential, got \"random\"");
	bad(CH("{'guest': '/s', 'host': 's', 'type': 'socket', 'access': 'random'}"),
	    "channels[0].access: a socket channel is sequential, got \"random\"");
	bad(CH("{'guest': '/log', 'host': 'log', 'mode': 'append', 'access': 'random'}"),
	    "channels[0].access: an append channel is sequential, got \"random\"");
}

static void test_limits(void **state)
{
	(void)state;
	bad(CH("{'guest': '/a', 'host': 'a', 'limits': 5}"), "channels[0].limits: must be an object, got 5");
	bad(CH("{'guest': '/a', 'host': 'a', 'limits': {'bytes': 5}}"),
	    "channels[0].limits: unknown field \"bytes\" (expected reads, read_bytes, writes, write_bytes)");
	bad(CH("{'guest': '/a', 'host': 'a', 'limits': {'reads': -1}}"),
	    "channels[0].limits.reads: must be a non-negative integer, got -1");
	bad(CH("{'guest': '/a', 'host': 'a', 'limits': {'reads': '10'}}"),
	    "channels[0].limits.reads: must be a non-negative integer, got \"10\"");
	bad(CH("{'guest': '/a', 'host': 'a', 'limits': {'read_bytes': 2.5}}"),
	    "channels[0].limits.read_bytes: must be a non-negative integer or size string, got 2.5");
	bad(CH("{'guest': '/a', 'host': 'a'}, {'guest': '/b', 'host': 'b', 'mode': 'write'},"
	       "{'guest': '/o', 'host': 'o', 'mode': 'write', 'limits': {'write_bytes': -5}}"),
	    "channels[2].limits.write_bytes: must be a non-negative integer or size string, got -5");
	bad(CH("{'guest': '/o', 'host': 'o', 'mode': 'write', 'limits': {'write_bytes': '1T'}}"),
	    "channels[0].limits.write_bytes: must be a non-negative integer or size string, got \"1T\"");
	bad(CH("{'guest': '/o', 'host': 'o', 'mode': 'append', 'limits': {'writes': null}}"),
	    "channels[0].limits.writes: must be a non-negative integer, got null");
	bad(CH("{'guest': '/a', 'host': 'a', 'limits': {'writes': 1}}"),
	    "channels[0].limits.writes: the channel's mode is read (no writes)");
	bad(CH("{'guest': '/d', 'host': 'd', 'type': 'directory', 'limits': {'write_bytes': 0}}"),
	    "channels[0].limits.write_bytes: the channel's mode is read (no writes)");
	bad(CH("{'guest': '/o', 'host': 'o', 'mode': 'write', 'limits': {'reads': 1}}"),
	    "channels[0].limits.reads: the channel's mode is write (no reads)");
	bad(CH("{'guest': '/dev/stdout', 'limits': {'read_bytes': 1}}"),
	    "channels[0].limits.read_bytes: the channel's mode is write (no reads)");
}

static void test_duplicates_and_nesting(void **state)
{
	(void)state;
	bad(CH("{'guest': '/a', 'host': 'a'}, {'guest': '/a', 'host': 'b'}"),
	    "channels[1].guest: duplicate of channels[0] (/a)");
	bad(CH("{'guest': '/a/b', 'host': 'a'}, {'guest': '//a/./b/', 'host': 'b'}"),
	    "channels[1].guest: duplicate of channels[0] (/a/b)");
	bad(CH("{'guest': '/dev/stdout'}, {'guest': '/dev/stdout', 'host': 'o', 'mode': 'write'}"),
	    "channels[1].guest: duplicate of channels[0] (/dev/stdout)");
	bad(CH("{'guest': '/a', 'host': 'a'}, {'guest': '/a/b', 'host': 'b'}"),
	    "channels[1].guest: /a/b lies inside channels[0] (/a), which is not a directory");
	bad(CH("{'guest': '/a/b', 'host': 'b'}, {'guest': '/a', 'host': 'a'}"),
	    "channels[1].guest: /a is not a directory but channels[0] (/a/b) lies inside it");
	bad(CH("{'guest': '/dev/stdin/x', 'host': 'x'}"),
	    "channels[0].guest: /dev/stdin/x lies inside /dev/stdin, which is not a directory");
	bad(CH("{'guest': '/dev', 'host': 'dev'}"),
	    "channels[0].guest: /dev is not a directory but /dev/stdin lies inside it");
}

/* ---- valid manifests ---- */

static void expect_channel(const struct manifest_channel *c, const char *guest, const char *host,
			   enum manifest_type type, enum manifest_mode mode, enum manifest_access access, int index)
{
	assert_string_equal(c->guest, guest);
	if (host)
		assert_string_equal(c->host, host);
	else
		assert_null(c->host);
	assert_int_equal(c->type, type);
	assert_int_equal(c->mode, mode);
	assert_int_equal(c->access, access);
	assert_int_equal(c->index, index);
}

static void expect_limits(const struct manifest_channel *c, uint64_t reads, uint64_t read_bytes, uint64_t writes,
			  uint64_t write_bytes)
{
	assert_int_equal(c->limits.reads, reads);
	assert_int_equal(c->limits.read_bytes, read_bytes);
	assert_int_equal(c->limits.writes, writes);
	assert_int_equal(c->limits.write_bytes, write_bytes);
}

static void test_minimal_defaults(void **state)
{
	static const uint8_t zero[32];
	struct vmlet_manifest m;
	size_t i;

	(void)state;
	good(J("{'program': 'bin/hello'}"), &m);
	assert_string_equal(m.program, "bin/hello");
	assert_int_equal(m.argc, 1);
	assert_string_equal(m.argv[0], "bin/hello");
	assert_null(m.argv[1]);
	assert_int_equal(m.nenv, 0);
	assert_non_null(m.envp);
	assert_null(m.envp[0]);
	assert_int_equal(m.memory, VMLET_DEFAULT_MEM);
	assert_int_equal(m.timeout, 0);
	assert_int_equal(m.deterministic.enabled, 0);
	assert_int_equal(m.deterministic.epoch, 0);
	assert_memory_equal(m.deterministic.seed, zero, 32);
	assert_null(m.report);
	assert_int_equal(m.commit, MANIFEST_COMMIT_SUCCESS);
	assert_int_equal(m.nchannels, 3);
	expect_channel(&m.channels[0], "/dev/stdin", NULL, MANIFEST_INHERITED, MANIFEST_READ, MANIFEST_SEQUENTIAL, -1);
	expect_channel(&m.channels[1], "/dev/stdout", NULL, MANIFEST_INHERITED, MANIFEST_WRITE, MANIFEST_SEQUENTIAL, -1);
	expect_channel(&m.channels[2], "/dev/stderr", NULL, MANIFEST_INHERITED, MANIFEST_WRITE, MANIFEST_SEQUENTIAL, -1);
	for (i = 0; i < 3; i++)
		expect_limits(&m.channels[i], UNL, UNL, UNL, UNL);
	manifest_free(&m);
	manifest_free(&m); /* twice is harmless: it zeroes */
}

static void test_full_manifest(void **state)
{
	struct vmlet_manifest m;
	int i;

	(void)state;
	good(J("{\n"
	       "  'version': 1,\n"
	       "  'program': '/opt/job/wc',\n"
	       "  'args': ['-l', '', 'two words'],\n"
	       "  'env': ['LANG=C', 'EMPTY=', 'X=a=b'],\n"
	       "  'memory': '64M',\n"
	       "  'timeout': '1500ms',\n"
	       "  'channels': [\n"
	       "    {'guest': '/data', 'host': 'in/tree', 'type': 'directory', 'access': 'sequential',\n"
	       "     'limits': {'reads': 100, 'read_bytes': '1M'}},\n"
	       "    {'guest': '/dev/stdout', 'host': 'out/result.txt', 'mode': 'append',\n"
	       "     'limits': {'writes': 0, 'write_bytes': 4096}},\n"
	       "    {'guest': '/dev/stdin', 'host': 'in/input.txt', 'access': 'random'},\n"
	       "    {'guest': '/db', 'host': 'state.db', 'mode': 'read-write',\n"
	       "     'limits': {'reads': 1, 'read_bytes': 0, 'writes': 2, 'write_bytes': '2k'}},\n"
	       "    {'guest': '/run/sock', 'host': '/run/svc.sock', 'type': 'socket', 'mode': 'read-write'},\n"
	       "    {'guest': '/null', 'host': '/dev/null', 'type': 'chardev', 'mode': 'write'},\n"
	       "    {'guest': '/pipe', 'host': 'p.fifo', 'type': 'fifo'}\n"
	       "  ],\n"
	       "  'deterministic': {'epoch': 1700000000,\n"
	       "                    'seed': '000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f'},\n"
	       "  'report': 'out/report.json',\n"
	       "  'commit': 'always'\n"
	       "}"),
	     &m);
	assert_string_equal(m.program, "/opt/job/wc");
	assert_int_equal(m.argc, 4);
	assert_string_equal(m.argv[0], "/opt/job/wc");
	assert_string_equal(m.argv[1], "-l");
	assert_string_equal(m.argv[2], "");
	assert_string_equal(m.argv[3], "two words");
	assert_null(m.argv[4]);
	assert_int_equal(m.nenv, 3);
	assert_string_equal(m.envp[0], "LANG=C");
	assert_string_equal(m.envp[1], "EMPTY=");
	assert_string_equal(m.envp[2], "X=a=b");
	assert_null(m.envp[3]);
	assert_int_equal(m.memory, 64ull << 20);
	assert_int_equal(m.timeout, 1500000000ull);
	assert_int_equal(m.deterministic.enabled, 1);
	assert_int_equal(m.deterministic.epoch, 1700000000);
	for (i = 0; i < 32; i++)
		assert_int_equal(m.deterministic.seed[i], i);
	assert_string_equal(m.report, "out/report.json");
	assert_int_equal(m.commit, MANIFEST_COMMIT_ALWAYS);

	/* stdio in slots 0-2 (stderr inherited), then the others in the order written. */
	assert_int_equal(m.nchannels, 8);
	expect_channel(&m.channels[0], "/dev/stdin", "in/input.txt", MANIFEST_FILE, MANIFEST_READ, MANIFEST_RANDOM, 2);
	expect_limits(&m.channels[0], UNL, UNL, UNL, UNL);
	expect_channel(&m.channels[1], "/dev/stdout", "out/result.txt", MANIFEST_FILE, MANIFEST_APPEND,
		       MANIFEST_SEQUENTIAL, 1);
	expect_limits(&m.channels[1], UNL, UNL, 0, 4096);
	expect_channel(&m.channels[2], "/dev/stderr", NULL, MANIFEST_INHERITED, MANIFEST_WRITE, MANIFEST_SEQUENTIAL, -1);
	expect_channel(&m.channels[3], "/data", "in/tree", MANIFEST_DIRECTORY, MANIFEST_READ, MANIFEST_SEQUENTIAL, 0);
	expect_limits(&m.channels[3], 100, 1 << 20, UNL, UNL);
	expect_channel(&m.channels[4], "/db", "state.db", MANIFEST_FILE, MANIFEST_READ_WRITE, MANIFEST_RANDOM, 3);
	expect_limits(&m.channels[4], 1, 0, 2, 2048);
	expect_channel(&m.channels[5], "/run/sock", "/run/svc.sock", MANIFEST_SOCKET, MANIFEST_READ_WRITE,
		       MANIFEST_SEQUENTIAL, 4);
	expect_channel(&m.channels[6], "/null", "/dev/null", MANIFEST_CHARDEV, MANIFEST_WRITE, MANIFEST_SEQUENTIAL, 5);
	expect_channel(&m.channels[7], "/pipe", "p.fifo", MANIFEST_FIFO, MANIFEST_READ, MANIFEST_SEQUENTIAL, 6);
	manifest_free(&m);
}

static void test_values_and_defaults(void **state)
{
	struct vmlet_manifest m;

	(void)state;
	/* Sizes as integers and strings; memory bounds inclusive; timeouts as seconds or strings. */
	good(J("{'program': 'p', 'memory': 16777216, 'timeout': 2}"), &m);
	assert_int_equal(m.memory, 16ull << 20);
	assert_int_equal(m.timeout, 2000000000ull);
	manifest_free(&m);
	good(J("{'program': 'p', 'memory': '64G', 'timeout': '100us'}"), &m);
	assert_int_equal(m.memory, 64ull << 30);
	assert_int_equal(m.timeout, 100000);
	manifest_free(&m);
	good(J("{'program': 'p', 'memory': '1GiB', 'timeout': '1m'}"), &m);
	assert_int_equal(m.memory, 1ull << 30);
	assert_int_equal(m.timeout, 60000000000ull);
	manifest_free(&m);

	/* deterministic: enabled unless said otherwise; epoch bounds inclusive. */
	good(J("{'program': 'p', 'deterministic': {}}"), &m);
	assert_int_equal(m.deterministic.enabled, 1);
	manifest_free(&m);
	good(J("{'program': 'p', 'deterministic': {'enabled': false, 'epoch': 9223372036}}"), &m);
	assert_int_equal(m.deterministic.enabled, 0);
	assert_int_equal(m.deterministic.epoch, 9223372036ll);
	manifest_free(&m);

	/* report to stderr; ".." inside a name is not a ".." component. */
	good(J("{'program': 'a..b/...', 'report': '-'}"), &m);
	assert_string_equal(m.report, "-");
	assert_string_equal(m.program, "a..b/...");
	manifest_free(&m);

	/* Access defaults: random for files and directories, sequential otherwise. */
	good(CH("{'guest': '/f', 'host': 'f'}, {'guest': '/w', 'host': 'w', 'mode': 'write'},"
		"{'guest': '/l', 'host': 'l', 'mode': 'append'}, {'guest': '/p', 'host': 'p', 'type': 'fifo'},"
		"{'guest': '/dev/stdout', 'host': 'o'}"),
	     &m);
	assert_int_equal(m.channels[3].access, MANIFEST_RANDOM);
	assert_int_equal(m.channels[4].access, MANIFEST_RANDOM);
	assert_int_equal(m.channels[5].access, MANIFEST_SEQUENTIAL);
	assert_int_equal(m.channels[6].access, MANIFEST_SEQUENTIAL);
	expect_channel(&m.channels[1], "/dev/stdout", "o", MANIFEST_FILE, MANIFEST_WRITE, MANIFEST_SEQUENTIAL, 4);
	manifest_free(&m);

	/* An inherited stdio channel can carry limits. */
	good(CH("{'guest': '/dev/stderr', 'mode': 'append', 'limits': {'write_bytes': '1k'}}"), &m);
	expect_channel(&m.channels[2], "/dev/stderr", NULL, MANIFEST_INHERITED, MANIFEST_APPEND, MANIFEST_SEQUENTIAL, 0);
	expect_limits(&m.channels[2], UNL, UNL, UNL, 1024);
	manifest_free(&m);
}

static void test_guest_normalization_and_nesting(void **state)
{
	struct vmlet_manifest m;

	(void)state;
	good(CH("{'guest': '//srv/./data//', 'host': 'd', 'type': 'directory'},"
		"{'guest': '/srv/data/special.txt', 'host': 's'},"
		"{'guest': '/', 'host': 'root', 'type': 'directory'},"
		"{'guest': '/srv/data.txt', 'host': 't'}"),
	     &m);
	assert_int_equal(m.nchannels, 7);
	assert_string_equal(m.channels[3].guest, "/srv/data");
	assert_string_equal(m.channels[4].guest, "/srv/data/special.txt");
	assert_string_equal(m.channels[5].guest, "/");
	assert_string_equal(m.channels[6].guest, "/srv/data.txt");
	manifest_free(&m);
	good(CH("{'guest': '/.', 'host': 'root', 'type': 'directory'}"), &m);
	assert_string_equal(m.channels[3].guest, "/");
	manifest_free(&m);
}

/* The buffer need not be NUL-terminated, and only len bytes are read. */
static void test_buffer_length(void **state)
{
	const char *json = J("{'program': 'p'}{'program': 'q'}");
	struct vmlet_manifest m;
	char msg[200];

	(void)state;
	assert_int_equal(manifest_parse(json, 16, "job.json", &m, msg, sizeof(msg)), 0);
	assert_string_equal(m.program, "p");
	manifest_free(&m);
	assert_int_equal(manifest_parse(json, 15, "job.json", &m, msg, sizeof(msg)), -EINVAL);
	/* A tiny message buffer is cut, still terminated. */
	assert_int_equal(manifest_parse("[]", 2, "job.json", &m, msg, 8), -EINVAL);
	assert_string_equal(msg, "job.jso");
	assert_int_equal(manifest_parse("[]", 2, NULL, &m, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "manifest: must be a JSON object, got []");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(manifest_type_name(MANIFEST_INHERITED), "inherited");
	assert_string_equal(manifest_type_name(MANIFEST_SOCKET), "socket");
	assert_string_equal(manifest_mode_name(MANIFEST_READ_WRITE), "read-write");
	assert_string_equal(manifest_access_name(MANIFEST_SEQUENTIAL), "sequential");
	assert_string_equal(manifest_commit_name(MANIFEST_COMMIT_ALWAYS), "always");
	assert_string_equal(manifest_mode_name((enum manifest_mode)0), "?");
	assert_string_equal(manifest_type_name((enum manifest_type)99), "?");
	assert_true(manifest_mode_reads(MANIFEST_READ) && manifest_mode_reads(MANIFEST_READ_WRITE));
	assert_false(manifest_mode_reads(MANIFEST_WRITE) || manifest_mode_reads(MANIFEST_APPEND));
	assert_true(manifest_mode_writes(MANIFEST_WRITE) && manifest_mode_writes(MANIFEST_APPEND));
	assert_true(manifest_mode_writes(MANIFEST_READ_WRITE) && !manifest_mode_writes(MANIFEST_READ));
}

/* ---- manifest_load and manifest_check_host against a scratch tree ---- */

static char dir[64];

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char p[128];
	FILE *f;

	path_in(p, sizeof(p), name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static int setup_tree(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char p[128], q[128];
	int s;

	(void)state;
	strcpy(dir, "/tmp/test_manifest.XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0755)) /* searchable by the unprivileged child */
		return -1;
	write_file("prog", "#!/bin/sh\n", 0755);
	write_file("noexec", "data", 0644);
	write_file("in.txt", "hello\n", 0644);
	write_file("secret", "no", 0000);
	path_in(p, sizeof(p), "tree");
	mkdir(p, 0755);
	path_in(p, sizeof(p), "locked");
	mkdir(p, 0700);
	path_in(p, sizeof(p), "fifo");
	mkfifo(p, 0644);
	path_in(p, sizeof(p), "sock");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (strlen(p) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, p, strlen(p) + 1);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	close(s);
	path_in(p, sizeof(p), "dangling");
	if (symlink("nowhere", p))
		return -1;
	path_in(p, sizeof(p), "link-to-in");
	path_in(q, sizeof(q), "in.txt");
	if (symlink(q, p))
		return -1;
	path_in(p, sizeof(p), "link-to-tree");
	if (symlink("tree", p))
		return -1;
	return 0;
}

static int teardown_tree(void **state)
{
	static const char *const names[] = { "prog", "noexec", "in.txt", "secret", "fifo", "sock", "dangling",
					     "link-to-in", "link-to-tree", "job.json", "big.json" };
	char p[128];
	size_t i;

	(void)state;
	for (i = 0; i < N(names); i++) {
		path_in(p, sizeof(p), names[i]);
		unlink(p);
	}
	path_in(p, sizeof(p), "tree");
	rmdir(p);
	path_in(p, sizeof(p), "locked");
	rmdir(p);
	rmdir(dir);
	return 0;
}

/* Parse (with @ standing for the scratch dir), then check the host; returns what check_host did. */
static int host_check(const char *json, char *msg, size_t msglen)
{
	char text[4096], *o = text;
	const char *s;
	struct vmlet_manifest m;
	int r;

	for (s = J(json); *s; s++) {
		if (*s == '@') {
			o += sprintf(o, "%s", dir);
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	r = manifest_parse(text, strlen(text), "job.json", &m, msg, msglen);
	if (r)
		print_error("parse: %s\n", msg);
	assert_int_equal(r, 0);
	r = manifest_check_host(&m, msg, msglen);
	manifest_free(&m);
	return r;
}

static void host_ok(const char *json)
{
	char msg[600] = "";
	int r = host_check(json, msg, sizeof(msg));

	if (r)
		print_error("check_host(%s) = %d: %s\n", json, r, msg);
	assert_int_equal(r, 0);
}

/* want: the message after "job.json: ", with @ for the scratch dir. */
static void host_bad(const char *json, int code, const char *want)
{
	char msg[600] = "", full[600], *o = full;
	const char *s;
	int r = host_check(json, msg, sizeof(msg));

	o += sprintf(o, "job.json: ");
	for (s = want; *s; s++) {
		if (*s == '@')
			o += sprintf(o, "%s", dir);
		else
			*o++ = *s;
	}
	*o = 0;
	if (r != code || strcmp(msg, full))
		print_error("check_host(%s)\n  = %d, '%s'\n  want %d, '%s'\n", json, r, msg, code, full);
	assert_int_equal(r, code);
	assert_string_equal(msg, full);
}

static void test_host_program(void **state)
{
	(void)state;
	host_ok("{'program': '@/prog'}");
	host_bad("{'program': '@/missing'}", -ENOENT, "program: @/missing: No such file or directory");
	host_bad("{'program': '@/prog/x'}", -ENOENT, "program: @/prog/x: Not a directory");
	host_bad("{'program': '@/tree'}", -EINVAL, "program: @/tree: is a directory, not a regular file");
	host_bad("{'program': '@/noexec'}", -EACCES,
		 "program: @/noexec: Permission denied (needs read and execute permission)");
	/* With a root, the program is a path inside it (the run looks it up there); the root must be a directory. */
	host_ok("{'program': '/usr/bin/python3', 'root': '@/tree'}");
	host_bad("{'program': 'p', 'root': '@/missing'}", -ENOENT, "root: @/missing: No such file or directory");
	host_bad("{'program': 'p', 'root': '@/prog'}", -EINVAL, "root: @/prog: is a file, not a directory");
}

static void test_host_channels(void **state)
{
	(void)state;
	host_ok("{'program': '@/prog', 'channels': ["
		"{'guest': '/dev/stdin', 'host': '@/in.txt'},"
		"{'guest': '/dev/stdout', 'host': '@/new-output.txt'},"
		"{'guest': '/t', 'host': '@/tree', 'type': 'directory'},"
		"{'guest': '/t2', 'host': '@/link-to-tree', 'type': 'directory'},"
		"{'guest': '/l', 'host': '@/link-to-in'},"
		"{'guest': '/a', 'host': '@/in.txt', 'mode': 'append'},"
		"{'guest': '/rw', 'host': '@/in.txt', 'mode': 'read-write'},"
		"{'guest': '/rw-new', 'host': '@/tree/new.db', 'mode': 'read-write'},"
		"{'guest': '/f', 'host': '@/fifo', 'type': 'fifo'},"
		"{'guest': '/s', 'host': '@/sock', 'type': 'socket', 'mode': 'read-write'},"
		"{'guest': '/n', 'host': '/dev/null', 'type': 'chardev', 'mode': 'write'}],"
		"'report': '@/report.json'}");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/in', 'host': '@/missing.txt'}]}", -ENOENT,
		 "channels[0] (/in): host @/missing.txt: No such file or directory");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/in', 'host': '@/dangling'}]}", -ENOENT,
		 "channels[0] (/in): host @/dangling: dangling symbolic link");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/o', 'host': '@/dangling', 'mode': 'write'}]}",
		 -ENOENT, "channels[0] (/o): host @/dangling: dangling symbolic link");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/o', 'host': '@/nodir/out.txt', 'mode': 'write'}]}",
		 -ENOENT, "channels[0] (/o): host @/nodir/out.txt: parent directory @/nodir: No such file or directory");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/o', 'host': '@/in.txt/out', 'mode': 'write'}]}",
		 -ENOENT, "channels[0] (/o): host @/in.txt/out: Not a directory");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/d', 'host': '@/in.txt', 'type': 'directory'}]}",
		 -EINVAL, "channels[0] (/d): host @/in.txt: is a file, not a directory");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/d', 'host': '@/link-to-tree'}]}", -EINVAL,
		 "channels[0] (/d): host @/link-to-tree: is a directory, not a file");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/o', 'host': '@/tree', 'mode': 'write'}]}",
		 -EINVAL, "channels[0] (/o): host @/tree: is a directory, not a file");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/f', 'host': '@/in.txt', 'type': 'fifo'}]}",
		 -EINVAL, "channels[0] (/f): host @/in.txt: is a file, not a fifo");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/f', 'host': '@/fifo', 'type': 'socket'}]}",
		 -EINVAL, "channels[0] (/f): host @/fifo: is a fifo, not a socket");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/f', 'host': '@/sock'}]}", -EINVAL,
		 "channels[0] (/f): host @/sock: is a socket, not a file");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/c', 'host': '@/in.txt', 'type': 'chardev'}]}",
		 -EINVAL, "channels[0] (/c): host @/in.txt: is a file, not a chardev");
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/c', 'host': '/dev/null'}]}", -EINVAL,
		 "channels[0] (/c): host /dev/null: is a chardev, not a file");
	/* A missing fifo is not created: it must exist. */
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/p', 'host': '@/nofifo', 'type': 'fifo', "
		 "'mode': 'write'}]}",
		 -ENOENT, "channels[0] (/p): host @/nofifo: No such file or directory");
	/* Later channels are checked too, and the report's directory. */
	host_bad("{'program': '@/prog', 'channels': [{'guest': '/a', 'host': '@/in.txt'}, "
		 "{'guest': '/b', 'host': '@/b.txt'}]}",
		 -ENOENT, "channels[1] (/b): host @/b.txt: No such file or directory");
	host_bad("{'program': '@/prog', 'report': '@/nodir/r.json'}", -ENOENT,
		 "report: @/nodir/r.json: parent directory @/nodir: No such file or directory");
	host_bad("{'program': '@/prog', 'report': '@/tree'}", -EINVAL, "report: @/tree: is a directory, not a file");
	host_ok("{'program': '@/prog', 'report': '-'}");
	/* Reports are regular files on storage: no device, no kernel interface file. */
	host_bad("{'program': '@/prog', 'report': '/dev/null'}", -EINVAL, "report: /dev/null: is a chardev, not a file");
	host_bad("{'program': '@/prog', 'report': '/proc/self/comm'}", -EINVAL,
		 "report: /proc/self/comm: is on procfs (a kernel interface), not storage");
	host_bad("{'program': '@/prog', 'report': '/sys/kernel/r.json'}", -EINVAL,
		 "report: /sys/kernel/r.json: is on sysfs (a kernel interface), not storage");
}

/*
 * Permission bits bind only users other than root (root reads and writes
 * anything): as root, the checks run in a child that became nobody. The
 * child cannot use cmocka's asserts; it reports through its exit status.
 */
static const struct {
	const char *json;
	int code;
	const char *want;
} perm_cases[] = {
	{ "{'program': '@/prog', 'channels': [{'guest': '/s', 'host': '@/secret'}]}", -EACCES,
	  "channels[0] (/s): host @/secret: Permission denied (mode read needs read permission)" },
	{ "{'program': '@/prog', 'channels': [{'guest': '/s', 'host': '@/secret', 'mode': 'append'}]}", -EACCES,
	  "channels[0] (/s): host @/secret: Permission denied (mode append needs write permission)" },
	{ "{'program': '@/prog', 'channels': [{'guest': '/s', 'host': '@/secret', 'mode': 'read-write'}]}", -EACCES,
	  "channels[0] (/s): host @/secret: Permission denied (mode read-write needs read and write permission)" },
	{ "{'program': '@/prog', 'channels': [{'guest': '/t', 'host': '@/locked', 'type': 'directory'}]}", -EACCES,
	  "channels[0] (/t): host @/locked: Permission denied (mode read needs read and search permission)" },
	{ "{'program': '@/prog', 'channels': [{'guest': '/s', 'host': '@/sock', 'type': 'socket'}]}", -EACCES,
	  "channels[0] (/s): host @/sock: Permission denied (connecting needs write permission)" },
	{ "{'program': '@/prog', 'channels': [{'guest': '/o', 'host': '/proc/new.txt', 'mode': 'write'}]}", -EACCES,
	  "channels[0] (/o): host /proc/new.txt: cannot be created: parent directory /proc: Permission denied" },
	{ "{'program': '@/prog', 'report': '/proc/r.json'}", -EACCES,
	  "report: /proc/r.json: cannot be created: parent directory /proc: Permission denied" },
};

static int perm_child(void)
{
	char msg[600], want[600], *o;
	const char *s;
	size_t i;
	int bad = 0, r;

	for (i = 0; i < N(perm_cases); i++) {
		o = want + sprintf(want, "job.json: ");
		for (s = perm_cases[i].want; *s; s++)
			o += *s == '@' ? sprintf(o, "%s", dir) : (*o = *s, 1);
		*o = 0;
		r = host_check(perm_cases[i].json, msg, sizeof(msg));
		if (r != perm_cases[i].code || strcmp(msg, want)) {
			fprintf(stderr, "check_host(%s)\n  = %d, '%s'\n  want %d, '%s'\n", perm_cases[i].json, r, msg,
				perm_cases[i].code, want);
			bad = 1;
		}
	}
	return bad;
}

static void test_host_permissions(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0) {
		assert_int_equal(perm_child(), 0);
		return;
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(77);
		_exit(perm_child());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		print_message("skip: cannot switch to uid 65534 to test permission checks\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_load(void **state)
{
	struct vmlet_manifest m;
	char p[128], msg[300];
	FILE *f;
	size_t i;

	(void)state;
	write_file("job.json", J("{'program': 'p', 'args': ['x']}"), 0644);
	path_in(p, sizeof(p), "job.json");
	assert_int_equal(manifest_load(p, &m, msg, sizeof(msg)), 0);
	assert_string_equal(m.name, p);
	assert_string_equal(m.argv[1], "x");
	manifest_free(&m);

	/* The file's name prefixes messages. */
	write_file("job.json", J("{'program': 'p', 'args': 'x'}"), 0644);
	assert_int_equal(manifest_load(p, &m, msg, sizeof(msg)), -EINVAL);
	assert_true(!strncmp(msg, p, strlen(p)));
	assert_string_equal(msg + strlen(p), ": args: must be an array of strings, got \"x\"");

	path_in(p, sizeof(p), "none.json");
	assert_int_equal(manifest_load(p, &m, msg, sizeof(msg)), -ENOENT);
	assert_string_equal(msg + strlen(p), ": No such file or directory");
	path_in(p, sizeof(p), "tree");
	assert_int_equal(manifest_load(p, &m, msg, sizeof(msg)), -EISDIR);
	assert_string_equal(msg + strlen(p), ": Is a directory");

	/* Bigger than MANIFEST_MAX_FILE: refused (whitespace would otherwise be valid JSON). */
	path_in(p, sizeof(p), "big.json");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(J("{'program': 'p'}"), f);
	for (i = 0; i < MANIFEST_MAX_FILE; i++)
		fputc(' ', f);
	fclose(f);
	assert_int_equal(manifest_load(p, &m, msg, sizeof(msg)), -EFBIG);
	assert_string_equal(msg + strlen(p), ": larger than 1024 KiB");
	assert_int_equal(truncate(p, MANIFEST_MAX_FILE), 0);
	assert_int_equal(manifest_load(p, &m, msg, sizeof(msg)), 0);
	manifest_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_top_level_fields),
		cmocka_unit_test(test_tmpfs),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_long_values_are_cut),
		cmocka_unit_test(test_args_env),
		cmocka_unit_test(test_clear_env),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_report_field),
		cmocka_unit_test(test_root_field),
		cmocka_unit_test(test_channel_shape),
		cmocka_unit_test(test_channel_paths),
		cmocka_unit_test(test_channel_enums),
		cmocka_unit_test(test_channel_aliases),
		cmocka_unit_test(test_channel_rules),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_duplicates_and_nesting),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_full_manifest),
		cmocka_unit_test(test_values_and_defaults),
		cmocka_unit_test(test_guest_normalization_and_nesting),
		cmocka_unit_test(test_buffer_length),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_host_program),
		cmocka_unit_test(test_host_channels),
		cmocka_unit_test(test_host_permissions),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
