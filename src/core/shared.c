/* shared.c - the shared region (the run's tmpfs mounts, one copy for all its processes) and the lock in its first word. */
#include "vm_internal.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(VMLET_MAX_MEM <= VMLET_SHARED_GPA, "the shared region lies above any guest RAM");
_Static_assert(VMLET_SHARED_GPA + VMLET_SHARED_MAX <= (1ull << 37), "any guest MAXPHYADDR reaches it");

#define SHARED_SLOT 1
#define HUGE (2ull << 20)
#define LOCK_WAIT_MAX_NS 50000000ll /* at most a tick: the waiter looks at its run again */

/* The mounts' sizes, memfds and anonymous shared memory (as much as the guest memory), and room
 * for nodes and index pages. */
static uint64_t plan_bytes(const struct vmlet_vm *vm)
{
	uint64_t total = vm->mem.size, i;

	for (i = 0; i < vm->ntmpfs; i++)
		total += vm->tmpfs[i].size;
	total += total / 64 + HUGE;
	total = (total + HUGE - 1) & ~(HUGE - 1);
	return total < VMLET_SHARED_MAX ? total : VMLET_SHARED_MAX;
}

static int set_slot(int vm_fd, uint8_t *host, uint64_t size)
{
	struct kvm_userspace_memory_region region = { .slot = SHARED_SLOT, .guest_phys_addr = VMLET_SHARED_GPA,
						      .memory_size = size, .userspace_addr = (uint64_t)host };

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

void shared_destroy(struct vmlet_vm *vm)
{
	if (!vm->shared.host)
		return;
	if (vm->shared.slotted && vm->vm_fd >= 0)
		set_slot(vm->vm_fd, vm->shared.host, 0);
	munmap(vm->shared.host, vm->shared.size);
	vm->shared.host = NULL;
	vm->shared.size = 0;
	vm->shared.slotted = 0;
}

int shared_install(struct vmlet_vm *vm, struct vmlet_error *err)
{
	uint64_t size = plan_bytes(vm);
	int r;

	if (vm->shared.host && vm->shared.size != size) /* a reused VM's (cleared at reset) serves if it fits */
		shared_destroy(vm);
	if (!vm->shared.host) {
		/* MAP_SHARED: a forked VMM keeps the same pages; address space only until touched, and
		 * mapped now, before the process is confined (its address-space limit). */
		void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return vm_error(err, -errno, "cannot map the tmpfs region (%llu bytes): %s",
					(unsigned long long)size, strerror(errno));
		vm->shared.host = p;
		vm->shared.size = size;
	}
	/* A single-VM run is confined by a filter without memory-slot changes: its slot now. */
	if (vm->max_procs <= 1 && !vm->pool && (r = shared_back(vm)))
		return vm_error(err, r, "adding the tmpfs memory slot: %s", strerror(-r));
	return layout_map_shared(vm, err); /* the tables; else the memory slot at first use */
}

int shared_back(struct vmlet_vm *vm)
{
	int r;

	if (!vm->shared.host || vm->shared.slotted)
		return vm->shared.host ? 0 : -EINVAL;
	if ((r = set_slot(vm->vm_fd, vm->shared.host, vm->shared.size)))
		return r;
	vm->shared.slotted = 1;
	return 0;
}

int64_t hc_shared(struct vmlet_vm *vm, struct vmlet_hypercall *h)
{
	int r = shared_back(vm);

	(void)h;
	if (r)
		vm_finish(vm, VMLET_FAILED, 0, 0, "cannot give the guest its tmpfs region (%llu bytes): %s",
			  (unsigned long long)vm->shared.size, strerror(-r));
	return r;
}

int shared_clear(struct vmlet_vm *vm)
{
	if (vm->shared.host && madvise(vm->shared.host, vm->shared.size, MADV_REMOVE) < 0)
		return -errno;
	return 0;
}

int shared_rebuild(struct vmlet_vm *vm)
{
	return vm->shared.slotted ? set_slot(vm->vm_fd, vm->shared.host, vm->shared.size) : 0;
}

void *shared_ptr(const struct vmlet_vm *vm, uint64_t off, uint64_t len)
{
	if (!vm->shared.host || off > vm->shared.size || len > vm->shared.size - off) /* (not backed yet: none) */
		return NULL;
	return vm->shared.host + off;
}

static uint32_t *lock_word(const struct vmlet_vm *vm)
{
	return vm->shared.host ? (uint32_t *)vm->shared.host : NULL;
}

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts, uint32_t bitset)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, bitset);
}

