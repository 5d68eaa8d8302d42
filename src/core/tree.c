/* tree.c - a run's process tree: the table every VMM of the tree shares (guest pids, exit statuses, signals), wait, kill, and the tree's end. */
#include "vm_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The table is MAP_SHARED between every VMM of the run, and each of them is as
 * untrusted as its guest: a VMM reads from it only what concerns others' guests
 * (a pid that exists, a wait status, counters), bounds every index by its own
 * vm->max_procs, and keeps what it acts on in private memory (struct tree_child:
 * its children's pidfds, host pids and guest pids; its own guest pid).
 */
enum { SLOT_FREE = 0, SLOT_RESERVED, SLOT_RUNNING, SLOT_EXITED };

struct tree_proc {
	int state;    /* SLOT_*, atomically */
	int pid;      /* guest pid */
	int ppid;     /* guest pid of the parent */
	int wstatus;  /* Linux wait status, once SLOT_EXITED */
	int pgid, sid; /* its process group and session (guest pids) */
	uint64_t signals; /* sent by other processes of the run, not yet taken by its VMM (atomically) */
	/* Once SLOT_EXITED: its counters, its reaped descendants' included. */
	uint64_t exits, hypercalls, syscalls, unsupported, processes;
};

struct vmlet_tree {
	int next_pid;
	int nlog; /* processes that ended and appended themselves to log (atomically; may pass its size) */
	struct vmlet_process_summary log[VMLET_PROCESS_LIST_MAX - 1]; /* the first process is not in it */
	struct tree_proc proc[];
};

/* What a VMM knows of one of its children, in its own memory. */
struct tree_child {
	int pidfd; /* -1: no child of this VMM in that slot */
	pid_t host;
	int pid;
};

/* A slot holds a process: running, or ended and not yet reaped. */
static int slot_live(const struct tree_proc *p)
{
	int state = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);

	return state == SLOT_RUNNING || state == SLOT_EXITED;
}

/* The slot of the process with guest pid `pid` (0: this one), or -1. */
static int slot_of(const struct vmlet_vm *vm, int pid)
{
	int i;

	if (!pid)
		return vm->tree_slot;
	for (i = 0; i < vm->max_procs; i++)
		if (slot_live(&vm->tree->proc[i]) && vm->tree->proc[i].pid == pid)
			return i;
	return -1;
}

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
	vm->children = malloc((size_t)vm->max_procs * sizeof(*vm->children));
	if (!vm->children) {
		munmap(t, tree_bytes(vm->max_procs));
		return -EAGAIN;
	}
	for (i = 0; i < vm->max_procs; i++)
		vm->children[i] = (struct tree_child){ .pidfd = -1 };
	t->next_pid = VMLET_FIRST_PID + 1;
	t->proc[0] = (struct tree_proc){ .state = SLOT_RUNNING, .pid = VMLET_FIRST_PID, .ppid = VMLET_FIRST_PID - 1,
					 .pgid = vm->guest_pgid, .sid = vm->guest_sid };
	vm->tree = t;
	vm->tree_slot = 0;
	vm->guest_pid = VMLET_FIRST_PID;
	vm->guest_ppid = VMLET_FIRST_PID - 1;
	return 0;
}

int tree_pid(const struct vmlet_vm *vm)
{
	return vm->tree ? vm->guest_pid : VMLET_FIRST_PID;
}

int tree_alive(const struct vmlet_vm *vm, int pid)
{
	int k;

	if (!vm->tree)
		return pid == VMLET_FIRST_PID;
	k = pid > 0 ? slot_of(vm, pid) : -1;
	return k >= 0 && __atomic_load_n(&vm->tree->proc[k].state, __ATOMIC_ACQUIRE) == SLOT_RUNNING;
}

int tree_ppid(const struct vmlet_vm *vm)
{
	return vm->tree ? vm->guest_ppid : VMLET_FIRST_PID - 1;
}

