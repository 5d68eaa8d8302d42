/* tree.c - a run's process tree: the table every VMM of the tree shares (guest pids, host pids, exit statuses), wait, and the tree's end. */
#include "vm_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { SLOT_FREE = 0, SLOT_RUNNING, SLOT_EXITED };

struct tree_proc {
	int state;    /* SLOT_*, atomically */
	int pid;      /* guest pid */
	int ppid;     /* guest pid of the parent */
	pid_t host;   /* the VMM process serving it */
	int wstatus;  /* Linux wait status, once SLOT_EXITED */
	uint64_t signals; /* sent by other processes of the run, not yet taken by its VMM (atomically) */
	/* Once SLOT_EXITED: its counters, its reaped descendants' included. */
	uint64_t exits, hypercalls, syscalls, unsupported, processes;
};

struct vmlet_tree {
	int next_pid;
	int max;
	struct tree_proc proc[];
};

static size_t tree_bytes(int max)
{
	return sizeof(struct vmlet_tree) + (size_t)max * sizeof(struct tree_proc);
}

int tree_attach(struct vmlet_vm *vm)
{
	struct vmlet_tree *t;
	int i;

	if (vm->tree)
		return 0;
	/* MAP_SHARED: every VMM forked from here sees the same table. */
	t = mmap(NULL, tree_bytes(vm->max_procs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return -EAGAIN;
	/* Private: the pidfds this VMM holds, by slot; a forked copy closes its parent's. */
	vm->child_pidfd = malloc((size_t)vm->max_procs * sizeof(int));
	if (!vm->child_pidfd) {
		munmap(t, tree_bytes(vm->max_procs));
		return -EAGAIN;
	}
	for (i = 0; i < vm->max_procs; i++)
		vm->child_pidfd[i] = -1;
	t->max = vm->max_procs;
	t->next_pid = VMLET_FIRST_PID + 1;
	t->proc[0] = (struct tree_proc){ .state = SLOT_RUNNING, .pid = VMLET_FIRST_PID,
					 .ppid = VMLET_FIRST_PID - 1, .host = getpid() };
	vm->tree = t;
	vm->tree_slot = 0;
	return 0;
}

int tree_pid(const struct vmlet_vm *vm)
{
	return vm->tree ? vm->tree->proc[vm->tree_slot].pid : VMLET_FIRST_PID;
}

int tree_reserve(struct vmlet_vm *vm)
{
	struct vmlet_tree *t = vm->tree;
	int i, expect;

	for (i = 0; i < t->max; i++) {
		expect = SLOT_FREE;
		if (__atomic_compare_exchange_n(&t->proc[i].state, &expect, SLOT_RUNNING, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			t->proc[i].pid = __atomic_fetch_add(&t->next_pid, 1, __ATOMIC_RELAXED);
			t->proc[i].ppid = tree_pid(vm);
			t->proc[i].host = 0;
			t->proc[i].wstatus = 0;
			t->proc[i].signals = 0;
			t->proc[i].exits = t->proc[i].hypercalls = t->proc[i].syscalls = 0;
			t->proc[i].unsupported = t->proc[i].processes = 0;
			return i;
		}
	}
	return -EAGAIN;
}

void tree_release(struct vmlet_vm *vm, int slot)
{
	__atomic_store_n(&vm->tree->proc[slot].state, SLOT_FREE, __ATOMIC_RELEASE);
}

int tree_forked(struct vmlet_vm *vm, int slot, pid_t host, int pidfd)
{
	struct vmlet_tree *t = vm->tree;
	int i;

	if (pidfd >= 0) { /* the parent */
		vm->child_pidfd[slot] = pidfd;
		t->proc[slot].host = host;
		return t->proc[slot].pid;
	}
	/* The child: the pidfds its parent held when it forked are not its own. */
	for (i = 0; i < t->max; i++)
		if (vm->child_pidfd[i] >= 0) {
			close(vm->child_pidfd[i]);
			vm->child_pidfd[i] = -1;
		}
	t->proc[slot].host = getpid();
	vm->tree_slot = slot;
	vm->tree_child = 1;
	return t->proc[slot].pid;
}

int tree_ppid(const struct vmlet_vm *vm)
{
	return vm->tree ? vm->tree->proc[vm->tree_slot].ppid : VMLET_FIRST_PID - 1;
}

static int wait_status(const struct tree_proc *p, const siginfo_t *si)
{
	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == SLOT_EXITED)
		return p->wstatus;
	/* The VMM died before it recorded its guest's end (killed): the guest died with it. */
	return si->si_code == CLD_EXITED ? SIGKILL : si->si_status & 0x7f;
}

/* The slot of an unreaped child of this process (it holds its pidfd): guest pid `pid`, or any
 * child when pid is -1, or the one host pid `host` serves (0: any). -1 if none. */
static int find_child(const struct vmlet_vm *vm, int pid, pid_t host)
{
	const struct vmlet_tree *t = vm->tree;
	int i;

	for (i = 0; i < t->max; i++) {
		const struct tree_proc *p = &t->proc[i];
		if (vm->child_pidfd[i] < 0)
			continue;
		if ((pid == -1 || p->pid == pid) && (!host || p->host == host))
			return i;
	}
	return -1;
}

int tree_wait(struct vmlet_vm *vm, int pid, int nohang, int *wstatus)
{
	struct tree_proc *p;
	siginfo_t si;
	int slot, r, child_pid;

	if (!vm->tree || (slot = find_child(vm, pid, 0)) < 0)
		return -ECHILD;
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (pid == -1)
			r = waitid(P_ALL, 0, &si, WEXITED | (nohang ? WNOHANG : 0));
		else
			r = waitid(P_PIDFD, (id_t)vm->child_pidfd[slot], &si, WEXITED | (nohang ? WNOHANG : 0));
		if (r == 0)
			break;
		if (errno != EINTR)
			return -errno;
		if (vm_stop_requested(vm))
			return -EINTR;
		if (guest_signal_due(vm)) { /* the guest kernel runs its handler, or waits again */
			guest_signal_publish(vm);
			return -EINTR;
		}
	}
	if (si.si_pid == 0)
		return 0; /* WNOHANG: none has exited */
	if ((slot = find_child(vm, -1, si.si_pid)) < 0)
		return -ECHILD; /* not a guest process of this VMM: cannot happen */
	p = &vm->tree->proc[slot];
	*wstatus = wait_status(p, &si);
	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == SLOT_EXITED) { /* a reaped child's work is its parent's */
		vm->sub.exits += p->exits;
		vm->sub.hypercalls += p->hypercalls;
		vm->sub.syscalls += p->syscalls;
		vm->sub.unsupported += p->unsupported;
		vm->sub.processes += p->processes;
	}
	vm->sub.processes++;
	child_pid = p->pid;
	close(vm->child_pidfd[slot]);
	vm->child_pidfd[slot] = -1;
	tree_release(vm, slot);
	return child_pid;
}

