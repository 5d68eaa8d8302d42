/* test_hostfs.c - grants and channels on real /proc, /sys and files: kernel interfaces refused, granted files pinned. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/vm_internal.h"
#include "confine/filter.h"

static char tmpdir[256];

/* tmpdir/NAME, in one of a few rotating buffers. */
static const char *at(const char *name)
{
	static char buf[8][512];
	static unsigned n;
	char *b = buf[n++ % 8];

	snprintf(b, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return b;
}

static void put(const char *name, const char *text)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static struct vmlet_vm *new_vm(void)
{
	struct vmlet_vm *vm = vm_new();

	assert_non_null(vm);
	vm->stdio[0] = 0, vm->stdio[1] = 1, vm->stdio[2] = 2;
	vm->trace_fd = -1;
	return vm;
}

/* Closes everything files_init opened; temporary files of written channels are removed. */
static void free_vm(struct vmlet_vm *vm)
{
	files_close_all(vm);
	free(vm);
}

/* files_init with the grants and channels given; returns its result, the VM in *out. */
static int init(struct vmlet_vm **out, const struct vmlet_grant *g, size_t ng, const struct vmlet_channel *ch,
		size_t nch, struct vmlet_error *err)
{
	struct vmlet_config c;

	vmlet_config_init(&c);
	c.grants = g;
	c.ngrants = ng;
	c.channels = ch;
	c.nchannels = nch;
	*out = new_vm();
	return files_init(*out, &c, err);
}

/* files_open: the fd or -errno; a readable fd's first bytes in text (when given). */
static int try_open(const struct vmlet_vm *vm, const char *path, uint64_t oflags, char *text, size_t size)
{
	struct stat st;
	int ancestor, ch, fd = files_open(vm, path, oflags, &ancestor, &ch, &st);
	ssize_t n;

	if (fd >= 0 && text) {
		n = pread(fd, text, size - 1, 0);
		text[n > 0 ? n : 0] = 0;
	}
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd;
}

static const uint64_t open_kinds[] = { O_RDONLY | O_NONBLOCK, O_PATH, O_PATH | O_NOFOLLOW };

static void assert_refused(const struct vmlet_vm *vm, const char *path, int code)
{
	size_t i;

	for (i = 0; i < sizeof(open_kinds) / sizeof(open_kinds[0]); i++) {
		int r = try_open(vm, path, open_kinds[i], NULL, 0);
		if (r != code)
			fail_msg("%s (flags %#llx): %d, expected %d", path, (unsigned long long)open_kinds[i], r, code);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vmlet-hostfs-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	mkdir(at("tree"), 0755);
	put("tree/a.txt", "alpha");
	put("tree/b.txt", "beta");
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Mount points of kernel-interface filesystems this machine has (by type name in mountinfo). */
static size_t kernel_mounts(char mounts[][256], size_t max)
{
	static const char *const types[] = { "proc", "sysfs", "debugfs", "tracefs", "securityfs", "cgroup",
					     "cgroup2", "bpf", "configfs", "efivarfs", "pstore", "mqueue",
					     "binfmt_misc", "fusectl", "selinuxfs", "nsfs", "rpc_pipefs", "nfsd" };
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], point[256], type[64];
	size_t n = 0, i;

	assert_non_null(f);
	while (n < max && fgets(line, sizeof(line), f)) {
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", point) != 1 || sscanf(dash + 3, "%63s", type) != 1 ||
		    strchr(point, '\\') || access(point, X_OK)) /* escaped names; mounts this user cannot enter */
			continue;
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(type, types[i]))
				snprintf(mounts[n++], 256, "%s", point);
	}
	fclose(f);
	return n;
}

static void grant_on_procfs_or_sysfs_is_refused(void **state)
{
	static const struct { const char *host, *message; } cases[] = {
		{ "/proc", "--ro /proc: refused: /proc is procfs (a kernel interface)" },
		{ "/sys", "--ro /sys: refused: /sys is sysfs (a kernel interface)" },
		{ "/proc/self", NULL },
		{ "/proc/self/environ", NULL },
		{ "/sys/kernel", NULL },
		{ "/sys/devices/system/cpu/online", NULL },
	};
	struct vmlet_error err;
	struct vmlet_vm *vm;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmlet_grant g = { cases[i].host, "/g" };
		if (access(cases[i].host, F_OK))
			continue;
		assert_int_equal(init(&vm, &g, 1, NULL, 0, &err), -EPERM);
		if (cases[i].message)
			assert_string_equal(err.message, cases[i].message);
		else if (!strstr(err.message, "refused: /proc/") && !strstr(err.message, "refused: /sys/"))
			fail_msg("%s: %s", cases[i].host, err.message);
		free_vm(vm);
	}
}

