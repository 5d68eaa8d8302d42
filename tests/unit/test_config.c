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
	assert_int_equal(vmlet_program_check(p, NULL, 0, &err), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", p);
	assert_string_equal(err.message, want);
	assert_int_equal(err.program, 1);
}

/* vmlet_config_check refuses c with want, and vmlet_vm_create refuses it the same way before any VM exists. */
static void refused(const struct vmlet_config *c, const char *want)
{
	struct vmlet_error err, cerr;
	struct vmlet_vm *vm = (struct vmlet_vm *)1;
	int r = vmlet_config_check(c, &err);

	if (r != -EINVAL || strcmp(err.message, want))
		print_error("vmlet_config_check = %d, '%s'; wanted '%s'\n", r, err.message, want);
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err.message, want);
	assert_int_equal(vmlet_vm_create(c, &vm, &cerr), -EINVAL);
	assert_null(vm);
	assert_string_equal(cerr.message, want);
}

static void config(struct vmlet_config *c, struct vmlet_channel *ch, size_t n)
{
	size_t i;

	vmlet_config_init(c);
	c->path = "/nonexistent/prog"; /* the config is refused before the program is looked at */
	for (i = 0; i < n; i++) {
		static char guests[80][32]; /* room for any size_t: -O1 builds check it */
		snprintf(guests[i], sizeof(guests[i]), "/out%zu", i);
		ch[i] = (struct vmlet_channel){ .guest_path = guests[i], .host_path = "out", .type = VMLET_CHANNEL_FILE,
						.mode = VMLET_CHANNEL_WRITE };
	}
	c->channels = ch;
	c->nchannels = n;
}

static void test_memory_range_exact(void **state)
{
	struct vmlet_config c;
	struct vmlet_error err;

	(void)state;
	config(&c, NULL, 0);
	c.mem_bytes = 15ull << 20;
	refused(&c, "guest memory must be between 16M and 64G, got 15M");
	c.mem_bytes = (16ull << 20) - 1; /* was rounded up into range */
	refused(&c, "guest memory must be between 16M and 64G, got 16777215");
	c.mem_bytes = 65ull << 30;
	refused(&c, "guest memory must be between 16M and 64G, got 65G");
	c.mem_bytes = 0; /* a config's 0 is the default */
	assert_int_equal(vmlet_config_check(&c, &err), 0);
	assert_int_equal(vmlet_mem_check(0, &err), -EINVAL);
	assert_string_equal(err.message, "guest memory must be between 16M and 64G, got 0");
	assert_int_equal(vmlet_mem_check(16ull << 20, &err), 0);
	assert_int_equal(vmlet_mem_check(64ull << 30, &err), 0);
}

static void test_written_channels_limit(void **state)
{
	struct vmlet_channel ch[VMLET_MAX_WRITTEN_FILES + 1];
	struct vmlet_config c;
	struct vmlet_error err;

	(void)state;
	config(&c, ch, VMLET_MAX_WRITTEN_FILES);
	assert_int_equal(vmlet_config_check(&c, &err), 0);
	config(&c, ch, VMLET_MAX_WRITTEN_FILES + 1);
	refused(&c, "at most 64 written file channels per run (65 declared)");
	ch[0].mode = VMLET_CHANNEL_READ; /* 64 written and one read: fine */
	assert_int_equal(vmlet_config_check(&c, &err), 0);
}

static void test_tmpfs_rules(void **state)
{
	struct vmlet_tmpfs_mount t[2] = { { "/tmp", 0 }, { "/run", 64ull << 20 } };
	struct vmlet_config c;

	(void)state;
	config(&c, NULL, 0);
	c.tmpfs = t;
	c.ntmpfs = 2;
	assert_int_equal(vmlet_config_check(&c, NULL), 0);
	t[1].path = "/tmp/x";
	refused(&c, "tmpfs /tmp/x: overlaps tmpfs /tmp");
	t[1].path = "/";
	refused(&c, "tmpfs /: the path must be absolute and normalized, and not /");
	t[1].path = "/a/../b";
	refused(&c, "tmpfs /a/../b: the path must be absolute and normalized, and not /");
	t[1].path = "/run/";
	refused(&c, "tmpfs /run/: the path must be absolute and normalized, and not /");
	t[1].path = "/run";
	t[1].size = 1ull << 30;
	refused(&c, "tmpfs /run: size 1G is larger than the guest memory (256M)");
}