int tree_guest_wstatus(const struct vmlet_result *r)
{
	switch (r->outcome) {
	case VMLET_EXITED: return (r->status & 0xff) << 8;
	case VMLET_SIGNALED: return r->signal & 0x7f;
	default: return SIGKILL; /* a timeout or a failure of its VMM */
	}
}

/*
 * Kill and reap this process's children (their guest processes die with their parent's, as
 * orphans are not kept yet). A child that ends normally ends its own children first; one
 * killed here takes its children along through PR_SET_PDEATHSIG.
 */
static void end_children(struct vmlet_vm *vm)
{
	int i;

	for (i = 0; i < vm->tree->max; i++) {
		int fd = vm->child_pidfd[i];
		if (fd < 0)
			continue;
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		while (waitid(P_PIDFD, (id_t)fd, &(siginfo_t){ 0 }, WEXITED) < 0 && errno == EINTR)
			;
		close(fd);
		vm->child_pidfd[i] = -1;
		tree_release(vm, i);
	}
}

_Noreturn void tree_child_exit(struct vmlet_vm *vm)
{
	struct tree_proc *p = &vm->tree->proc[vm->tree_slot];

	ring_drain(vm);
	end_children(vm);
	run_collect_stats(vm);
	p->exits = vm->res->exits + vm->sub.exits;
	p->hypercalls = vm->hypercalls + vm->sub.hypercalls;
	p->syscalls = vm->res->syscalls + vm->sub.syscalls;
	p->unsupported = vm->res->unsupported + vm->sub.unsupported;
	p->processes = vm->sub.processes;
	p->wstatus = tree_guest_wstatus(vm->res);
	__atomic_store_n(&p->state, SLOT_EXITED, __ATOMIC_RELEASE);
	tree_kill(vm, p->ppid, SIGCHLD); /* its parent's VMM sees it at its wait, exit or tick */
	_exit(0);
}

void tree_end(struct vmlet_vm *vm)
{
	struct vmlet_tree *t = vm->tree;

	if (!t)
		return;
	end_children(vm);
	free(vm->child_pidfd);
	vm->child_pidfd = NULL;
	munmap(t, tree_bytes(t->max));
	vm->tree = NULL;
}

/* The running process with guest pid `pid`, or -1. */
static int find_pid(const struct vmlet_vm *vm, int pid)
{
	int i;

	for (i = 0; i < vm->tree->max; i++)
		if (__atomic_load_n(&vm->tree->proc[i].state, __ATOMIC_ACQUIRE) != SLOT_FREE &&
		    vm->tree->proc[i].pid == pid)
			return i;
	return -1;
}

int tree_kill(struct vmlet_vm *vm, int pid, int sig)
{
	struct tree_proc *p;
	int slot;

	if (!vm->tree || (slot = find_pid(vm, pid)) < 0)
		return -ESRCH;
	p = &vm->tree->proc[slot];
	if (!sig || __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != SLOT_RUNNING)
		return 0; /* it exists (a zombie takes no signal) */
	__atomic_or_fetch(&p->signals, 1ull << (sig - 1), __ATOMIC_RELEASE);
	/* A child is woken now; any other process takes it at its next exit or tick (50 ms). */
	if (vm->child_pidfd[slot] >= 0)
		syscall(SYS_pidfd_send_signal, vm->child_pidfd[slot], KICK_SIGNAL, NULL, 0);
	return 0;
}

void tree_take_signals(struct vmlet_vm *vm)
{
	uint64_t sigs;

	if (!vm->tree)
		return;
	sigs = __atomic_exchange_n(&vm->tree->proc[vm->tree_slot].signals, 0, __ATOMIC_ACQ_REL);
	if (sigs & (1ull << (SIGKILL - 1)))
		vm_finish(vm, VMLET_SIGNALED, 0, SIGKILL, NULL);
	if (sigs)
		__atomic_or_fetch(&vm->sig_pending, sigs, __ATOMIC_RELEASE);
}
