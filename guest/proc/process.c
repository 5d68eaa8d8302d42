/* process.c - processes: fork (and fork-like clone, clone3, vfork) as a hypercall that forks the VMM, wait4 and waitid, process ids. */
#include "fs/fd.h"

#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/wait.h>

int gk_pid = VMLET_FIRST_PID, gk_ppid = VMLET_FIRST_PID - 1;

#define SIGCHLD_K 17
#define CLD_EXITED_K 1
#define CLD_KILLED_K 2
#define P_ALL_K 0
#define P_PID_K 1
#define P_PGID_K 2
#define CLONE_FORK_FLAGS_OK                                                                                       \
	(CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | \
	 CLONE_SETTLS)

/* What a fork-like clone asks, from clone(2) or clone3(2). */
struct fork_request {
	uint64_t flags, stack, parent_tid, child_tid, tls;
};

/*
 * A new process. The host forks this VM: the child resumes from the same
 * hypercall with 0, in a copy of this memory, this kernel's state included
 * (descriptors, tmpfs, signal dispositions); both continue independently.
 * CLONE_VM|CLONE_VFORK (posix_spawn) is served the same way: the child runs on
 * its own stack in its own copy, and the parent goes on once it exists.
 */
static long do_fork(struct gk_frame *f, const struct fork_request *rq)
{
	long r;

	if ((rq->flags & ~(uint64_t)CLONE_FORK_FLAGS_OK) || ((rq->flags & CLONE_VM) && !(rq->flags & CLONE_VFORK)))
		return -ENOSYS; /* threads, namespaces, and the rest of clone */
	if (rq->flags & CLONE_SETTLS)
		return -EINVAL;
	if ((rq->flags & CLONE_PARENT_SETTID) && !user_ok_w(rq->parent_tid, 4))
		return -EFAULT;
	if ((rq->flags & CLONE_CHILD_SETTID) && !user_ok_w(rq->child_tid, 4))
		return -EFAULT;
	process_tmpfs_refs(1); /* the child's copies of descriptions and mappings of the shared tmpfs */
	r = hc(VMLET_HC_FORK, 0, 0, 0, 0);
	if (r < 0) {
		process_tmpfs_refs(0);
		return r;
	}
	if (r > 0) { /* the parent */
		if (rq->flags & CLONE_PARENT_SETTID)
			*(int *)rq->parent_tid = (int)r;
		return r;
	}
	signal_forked_child();
	memset(&gk_stats, 0, sizeof(gk_stats)); /* the child's counters are its own; the parent adds them up */
	gk_pid = (int)gk_hypercall.out[0];
	gk_ppid = (int)gk_hypercall.out[1];
	if (rq->flags & CLONE_CHILD_SETTID)
		*(int *)rq->child_tid = gk_pid;
	if (rq->stack)
		f->rsp = rq->stack;
	return 0;
}

void process_tmpfs_refs(int add)
{
	fd_tmpfs_refs(add);
	sparse_tmpfs_refs(add);
}

long sys_fork(struct gk_frame *f)
{
	struct fork_request rq = { .flags = SIGCHLD_K };

	return do_fork(f, &rq);
}

long sys_vfork(struct gk_frame *f)
{
	struct fork_request rq = { .flags = CLONE_VM | CLONE_VFORK | SIGCHLD_K };

	return do_fork(f, &rq);
}

/* clone(flags, stack, parent_tid, child_tid, tls): the x86-64 argument order. */
long sys_clone(struct gk_frame *f)
{
	struct fork_request rq = { .flags = A0, .stack = A1, .parent_tid = A2, .child_tid = A3, .tls = A4 };

	return do_fork(f, &rq);
}

long sys_clone3(struct gk_frame *f)
{
	struct clone_args_k {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} a;
	struct fork_request rq;

	if (A1 < sizeof(a) || A1 > 4096)
		return -EINVAL;
	if (!user_ok(A0, A1))
		return -EFAULT;
	memcpy(&a, (const void *)A0, sizeof(a));
	if (a.exit_signal > 64 || (a.flags & CSIGNAL))
		return -EINVAL;
	rq = (struct fork_request){ .flags = a.flags | a.exit_signal, .parent_tid = a.parent_tid,
				    .child_tid = a.child_tid, .tls = a.tls };
	if (a.stack && a.stack_size)
		rq.stack = a.stack + a.stack_size; /* clone3 names the lowest address */
	return do_fork(f, &rq);
}

