/* reset.c - returns a used VM to the state of a freshly prepared shell, so it can run another program. */
#include "vm_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define XSAVE_LEGACY_MXCSR 24
#define XSAVE_HEADER_BV 512

/*
 * MSRs KVM saves for a vCPU, with the values of a prepared shell's vCPU that
 * never ran: read once per process from a probe shell (prepared like every
 * other, so KVM has derived its MSRs from the same CPUID), keeping only those
 * KVM lets us set back. Some KVMs (Intel PVM hosts) refuse after a vCPU's first
 * run a host write that would change a CPUID-derived MSR; from such a shell the
 * values written back are the ones the vCPU already had then.
 */
static pthread_once_t msr_once = PTHREAD_ONCE_INIT;
static struct kvm_msrs *initial_msrs;
static int xsave_size;

struct one_msr {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e;
};

static void capture_initial_state(void)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list = NULL;
	struct vmlet_vm *shell = NULL;
	int kvm;
	uint32_t i, kept = 0;

	if (kvm_global(&kvm, NULL))
		return;
	xsave_size = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	if (xsave_size < (int)sizeof(struct kvm_xsave))
		xsave_size = sizeof(struct kvm_xsave);
	ioctl(kvm, KVM_GET_MSR_INDEX_LIST, &probe); /* E2BIG, fills nmsrs */
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
	initial_msrs = calloc(1, sizeof(*initial_msrs) + probe.nmsrs * sizeof(struct kvm_msr_entry));
	if (!list || !initial_msrs)
		goto fail;
	list->nmsrs = probe.nmsrs;
	if (ioctl(kvm, KVM_GET_MSR_INDEX_LIST, list) < 0 || !(shell = shell_prepare(VMLET_MIN_MEM, NULL)))
		goto fail;
	for (i = 0; i < list->nmsrs; i++) {
		struct one_msr one = { .hdr.nmsrs = 1, .e.index = list->indices[i] };
		if (ioctl(shell->vcpu_fd, KVM_GET_MSRS, &one) != 1 || ioctl(shell->vcpu_fd, KVM_SET_MSRS, &one) != 1)
			continue;
		initial_msrs->entries[kept++] = one.e;
	}
	initial_msrs->nmsrs = kept;
	shell_destroy(shell);
	free(list);
	return;
fail:
	free(initial_msrs);
	initial_msrs = NULL;
	free(list);
}

/*
 * Writes every initial MSR back. KVM_SET_MSRS stops at the first MSR it
 * refuses and returns how many it set: that one is checked alone, and a refusal
 * is accepted only when the MSR already holds its initial value (so nothing of
 * the previous run survives in it); then the rest are written.
 */
static int restore_msrs(struct vmlet_vm *vm, struct vmlet_error *err)
{
	uint32_t done = 0, n = initial_msrs->nmsrs;
	struct kvm_msrs *rest = malloc(sizeof(*rest) + n * sizeof(struct kvm_msr_entry));
	int r = 0;

	if (!rest)
		return vm_error(err, -ENOMEM, "out of memory");
	while (done < n && !r) {
		struct one_msr now = { .hdr.nmsrs = 1 };
		int set;

		rest->nmsrs = n - done;
		rest->pad = 0;
		memcpy(rest->entries, initial_msrs->entries + done, rest->nmsrs * sizeof(struct kvm_msr_entry));
		set = ioctl(vm->vcpu_fd, KVM_SET_MSRS, rest);
		if (set < 0) {
			r = vm_error(err, -errno, "KVM_SET_MSRS: %s", strerror(errno));
			break;
		}
		done += (uint32_t)set;
		if (done == n)
			break;
		now.e.index = initial_msrs->entries[done].index;
		if (ioctl(vm->vcpu_fd, KVM_GET_MSRS, &now) != 1 || now.e.data != initial_msrs->entries[done].data)
			r = vm_error(err, -EIO, "KVM_SET_MSRS: cannot restore MSR 0x%x to its initial value",
				     initial_msrs->entries[done].index);
		done++; /* refused, but it already holds its initial value */
	}
	free(rest);
	return r;
}

