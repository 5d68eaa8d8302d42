/* syscall.c - the guest's system-call table and the C entry every `syscall` reaches. */
#include "fs/fd.h"

#include <asm/unistd.h>
#include <linux/errno.h>

GK_HOT struct vmlet_boot gk_boot;
GK_HOT struct vmlet_stats gk_stats;

static const gk_syscall_fn table[] = {
	[__NR_read] = sys_read, [__NR_write] = sys_write, [__NR_open] = sys_open, [__NR_creat] = sys_creat,
	[__NR_close] = sys_close, [__NR_stat] = sys_stat, [__NR_fstat] = sys_fstat,
	[__NR_lstat] = sys_lstat, [__NR_poll] = sys_poll, [__NR_lseek] = sys_lseek,
	[__NR_mmap] = sys_mmap, [__NR_mprotect] = sys_mprotect, [__NR_munmap] = sys_munmap,
	[__NR_brk] = sys_brk, [__NR_rt_sigaction] = sys_rt_sigaction,
	[__NR_rt_sigprocmask] = sys_rt_sigprocmask, [__NR_rt_sigreturn] = sys_rt_sigreturn,
	[__NR_ioctl] = sys_ioctl, [__NR_pread64] = sys_pread64, [__NR_pwrite64] = sys_pwrite64,
	[__NR_readv] = sys_readv, [__NR_writev] = sys_writev, [__NR_access] = sys_access,
	[__NR_sched_yield] = sys_sched_yield, [__NR_mremap] = sys_mremap,
	[__NR_madvise] = sys_madvise, [__NR_msync] = sys_msync, [__NR_dup] = sys_dup, [__NR_dup2] = sys_dup2,
	[__NR_nanosleep] = sys_nanosleep, [__NR_getpid] = sys_getpid,
	[__NR_clone] = sys_clone, [__NR_fork] = sys_fork, [__NR_vfork] = sys_vfork,
	[__NR_wait4] = sys_wait4, [__NR_waitid] = sys_waitid, [__NR_exit] = sys_exit, [__NR_kill] = sys_kill,
	[__NR_uname] = sys_uname, [__NR_fcntl] = sys_fcntl, [__NR_getcwd] = sys_getcwd,
	[__NR_chdir] = sys_chdir, [__NR_fchdir] = sys_fchdir, [__NR_readlink] = sys_readlink,
	[__NR_umask] = sys_umask, [__NR_gettimeofday] = sys_gettimeofday,
	[__NR_getrlimit] = sys_getrlimit, [__NR_getrusage] = sys_getrusage,
	[__NR_sysinfo] = sys_sysinfo, [__NR_times] = sys_times, [__NR_setpgid] = sys_setpgid,
	[__NR_getppid] = sys_getppid, [__NR_getpgrp] = sys_getpgrp, [__NR_setsid] = sys_setsid,
	[__NR_getgroups] = sys_getgroups, [__NR_getpgid] = sys_getpgid, [__NR_getsid] = sys_getsid,
	[__NR_sigaltstack] = sys_sigaltstack, [__NR_getpriority] = sys_getpriority,
	[__NR_sched_getparam] = sys_sched_getparam, [__NR_arch_prctl] = sys_arch_prctl, [__NR_prctl] = sys_prctl,
	[__NR_gettid] = sys_getpid, [__NR_time] = sys_time, [__NR_futex] = sys_futex,
	[__NR_sched_getaffinity] = sys_sched_getaffinity, [__NR_getdents64] = sys_getdents64,
	[__NR_set_tid_address] = sys_set_tid_address, [__NR_clock_gettime] = sys_clock_gettime,
	[__NR_clock_getres] = sys_clock_getres, [__NR_clock_nanosleep] = sys_clock_nanosleep,
	[__NR_exit_group] = sys_exit_group, [__NR_tgkill] = sys_tgkill, [__NR_tkill] = sys_tkill,
	[__NR_openat] = sys_openat, [__NR_newfstatat] = sys_newfstatat,
	[__NR_readlinkat] = sys_readlinkat, [__NR_faccessat] = sys_faccessat,
	[__NR_ppoll] = sys_ppoll, [__NR_set_robust_list] = sys_set_robust_list,
	[__NR_dup3] = sys_dup3, [__NR_preadv] = sys_preadv, [__NR_pwritev] = sys_pwritev,
	[__NR_prlimit64] = sys_prlimit64, [__NR_getrandom] = sys_getrandom,
	[__NR_pipe] = sys_pipe, [__NR_pipe2] = sys_pipe2, [__NR_execve] = sys_execve, [__NR_execveat] = sys_execveat,
	[__NR_socketpair] = sys_socketpair, [__NR_sendto] = sys_sendto, [__NR_recvfrom] = sys_recvfrom, [__NR_statx] = sys_statx, [__NR_rseq] = sys_rseq,
	[__NR_clone3] = sys_clone3, [__NR_faccessat2] = sys_faccessat2,
	[__NR_setrlimit] = sys_setrlimit, [__NR_pause] = sys_pause,
	[__NR_alarm] = sys_alarm,
	[__NR_getitimer] = sys_getitimer, [__NR_setitimer] = sys_setitimer,
	[__NR_timer_create] = sys_timer_create, [__NR_timer_settime] = sys_timer_settime,
	[__NR_timer_gettime] = sys_timer_gettime, [__NR_timer_getoverrun] = sys_timer_getoverrun,
	[__NR_timer_delete] = sys_timer_delete, [__NR_rt_sigpending] = sys_rt_sigpending,
	[__NR_rt_sigsuspend] = sys_rt_sigsuspend, [__NR_rt_sigtimedwait] = sys_rt_sigtimedwait,
	[__NR_rt_sigqueueinfo] = sys_rt_sigqueueinfo,
	[__NR_fsync] = sys_fsync, [__NR_fdatasync] = sys_fsync, [__NR_syncfs] = sys_fsync,
	[__NR_sync] = sys_sync, [__NR_flock] = sys_flock, [__NR_ftruncate] = sys_ftruncate,
	[__NR_fallocate] = sys_fallocate, [__NR_statfs] = sys_statfs, [__NR_fstatfs] = sys_fstatfs,
	[__NR_fadvise64] = sys_fadvise64, [__NR_copy_file_range] = sys_copy_file_range,
	[__NR_sendfile] = sys_sendfile, [__NR_memfd_create] = sys_memfd_create,
	/* Extended attributes (xattr.c): none. */
	[__NR_getxattr] = sys_getxattr, [__NR_lgetxattr] = sys_lgetxattr, [__NR_fgetxattr] = sys_fgetxattr,
	[__NR_listxattr] = sys_listxattr, [__NR_llistxattr] = sys_llistxattr, [__NR_flistxattr] = sys_flistxattr,
	/* A tmpfs serves these; grants are read-only: there they fail as on a read-only mount (fs_readonly.c). */
	[__NR_mkdir] = sys_mkdir, [__NR_mkdirat] = sys_mkdirat, [__NR_mknod] = sys_mknod,
	[__NR_mknodat] = sys_mknodat, [__NR_symlink] = sys_symlink, [__NR_symlinkat] = sys_symlinkat,
	[__NR_link] = sys_link, [__NR_linkat] = sys_linkat, [__NR_unlink] = sys_unlink,
	[__NR_unlinkat] = sys_unlinkat, [__NR_rmdir] = sys_rmdir, [__NR_rename] = sys_rename,
	[__NR_renameat] = sys_renameat, [__NR_renameat2] = sys_renameat2, [__NR_chmod] = sys_chmod,
	[__NR_fchmodat] = sys_fchmodat, [__NR_chown] = sys_chown, [__NR_lchown] = sys_lchown,
	[__NR_fchownat] = sys_fchownat, [__NR_utimensat] = sys_utimensat, [__NR_utimes] = sys_utimes,
	[__NR_utime] = sys_utime, [__NR_truncate] = sys_truncate, [__NR_futimesat] = sys_futimesat,
	[__NR_fchmod] = sys_fchmod, [__NR_fchown] = sys_fchown,
	/* The program's user and group ids (cred.c). */
	[__NR_getuid] = sys_getuid, [__NR_geteuid] = sys_geteuid, [__NR_getgid] = sys_getgid,
	[__NR_getegid] = sys_getegid, [__NR_getresuid] = sys_getresuid, [__NR_getresgid] = sys_getresgid,
	[__NR_setuid] = sys_setuid, [__NR_setgid] = sys_setgid, [__NR_setreuid] = sys_setreuid,
	[__NR_setregid] = sys_setregid, [__NR_setresuid] = sys_setresuid, [__NR_setresgid] = sys_setresgid,
	[__NR_setgroups] = sys_setgroups,
	/* Readiness and event descriptors (fs/poll.c, eventfd.c, timerfd.c, signalfd.c, epoll.c). */
	[__NR_select] = sys_select, [__NR_pselect6] = sys_pselect6, [__NR_eventfd] = sys_eventfd,
	[__NR_eventfd2] = sys_eventfd2, [__NR_timerfd_create] = sys_timerfd_create,
	[__NR_timerfd_settime] = sys_timerfd_settime, [__NR_timerfd_gettime] = sys_timerfd_gettime,
	[__NR_signalfd] = sys_signalfd, [__NR_signalfd4] = sys_signalfd4, [__NR_epoll_create] = sys_epoll_create,
	[__NR_epoll_create1] = sys_epoll_create1, [__NR_epoll_ctl] = sys_epoll_ctl,
	[__NR_epoll_wait] = sys_epoll_wait, [__NR_epoll_pwait] = sys_epoll_pwait,
	[__NR_epoll_pwait2] = sys_epoll_pwait2,
};

