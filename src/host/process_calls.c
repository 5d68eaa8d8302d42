/* process_calls.c - the host side of the process hypercalls: fork, wait, exec, kill, the stream pairs processes share (pipes, socket pairs), the shared tmpfs lock's waits, futexes in shared memory. */
#include "../core/vm_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int64_t hc_fork(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	int slot, pidfd = -1, in_child;
	pid_t child;

	/* A pool's process runs other VMs on other threads: it is never forked. */
	if (vm->max_procs <= 1 || vm->pool)
		return -EAGAIN;
	if (tree_attach(vm) < 0 || shared_back(vm) < 0) /* the child must share the parent's region */
		return -EAGAIN;
	if ((slot = tree_reserve(vm)) < 0) { /* children nobody waits for may have ended since the last tick */
		tree_reap_unwaited(vm);
		if ((slot = tree_reserve(vm)) < 0)
			return -EAGAIN;
	}
	child = vm_fork(vm, &pidfd, &in_child);
	if (child > 0)
		return tree_forked(vm, slot, child, pidfd);
	if (child < 0 && !in_child) {
		tree_release(vm, slot);
		return child == -ENOMEM ? -ENOMEM : -EAGAIN;
	}
	tree_forked(vm, slot, 0, -1);
	if (child < 0) {
		vm_finish(vm, VMLET_FAILED, 0, 0, "fork: cannot resume the child's VM (%d)", child);
		return child;
	}
	h->out[0] = (uint64_t)tree_pid(vm);
	h->out[1] = (uint64_t)tree_ppid(vm);
	return 0;
}

int64_t hc_wait(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	int64_t pid = (int64_t)h->arg[0];
	int wstatus = 0, r;

	if (pid < -1 || pid > INT32_MAX || pid == 0 || h->arg[1] > 1)
		return -EINVAL; /* the guest kernel turns process groups into -1 */
	r = tree_wait(vm, (int)pid, (int)h->arg[1], &wstatus);
	h->out[0] = (uint64_t)(uint32_t)wstatus;
	if (r > 0 && guest_signal_due(vm)) /* the child's SIGCHLD, delivered as this call returns */
		guest_signal_publish(vm);
	return r;
}

/* Two new handles for the host fds of a pipe (fds[0] read, fds[1] write) or a socket pair (both ways). */
static int64_t stream_pair(struct vmlet_vm *vm, struct vmlet_hypercall *h, int fds[2], int duplex)
{
	int64_t rd, wr;

	if ((rd = handle_alloc(vm, fds[0], HANDLE_STREAM)) < 0) { /* readable */
		close(fds[1]);
		return rd;
	}
	if ((wr = handle_alloc(vm, fds[1], HANDLE_STREAM)) < 0) {
		handle_close(vm, (uint64_t)rd);
		return wr;
	}
	vm->handles[wr].readable = duplex;
	vm->handles[wr].writable = 1;
	vm->handles[rd].writable = duplex;
	vm->handles[rd].sequential = vm->handles[wr].sequential = 1;
	h->out[0] = (uint64_t)rd;
	h->out[1] = (uint64_t)wr;
	return 0;
}

int64_t hc_pipe(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	int fds[2];

	/* Non-blocking on the host: the host waits in ppoll, where a kick or the timeout stops it. */
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	return stream_pair(vm, h, fds, 0);
}

int64_t hc_socketpair(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	int fds[2];

	if (h->arg[0] != SOCK_STREAM && h->arg[0] != SOCK_DGRAM && h->arg[0] != SOCK_SEQPACKET)
		return -EINVAL;
	if (socketpair(AF_UNIX, (int)h->arg[0] | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0)
		return -errno;
	return stream_pair(vm, h, fds, 1);
}

int64_t hc_exec(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	uint64_t low_hi = h->arg[0], top_lo = h->arg[1];
	const char *name;
	int64_t r;

	if (((low_hi | top_lo) & (VMLET_PAGE_SIZE - 1)) || low_hi < VMLET_USER_LO || low_hi > top_lo ||
	    top_lo > vm->mmap_top)
		return -EINVAL;
	if ((r = anon_back(vm, VMLET_USER_LO, low_hi - VMLET_USER_LO)) ||
	    (top_lo < vm->mmap_top && (r = anon_back(vm, top_lo, vm->mmap_top - top_lo))))
		return r;
	vm->brk_start = VMLET_USER_LO; /* the guest kernel maps the new image itself */
	if (h->arg[3] && h->arg[3] < VMLET_EXE_MAX && (name = vm_guest_ptr(vm, h->arg[2], h->arg[3])))
		tree_name_program(vm, name, h->arg[3]);
	vm->nreadonly = 0;
	h->out[0] = vm->mmap_top;
	return 0;
}

int64_t hc_kill(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	int64_t pid = (int64_t)h->arg[0];

	if (h->arg[1] > 64)
		return -EINVAL;
	if (pid == 0 || pid < -(int64_t)INT32_MAX || pid > INT32_MAX)
		return -ESRCH;
	return tree_kill(vm, (int)pid, (int)h->arg[1]);
}

int64_t hc_lock_wait(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	if (h->arg[0] > UINT32_MAX)
		return -EINVAL;
	return shared_lock_wait(vm, (uint32_t)h->arg[0]);
}

int64_t hc_lock_wake(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	(void)h;
	shared_lock_wake(vm, 0);
	return 0;
}

int64_t hc_futex_wait(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	if (h->arg[1] > UINT32_MAX || h->arg[3] > UINT32_MAX)
		return -EINVAL;
	return shared_futex_wait(vm, h->arg[0], (uint32_t)h->arg[1], h->arg[2], (uint32_t)h->arg[3]);
}

int64_t hc_futex_wake(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	if (h->arg[1] > UINT32_MAX || h->arg[2] > UINT32_MAX)
		return -EINVAL;
	return shared_futex_wake(vm, h->arg[0], (uint32_t)h->arg[1], (uint32_t)h->arg[2]);
}

int64_t hc_pgid(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	if (h->arg[1] > INT32_MAX || h->arg[2] > INT32_MAX)
		return -ESRCH;
	return tree_pgid(vm, (unsigned)h->arg[0], (int)h->arg[1], (int)h->arg[2]);
}