/* Registers beyond what vcpu_prepare sets: every MSR, FPU/vector state, debug registers, events. */
static int reset_vcpu_state(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct kvm_debugregs dbg = { .dr6 = 0xffff0ff0, .dr7 = 0x400 };
	struct kvm_vcpu_events events;
	uint8_t *xsave;
	int r = 0;

	pthread_once(&msr_once, capture_initial_state);
	if (!initial_msrs)
		return vm_error(err, -EIO, "cannot read the initial MSRs of a vCPU");
	if ((r = restore_msrs(vm, err)))
		return r;
	/* x87 and SSE in their reset state, every other component in init state. */
	xsave = calloc(1, (size_t)xsave_size);
	if (!xsave)
		return vm_error(err, -ENOMEM, "out of memory");
	*(uint16_t *)xsave = 0x37f;
	*(uint32_t *)(xsave + XSAVE_LEGACY_MXCSR) = 0x1f80;
	*(uint64_t *)(xsave + XSAVE_HEADER_BV) = 3;
	if (ioctl(vm->vcpu_fd, KVM_SET_XSAVE, xsave) < 0)
		r = vm_error(err, -errno, "KVM_SET_XSAVE: %s", strerror(errno));
	free(xsave);
	memset(&events, 0, sizeof(events));
	if (!r && ioctl(vm->vcpu_fd, KVM_SET_DEBUGREGS, &dbg) < 0)
		r = vm_error(err, -errno, "KVM_SET_DEBUGREGS: %s", strerror(errno));
	if (!r && ioctl(vm->vcpu_fd, KVM_SET_VCPU_EVENTS, &events) < 0)
		r = vm_error(err, -errno, "KVM_SET_VCPU_EVENTS: %s", strerror(errno));
	return r;
}

/*
 * Fresh zeroed RAM at the same host address. The memory slot is removed and
 * added again: KVM then drops every shadow page table it built from the old
 * guest page tables, which a host-side rewrite would not invalidate.
 */
static int reset_memory(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct kvm_userspace_memory_region region = { .slot = 0, .memory_size = 0,
						      .userspace_addr = (uint64_t)vm->mem.host };

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return vm_error(err, -errno, "removing the memory slot: %s", strerror(errno));
	if (mmap(vm->mem.host, vm->mem.size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
		return vm_error(err, -errno, "replacing guest memory: %s", strerror(errno));
	vm->filemap_lo = vm->filemap_hi = 0; /* file mappings went with the old memory */
	region.memory_size = vm->mem.size;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return vm_error(err, -errno, "adding the memory slot: %s", strerror(errno));
	return 0;
}

int shell_reset(struct vmlet_vm *vm, struct vmlet_error *err)
{
	uint64_t t0 = vm_now_ns();
	int r;

	files_close_all(vm);
	for (r = 0; r < (int)VMLET_HANDLE_MAX; r++)
		vm->handles[r] = (struct handle){ .kind = HANDLE_FREE, .fd = -1 };
	vm->ring_tail = 0;
	vm->hypercalls = 0;
	vm->killed = 0;
	vm->ran = 0;
	if (vm->run)
		vm->run->immediate_exit = 0;
	memset(vm->res, 0, sizeof(*vm->res));
	vm->sig_sent = 0;
	r = reset_memory(vm, err);
	if (!r && (r = shared_clear(vm))) /* the next run's tmpfs starts empty */
		vm_error(err, r, "clearing the tmpfs region: %s", strerror(-r));
	if (!r)
		r = shell_load_kernel(vm, err);
	if (!r)
		r = layout_prepare(vm, err);
	if (!r)
		r = reset_vcpu_state(vm, err);
	if (!r) /* after the MSR list: the syscall MSRs get vmlet's values, not a new vCPU's */
		r = vcpu_set_state(vm, err);
	vm->res->phases.memory = vm_now_ns() - t0;
	return r;
}
