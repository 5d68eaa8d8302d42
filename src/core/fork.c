/* fork.c - a guest fork: the host forks the VMM (copy-on-write guest RAM); the child builds a KVM VM over its copy and resumes the vCPU there. */
#include "vm_internal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MSR_IA32_TSC 0x10u
#define MSR_PAT 0x277u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u
#define NMSRS 8

/* The hypercall instruction, `outb %al, $VMLET_PORT_HYPERCALL` (guest/arch/hypercall.c). */
static const uint8_t hypercall_insn[2] = { 0xe6, VMLET_PORT_HYPERCALL };

/*
 * What the vCPU holds at the fork hypercall's exit, beyond guest memory. The
 * guest kernel, its stacks and every table live in guest RAM, which the child
 * gets as the host kernel's copy.
 */
struct vcpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[NMSRS];
	} msrs;
	struct kvm_xsave xsave; /* x87, SSE, AVX, AVX-512: XCR0 allows nothing larger */
};

static int capture(struct vmlet_vm *vm, struct vcpu_state *s)
{
	static const uint32_t msr_index[NMSRS] = { MSR_IA32_TSC, MSR_PAT, MSR_STAR, MSR_LSTAR,
						   MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE, MSR_TSC_AUX };
	int i;

	memset(s, 0, sizeof(*s));
	s->msrs.hdr.nmsrs = NMSRS;
	for (i = 0; i < NMSRS; i++)
		s->msrs.e[i].index = msr_index[i];
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &s->regs) < 0 || ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s->sregs) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_XCRS, &s->xcrs) < 0 || ioctl(vm->vcpu_fd, KVM_GET_XSAVE, &s->xsave) < 0)
		return -errno;
	/* Some KVMs know fewer of these MSRs (TSC_AUX without RDTSCP): keep those read. */
	i = ioctl(vm->vcpu_fd, KVM_GET_MSRS, &s->msrs);
	if (i < 0)
		return -errno;
	s->msrs.hdr.nmsrs = (uint32_t)i;
	return 0;
}

/*
 * KVM completes an `out` when the vCPU next runs; a new vCPU never will. If
 * RIP still points at the hypercall instruction, step over it here.
 */
static void step_over_hypercall(struct vmlet_vm *vm, struct kvm_regs *regs)
{
	const uint8_t *insn = vm_guest_ptr(vm, regs->rip, sizeof(hypercall_insn));

	if (insn && !memcmp(insn, hypercall_insn, sizeof(hypercall_insn)))
		regs->rip += sizeof(hypercall_insn);
}

/* In the child: a new KVM VM and vCPU over this process's copy of guest RAM, in the state captured. */
static int rebuild(struct vmlet_vm *vm, struct vcpu_state *s)
{
	struct kvm_userspace_memory_region region = { .slot = 0, .guest_phys_addr = 0,
						      .memory_size = vm->mem.size,
						      .userspace_addr = (uint64_t)vm->mem.host };
	int kvm, r;

	/* The parent's VM belongs to the parent's mm: drop this process's references. */
	munmap(vm->run, vm->run_size);
	vm->run = NULL;
	close(vm->vcpu_fd);
	close(vm->vm_fd);
	vm->vcpu_fd = vm->vm_fd = -1;
	if ((r = kvm_global(&kvm, NULL)))
		return r;
	if ((vm->vm_fd = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		return -errno;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	if ((r = shared_rebuild(vm))) /* the tmpfs region: the same host pages as every process's */
		return r;
	if ((vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0)) < 0)
		return -errno;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return -errno;
	}
	if ((r = vcpu_prepare(vm, NULL))) /* CPUID first: KVM derives MSRs and XSAVE sizes from it */
		return r;
	step_over_hypercall(vm, &s->regs);
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s->sregs) < 0 || ioctl(vm->vcpu_fd, KVM_SET_XCRS, &s->xcrs) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_SET_XSAVE, &s->xsave) < 0 || ioctl(vm->vcpu_fd, KVM_SET_REGS, &s->regs) < 0)
		return -errno;
	r = ioctl(vm->vcpu_fd, KVM_SET_MSRS, &s->msrs);
	return r < 0 ? -errno : r != (int)s->msrs.hdr.nmsrs ? -EIO : 0;
}

pid_t vm_fork(struct vmlet_vm *vm, int *pidfd, int *in_child)
{
	static struct vcpu_state state; /* static: the child must not need the parent's stack frame */
	pid_t parent = getpid(), child;
	int r;

	*in_child = 0;
	if ((r = capture(vm, &state)))
		return r;
	/* The host's fork, with a pidfd of the child made with it. The VMM uses no thread, lock or
	 * cached thread id of its C library in the child (the run loop, ioctls, timers, _exit). */
	child = (pid_t)syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, pidfd, 0, 0);
	if (child < 0)
		return -errno;
	if (child > 0)
		return child;
	/* The child dies with its parent's VMM, whether or not the parent saw the fork finish. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(128 + SIGKILL);
	*pidfd = -1;
	*in_child = 1;
	vm->sig_pending = 0; /* the parent's signals from outside, its alarm timer: not the child's */
	memset(&vm->sub, 0, sizeof(vm->sub)); /* its counters are its own from here */
	vm->hypercalls = vm->res->exits = 0;
	vm->alarm_ns = 0;
	vm->alarm_armed = 0;
	/* What the parent's record held was the parent's; what reaches the child from here on (a
	 * signal sent before it first ran) is its own: the guest kernel keeps it. */
	struct vmlet_interrupt *rec = vm_guest_ptr_w(vm, vm->gk.interrupt, sizeof(*rec));
	if (rec)
		rec->host_pending = rec->alarm_fired = 0;
	if ((r = rebuild(vm, &state)) || (r = run_restart_tick(vm)))
		return r;
	return 0;
}
