/* test_confine.c - the seccomp allowlist: a confined process still runs its VM, and dies on anything else. */
#include <errno.h>
#include <fcntl.h>
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "confine/confine.h"
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
#define SKIP_UNDER_SANITIZER() skip()
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
		cmocka_unit_test(drop_to_unknown_user_fails_cleanly),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
