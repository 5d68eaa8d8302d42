/* vcpu.c - the vCPU's first state: 64-bit long mode at CPL3, syscall MSRs, CPUID, XCR0. */
#include "vm_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define CR0_PE 0x1ull
#define CR0_MP 0x2ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_WP 0x10000ull
#define CR0_PG 0x80000000ull
#define CR4_TSD 0x4ull
#define CR4_PAE 0x20ull
#define CR4_OSFXSR 0x200ull
#define CR4_OSXMMEXCPT 0x400ull
#define CR4_FSGSBASE 0x10000ull
#define CR4_OSXSAVE 0x40000ull
#define EFER_SCE 0x1ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_KERNEL_GS_BASE 0xc0000102u
/* TF, IF, DF, IOPL, NT, AC cleared on syscall entry, as on Linux. */
#define SFMASK_VALUE 0x47700ull
/* x87, SSE, AVX, AVX-512 state: what the guest may enable in XCR0. */
#define XCR0_ALLOWED 0xe7ull

static struct kvm_segment seg(uint16_t sel, int code, int dpl)
{
	struct kvm_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = sel, .present = 1, .dpl = (uint8_t)dpl,
		.s = 1, .g = 1, .type = code ? 11 : 3, .l = (uint8_t)code, .db = (uint8_t)!code,
	};
	return s;
}

void vcpu_user_segments(struct kvm_sregs *s)
{
	s->cs = seg(SEL_USER_CS, 1, 3);
	s->ss = seg(SEL_USER_DS, 0, 3);
}

/* The state components the guest may enable: what KVM supports, within XCR0_ALLOWED. */
static uint64_t guest_xcr0(void)
{
	const struct kvm_cpuid2 *c = kvm_cpuid();
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			return (c->entries[i].eax | ((uint64_t)c->entries[i].edx << 32)) & XCR0_ALLOWED;
	return 1;
}

static int vcpu_set_cpuid(struct vmlet_vm *vm, int deterministic, struct vmlet_error *err)
{
	const struct kvm_cpuid2 *shaped = cpuid_table();
	size_t size = shaped ? sizeof(*shaped) + shaped->nent * sizeof(shaped->entries[0]) : 0;
	struct kvm_cpuid2 *c = shaped ? malloc(size) : NULL;
	struct kvm_xcrs xcrs = { .nr_xcrs = 1 };
	int r;

	if (!c)
		return vm_error(err, -ENOMEM, "out of memory");
	memcpy(c, shaped, size);
	if (deterministic)
		cpuid_fixed(c);
	r = ioctl(vm->vcpu_fd, KVM_SET_CPUID2, c);
	free(c);
	if (r < 0)
		return vm_error(err, -errno, deterministic ? "a deterministic run needs a VM that has not run (%s)"
							 : "KVM_SET_CPUID2: %s", strerror(errno));
	if (!deterministic)
		return 0;
	xcrs.xcrs[0].value = CPUID_FIXED_XCR0 & guest_xcr0();
	if (ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
		return vm_error(err, -errno, "KVM_SET_XCRS: %s", strerror(errno));
	return 0;
}

static int set_sregs(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct kvm_sregs s;

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return vm_error(err, -errno, "KVM_GET_SREGS: %s", strerror(errno));
	s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE | CR4_OSXSAVE;
	s.cr3 = vm->kbase + SYS_PT_LO;
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	vcpu_user_segments(&s);
	s.ds = s.es = s.fs = s.gs = s.ss;
	s.gdt.base = VMLET_KERNEL_VBASE + SYS_GDT;
	s.gdt.limit = 0x4f;
	s.idt.base = VMLET_KERNEL_VBASE + SYS_IDT;
	s.idt.limit = (VMLET_HC_VECTOR + 1) * 16 - 1;
	s.tr = (struct kvm_segment){ .base = VMLET_KERNEL_VBASE + SYS_TSS, .limit = TSS_LIMIT,
				     .selector = SEL_TSS, .type = 11, .present = 1 };
	s.ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
		return vm_error(err, -errno, "KVM_SET_SREGS: %s", strerror(errno));
	return 0;
}

static int set_msrs(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[5];
	} m = { .hdr.nmsrs = 5,
		.e = { { .index = MSR_STAR, .data = (0x23ull << 48) | ((uint64_t)SEL_KERNEL_CS << 32) },
		       { .index = MSR_LSTAR, .data = vm->gk.syscall_entry },
		       { .index = MSR_CSTAR, .data = vm->gk.syscall_entry },
		       { .index = MSR_SFMASK, .data = SFMASK_VALUE },
		       { .index = MSR_KERNEL_GS_BASE, .data = 0 } } };
	int n = ioctl(vm->vcpu_fd, KVM_SET_MSRS, &m);

	if (n != 5)
		return vm_error(err, n < 0 ? -errno : -EIO, "KVM_SET_MSRS set %d of 5 MSRs", n);
	return 0;
}

int vcpu_set_state(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct kvm_xcrs xcrs = { .nr_xcrs = 1 };
	int r;

	if ((r = set_sregs(vm, err)) || (r = set_msrs(vm, err)))
		return r;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = guest_xcr0();
	if (ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
		return vm_error(err, -errno, "KVM_SET_XCRS: %s", strerror(errno));
	return 0;
}

int vcpu_prepare(struct vmlet_vm *vm, struct vmlet_error *err)
{
	int r = vcpu_set_cpuid(vm, 0, err);

	return r ? r : vcpu_set_state(vm, err);
}

int vcpu_start(struct vmlet_vm *vm, uint64_t entry, uint64_t rsp, int deterministic,
	       struct vmlet_error *err)
{
	struct kvm_regs regs = { .rip = entry, .rsp = rsp, .rflags = 0x202 };
	struct kvm_sregs s;

	/* A deterministic run sees a fixed CPU, and may not read the TSC (CR4.TSD). */
	if (deterministic) {
		int r = vcpu_set_cpuid(vm, 1, err);
		if (r)
			return r;
		if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
			return vm_error(err, -errno, "KVM_GET_SREGS: %s", strerror(errno));
		s.cr4 |= CR4_TSD;
		if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
			return vm_error(err, -errno, "KVM_SET_SREGS: %s", strerror(errno));
	}

	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return vm_error(err, -errno, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}
