/* shell.c - program-independent VM preparation (the LightVM "prepare" phase) and teardown. */
#include "vm_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

extern const uint8_t vmlet_gk_image[], vmlet_gk_image_end[];

#define MIB (1ull << 20)

int shell_plan(struct vmlet_vm *vm, uint64_t mem, struct vmlet_error *err)
{
	uint64_t stack;

	if (mem == 0)
		mem = VMLET_DEFAULT_MEM;
	mem = (mem + 2 * MIB - 1) & ~(2 * MIB - 1);
	if (mem < VMLET_MIN_MEM || mem > VMLET_MAX_MEM)
		return vm_error(err, -EINVAL, "guest memory must be between %llu MiB and %llu GiB",
				VMLET_MIN_MEM / MIB, VMLET_MAX_MEM >> 30);
	stack = mem / 32;
	stack = stack < 2 * MIB ? 2 * MIB : stack > 8 * MIB ? 8 * MIB : stack & ~(2 * MIB - 1);
	vm->mem.size = mem;
	vm->kbase = mem - VMLET_KERNEL_SIZE;
	vm->user_hi = vm->kbase;
	vm->stack_lo = vm->user_hi - stack;
	vm->mmap_top = vm->stack_lo - STACK_GUARD;
	return 0;
}

static int create_kvm(struct vmlet_vm *vm, struct vmlet_error *err)
{
	struct kvm_userspace_memory_region region;
	int kvm, r;
	uint64_t t0 = vm_now_ns(), t1;

	if ((r = kvm_global(&kvm, err)))
		return r;
	vm->vm_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return vm_error(err, -errno, "KVM_CREATE_VM: %s", strerror(errno));
	t1 = vm_now_ns();
	vm->res->phases.create_vm = t1 - t0;
	vm->mem.host = mmap(NULL, vm->mem.size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem.host == MAP_FAILED) {
		vm->mem.host = NULL;
		return vm_error(err, -ENOMEM, "cannot reserve %llu MiB of guest memory",
				(unsigned long long)(vm->mem.size / MIB));
	}
	region = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = 0,
						       .memory_size = vm->mem.size,
						       .userspace_addr = (uint64_t)vm->mem.host };
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return vm_error(err, -errno, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	t0 = vm_now_ns();
	vm->res->phases.memory = t0 - t1;
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return vm_error(err, -errno, "KVM_CREATE_VCPU: %s", strerror(errno));
	vm->run_size = (size_t)kvm_vcpu_mmap_size();
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return vm_error(err, -errno, "mmap of the vCPU: %s", strerror(errno));
	}
	vm->res->phases.create_vcpu = vm_now_ns() - t0;
	return 0;
}

int shell_load_kernel(struct vmlet_vm *vm, struct vmlet_error *err)
{
	size_t size = (size_t)(vmlet_gk_image_end - vmlet_gk_image);
	void *dst = guestmem_ptr(&vm->mem, gpa(vm->kbase + VMLET_GK_OFFSET), size);

	memcpy(&vm->gk, vmlet_gk_image, sizeof(vm->gk));
	if (vm->gk.magic != VMLET_GK_MAGIC || vm->gk.abi_version != VMLET_ABI_VERSION)
		return vm_error(err, -EINVAL, "embedded guest kernel has a wrong ABI version");
	if (!dst || vm->gk.bss_end - VMLET_KERNEL_VBASE > VMLET_KERNEL_SIZE)
		return vm_error(err, -EINVAL, "embedded guest kernel does not fit the kernel area");
	memcpy(dst, vmlet_gk_image, size);
	return 0;
}

struct vmlet_vm *vm_new(void)
{
	struct vmlet_vm *vm = calloc(1, sizeof(*vm) + sizeof(struct vmlet_result));
	int i;

	if (!vm)
		return NULL;
	vm->vm_fd = vm->vcpu_fd = -1;
	vm->res = (struct vmlet_result *)(vm + 1);
	for (i = 0; i < (int)VMLET_HANDLE_MAX; i++)
		vm->handles[i].fd = -1;
	return vm;
}

struct vmlet_vm *shell_prepare(uint64_t mem_bytes, struct vmlet_error *err)
{
	struct vmlet_vm *vm = vm_new();
	uint64_t t0;
	int r;

	if (!vm) {
		vm_error(err, -ENOMEM, "out of memory");
		return NULL;
	}
	r = shell_plan(vm, mem_bytes, err);
	if (!r)
		r = create_kvm(vm, err);
	t0 = vm_now_ns();
	if (!r)
		r = shell_load_kernel(vm, err);
	if (!r)
		r = layout_prepare(vm, err);
	if (!r)
		r = vcpu_prepare(vm, err);
	vm->res->phases.load = vm_now_ns() - t0;
	if (r) {
		shell_destroy(vm);
		return NULL;
	}
	return vm;
}

void shell_destroy(struct vmlet_vm *vm)
{
	if (!vm)
		return;
	files_close_all(vm);
	free(vm->channel_stats);
	free(vm->process_list);
	shared_destroy(vm);
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->mem.host)
		munmap(vm->mem.host, vm->mem.size);
	free(vm);
}