_Static_assert(sizeof(table) / sizeof(table[0]) <= VMLET_SYSCALL_MAX,
	       "syscall table larger than the counters the host reads");

/* The traced call's record, begun at entry: its string arguments are copied before the call runs. */
static struct vmlet_trace trace_rec;

/* Copies the string at src: 0 if it is not readable program memory, 1 copied, 2 cut. */
static int trace_copy_string(char *dst, uint64_t src)
{
	size_t n;

	for (n = 0; n < VMLET_TRACE_STR - 1; n++) {
		if (!user_ok(src + n, 1))
			return 0;
		if (!(dst[n] = *(const char *)(src + n)))
			return 1;
	}
	dst[n] = 0;
	return 2;
}

static void trace_begin(uint64_t nr, const uint64_t args[6])
{
	int i, k;

	trace_rec.nr = nr;
	trace_rec.has_str = 0;
	for (i = 0; i < 6; i++) {
		trace_rec.arg[i] = args[i];
		k = trace_copy_string(trace_rec.str[i], args[i]);
		trace_rec.has_str |= (k ? 1u << i : 0) | (k == 2 ? 1u << (8 + i) : 0);
	}
}

static void trace_end(long ret)
{
	trace_rec.ret = ret;
	out_append(VMLET_CHAN_TRACE, &trace_rec, sizeof(trace_rec));
}

int gk_syscall(struct gk_frame *f);

/* Serve the system call in f; nonzero: entry.S must restore every register from f. */
int gk_syscall(struct gk_frame *f)
{
	static GK_HOT int initialized;
	uint64_t nr = f->rax;
	uint64_t args[6] = { f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9 };
	long ret;

	if (!initialized) {
		fd_init();
		initialized = 1;
	}
	gk_stats.syscalls++;
	if (nr < VMLET_SYSCALL_MAX)
		gk_stats.by_nr[nr]++;
	if (gk_boot.flags & VMLET_BOOT_TRACE) {
		trace_begin(nr, args);
		if (nr == __NR_exit || nr == __NR_exit_group)
			trace_end(VMLET_TRACE_NORETURN);
	}
	if (nr < sizeof(table) / sizeof(table[0]) && table[nr]) {
		ret = table[nr](f);
		tmpfs_leave();
	} else {
		ret = -ENOSYS;
		gk_stats.unsupported++;
	}
	f->rax = (uint64_t)ret;
	if (gk_boot.flags & VMLET_BOOT_TRACE)
		trace_end(ret);
	signal_deliver(f, (int64_t)nr);
	return signal_resume_full();
}
