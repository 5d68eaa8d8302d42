/* run.c - the vCPU loop: KVM_RUN, exit dispatch, the tick that flushes output and enforces timeouts. */
#include "vm_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS 50000000ull /* output flush and deadline check period */


static void kick_handler(int sig)
{
	(void)sig;
}

static pthread_once_t kick_once = PTHREAD_ONCE_INIT;

static void kick_install_once(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler; /* no SA_RESTART: blocking calls return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);
}

_Static_assert(sizeof(((struct vmlet_result *)0)->syscall_counts) == sizeof(((struct vmlet_stats *)0)->by_nr),
	       "result counters match the guest kernel's");

static int fsize_limited;

/* Once, like the handler: getrlimit is not allowed once a creator is confined. */
static void read_limits_once(void)
{
	struct rlimit rl;

	fsize_limited = getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
}

void run_prepare_process(void)
{
	static pthread_once_t limits_once = PTHREAD_ONCE_INIT;

	pthread_once(&kick_once, kick_install_once);
	pthread_once(&limits_once, read_limits_once);
}

int run_fsize_limited(void)
{
	return fsize_limited;
}

void vm_finish(struct vmlet_vm *vm, enum vmlet_outcome outcome, int status, int signal,
	       const char *fmt, ...)
{
	struct vmlet_result *r = vm->res;
	va_list ap;

	if (r->outcome)
		return;
	r->outcome = outcome;
	r->status = status;
	r->signal = signal;
	switch (outcome) {
	case VMLET_EXITED: r->exit_code = status & 0xff; break;
	case VMLET_SIGNALED: r->exit_code = 128 + signal; break;
	case VMLET_TIMEOUT: r->exit_code = 124; break;
	default: r->exit_code = 125; break;
	}
	r->message[0] = 0;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r->message, sizeof(r->message), fmt, ap);
		va_end(ap);
	}
}

int vm_stop_requested(struct vmlet_vm *vm)
{
	if (vm->killed) {
		vm_finish(vm, VMLET_FAILED, 0, 0, "run cancelled");
		return 1;
	}
	if (vm->deadline_ns && vm_now_ns() >= vm->deadline_ns) {
		vm_finish(vm, VMLET_TIMEOUT, 0, 0, "timeout: the program ran for more than %.3f s",
			  (double)vm->timeout_ns / 1e9);
		return 1;
	}
	return vm->res->outcome != 0;
}