int tree_reserve(struct vmlet_vm *vm)
{
	struct vmlet_tree *t = vm->tree;
	int i, expect;

	for (i = 0; i < vm->max_procs; i++) {
		struct tree_proc *p = &t->proc[i];
		expect = SLOT_FREE;
		if (!__atomic_compare_exchange_n(&p->state, &expect, SLOT_RESERVED, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			continue;
		/* Not found by kill until it is RUNNING with these fields. */
		p->pid = __atomic_fetch_add(&t->next_pid, 1, __ATOMIC_RELAXED);
		if (p->pid <= VMLET_FIRST_PID) /* wrapped, or a VMM wrote nonsense there */
			p->pid = VMLET_FIRST_PID + 1 + i;
		p->ppid = vm->guest_pid;
		p->pgid = t->proc[vm->tree_slot].pgid; /* a child starts in its parent's group and session */
		p->sid = t->proc[vm->tree_slot].sid;
		p->wstatus = 0;
		p->signals = 0;
		p->exits = p->hypercalls = p->syscalls = p->unsupported = p->processes = 0;
		vm->children[i] = (struct tree_child){ .pidfd = -1, .pid = p->pid };
		__atomic_store_n(&p->state, SLOT_RUNNING, __ATOMIC_RELEASE);
		return i;
	}
	return -EAGAIN;
}

void tree_release(struct vmlet_vm *vm, int slot)
{
	__atomic_store_n(&vm->tree->proc[slot].state, SLOT_FREE, __ATOMIC_RELEASE);
}

int tree_forked(struct vmlet_vm *vm, int slot, pid_t host, int pidfd)
{
	int i, pid = vm->children[slot].pid;

	if (pidfd >= 0) { /* the parent */
		vm->children[slot].pidfd = pidfd;
		vm->children[slot].host = host;
		return pid;
	}
	/* The child: the pidfds its parent held when it forked are not its own. */
	for (i = 0; i < vm->max_procs; i++) {
		if (vm->children[i].pidfd >= 0)
			close(vm->children[i].pidfd);
		vm->children[i] = (struct tree_child){ .pidfd = -1 };
	}
	vm->guest_ppid = vm->guest_pid;
	vm->guest_pid = pid;
	vm->tree_slot = slot;
	vm->tree_child = 1;
	return pid;
}

static int wait_status(const struct tree_proc *p, const siginfo_t *si)
{
	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == SLOT_EXITED)
		return p->wstatus;
	/* The VMM died before it recorded its guest's end (killed): the guest died with it. */
	return si->si_code == CLD_EXITED ? SIGKILL : si->si_status & 0x7f;
}

/* Slots whose parent was guest pid `pid` and whose VMM died with it (PDEATHSIG): free, with theirs. */
static void release_orphans(struct vmlet_vm *vm, int pid, int depth)
{
	int i;

	for (i = 0; i < vm->max_procs && depth < vm->max_procs; i++) {
		struct tree_proc *p = &vm->tree->proc[i];
		if (slot_live(p) && p->ppid == pid && i != vm->tree_slot) {
			int child = p->pid;
			tree_release(vm, i);
			release_orphans(vm, child, depth + 1);
		}
	}
}

/* The reaped child in `slot`: its status and counters taken, its pidfd closed, its slot free. */
static int reaped(struct vmlet_vm *vm, int slot, const siginfo_t *si, int *wstatus)
{
	struct tree_proc *p = &vm->tree->proc[slot];
	int pid = vm->children[slot].pid;

	*wstatus = wait_status(p, si);
	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == SLOT_EXITED) { /* a reaped child's work is its parent's */
		vm->sub.exits += p->exits;
		vm->sub.hypercalls += p->hypercalls;
		vm->sub.syscalls += p->syscalls;
		vm->sub.unsupported += p->unsupported;
		vm->sub.processes += p->processes;
	} else {
		release_orphans(vm, pid, 0); /* killed before it could reap its own */
	}
	vm->sub.processes++;
	close(vm->children[slot].pidfd);
	vm->children[slot] = (struct tree_child){ .pidfd = -1 };
	tree_release(vm, slot);
	return pid;
}

/* One of this VMM's children (any, or guest pid `pid`) that has ended: its slot, or -1. A child
 * whose VMM recorded its guest's end is one: its SIGCHLD may come before the VMM is gone, so it is
 * waited for (it is exiting). */
