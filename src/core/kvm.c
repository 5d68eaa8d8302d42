/* kvm.c - process-wide KVM state: the /dev/kvm fd, supported CPUID, the vCPU mmap size. */
#include "vm_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define CPUID_MAX 256

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int kvm_fd = -1, init_errno;
static char init_msg[160];
static struct kvm_cpuid2 *cpuid;
static int mmap_size;

static void kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		init_errno = errno;
		snprintf(init_msg, sizeof(init_msg), "cannot open /dev/kvm: %s", strerror(errno));
		return;
	}
	if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		init_errno = ENODEV;
		snprintf(init_msg, sizeof(init_msg), "/dev/kvm has an unsupported API version");
		close(fd);
		return;
	}
	mmap_size = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	cpuid = calloc(1, sizeof(*cpuid) + CPUID_MAX * sizeof(cpuid->entries[0]));
	if (mmap_size <= 0 || !cpuid) {
		init_errno = mmap_size <= 0 ? ENODEV : ENOMEM;
		snprintf(init_msg, sizeof(init_msg), "KVM initialisation failed");
		close(fd);
		return;
	}
	cpuid->nent = CPUID_MAX;
	if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
		init_errno = errno;
		snprintf(init_msg, sizeof(init_msg), "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		close(fd);
		return;
	}
	kvm_fd = fd;
}

int kvm_global(int *fd, struct vmlet_error *err)
{
	pthread_once(&once, kvm_open);
	if (kvm_fd < 0) {
		int code = init_errno == ENOENT || init_errno == ENXIO ? -ENODEV : -init_errno;
		return vm_error(err, code, "%s", init_msg);
	}
	*fd = kvm_fd;
	return 0;
}

const struct kvm_cpuid2 *kvm_cpuid(void)
{
	return cpuid;
}

int kvm_vcpu_mmap_size(void)
{
	return mmap_size;
}

static pthread_once_t keepalive_once = PTHREAD_ONCE_INIT;

/*
 * The first vCPU without an in-kernel irqchip flips kernel static keys (code
 * patching, IPIs) and destroying the last one flips them back: ~0.4 ms on
 * both ends. A process that creates VMs repeatedly keeps one idle VM and vCPU
 * for its whole life so that no create or destroy pays that.
 */
static void keepalive_create(void)
{
	int vm = kvm_fd < 0 ? -1 : ioctl(kvm_fd, KVM_CREATE_VM, 0);

	if (vm >= 0 && ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		close(vm);
		return;
	}
	/* Both fds stay open until the process exits. */
}

void kvm_keepalive(void)
{
	pthread_once(&keepalive_once, keepalive_create);
}