/* Every kernel-interface mount of this machine (cgroup, debugfs, ...), and a directory channel on one. */
static void grant_on_any_kernel_interface_mount_is_refused(void **state)
{
	char mounts[64][256];
	size_t n = kernel_mounts(mounts, 64), i;
	struct vmlet_error err;
	struct vmlet_vm *vm;

	(void)state;
	assert_true(n >= 2); /* /proc and /sys at least */
	for (i = 0; i < n; i++) {
		struct vmlet_grant g = { mounts[i], "/g" };
		struct vmlet_channel dir = { "/d", mounts[i], VMLET_CHANNEL_DIRECTORY, VMLET_CHANNEL_READ, 1,
					     { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED } };
		int r = init(&vm, &g, 1, NULL, 0, &err);
		if (r != -EPERM || !strstr(err.message, "(a kernel interface)"))
			fail_msg("--ro %s: %d %s", mounts[i], r, err.message);
		free_vm(vm);
		assert_int_equal(init(&vm, NULL, 0, &dir, 1, &err), -EPERM);
		free_vm(vm);
	}
}

/*
 * `--ro /`: ordinary files read as before; /proc, /sys and every other kernel
 * interface mounted below are refused at open (EACCES), however they are reached.
 */
static void root_grant_hides_kernel_interfaces(void **state)
{
	struct vmlet_grant g = { "/", "/" };
	struct vmlet_error err;
	struct vmlet_vm *vm;
	char mounts[64][256], text[64], path[512], link[512] = "";
	size_t n = kernel_mounts(mounts, 64), i;
	const char *c;

	(void)state;
	assert_int_equal(init(&vm, &g, 1, NULL, 0, &err), 0);
	assert_int_equal(try_open(vm, at("tree/a.txt"), O_RDONLY, text, sizeof(text)), 0);
	assert_string_equal(text, "alpha");
	assert_int_equal(try_open(vm, tmpdir, O_RDONLY | O_DIRECTORY, NULL, 0), 0);
	assert_int_equal(try_open(vm, "/", O_RDONLY | O_DIRECTORY, NULL, 0), 0);
	assert_refused(vm, "/proc/self/environ", -EACCES);
	assert_refused(vm, "/proc/self/maps", -EACCES);
	assert_refused(vm, "/proc/self/mem", -EACCES);
	assert_refused(vm, "/proc/self", -EACCES);
	assert_refused(vm, "/proc", -EACCES);
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)getpid());
	assert_refused(vm, path, -EACCES);
	assert_refused(vm, "/sys", -EACCES);
	assert_refused(vm, "/sys/kernel", -EACCES);
	if (access("/sys/devices/system/cpu/online", F_OK) == 0)
		assert_refused(vm, "/sys/devices/system/cpu/online", -EACCES);
	for (i = 0; i < n; i++)
		assert_refused(vm, mounts[i], -EACCES);
	/* A relative symlink inside the tree that leads into /proc. */
	for (c = at("tree"); (c = strchr(c, '/')); c++)
		strcat(link, "../");
	strcat(link, "proc/self/environ");
	assert_int_equal(symlink(link, at("tree/env")), 0);
	assert_int_equal(try_open(vm, at("tree/env"), O_RDONLY, NULL, 0), -EACCES);
	assert_int_equal(try_open(vm, at("tree/env"), O_PATH, NULL, 0), -EACCES);
	assert_int_equal(try_open(vm, at("tree/env"), O_PATH | O_NOFOLLOW, NULL, 0), 0); /* the link itself */
	unlink(at("tree/env"));
	free_vm(vm);
}

/*
 * procfs and sysfs mounted inside a granted tree (in a mount namespace of a
 * child): the tree reads, the mounts are refused, granting one is refused.
 */
