/* test_confine.c - seccomp and Landlock: a confined process still runs its VM, dies on other calls, reaches no other file. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "confine/confine.h"
#include "confine/landlock.h"
#include "vmlet.h"

static const char *hello(void)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/progs/demo_hello-musl", getenv("BUILD") ? getenv("BUILD") : "build");
	return buf;
}

enum attempt { RUN_VM, OPEN_FILE, SOCKET, EXEC_MEMORY, SET_REGS, FORK };

/* The sanitizer runtime needs system calls (ptrace, /proc) that the allowlist forbids. */
#ifdef __SANITIZE_ADDRESS__
#define SKIP_UNDER_SANITIZER()                                                                    \
	do {                                                                                      \
		print_message("skip: confinement is off in sanitizer builds (the runtime needs /proc, ptrace)\n"); \
		skip();                                                                           \
	} while (0)
#else
#define SKIP_UNDER_SANITIZER() ((void)0)
#endif

/* In a child: create a VM, confine, then try `what`; the exit status tells what happened. */
static int in_confined_child(enum attempt what)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct vmlet_config c;
		struct vmlet_error err;
		struct vmlet_result res;
		struct vmlet_host_fds fds;
		struct vmlet_vm *vm;
		struct kvm_regs regs;
		int devnull = open("/dev/null", O_WRONLY);

		vmlet_config_init(&c);
		c.path = hello();
		c.stdout_fd = devnull;
		if (vmlet_vm_create(&c, &vm, &err) || vmlet_confine(vm, &err))
			_exit(100);
		vmlet_vm_host_fds(vm, &fds);
		switch (what) {
		case RUN_VM:
			if (vmlet_vm_run(vm, &res, &err) || res.exit_code != 0)
				_exit(101);
			vmlet_vm_destroy_detached(vm);
			_exit(0);
		case OPEN_FILE:
			open("/etc/passwd", O_RDONLY);
			break;
		case SOCKET:
			socket(AF_INET, SOCK_STREAM, 0);
			break;
		case EXEC_MEMORY:
			mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			break;
		case SET_REGS:
			memset(&regs, 0, sizeof(regs));
			ioctl(fds.vcpu_fd, KVM_SET_REGS, &regs);
			break;
		case FORK:
			fork();
			break;
		}
		_exit(102); /* the filter let it through */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void confined_process_runs_its_vm(void **state)
{
	int s;

	(void)state;
	SKIP_UNDER_SANITIZER();
	s = in_confined_child(RUN_VM);
	assert_true(WIFEXITED(s));
	assert_int_equal(WEXITSTATUS(s), 0);
}

static void forbidden_calls_kill_the_process(void **state)
{
	static const enum attempt attempts[] = { OPEN_FILE, SOCKET, EXEC_MEMORY, SET_REGS, FORK };
	size_t i;

	(void)state;
	SKIP_UNDER_SANITIZER();
	for (i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
		int s = in_confined_child(attempts[i]);
		if (!WIFSIGNALED(s) || WTERMSIG(s) != SIGSYS)
			fail_msg("attempt %zu: status %#x, want death by SIGSYS", i, s);
	}
}

/*
 * Files for the Landlock checks in a fresh directory: a granted tree, an output
 * directory holding a written channel's target and a spare file, and a secret
 * outside both.
 */
static char fs_root[64];

static void make_fs(void)
{
	char p[128];

	strcpy(fs_root, "/tmp/vmlet-landlock-XXXXXX");
	assert_non_null(mkdtemp(fs_root));
#define PATH(rel) (snprintf(p, sizeof(p), "%s/%s", fs_root, rel), p)
	assert_int_equal(mkdir(PATH("tree"), 0755), 0);
	assert_int_equal(mkdir(PATH("out"), 0755), 0);
	assert_int_equal(mkdir(PATH("outside"), 0755), 0);
	for (const char *const *f = (const char *const[]){ "tree/granted", "out/spare", "outside/secret", NULL }; *f; f++) {
		int fd = open(PATH(*f), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0 && write(fd, "data", 4) == 4);
		close(fd);
	}
#undef PATH
}

static void remove_fs(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", fs_root);
	assert_int_equal(system(cmd), 0);
}

static int open_path(const char *rel, int flags)
{
	char p[128];
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC };

	snprintf(p, sizeof(p), "%s/%s", fs_root, rel);
	return (int)syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof(how));
}

/*
 * In a child: create a VM with the tree granted and out/result written,
 * confine, then use the system calls the allowlist admits (openat2, renameat,
 * unlinkat on an output directory's fd) on paths outside what the VM may
 * touch. Exits 0 when every escape is refused and every legitimate use works,
 * else the number of the first check that went wrong.
 */
