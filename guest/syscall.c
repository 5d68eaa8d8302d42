/* syscall.c - the guest's system-call table and the C entry every `syscall` reaches. */
#include "fd.h"

#include <asm/unistd.h>
#include <linux/errno.h>

GK_HOT struct vmlet_boot gk_boot;
GK_HOT struct vmlet_stats gk_stats;

static const gk_syscall_fn table[] = {
	[__NR_read] = sys_read, [__NR_write] = sys_write, [__NR_open] = sys_open,
	[__NR_close] = sys_close, [__NR_stat] = sys_stat, [__NR_fstat] = sys_fstat,
	[__NR_lstat] = sys_lstat, [__NR_poll] = sys_poll, [__NR_lseek] = sys_lseek,
	[__NR_mmap] = sys_mmap, [__NR_mprotect] = sys_mprotect, [__NR_munmap] = sys_munmap,
	[__NR_brk] = sys_brk, [__NR_rt_sigaction] = sys_rt_sigaction,
	[__NR_rt_sigprocmask] = sys_rt_sigprocmask, [__NR_rt_sigreturn] = sys_rt_sigreturn,
	[__NR_ioctl] = sys_ioctl, [__NR_pread64] = sys_pread64, [__NR_pwrite64] = sys_pwrite64,
	[__NR_readv] = sys_readv, [__NR_writev] = sys_writev, [__NR_access] = sys_access,
	[__NR_sched_yield] = sys_sched_yield, [__NR_mremap] = sys_mremap,
	[__NR_madvise] = sys_madvise, [__NR_dup] = sys_dup, [__NR_dup2] = sys_dup2,
	[__NR_nanosleep] = sys_nanosleep, [__NR_getpid] = sys_getpid,
	[__NR_clone] = sys_process, [__NR_fork] = sys_process, [__NR_vfork] = sys_process,
	[__NR_execve] = sys_process, [__NR_exit] = sys_exit, [__NR_kill] = sys_kill,
	[__NR_uname] = sys_uname, [__NR_fcntl] = sys_fcntl, [__NR_getcwd] = sys_getcwd,
	[__NR_chdir] = sys_chdir, [__NR_fchdir] = sys_fchdir, [__NR_readlink] = sys_readlink,
	[__NR_umask] = sys_umask, [__NR_gettimeofday] = sys_gettimeofday,
	[__NR_getrlimit] = sys_getrlimit, [__NR_getrusage] = sys_getrusage,
	[__NR_sysinfo] = sys_sysinfo, [__NR_times] = sys_times, [__NR_getuid] = sys_getid,
	[__NR_getgid] = sys_getid, [__NR_setuid] = sys_setid, [__NR_setgid] = sys_setid,
	[__NR_geteuid] = sys_getid, [__NR_getegid] = sys_getid, [__NR_setpgid] = sys_setid,
	[__NR_getppid] = sys_getppid, [__NR_getpgrp] = sys_getpgrp, [__NR_setsid] = sys_getpgrp,
	[__NR_getgroups] = sys_getgroups, [__NR_getpgid] = sys_getpgrp, [__NR_getsid] = sys_getpgrp,
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
	[__NR_execveat] = sys_process, [__NR_statx] = sys_statx, [__NR_rseq] = sys_rseq,
	[__NR_clone3] = sys_process, [__NR_faccessat2] = sys_faccessat2,
	[__NR_setrlimit] = sys_setrlimit, [__NR_pause] = sys_pause,
	[__NR_fsync] = sys_fsync, [__NR_fdatasync] = sys_fsync, [__NR_syncfs] = sys_fsync,
	[__NR_sync] = sys_sync,
	/* Grants are read-only: these fail as on a read-only mount (fs_readonly.c). */
	[__NR_mkdir] = sys_mkdir, [__NR_mkdirat] = sys_mkdirat, [__NR_mknod] = sys_mknod,
	[__NR_mknodat] = sys_mknodat, [__NR_symlink] = sys_symlink, [__NR_symlinkat] = sys_symlinkat,
	[__NR_link] = sys_link, [__NR_linkat] = sys_linkat, [__NR_unlink] = sys_unlink,
	[__NR_unlinkat] = sys_unlinkat, [__NR_rmdir] = sys_rmdir, [__NR_rename] = sys_rename,
	[__NR_renameat] = sys_renameat, [__NR_renameat2] = sys_renameat2, [__NR_chmod] = sys_chmod,
	[__NR_fchmodat] = sys_fchmodat, [__NR_chown] = sys_chown, [__NR_lchown] = sys_lchown,
	[__NR_fchownat] = sys_fchownat, [__NR_utimensat] = sys_utimensat, [__NR_utimes] = sys_utimes,
	[__NR_utime] = sys_utimes, [__NR_truncate] = sys_truncate,
};

_Static_assert(sizeof(table) / sizeof(table[0]) <= VMLET_SYSCALL_MAX,
	       "syscall table larger than the counters the host reads");

static void trace(uint64_t nr, const uint64_t args[6], long ret)
{
	struct vmlet_trace t = { nr, { args[0], args[1], args[2], args[3], args[4], args[5] }, ret };

	out_append(VMLET_CHAN_TRACE, &t, sizeof(t));
}

void gk_syscall(struct gk_frame *f);

void gk_syscall(struct gk_frame *f)
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
	if ((gk_boot.flags & VMLET_BOOT_TRACE) && (nr == __NR_exit || nr == __NR_exit_group))
		trace(nr, args, VMLET_TRACE_NORETURN);
	if (nr < sizeof(table) / sizeof(table[0]) && table[nr]) {
		ret = table[nr](f);
	} else {
		ret = -ENOSYS;
		gk_stats.unsupported++;
	}
	f->rax = (uint64_t)ret;
	if (gk_boot.flags & VMLET_BOOT_TRACE)
		trace(nr, args, ret);
	signal_deliver_pending(f);
}