static int ended_child(struct vmlet_vm *vm, int pid, siginfo_t *si)
{
	int i;

	for (i = 0; i < vm->max_procs; i++) {
		struct tree_child *c = &vm->children[i];
		int recorded;
		if (c->pidfd < 0 || (pid != -1 && c->pid != pid))
			continue;
		recorded = __atomic_load_n(&vm->tree->proc[i].state, __ATOMIC_ACQUIRE) == SLOT_EXITED;
		memset(si, 0, sizeof(*si));
		while (waitid(P_PIDFD, (id_t)c->pidfd, si, WEXITED | (recorded ? 0 : WNOHANG)) < 0 && errno == EINTR &&
		       !vm_stop_requested(vm)) /* (a VMM that recorded its end and stays is stopped by the timeout) */
			;
		if (si->si_pid == c->host)
			return i;
	}
	return -1;
}

/* Wait until one of the children asked for may have ended, or the run or a signal interrupts. */
static int await_children(struct vmlet_vm *vm, int pid)
{
	struct pollfd fds[64];
	int i, n = 0;

	for (i = 0; i < vm->max_procs && n < 64; i++)
		if (vm->children[i].pidfd >= 0 && (pid == -1 || vm->children[i].pid == pid))
			fds[n++] = (struct pollfd){ .fd = vm->children[i].pidfd, .events = POLLIN };
	/* Past 64 children, the tick (50 ms) makes it look again. */
	if (ppoll(fds, (nfds_t)n, NULL, NULL) < 0 && errno != EINTR)
		return -errno;
	if (vm_stop_requested(vm))
		return -EINTR;
	if (guest_signal_due(vm)) { /* the guest kernel runs its handler, or waits again */
		guest_signal_publish(vm);
		return -EINTR;
	}
	return 0;
}

int tree_wait(struct vmlet_vm *vm, int pid, int nohang, int *wstatus)
{
	siginfo_t si;
	int i, slot, r;

	if (!vm->tree)
		return -ECHILD;
	for (i = 0; i < vm->max_procs; i++)
		if (vm->children[i].pidfd >= 0 && (pid == -1 || vm->children[i].pid == pid))
			break;
	if (i == vm->max_procs)
		return -ECHILD;
	/* On this VMM's own pidfds only: a process that holds VMs may have other children. */
	while ((slot = ended_child(vm, pid, &si)) < 0) {
		if (nohang)
			return 0;
		if ((r = await_children(vm, pid)) < 0)
			return r;
	}
	return reaped(vm, slot, &si, wstatus);
}

void tree_reap_unwaited(struct vmlet_vm *vm)
{
	const struct vmlet_interrupt *rec = vm_guest_ptr(vm, vm->gk.interrupt, sizeof(*rec));
	siginfo_t si;
	int slot, ws;

	if (!vm->tree || !rec || !__atomic_load_n(&rec->child_reaping, __ATOMIC_RELAXED))
		return;
	while ((slot = ended_child(vm, -1, &si)) >= 0)
		reaped(vm, slot, &si, &ws);
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
	siginfo_t si;
	int i, ws;

	for (i = 0; i < vm->max_procs; i++) {
		int fd = vm->children[i].pidfd;
		if (fd < 0)
			continue;
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		memset(&si, 0, sizeof(si));
		while (waitid(P_PIDFD, (id_t)fd, &si, WEXITED) < 0 && errno == EINTR)
			;
		reaped(vm, i, &si, &ws);
	}
}

/* This process as the process list shows it: its own counters. */
static void summarize(const struct vmlet_vm *vm, struct vmlet_process_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->pid = tree_pid(vm);
	s->ppid = tree_ppid(vm);
	s->exit_code = vm->res->exit_code;
	s->exits = vm->res->exits;
	s->hypercalls = vm->hypercalls;
	s->syscalls = vm->res->syscalls;
	memcpy(s->program, vm->program, sizeof(s->program));
}