static void test_id_range(void **state)
{
	struct vmlet_config c;

	(void)state;
	config(&c, NULL, 0);
	c.uid = c.gid = VMLET_MAX_ID;
	assert_int_equal(vmlet_config_check(&c, NULL), 0);
	c.uid = UINT32_MAX;
	refused(&c, "uid must be between 0 and 4294967294, got 4294967295");
	c.uid = 0;
	c.gid = UINT32_MAX;
	refused(&c, "gid must be between 0 and 4294967294, got 4294967295");
}

/* /dev/shm is a tmpfs by default with a root, unless the config puts something of its own there. */
static void test_dev_shm_default(void **state)
{
	struct vmlet_tmpfs_mount t = { "/tmp", 0 };
	struct vmlet_grant g = { .host_path = "/srv/shm", .guest_path = "/dev/shm" };
	struct vmlet_channel ch[1];
	struct vmlet_config c;

	(void)state;
	config(&c, NULL, 0);
	assert_false(vmlet_config_dev_shm(&c)); /* no root */
	c.root = "/";
	c.tmpfs = &t;
	c.ntmpfs = 1;
	assert_true(vmlet_config_dev_shm(&c));
	t.path = "/dev/shm";
	assert_false(vmlet_config_dev_shm(&c));
	t.path = "/dev";
	assert_false(vmlet_config_dev_shm(&c)); /* it contains /dev/shm: mounts do not nest */
	t.path = "/dev/shm/x";
	assert_false(vmlet_config_dev_shm(&c));
	t.path = "/dev/shmem";
	assert_true(vmlet_config_dev_shm(&c));
	c.grants = &g;
	c.ngrants = 1;
	assert_false(vmlet_config_dev_shm(&c));
	g.guest_path = "/dev"; /* a grant above it: the tmpfs lies on top of it */
	assert_true(vmlet_config_dev_shm(&c));
	g.guest_path = NULL; /* host path is the guest path */
	g.host_path = "/dev/shm";
	assert_false(vmlet_config_dev_shm(&c));
	c.ngrants = 0;
	config(&c, ch, 1);
	c.root = "/";
	ch[0].guest_path = "/dev/shm/sem.x";
	assert_false(vmlet_config_dev_shm(&c));
}

static void test_channel_rules(void **state)
{
	struct vmlet_channel ch[2];
	struct vmlet_config c;

	(void)state;
	config(&c, ch, 2);
	ch[1].guest_path = ch[0].guest_path;
	refused(&c, "channel /out0: declared twice");
	config(&c, ch, 1);
	ch[0].type = VMLET_CHANNEL_DIRECTORY;
	refused(&c, "channel /out0: a directory channel must be mode read");
	config(&c, ch, 1);
	ch[0].guest_path = "relative";
	refused(&c, "channel: guest path must be absolute and host path given");
	config(&c, ch, 1);
	ch[0].mode = 0;
	refused(&c, "channel /out0: bad type or mode");
	config(&c, ch, 0);
	c.path = NULL;
	refused(&c, "no program given");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_program_path_not_cut),
		cmocka_unit_test(test_memory_range_exact),
		cmocka_unit_test(test_written_channels_limit),
		cmocka_unit_test(test_channel_rules),
		cmocka_unit_test(test_tmpfs_rules),
		cmocka_unit_test(test_id_range),
		cmocka_unit_test(test_dev_shm_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
