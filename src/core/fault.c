/* fault.c - an exception of the guest: the program's fault goes to the guest kernel as a signal, or ends the run. */
#include "vm_internal.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

struct fault_kind {
	const char *name;
	int signal;
};

static struct fault_kind fault_kind(unsigned v)
{
	switch (v) {
	case 0: return (struct fault_kind){ "divide error", SIGFPE };
	case 1: return (struct fault_kind){ "debug trap", SIGTRAP };
	case 3: return (struct fault_kind){ "breakpoint", SIGTRAP };
	case 4: return (struct fault_kind){ "overflow", SIGSEGV };
	case 5: return (struct fault_kind){ "bound range exceeded", SIGSEGV };
	case 6: return (struct fault_kind){ "invalid opcode", SIGILL };
	case 7: return (struct fault_kind){ "device not available", SIGFPE };
	case 8: return (struct fault_kind){ "double fault", SIGSEGV };
	case 10: return (struct fault_kind){ "invalid TSS", SIGSEGV };
	case 11: return (struct fault_kind){ "segment not present", SIGSEGV };
	case 12: return (struct fault_kind){ "stack fault", SIGBUS };
	case 13: return (struct fault_kind){ "general protection fault", SIGSEGV };
	case 14: return (struct fault_kind){ "page fault", SIGSEGV };
	case 16: return (struct fault_kind){ "x87 floating-point exception", SIGFPE };
	case 17: return (struct fault_kind){ "alignment check", SIGBUS };
	case 19: return (struct fault_kind){ "SIMD floating-point exception", SIGFPE };
	default: return (struct fault_kind){ "exception", SIGSEGV };
	}
}

static int has_error_code(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

/* Linux's si_code and si_addr for the faults a program may handle; 0 for the others. */
static int fault_siginfo(unsigned v, uint64_t rip, uint64_t error, uint64_t cr2, int32_t *code, uint64_t *addr)
{
	switch (v) {
	case 0: *code = 1 /* FPE_INTDIV */; *addr = rip; return 1;
	case 3: *code = 0x80 /* SI_KERNEL */; *addr = 0; return 1;
	case 6: *code = 2 /* ILL_ILLOPN */; *addr = rip; return 1;
	case 13: *code = 0x80; *addr = 0; return 1;
	case 14: *code = (error & 1) ? 2 /* SEGV_ACCERR */ : 1 /* SEGV_MAPERR */; *addr = cr2; return 1;
	default: return 0;
	}
}

/*
 * Hand the program's fault to the guest kernel: the record, then the vCPU at its entry at
 * CPL3 with the program's registers (the stub changed none but rip, rsp, rflags, cs, ss).
 * The values come from the CPU's exception frame; the record lies in the guest kernel's
 * data (vm_guest_ptr_w), so nothing the guest wrote decides where the host writes.
 */
int interrupt_enter(struct vmlet_vm *vm, struct kvm_regs *regs, const struct vmlet_interrupt *in)
{
	struct vmlet_interrupt *rec = vm_guest_ptr_w(vm, vm->gk.interrupt, sizeof(*rec));
	struct kvm_sregs sregs;

	if (!rec || !vm->gk.interrupt_entry || ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	memcpy(rec, in, offsetof(struct vmlet_interrupt, host_pending));
	vcpu_user_segments(&sregs);
	regs->rip = vm->gk.interrupt_entry;
	regs->rsp = in->rsp;
	regs->rflags = 0x202;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(vm->vcpu_fd, KVM_SET_REGS, regs) < 0)
		return -1;
	return 0;
}

enum exit_action fault_handle(struct vmlet_vm *vm, unsigned vector)
{
	struct fault_kind k = fault_kind(vector);
	struct vmlet_interrupt in = { .trapno = vector };
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	const uint64_t *frame = NULL;
	uint64_t rip = 0, cs = 0, cr2 = 0;
	int e = has_error_code(vector);

	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) == 0) {
		frame = vm_guest_ptr(vm, regs.rsp, 6 * 8);
		if (!frame) /* the exception stack is in the supervisor-only system area */
			frame = guestmem_ptr(&vm->mem, gpa(vm->kbase + (regs.rsp - VMLET_KERNEL_VBASE)), 6 * 8);
		if (frame && regs.rsp >= VMLET_KERNEL_VBASE) {
			rip = frame[e];
			cs = frame[e + 1];
			in = (struct vmlet_interrupt){ .rip = rip, .rflags = frame[e + 2], .rsp = frame[e + 3],
						       .trapno = vector, .error = e ? frame[0] : 0 };
		} else {
			frame = NULL;
		}
	}
	if (vector == 14 && ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) == 0)
		cr2 = sregs.cr2;
	if (vector == 14)
		snprintf(vm->fault_line, sizeof(vm->fault_line), "guest fault: page fault at 0x%llx (rip 0x%llx)%s",
			 (unsigned long long)cr2, (unsigned long long)rip,
			 rip >= VMLET_KERNEL_VBASE ? " in the guest kernel" : "");
	else
		snprintf(vm->fault_line, sizeof(vm->fault_line), "guest fault: %s (vector %u, rip 0x%llx)%s",
			 k.name, vector, (unsigned long long)rip, rip >= VMLET_KERNEL_VBASE ? " in the guest kernel" : "");
	/* The program's own fault (CPL3, outside the guest kernel) that is a signal it may handle. */
	if (frame && (cs & 3) == 3 && rip < VMLET_KERNEL_VBASE &&
	    fault_siginfo(vector, rip, in.error, cr2, &in.code, &in.addr)) {
		in.signo = (uint32_t)k.signal;
		in.cr2 = vector == 14 ? cr2 : 0;
		vm->fault_signal = k.signal;
		if (interrupt_enter(vm, &regs, &in) == 0)
			return EXIT_CONTINUE;
	}
	vm_finish(vm, VMLET_SIGNALED, 0, k.signal, "%s", vm->fault_line);
	return EXIT_STOP;
}
