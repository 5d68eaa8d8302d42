/* pool.c - prepared shells kept ready by a worker thread, which also destroys used VMs off the run path. */
#include "vm_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SHELLS 4
#define MAX_SHELLS 1024

struct vmlet_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t worker;
	int stop;
	unsigned target;
	uint64_t mem_bytes;          /* after rounding by shell_plan */
	struct vmlet_vm **ready;     /* stack of prepared shells */
	unsigned nready;
	struct vmlet_vm *reap_head;  /* used VMs, linked through reap_next */
	struct vmlet_pool_stats stats;
	int last_error;              /* the last prepare failed: wait for a take before retrying */
};

static struct vmlet_vm *reap_pop(struct vmlet_pool *p)
{
	struct vmlet_vm *vm = p->reap_head;

	if (vm) {
		p->reap_head = vm->reap_next;
		p->stats.reaping--;
	}
	return vm;
}

/* Refill first (the next request waits on it), then destroy one used VM, then sleep. */
static void *worker(void *arg)
{
	struct vmlet_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		int worked = 0;
		if (p->nready < p->target && !p->last_error) {
			struct vmlet_vm *vm;
			pthread_mutex_unlock(&p->lock);
			vm = shell_prepare(p->mem_bytes, NULL);
			pthread_mutex_lock(&p->lock);
			if (!vm)
				p->last_error = 1; /* no retry storm: try again after the next take */
			else if (p->nready < p->target) {
				p->ready[p->nready++] = vm;
				p->stats.prepared++;
				vm = NULL;
			}
			if (vm)
				shell_destroy(vm);
			worked = 1;
		}
		if (p->reap_head) {
			struct vmlet_vm *vm = reap_pop(p);
			pthread_mutex_unlock(&p->lock);
			shell_destroy(vm);
			pthread_mutex_lock(&p->lock);
			p->stats.reaped++;
			worked = 1;
		}
		if (!worked)
			pthread_cond_wait(&p->wake, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int vmlet_pool_create(const struct vmlet_pool_config *c, struct vmlet_pool **out,
		      struct vmlet_error *err)
{
	struct vmlet_pool *p;
	struct vmlet_vm plan;
	int kvm, r;

	*out = NULL;
	memset(&plan, 0, sizeof(plan));
	if ((r = shell_plan(&plan, c ? c->mem_bytes : 0, err)) || (r = kvm_global(&kvm, err)))
		return r;
	if (c && c->shells > MAX_SHELLS)
		return vm_error(err, -EINVAL, "a pool holds at most %d shells", MAX_SHELLS);
	p = calloc(1, sizeof(*p));
	if (!p)
		return vm_error(err, -ENOMEM, "out of memory");
	p->target = c && c->shells ? c->shells : DEFAULT_SHELLS;
	p->mem_bytes = plan.mem.size;
	p->ready = calloc(p->target, sizeof(*p->ready));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	kvm_keepalive(); /* this process creates VMs repeatedly */
	run_prepare_process();
	if (!p->ready || (r = pthread_create(&p->worker, NULL, worker, p)) != 0) {
		free(p->ready);
		free(p);
		return vm_error(err, -ENOMEM, "cannot start the pool worker");
	}
	*out = p;
	return 0;
}

struct vmlet_vm *pool_take(struct vmlet_pool *p, uint64_t mem_bytes)
{
	struct vmlet_vm *vm = NULL;

	pthread_mutex_lock(&p->lock);
	if (mem_bytes == p->mem_bytes && p->nready > 0) {
		vm = p->ready[--p->nready];
		p->stats.taken++;
	} else {
		p->stats.missed++;
	}
	p->last_error = 0;
	/*
	 * The worker is woken when the VM comes back (pool_reap), or now if the pool ran
	 * dry: refilling during the run competes with it for the CPU and for the
	 * process's memory map (registering a VM's MMU notifier takes it for writing).
	 */
	if (!p->nready)
		pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (vm) /* its preparation happened off this request's path */
		memset(&vm->res->phases, 0, sizeof(vm->res->phases));
	return vm;
}

/*
 * Used VMs wait for the worker, at most as many as the pool keeps shells: past
 * that the caller destroys its VM itself. Without this back-pressure VMs come
 * back faster than one worker destroys them (it refills first), and their fds,
 * KVM threads and memory pile up without bound.
 */
void pool_reap(struct vmlet_pool *p, struct vmlet_vm *vm)
{
	pthread_mutex_lock(&p->lock);
	if (p->stats.reaping >= p->target) {
		pthread_mutex_unlock(&p->lock);
		shell_destroy(vm);
		pthread_mutex_lock(&p->lock);
		p->stats.reaped_inline++;
		pthread_mutex_unlock(&p->lock);
		return;
	}
	vm->reap_next = p->reap_head;
	p->reap_head = vm;
	p->stats.reaping++;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void vmlet_pool_stats(struct vmlet_pool *p, struct vmlet_pool_stats *s)
{
	pthread_mutex_lock(&p->lock);
	*s = p->stats;
	s->ready = p->nready;
	pthread_mutex_unlock(&p->lock);
}

void vmlet_pool_destroy(struct vmlet_pool *p)
{
	struct vmlet_vm *vm;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->worker, NULL);
	while (p->nready)
		shell_destroy(p->ready[--p->nready]);
	while ((vm = reap_pop(p)))
		shell_destroy(vm);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p->ready);
	free(p);
}