/* A child's end as the host reported it: its pid, or 0 (WNOHANG), or -errno; *wstatus set. */
static long reap(long pid, uint64_t options, int *wstatus)
{
	long r;

	if (pid == 0 || pid < -1)
		pid = -1; /* process groups: every process is in the first one */
	r = hc(VMLET_HC_WAIT, (uint64_t)pid, (options & WNOHANG) ? 1 : 0, 0, 0);
	*wstatus = (int)gk_hypercall.out[0];
	return r;
}

/* wait4(pid, wstatus, options, rusage) */
long sys_wait4(struct gk_frame *f)
{
	int wstatus;
	long r;

	if (A2 & ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if ((A1 && !user_ok_w(A1, 4)) || (A3 && !user_ok_w(A3, 144)))
		return -EFAULT;
	r = reap((long)(int)A0, A2, &wstatus);
	if (r > 0 && A1)
		*(int *)A1 = wstatus;
	if (r >= 0 && A3)
		memset((void *)A3, 0, 144); /* struct rusage: not counted */
	return r;
}

/* waitid(idtype, id, infop, options, rusage) */
long sys_waitid(struct gk_frame *f)
{
	int wstatus, *info = (int *)A2;
	uint32_t uid[3], gid[3];
	long pid, r;

	if (!(A3 & WEXITED) || (A3 & WNOWAIT) || A0 > P_PGID_K)
		return -EINVAL; /* stopped and continued children do not exist; peeking is not served */
	if ((A2 && !user_ok_w(A2, 128)) || (A4 && !user_ok_w(A4, 144)))
		return -EFAULT;
	pid = A0 == P_PID_K ? (long)(int)A1 : -1;
	if (A0 == P_PID_K && pid <= 0)
		return -EINVAL;
	r = reap(pid, A3, &wstatus);
	if (r < 0)
		return r;
	if (info) {
		memset(info, 0, 128);
		if (r > 0) {
			info[0] = SIGCHLD_K;
			info[2] = (wstatus & 0x7f) ? CLD_KILLED_K : CLD_EXITED_K;
			info[4] = (int)r;
			cred_ids(uid, gid);
			info[5] = (int)uid[0];
			info[6] = (wstatus & 0x7f) ? (wstatus & 0x7f) : (wstatus >> 8) & 0xff;
		}
	}
	if (A4)
		memset((void *)A4, 0, 144);
	return 0;
}

long sys_getpid(struct gk_frame *f)
{
	(void)f;
	return gk_pid;
}

long sys_getppid(struct gk_frame *f)
{
	(void)f;
	return gk_ppid;
}

/* Process groups and sessions are the host's (the process table): another process may move this
 * one to another group. */
static long pgid_call(unsigned op, long pid, long pgid)
{
	if (pid < 0 || pgid < 0)
		return pid < 0 && op != VMLET_PGID_SET ? -ESRCH : -EINVAL;
	return hc(VMLET_HC_PGID, op, (uint64_t)pid, (uint64_t)pgid, 0);
}

long process_group(void)
{
	return pgid_call(VMLET_PGID_GET, 0, 0);
}

long sys_getpgrp(struct gk_frame *f)
{
	(void)f;
	return process_group();
}

long sys_getpgid(struct gk_frame *f)
{
	return pgid_call(VMLET_PGID_GET, (long)(int)A0, 0);
}

long sys_getsid(struct gk_frame *f)
{
	return pgid_call(VMLET_PGID_GETSID, (long)(int)A0, 0);
}

long sys_setpgid(struct gk_frame *f)
{
	return pgid_call(VMLET_PGID_SET, (long)(int)A0, (long)(int)A1);
}

long sys_setsid(struct gk_frame *f)
{
	(void)f;
	return pgid_call(VMLET_PGID_SETSID, 0, 0);
}