static void mounts_inside_a_tree_are_hidden(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	mkdir(at("tree/p"), 0755);
	mkdir(at("tree/s"), 0755);
	pid = fork();
	if (pid == 0) {
		struct vmlet_grant g = { at("tree"), "/t" }, gp = { at("tree/p"), "/p" };
		struct vmlet_error err;
		struct vmlet_vm *vm;
		char text[64];

		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("proc", at("tree/p"), "proc", 0, NULL) || mount("sysfs", at("tree/s"), "sysfs", 0, NULL))
			_exit(77);
		if (init(&vm, &g, 1, NULL, 0, &err))
			_exit(1);
		if (try_open(vm, "/t/a.txt", O_RDONLY, text, sizeof(text)) || strcmp(text, "alpha"))
			_exit(2);
		if (try_open(vm, "/t/p/self/environ", O_RDONLY, NULL, 0) != -EACCES ||
		    try_open(vm, "/t/p/self/mem", O_PATH, NULL, 0) != -EACCES ||
		    try_open(vm, "/t/p", O_RDONLY | O_DIRECTORY, NULL, 0) != -EACCES ||
		    try_open(vm, "/t/s/kernel", O_RDONLY | O_DIRECTORY, NULL, 0) != -EACCES)
			_exit(3);
		free_vm(vm);
		if (init(&vm, &gp, 1, NULL, 0, &err) != -EPERM)
			_exit(4);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		print_message("skip: cannot mount procfs in a mount namespace here\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

static const struct vmlet_limits unlimited = { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED };

/* Channels on procfs and sysfs, directly or through a symlink, in every mode: refused at create. */
static void channel_on_procfs_or_sysfs_is_refused(void **state)
{
	struct vmlet_channel ch = { "/env", "/proc/self/environ", VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ, 1, unlimited };
	enum vmlet_channel_mode m;
	struct vmlet_error err;
	struct vmlet_vm *vm;
	char cmd[600];

	(void)state;
	assert_int_equal(init(&vm, NULL, 0, &ch, 1, &err), -EPERM);
	assert_string_equal(err.message, "channel /env: refused: /proc/self/environ is procfs (a kernel interface)");
	free_vm(vm);
	if (access("/sys/devices/system/cpu/online", F_OK) == 0) {
		ch.host_path = "/sys/devices/system/cpu/online";
		assert_int_equal(init(&vm, NULL, 0, &ch, 1, &err), -EPERM);
		assert_non_null(strstr(err.message, "is sysfs (a kernel interface)"));
		free_vm(vm);
	}
	/* Written modes through a symlink: no temporary file seeded from the target, none left. */
	assert_int_equal(symlink("/proc/self/environ", at("tree/envlink")), 0);
	ch.host_path = at("tree/envlink");
	for (m = VMLET_CHANNEL_READ; m <= VMLET_CHANNEL_READ_WRITE; m++) {
		ch.mode = m;
		if (init(&vm, NULL, 0, &ch, 1, &err) != -EPERM)
			fail_msg("mode %d: %s", (int)m, err.message);
		free_vm(vm);
	}
	unlink(at("tree/envlink"));
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s/tree' | grep vmlet)\"", tmpdir);
	assert_int_equal(system(cmd), 0);
}

/* Ordinary channels still open: a file in each mode, a character device, a directory. */
static void ordinary_channels_still_open(void **state)
{
	struct vmlet_channel ch[] = {
		{ "/r", at("tree/a.txt"), VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ, 1, unlimited },
		{ "/w", at("tree/out.txt"), VMLET_CHANNEL_FILE, VMLET_CHANNEL_WRITE, 1, unlimited },
		{ "/a", at("tree/b.txt"), VMLET_CHANNEL_FILE, VMLET_CHANNEL_APPEND, 1, unlimited },
		{ "/null", "/dev/null", VMLET_CHANNEL_CHARDEV, VMLET_CHANNEL_WRITE, 0, unlimited },
		{ "/d", at("tree"), VMLET_CHANNEL_DIRECTORY, VMLET_CHANNEL_READ, 1, unlimited },
	};
	struct vmlet_error err;
	struct vmlet_vm *vm;
	char text[64];

	(void)state;
	if (init(&vm, NULL, 0, ch, sizeof(ch) / sizeof(ch[0]), &err))
		fail_msg("%s", err.message);
	assert_int_equal(try_open(vm, "/d/a.txt", O_RDONLY, text, sizeof(text)), 0);
	assert_string_equal(text, "alpha");
	free_vm(vm);
}

enum swap { SWAP_SYMLINK, SWAP_HARDLINK, SWAP_RENAME, SWAP_DIRECTORY, REWRITE_IN_PLACE };

/* Replace dir/granted.txt as a host user could during a run. */
static void do_swap(const char *dir, enum swap how)
{
	char granted[600], sibling[600];
	int fd;

	snprintf(granted, sizeof(granted), "%s/granted.txt", dir);
	snprintf(sibling, sizeof(sibling), "%s/sibling.txt", dir);
	switch (how) {
	case SWAP_SYMLINK:
		assert_int_equal(unlink(granted), 0);
		assert_int_equal(symlink("sibling.txt", granted), 0);
		break;
	case SWAP_HARDLINK:
		assert_int_equal(unlink(granted), 0);
		assert_int_equal(link(sibling, granted), 0);
		break;
	case SWAP_RENAME:
		assert_int_equal(rename(sibling, granted), 0);
		break;
	case SWAP_DIRECTORY:
		assert_int_equal(unlink(granted), 0);
		assert_int_equal(mkdir(granted, 0755), 0);
		break;
	case REWRITE_IN_PLACE:
		fd = open(granted, O_WRONLY | O_TRUNC | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "changed", 7), 7);
		close(fd);
		break;
	}
}

/*
 * A granted single file swapped on the host for a symlink or hard link to a
 * sibling, or a sibling renamed over it: every open is refused (ENOENT), with
 * or without Landlock. The same file rewritten in place stays readable.
 */
static void granted_file_swapped_is_refused(void **state)
{
	static const char *const names[] = { "symlink", "hardlink", "rename", "directory", "inplace" };
	enum swap how;

	(void)state;
	for (how = SWAP_SYMLINK; how <= REWRITE_IN_PLACE; how++) {
		char dir[300], file[600], rel[64], text[64];
		struct vmlet_grant g = { file, "/g" };
		struct vmlet_error err;
		struct vmlet_vm *vm;

		snprintf(dir, sizeof(dir), "%s", at(names[how]));
		snprintf(file, sizeof(file), "%s/granted.txt", dir);
		assert_int_equal(mkdir(dir, 0755), 0);
		snprintf(rel, sizeof(rel), "%s/granted.txt", names[how]);
		put(rel, "granted");
		snprintf(rel, sizeof(rel), "%s/sibling.txt", names[how]);
		put(rel, "sibling");
		assert_int_equal(init(&vm, &g, 1, NULL, 0, &err), 0);
		assert_int_equal(try_open(vm, "/g", O_RDONLY, text, sizeof(text)), 0);
		assert_string_equal(text, "granted");
		do_swap(dir, how);
		if (how == REWRITE_IN_PLACE) {
			assert_int_equal(try_open(vm, "/g", O_RDONLY, text, sizeof(text)), 0);
			assert_string_equal(text, "changed");
			assert_int_equal(try_open(vm, "/g", O_PATH | O_NOFOLLOW, NULL, 0), 0);
		} else {
			assert_refused(vm, "/g", -ENOENT);
		}
		free_vm(vm);
	}
}

/* A file channel is opened at create: swapping the file afterwards changes nothing the guest reads. */
static void channel_file_is_pinned_at_create(void **state)
{
	struct vmlet_channel ch = { "/c", at("tree/pinned.txt"), VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ, 1, unlimited };
	struct vmlet_error err;
	struct vmlet_vm *vm;
	char text[64];
	ssize_t n;

	(void)state;
	put("tree/pinned.txt", "pinned");
	assert_int_equal(init(&vm, NULL, 0, &ch, 1, &err), 0);
	assert_int_equal(unlink(at("tree/pinned.txt")), 0);
	assert_int_equal(symlink("b.txt", at("tree/pinned.txt")), 0);
	n = pread(vm->channels[3].fd, text, sizeof(text) - 1, 0);
	assert_int_equal(n, 6);
	text[n] = 0;
	assert_string_equal(text, "pinned");
	free_vm(vm);
	unlink(at("tree/pinned.txt"));
}

/*
 * The checks run under the single-VM seccomp filter (the prebuilt program a
 * run installs): opens of an ordinary file, a kernel interface and a swapped
 * granted file answer instead of killing the process.
 */
static void checks_run_under_the_filter(void **state)
{
	pid_t pid;
	int status;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	print_message("skip: the sanitizer runtime needs system calls the allowlist forbids\n");
	skip();
#endif
	mkdir(at("conf"), 0755);
	put("conf/granted.txt", "granted");
	put("conf/sibling.txt", "sibling");
	pid = fork();
	if (pid == 0) {
		struct vmlet_grant g[] = { { "/", "/" }, { at("conf/granted.txt"), "/g" } };
		static struct sock_filter insns[FILTER_MAX_INSNS];
		struct filter_values v = { .vcpu_fd = FILTER_UNUSED_FD(0), .stdio = { 0, 1, 2 }, .pid = getpid(),
					   .ncommit_dirs = FILTER_SMALL_SLOTS };
		struct sock_fprog prog;
		struct vmlet_error err;
		struct vmlet_vm *vm;
		char text[64];
		int i, n;

		for (i = 0; i < VMLET_MAX_WRITTEN_FILES; i++)
			v.commit_dirs[i] = FILTER_UNUSED_FD(3 + i);
		if (init(&vm, g, 2, NULL, 0, &err) || rename(at("conf/sibling.txt"), at("conf/granted.txt")))
			_exit(1);
		n = filter_vm_program(&v, insns, FILTER_MAX_INSNS);
		prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = insns };
		if (n <= 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(2);
		if (try_open(vm, at("tree/a.txt"), O_RDONLY, text, sizeof(text)) || strcmp(text, "alpha"))
			_exit(3);
		if (try_open(vm, "/proc/self/environ", O_RDONLY, NULL, 0) != -EACCES ||
		    try_open(vm, "/proc/self", O_PATH, NULL, 0) != -EACCES)
			_exit(4);
		_exit(try_open(vm, "/g", O_RDONLY, NULL, 0) == -ENOENT ? 0 : 5);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child status %#x (exit %d: the check that went wrong; signal %d)", status,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/*
 * A creator (pools, --repeat) makes its VMs after confining itself: grants and
 * channels are checked under its filter, built as vmlet_confine_creator does.
 */
static void create_time_checks_run_under_the_creator_filter(void **state)
{
	pid_t pid;
	int status;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	print_message("skip: the sanitizer runtime needs system calls the allowlist forbids\n");
	skip();
#endif
	pid = fork();
	if (pid == 0) {
		struct vmlet_grant ok[] = { { "/", "/" }, { at("tree/a.txt"), "/a" } }, proc = { "/proc", "/p" };
		struct vmlet_channel plain = { "/c", at("tree/a.txt"), VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ, 1, unlimited };
		struct vmlet_channel env = { "/env", "/proc/self/environ", VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ, 1,
					     unlimited };
		struct filter_values v = { .vcpu_fd = -1, .stdio = { 0, 1, 2 }, .pid = getpid(), .ncommit_dirs = 0 };
		scmp_filter_ctx ctx = filter_new();
		struct vmlet_error err;
		struct vmlet_vm *vm;
		int i;

		for (i = 0; i < VMLET_MAX_WRITTEN_FILES; i++)
			v.commit_dirs[i] = FILTER_UNUSED_FD(3 + i);
		if (!ctx || filter_add_rules(ctx, &v) || filter_add_creator_rules(ctx, FILTER_UNUSED_FD(0)) ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || seccomp_load(ctx))
			_exit(1);
		if (init(&vm, ok, 2, &plain, 1, &err) || try_open(vm, "/proc/self", O_PATH, NULL, 0) != -EACCES)
			_exit(2);
		if (init(&vm, &proc, 1, NULL, 0, &err) != -EPERM || init(&vm, NULL, 0, &env, 1, &err) != -EPERM)
			_exit(3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child status %#x (exit %d: the check that went wrong; signal %d)", status,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grant_on_procfs_or_sysfs_is_refused),
		cmocka_unit_test(grant_on_any_kernel_interface_mount_is_refused),
		cmocka_unit_test(root_grant_hides_kernel_interfaces),
		cmocka_unit_test(mounts_inside_a_tree_are_hidden),
		cmocka_unit_test(channel_on_procfs_or_sysfs_is_refused),
		cmocka_unit_test(ordinary_channels_still_open),
		cmocka_unit_test(granted_file_swapped_is_refused),
		cmocka_unit_test(channel_file_is_pinned_at_create),
		cmocka_unit_test(checks_run_under_the_filter),
		cmocka_unit_test(create_time_checks_run_under_the_creator_filter),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