int shared_lock_wait(struct vmlet_vm *vm, uint32_t seen)
{
	uint32_t *w = lock_word(vm), owner = seen & VMLET_LOCK_OWNER;
	struct timespec ts = { 0, LOCK_WAIT_MAX_NS };

	if (!w || !(seen & VMLET_LOCK_WAITERS) || !owner)
		return -EINVAL;
	tree_take_signals(vm); /* a SIGKILL meanwhile ends this process: it does not hold the lock */
	if (!tree_alive(vm, (int)owner)) { /* it ended holding the lock: whatever it did is left as it is */
		__atomic_compare_exchange_n(w, &seen, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		return 0;
	}
	if (vm_stop_requested(vm))
		return 0;
	if (futex(w, FUTEX_WAIT, seen, &ts, 0) < 0 && errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT)
		return -errno;
	return 0;
}

void shared_lock_wake(struct vmlet_vm *vm, int all)
{
	uint32_t *w = lock_word(vm);

	if (w)
		futex(w, FUTEX_WAKE, all ? INT_MAX : 1, NULL, 0);
	if (vm->lock_kill) /* a SIGKILL waited for this release */
		vm_finish(vm, VMLET_SIGNALED, 0, SIGKILL, NULL);
}

int shared_lock_held(const struct vmlet_vm *vm)
{
	uint32_t *w = lock_word(vm);

	return w && (__atomic_load_n(w, __ATOMIC_ACQUIRE) & VMLET_LOCK_OWNER) == (uint32_t)tree_pid(vm);
}

int shared_lock_defer_kill(struct vmlet_vm *vm)
{
	uint32_t *w = lock_word(vm);

	if (vm->lock_kill || !shared_lock_held(vm))
		return 0;
	vm->lock_kill = 1;
	__atomic_or_fetch(w, VMLET_LOCK_HOST, __ATOMIC_ACQ_REL);
	return shared_lock_held(vm); /* it may have been released in between: then kill now */
}

void shared_lock_abandon(struct vmlet_vm *vm)
{
	uint32_t *w = lock_word(vm), seen;

	if (!w)
		return;
	seen = __atomic_load_n(w, __ATOMIC_ACQUIRE);
	if ((seen & VMLET_LOCK_OWNER) == (uint32_t)tree_pid(vm) &&
	    __atomic_compare_exchange_n(w, &seen, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		futex(w, FUTEX_WAKE, INT_MAX, NULL, 0);
}

/* The host word behind guest word gva, which must lie in the shared region; NULL if not. */
static uint32_t *shared_word(const struct vmlet_vm *vm, uint64_t gva)
{
	uint8_t *p = (gva & 3) ? NULL : vm_guest_ptr(vm, gva, 4);

	if (!p || p < vm->shared.host || p >= vm->shared.host + vm->shared.size)
		return NULL;
	return (uint32_t *)p;
}

int shared_futex_wait(struct vmlet_vm *vm, uint64_t gva, uint32_t val, uint64_t deadline_ns, uint32_t bitset)
{
	uint32_t *w = shared_word(vm, gva);
	struct timespec ts = { (time_t)(deadline_ns / 1000000000ull), (long)(deadline_ns % 1000000000ull) };

	if (!w || !bitset)
		return -EINVAL;
	for (;;) {
		if (vm_stop_requested(vm) || guest_signal_due(vm))
			return -EINTR; /* the guest kernel waits again unless the signal interrupts it */
		if (futex(w, FUTEX_WAIT_BITSET, val, deadline_ns ? &ts : NULL, bitset) == 0)
			return 0;
		if (errno != EINTR)
			return errno == EAGAIN || errno == ETIMEDOUT ? -errno : -EINVAL;
	}
}

int shared_futex_wake(struct vmlet_vm *vm, uint64_t gva, uint32_t n, uint32_t bitset)
{
	uint32_t *w = shared_word(vm, gva);
	long r;

	if (!w || !bitset)
		return -EINVAL;
	r = futex(w, FUTEX_WAKE_BITSET, n > INT_MAX ? INT_MAX : n, NULL, bitset);
	return r < 0 ? -EINVAL : (int)r;
}