void tree_name_program(struct vmlet_vm *vm, const char *path, size_t len)
{
	size_t i, skip = len > sizeof(vm->program) - 1 ? len - (sizeof(vm->program) - 1) : 0;

	for (i = 0; i + skip < len; i++) /* the end of a long path, printable */
		vm->program[i] = path[i + skip] >= 0x20 && path[i + skip] < 0x7f ? path[i + skip] : '?';
	vm->program[i] = 0;
}

/* result.process_list with n entries, the first left for this process (none without memory). */
static void list_alloc(struct vmlet_vm *vm, size_t n)
{
	free(vm->process_list);
	vm->process_list = calloc(n, sizeof(*vm->process_list));
	vm->res->process_list = vm->process_list;
	vm->res->nprocess_list = vm->process_list ? n : 0;
}

void tree_list_processes(struct vmlet_vm *vm)
{
	if (!vm->res->process_list) /* no fork this run: tree_end made none */
		list_alloc(vm, 1);
	if (vm->process_list)
		summarize(vm, &vm->process_list[0]);
}

_Noreturn void tree_child_exit(struct vmlet_vm *vm)
{
	struct tree_proc *p = &vm->tree->proc[vm->tree_slot];
	int log_k;

	ring_drain(vm);
	end_children(vm);
	run_collect_stats(vm);
	p->exits = vm->res->exits + vm->sub.exits;
	p->hypercalls = vm->hypercalls + vm->sub.hypercalls;
	p->syscalls = vm->res->syscalls + vm->sub.syscalls;
	p->unsupported = vm->res->unsupported + vm->sub.unsupported;
	p->processes = vm->sub.processes;
	p->wstatus = tree_guest_wstatus(vm->res);
	log_k = __atomic_fetch_add(&vm->tree->nlog, 1, __ATOMIC_ACQ_REL);
	if (log_k >= 0 && log_k < (int)(VMLET_PROCESS_LIST_MAX - 1))
		summarize(vm, &vm->tree->log[log_k]);
	__atomic_store_n(&p->state, SLOT_EXITED, __ATOMIC_RELEASE);
	tree_kill(vm, vm->guest_ppid, SIGCHLD); /* its parent's VMM sees it at its wait, exit or tick */
	_exit(0);
}

void tree_end(struct vmlet_vm *vm)
{
	int n;

	if (!vm->tree)
		return;
	end_children(vm);
	free(vm->children);
	vm->children = NULL;
	/* The ended processes' summaries after this one's, which tree_list_processes fills. */
	n = __atomic_load_n(&vm->tree->nlog, __ATOMIC_ACQUIRE);
	n = n < 0 ? 0 : n < (int)(VMLET_PROCESS_LIST_MAX - 1) ? n : (int)(VMLET_PROCESS_LIST_MAX - 1);
	list_alloc(vm, 1 + (size_t)n);
	if (vm->process_list)
		memcpy(&vm->process_list[1], vm->tree->log, (size_t)n * sizeof(*vm->process_list));
	munmap(vm->tree, tree_bytes(vm->max_procs));
	vm->tree = NULL;
}

/* Hand sig to the process in slot i: its VMM takes it at once if it is this VMM's child, else within a tick. */
static void send_to(struct vmlet_vm *vm, int i, int sig)
{
	__atomic_or_fetch(&vm->tree->proc[i].signals, 1ull << (sig - 1), __ATOMIC_RELEASE);
	if (vm->children[i].pidfd >= 0)
		syscall(SYS_pidfd_send_signal, vm->children[i].pidfd, KICK_SIGNAL, NULL, 0);
}

int tree_kill(struct vmlet_vm *vm, int pid, int sig)
{
	int i, found = 0;

	if (!vm->tree)
		return -ESRCH;
	for (i = 0; i < vm->max_procs; i++) {
		struct tree_proc *p = &vm->tree->proc[i];
		if (!slot_live(p))
			continue;
		if (pid == -1 || pid < -1 ? i == vm->tree_slot || (pid < -1 && p->pgid != -pid) : p->pid != pid)
			continue; /* -1: every process but the caller, as on Linux; -N: group N but the caller */
		found = 1;
		if (sig && __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == SLOT_RUNNING) /* a zombie takes none */
			send_to(vm, i, sig);
	}
	return found ? 0 : -ESRCH;
}

