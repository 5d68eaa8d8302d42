/* guest_signals.c - signals for the program from outside its instructions: sent to vmlet (vmlet_vm_signal) or from the guest kernel's timers (VMLET_HC_ALARM), handed over between two instructions or by ending a wait. */
#include "vm_internal.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

void vmlet_vm_signal(struct vmlet_vm *vm, int sig)
{
	if (sig < 1 || sig > 64)
		return;
	__atomic_or_fetch(&vm->sig_pending, 1ull << (sig - 1), __ATOMIC_RELEASE);
	__atomic_or_fetch(&vm->sig_sent, 1ull << (sig - 1), __ATOMIC_RELEASE);
	if (vm->run)
		vm->run->immediate_exit = 1;
	if (__atomic_load_n(&vm->ran, __ATOMIC_ACQUIRE))
		pthread_kill(vm->thread, KICK_SIGNAL);
}

int guest_signal_due(struct vmlet_vm *vm)
{
	tree_take_signals(vm); /* what other processes of the run sent */
	return __atomic_load_n(&vm->sig_pending, __ATOMIC_ACQUIRE) ||
	       (vm->alarm_ns && vm_now_ns() >= vm->alarm_ns);
}

/* Move what is due into the record; 1 if the record holds something for the guest kernel. */
static int publish(struct vmlet_vm *vm)
{
	struct vmlet_interrupt *rec = vm_guest_ptr_w(vm, vm->gk.interrupt, sizeof(*rec));
	uint64_t sent = __atomic_exchange_n(&vm->sig_pending, 0, __ATOMIC_ACQ_REL);

	if (!rec)
		return 0;
	rec->host_pending |= sent;
	if (vm->alarm_ns && vm_now_ns() >= vm->alarm_ns) {
		rec->alarm_fired = vm->alarm_ns;
		vm->alarm_ns = 0;
	}
	return (rec->host_pending | rec->alarm_fired) != 0;
}

void guest_signal_publish(struct vmlet_vm *vm)
{
	publish(vm);
}

void guest_signal_interrupt(struct vmlet_vm *vm)
{
	struct vmlet_interrupt in = { 0 };
	struct kvm_regs regs;

	if (!publish(vm) || ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) < 0)
		return;
	/* In the guest kernel (or its vDSO): it takes the record when it returns to the program. */
	if (regs.rip >= VMLET_KERNEL_VBASE)
		return;
	in.rip = regs.rip;
	in.rsp = regs.rsp;
	in.rflags = regs.rflags;
	interrupt_enter(vm, &regs, &in);
}

int64_t guest_signal_alarm(struct vmlet_vm *vm, uint64_t deadline_ns)
{
	struct itimerspec its;
	int r;

	if (deadline_ns > INT64_MAX / 2)
		deadline_ns = INT64_MAX / 2;
	vm->alarm_ns = deadline_ns;
	if (!vm->alarm_armed) {
		if (!deadline_ns)
			return 0;
		if ((r = run_kick_timer(&vm->alarm_timer)))
			return r; /* the 50 ms tick still sees the deadline */
		vm->alarm_armed = 1;
	}
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull);
	its.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull);
	return timer_settime(vm->alarm_timer, TIMER_ABSTIME, &its, NULL) < 0 ? -errno : 0;
}

void guest_signal_end(struct vmlet_vm *vm)
{
	if (vm->alarm_armed)
		timer_delete(vm->alarm_timer);
	vm->alarm_armed = 0;
	vm->alarm_ns = 0;
	__atomic_store_n(&vm->sig_pending, 0, __ATOMIC_RELEASE);
}
