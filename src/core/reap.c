/* reap.c - destroy a VM in a detached process so that a caller about to exit does not wait for KVM teardown. */
#include "vm_internal.h"

#include <sched.h>
#include <sys/mman.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define REAPER_STACK (64 << 10)

/*
 * Runs in a process that shares the caller's address space (CLONE_VM) but has
 * its own copy of the fd table. It waits until the caller has dropped its
 * references (EOF on the pipe), so that closing every fd here drops the last
 * references to the VM, and exiting drops the last user of the address space.
 * Raw syscalls only: the caller's libc may be exiting.
 */
static int reaper(void *arg)
{
	const int *pipe_fds = arg;
	char c;

	syscall(SYS_close, pipe_fds[1]);
	while (syscall(SYS_read, pipe_fds[0], &c, 1) < 0 && errno == EINTR)
		;
	syscall(SYS_close_range, 0u, ~0u, 0u);
	syscall(SYS_exit, 0);
	return 0;
}

int vmlet_vm_destroy_detached(struct vmlet_vm *vm)
{
	int *pipe_fds; /* at the top of the reaper's stack: its own, whatever later calls do */
	char *stack;
	pid_t pid;

	if (!vm)
		return 0;
	/* Fallbacks destroy in place without vmlet_vm_destroy's keep-alive VM (a confined process may not create one). */
	if (getenv("VMLET_NO_REAPER")) { /* for tools that cannot follow CLONE_VM (valgrind) */
		shell_destroy(vm);
		return 0;
	}
	/* The reaper's stack outlives this call: it is the process's last user of the memory. */
	stack = mmap(NULL, REAPER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED) {
		shell_destroy(vm);
		return 0;
	}
	pipe_fds = (int *)(stack + REAPER_STACK - 16);
	if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
		munmap(stack, REAPER_STACK);
		shell_destroy(vm);
		return 0;
	}
	pid = clone(reaper, stack + REAPER_STACK - 64, CLONE_VM | CLONE_UNTRACED, pipe_fds); /* 16-aligned, below the pipe */
	if (pid < 0) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		munmap(stack, REAPER_STACK);
		shell_destroy(vm);
		return 0;
	}
	/* Close our references only; the memory stays mapped for the reaper. */
	if (vm->run)
		munmap(vm->run, vm->run_size);
	close(vm->vcpu_fd);
	close(vm->vm_fd);
	files_close_all(vm);
	close(pipe_fds[1]); /* the reaper may go on */
	close(pipe_fds[0]);
	/* Guest memory stays mapped (the reaper unmaps it by exiting); the bookkeeping goes. */
	free(vm->channel_stats);
	free(vm->process_list);
	free(vm);
	return 0;
}