void tree_take_signals(struct vmlet_vm *vm)
{
	uint64_t sigs;

	if (!vm->tree)
		return;
	sigs = __atomic_exchange_n(&vm->tree->proc[vm->tree_slot].signals, 0, __ATOMIC_ACQ_REL);
	if (sigs & (1ull << (SIGKILL - 1))) {
		/* Not in the middle of a change to the shared tmpfs: the kill waits for the lock's
		 * release (VMLET_HC_LOCK_WAKE), or one more tick at most. */
		if (shared_lock_defer_kill(vm))
			__atomic_or_fetch(&vm->tree->proc[vm->tree_slot].signals, 1ull << (SIGKILL - 1), __ATOMIC_RELEASE);
		else
			vm_finish(vm, VMLET_SIGNALED, 0, SIGKILL, NULL);
	}
	if (sigs)
		__atomic_or_fetch(&vm->sig_pending, sigs, __ATOMIC_RELEASE);
}

/* setpgid(pid, pgid) as Linux checks it: the caller or its child, in the caller's session, not a
 * session leader; into its own new group or an existing one of that session. */
static int set_pgid(struct vmlet_vm *vm, int pid, int pgid)
{
	struct tree_proc *me = &vm->tree->proc[vm->tree_slot], *p;
	int i, k = slot_of(vm, pid);

	if (k < 0 || (k != vm->tree_slot && vm->tree->proc[k].ppid != me->pid))
		return -ESRCH;
	p = &vm->tree->proc[k];
	if (p->sid != me->sid || p->sid == p->pid)
		return -EPERM;
	if (!pgid)
		pgid = p->pid;
	for (i = 0; pgid != p->pid && i < vm->max_procs; i++)
		if (slot_live(&vm->tree->proc[i]) && vm->tree->proc[i].pgid == pgid && vm->tree->proc[i].sid == me->sid)
			break;
	if (i == vm->max_procs)
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

static int set_sid(struct vmlet_vm *vm)
{
	struct tree_proc *me = &vm->tree->proc[vm->tree_slot];
	int i;

	for (i = 0; i < vm->max_procs; i++) /* a group leader cannot leave its group */
		if (slot_live(&vm->tree->proc[i]) && vm->tree->proc[i].pgid == me->pid)
			return -EPERM;
	me->pgid = me->sid = me->pid;
	return me->pid;
}

int tree_pgid(struct vmlet_vm *vm, unsigned op, int pid, int pgid)
{
	struct tree_proc *p;
	int k, r;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	if (!vm->tree) { /* one process so far: it is VMLET_FIRST_PID */
		if (pid && pid != VMLET_FIRST_PID)
			return -ESRCH;
		switch (op) {
		case VMLET_PGID_GET: return vm->guest_pgid;
		case VMLET_PGID_GETSID: return vm->guest_sid;
		case VMLET_PGID_SET: /* its own group (new or the one it is in): there is no other */
			if (vm->guest_sid == VMLET_FIRST_PID || (pgid && pgid != VMLET_FIRST_PID && pgid != vm->guest_pgid))
				return -EPERM;
			vm->guest_pgid = pgid ? pgid : VMLET_FIRST_PID;
			return 0;
		case VMLET_PGID_SETSID:
			if (vm->guest_pgid == VMLET_FIRST_PID)
				return -EPERM;
			return vm->guest_pgid = vm->guest_sid = VMLET_FIRST_PID;
		default: return -EINVAL;
		}
	}
	switch (op) {
	case VMLET_PGID_GET:
	case VMLET_PGID_GETSID:
		if ((k = slot_of(vm, pid)) < 0)
			return -ESRCH;
		p = &vm->tree->proc[k];
		return op == VMLET_PGID_GET ? p->pgid : p->sid;
	case VMLET_PGID_SET: r = set_pgid(vm, pid, pgid); break;
	case VMLET_PGID_SETSID: r = set_sid(vm); break;
	default: return -EINVAL;
	}
	vm->guest_pgid = vm->tree->proc[vm->tree_slot].pgid;
	vm->guest_sid = vm->tree->proc[vm->tree_slot].sid;
	return r;
}
