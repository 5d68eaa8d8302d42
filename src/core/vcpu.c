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

/*
 * Guests see no RDRAND or RDSEED: randomness comes from getrandom, which a
 * deterministic run seeds. (A program executing them regardless still gets
 * hardware randomness: KVM cannot trap them here; see docs/DETERMINISM.md.)
 */
static void hide_random_instructions(struct kvm_cpuid2 *c)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function == 1)
			c->entries[i].ecx &= ~(1u << 30); /* RDRAND */
		if (c->entries[i].function == 7 && c->entries[i].index == 0)
			c->entries[i].ebx &= ~(1u << 18); /* RDSEED */
	}
}

/*
 * The fixed CPU a deterministic run sees (within what the host supports): x86-64-v3
 * features (SSE to SSE4.2, POPCNT, AVX, AVX2, BMI1/2, FMA, F16C, MOVBE, LZCNT, XSAVE),
 * no AVX-512, no RDRAND/RDSEED, family 6 model 0, the same brand string, and x87,
 * SSE and AVX state only.
 */
#define FIXED_1_ECX 0x3c982203u /* SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES XSAVE OSXSAVE AVX F16C */
#define FIXED_1_EDX 0x178bfbffu /* FPU..SSE2 (+HTT off) */
#define FIXED_7_EBX 0x00000129u /* FSGSBASE BMI1 AVX2 BMI2 */
#define FIXED_80000001_ECX 0x00000021u /* LAHF LZCNT */
#define FIXED_80000001_EDX 0x2c100800u /* SYSCALL NX PDPE1GB RDTSCP LM */
#define FIXED_XCR0 0x7ull

static void fixed_cpu(struct kvm_cpuid2 *c)
{
	static const char brand[48] = "vmlet deterministic x86-64-v3";
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		switch (e->function) {
		case 1:
			e->eax = 0x00060f00; /* family 6, model 0, stepping 0 */
			e->ebx &= 0xff000000u; /* keep the APIC id only */
			e->ebx |= 1u << 16;
			e->ecx &= FIXED_1_ECX;
			e->edx &= FIXED_1_EDX;
			break;
		case 7:
			if (e->index == 0) {
				e->ebx &= FIXED_7_EBX;
				e->ecx = e->edx = 0;
			} else {
				e->eax = e->ebx = e->ecx = e->edx = 0;
			}
			break;
		case 0xd:
			if (e->index == 0) {
				e->eax &= FIXED_XCR0;
				e->edx = 0;
			} else if (e->index > 2) {
				e->eax = e->ebx = e->ecx = e->edx = 0;
			}
			break;
		case 0x80000001:
			e->ecx &= FIXED_80000001_ECX;
			e->edx &= FIXED_80000001_EDX;
			break;
		case 0x80000002: case 0x80000003: case 0x80000004:
			memcpy(&e->eax, brand + 16 * (e->function - 0x80000002), 16);
			break;
		}
	}
}

static int vcpu_set_cpuid(struct vmlet_vm *vm, int deterministic, struct vmlet_error *err)
{
	const struct kvm_cpuid2 *sup = kvm_cpuid();
	size_t size = sizeof(*sup) + sup->nent * sizeof(sup->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	struct kvm_xcrs xcrs = { .nr_xcrs = 1 };
	int r;

	if (!c)
		return vm_error(err, -ENOMEM, "out of memory");
	memcpy(c, sup, size);
	hide_random_instructions(c);
	if (deterministic)
		fixed_cpu(c);
	r = ioctl(vm->vcpu_fd, KVM_SET_CPUID2, c);
	free(c);
	if (r < 0)
		return vm_error(err, -errno, deterministic ? "a deterministic run needs a VM that has not run (%s)"
							 : "KVM_SET_CPUID2: %s", strerror(errno));
	if (!deterministic)
		return 0;
	xcrs.xcrs[0].value = FIXED_XCR0 & guest_xcr0();
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
	s.cs = seg(SEL_USER_CS, 1, 3);
	s.ss = s.ds = s.es = s.fs = s.gs = seg(SEL_USER_DS, 0, 3);
	s.gdt.base = VMLET_KERNEL_VBASE + SYS_GDT;
	s.gdt.limit = 0x4f;
	s.idt.base = VMLET_KERNEL_VBASE + SYS_IDT;
	s.idt.limit = VMLET_FAULT_VECTORS * 16 - 1;
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