int vm_wait_fd(struct vmlet_vm *vm, int fd, short events, int64_t timeout_ns)
{
	uint64_t end = timeout_ns < 0 ? 0 : vm_now_ns() + (uint64_t)timeout_ns;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		struct timespec ts, *tsp = NULL;
		uint64_t now = vm_now_ns();
		int r;

		if (vm_stop_requested(vm))
			return 0;
		if (guest_signal_due(vm)) { /* the guest kernel sees why its wait ended (-EINTR) */
			guest_signal_publish(vm);
			return 0;
		}
		if (timeout_ns >= 0) {
			uint64_t left = end > now ? end - now : 0;
			ts.tv_sec = (time_t)(left / 1000000000ull);
			ts.tv_nsec = (long)(left % 1000000000ull);
			tsp = &ts;
		}
		r = ppoll(fd >= 0 ? &p : NULL, fd >= 0 ? 1 : 0, tsp, NULL);
		if (r > 0)
			return p.revents ? p.revents : 1;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static enum exit_action handle_io(struct vmlet_vm *vm)
{
	struct kvm_run *run = vm->run;
	unsigned port = run->io.port;

	if (run->io.direction == KVM_EXIT_IO_OUT && port == VMLET_PORT_HYPERCALL && run->io.size == 1)
		return hypercall_handle(vm);
	if (port >= VMLET_PORT_FAULT_BASE && port < VMLET_PORT_FAULT_BASE + VMLET_FAULT_VECTORS) {
		return fault_handle(vm, port - VMLET_PORT_FAULT_BASE);
	}
	vm_finish(vm, VMLET_SIGNALED, 0, SIGSYS, "guest fault: access to I/O port 0x%x", port);
	return EXIT_STOP;
}

static enum exit_action dispatch(struct vmlet_vm *vm)
{
	struct kvm_run *run = vm->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(vm);
	case KVM_EXIT_MMIO:
		vm_finish(vm, VMLET_SIGNALED, 0, SIGBUS, "guest fault: access to unbacked memory 0x%llx",
			  (unsigned long long)run->mmio.phys_addr);
		return EXIT_STOP;
	case KVM_EXIT_SHUTDOWN:
		vm_finish(vm, VMLET_SIGNALED, 0, SIGSEGV, "guest fault: triple fault (the guest's CPU state is unusable)");
		return EXIT_STOP;
	case KVM_EXIT_HLT:
		vm_finish(vm, VMLET_SIGNALED, 0, SIGSEGV, "guest fault: halted");
		return EXIT_STOP;
	case KVM_EXIT_INTR:
		return EXIT_CONTINUE;
	case KVM_EXIT_FAIL_ENTRY:
		vm_finish(vm, VMLET_FAILED, 0, 0, "KVM entry failed (reason 0x%llx)",
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return EXIT_STOP;
	case KVM_EXIT_INTERNAL_ERROR:
		vm_finish(vm, VMLET_SIGNALED, 0, SIGSEGV, "guest fault: KVM internal error %u (emulation failed)",
			  run->internal.suberror);
		return EXIT_STOP;
	default:
		vm_finish(vm, VMLET_FAILED, 0, 0, "unexpected KVM exit %u", run->exit_reason);
		return EXIT_STOP;
	}
}

int run_kick_timer(timer_t *timer)
{
	pid_t tid = (pid_t)syscall(SYS_gettid); /* not the C library's: a forked VMM's is stale (fork.c) */
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = KICK_SIGNAL;
#ifdef sigev_notify_thread_id
	sev.sigev_notify_thread_id = tid;
#else
	sev._sigev_un._tid = tid; /* glibc before 2.41 names it only this way */
#endif
	return timer_create(CLOCK_MONOTONIC, &sev, timer) < 0 ? -errno : 0;
}

static int start_tick(struct vmlet_vm *vm, timer_t *timer)
{
	struct itimerspec its = { .it_interval = { 0, (long)TICK_NS }, .it_value = { 0, (long)TICK_NS } };
	uint64_t now = vm_now_ns(), left = vm->deadline_ns > now ? vm->deadline_ns - now : 1;
	int r = run_kick_timer(timer);

	if (r)
		return r;
	if (vm->deadline_ns && left < TICK_NS) /* the first tick at the deadline */
		its.it_value.tv_nsec = (long)left;
	if (timer_settime(*timer, 0, &its, NULL) < 0) {
		int e = errno;
		timer_delete(*timer);
		return -e;
	}
	return 0;
}

void run_collect_stats(struct vmlet_vm *vm)
{
	const struct vmlet_stats *s = vm_guest_ptr(vm, vm->gk.stats, sizeof(*s));

	if (!s)
		return;
	vm->res->syscalls = s->syscalls;
	vm->res->unsupported = s->unsupported;
	vm->res->mem_peak = s->mmap_bytes_peak;
	memcpy(vm->res->syscall_counts, s->by_nr, sizeof(vm->res->syscall_counts));
}

/* Keep or drop written files (transactional outputs) and publish per-channel figures. */
static void finish_channels(struct vmlet_vm *vm)
{
	struct vmlet_result *r = vm->res;
	int ok = r->outcome == VMLET_EXITED && r->status == 0;
	int keep;
	size_t i;

	for (i = 0; i < vm->nchannels; i++)
		r->quota_hit |= vm->channels[i].stats.quota_hit;
	keep = vm->commit == VMLET_COMMIT_ALWAYS ? r->outcome != VMLET_FAILED : ok && !r->quota_hit;
	/* Killed by a signal sent to vmlet (SIGTERM...): the run was stopped, whatever the policy. */
	if (r->outcome == VMLET_SIGNALED && r->signal >= 1 && r->signal <= 64 &&
	    (__atomic_load_n(&vm->sig_sent, __ATOMIC_ACQUIRE) >> (r->signal - 1) & 1))
		keep = 0;
	channels_finish(vm, keep); /* a failed commit fails the run (records it in r) */
	free(vm->channel_stats);
	vm->channel_stats = calloc(vm->nchannels, sizeof(*vm->channel_stats));
	r->nchannels = vm->channel_stats ? vm->nchannels : 0;
	for (i = 0; i < r->nchannels; i++)
		vm->channel_stats[i] = vm->channels[i].stats;
	r->channels = vm->channel_stats;
}

int run_restart_tick(struct vmlet_vm *vm)
{
	return start_tick(vm, &vm->tick); /* timers are not inherited across fork */
}

int vmlet_vm_run(struct vmlet_vm *vm, struct vmlet_result *result, struct vmlet_error *err)
{
	sigset_t unblock;
	uint64_t t0;
	int r;

	if (vm->ran)
		return vm_error(err, -EALREADY, "a VM runs only once");
	vm->thread = pthread_self();
	__atomic_store_n(&vm->ran, 1, __ATOMIC_RELEASE);
	run_prepare_process();
	sigemptyset(&unblock);
	sigaddset(&unblock, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
	t0 = vm_now_ns();
	vm->fault_signal = 0;
	vm->deadline_ns = vm->timeout_ns ? t0 + vm->timeout_ns : 0;
	r = start_tick(vm, &vm->tick);
	if (r)
		return vm_error(err, r, "cannot create the run timer: %s", strerror(-r));
	while (!vm_stop_requested(vm)) {
		r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
		vm->res->exits++;
		if (r < 0) {
			if (errno != EINTR && errno != EAGAIN) {
				vm_finish(vm, VMLET_FAILED, 0, 0, "KVM_RUN: %s", strerror(errno));
				break;
			}
			vm->run->immediate_exit = 0;
			ring_drain(vm);
			tree_take_signals(vm);
			tree_reap_unwaited(vm);
			guest_signal_interrupt(vm);
			continue;
		}
		if (dispatch(vm) == EXIT_STOP)
			break;
	}
	timer_delete(vm->tick);
	shared_lock_abandon(vm); /* a guest kernel that ended in a tmpfs change leaves the others running */
	guest_signal_end(vm);
	if (vm->tree_child) /* a forked guest process: its parent waits for it; the tree's first commits */
		tree_child_exit(vm);
	tree_end(vm);
	vm->res->phases.run = vm_now_ns() - t0;
	ring_drain(vm);
	run_collect_stats(vm);
	tree_list_processes(vm); /* (its own counters, before its children's are added) */
	vm->res->hypercalls = vm->hypercalls + vm->sub.hypercalls; /* with the processes it reaped */
	vm->res->exits += vm->sub.exits;
	vm->res->syscalls += vm->sub.syscalls;
	vm->res->unsupported += vm->sub.unsupported;
	vm->res->processes = 1 + vm->sub.processes;
	finish_channels(vm);
	*result = *vm->res;
	return 0;
}

void vmlet_vm_kill(struct vmlet_vm *vm)
{
	vm->killed = 1;
	if (vm->run)
		vm->run->immediate_exit = 1;
	if (__atomic_load_n(&vm->ran, __ATOMIC_ACQUIRE))
		pthread_kill(vm->thread, KICK_SIGNAL);
}