static int landlock_child(void)
{
	char tree[128], out[128], secret[128], moved[128];
	struct vmlet_grant grant = { .host_path = tree };
	struct vmlet_channel result = { .guest_path = "/result", .host_path = out,
					.type = VMLET_CHANNEL_FILE, .mode = VMLET_CHANNEL_WRITE,
					.limits = { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED } };
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_host_fds fds;
	struct vmlet_vm *vm;
	int d, fd;

	snprintf(tree, sizeof(tree), "%s/tree", fs_root);
	snprintf(out, sizeof(out), "%s/out/result", fs_root);
	snprintf(secret, sizeof(secret), "%s/outside/secret", fs_root);
	snprintf(moved, sizeof(moved), "%s/outside/moved", fs_root);
	vmlet_config_init(&c);
	c.path = hello();
	c.grants = &grant;
	c.ngrants = 1;
	c.channels = &result;
	c.nchannels = 1;
	if (vmlet_vm_create(&c, &vm, &err) || vmlet_confine(vm, &err))
		return 100;
	vmlet_vm_host_fds(vm, &fds);
	if (fds.ncommit_dirs != 1)
		return 101;
	d = fds.commit_dirs[0];
	/* Refused: reading outside the grant, writing inside it, renaming or removing elsewhere. */
	if (open_path("outside/secret", O_RDONLY) >= 0 || errno != EACCES)
		return 1;
	if (open_path("tree/granted", O_WRONLY) >= 0 || errno != EACCES)
		return 2;
	if (open_path("tree/new", O_WRONLY | O_CREAT) >= 0 || errno != EACCES)
		return 3;
	if (renameat(d, secret, d, moved) == 0 || errno != EACCES)
		return 4;
	if (unlinkat(d, secret, 0) == 0 || errno != EACCES)
		return 5;
	if (open_path("out/spare", O_RDONLY) >= 0 || errno != EACCES)
		return 6;
	/* Still allowed: reading the grant, renaming and removing in the output directory. */
	if ((fd = open_path("tree/granted", O_RDONLY)) < 0)
		return 7;
	close(fd);
	if (renameat(d, "spare", d, "renamed") != 0 || unlinkat(d, "renamed", 0) != 0)
		return 8;
	return 0;
}

static void landlock_confines_files(void **state)
{
	char p[128];
	pid_t pid;
	int s;

	(void)state;
	SKIP_UNDER_SANITIZER();
	if (!landlock_abi()) {
		print_message("skip: this kernel has no Landlock (seccomp alone confines the process)\n");
		skip();
	}
	make_fs();
	pid = fork();
	if (pid == 0)
		_exit(landlock_child());
	assert_int_equal(waitpid(pid, &s, 0), pid);
	if (!WIFEXITED(s) || WEXITSTATUS(s) != 0)
		fail_msg("child status %#x (exit %d: the check that went wrong)", s, WEXITSTATUS(s));
	/* The secret is where it was, untouched. */
	assert_int_equal(access((snprintf(p, sizeof(p), "%s/outside/secret", fs_root), p), F_OK), 0);
	remove_fs();
}

static void creator_files_are_read_only(void **state)
{
	pid_t pid;
	int s;

	(void)state;
	SKIP_UNDER_SANITIZER();
	if (!landlock_abi()) {
		print_message("skip: this kernel has no Landlock\n");
		skip();
	}
	make_fs();
	pid = fork();
	if (pid == 0) {
		struct vmlet_error err;
		char secret[128], moved[128];
		int fd;

		if (vmlet_confine_creator_files(&err))
			_exit(100);
		if (open_path("outside/secret", O_WRONLY) >= 0 || errno != EACCES)
			_exit(1);
		if (open_path("outside/new", O_WRONLY | O_CREAT) >= 0 || errno != EACCES)
			_exit(2);
		if (rename((snprintf(secret, sizeof(secret), "%s/outside/secret", fs_root), secret),
			   (snprintf(moved, sizeof(moved), "%s/outside/moved", fs_root), moved)) == 0 || errno != EACCES)
			_exit(3);
		if ((fd = open_path("outside/secret", O_RDONLY)) < 0)
			_exit(4);
		close(fd);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &s, 0), pid);
	if (!WIFEXITED(s) || WEXITSTATUS(s) != 0)
		fail_msg("child status %#x (exit %d: the check that went wrong)", s, WEXITSTATUS(s));
	remove_fs();
}

static void drop_to_unknown_user_fails_cleanly(void **state)
{
	struct vmlet_error err;

	(void)state;
	assert_int_equal(vmlet_drop_privileges("no-such-user-vmlet", &err), -EINVAL);
	assert_non_null(strstr(err.message, "no such user"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(confined_process_runs_its_vm),
		cmocka_unit_test(forbidden_calls_kill_the_process),
		cmocka_unit_test(landlock_confines_files),
		cmocka_unit_test(creator_files_are_read_only),
		cmocka_unit_test(drop_to_unknown_user_fails_cleanly),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
