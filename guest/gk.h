/* gk.h - internal contracts of the guest kernel: the syscall frame, user-memory checks, subsystems. */
#ifndef GK_H
#define GK_H

#include <stddef.h>
#include <stdint.h>

#include "../include/vmlet_abi.h"

/* Registers saved by entry.S at `syscall` (or at an interrupt of the program); restored from
 * here on return. rcx and r11 are where the program resumes and its rflags; ctx_rcx and
 * ctx_r11 the program's own rcx and r11 (at a syscall, the same values). */
struct gk_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rdx, rsi, rdi, rcx, rax, rsp;
	uint64_t ctx_rcx, ctx_r11;
};

#define A0 (f->rdi)
#define A1 (f->rsi)
#define A2 (f->rdx)
#define A3 (f->r10)
#define A4 (f->r8)
#define A5 (f->r9)

typedef long (*gk_syscall_fn)(struct gk_frame *f);

extern struct vmlet_boot gk_boot;
extern struct vmlet_hypercall gk_hypercall;
extern struct vmlet_ring gk_ring;
extern struct vmlet_stats gk_stats;

/* State every run touches, kept together: each first-touched page costs an exit-free but slow fault. */
#define GK_HOT __attribute__((section(".bss.hot")))
#define GK_HOT_TABLE __attribute__((section(".bss.hot.table"))) /* after GK_HOT */

/* proc/process.c: a reference more (add: before a fork, for the child's copies) or less (at exit)
 * on every shared tmpfs node this process's descriptions and mappings hold. */
void process_tmpfs_refs(int add);
long process_group(void); /* this process's group id (the host's table) */
extern int gk_pid, gk_ppid; /* this process's guest pid and its parent's (proc/process.c) */
#define GK_FD_MAX 256   /* RLIMIT_NOFILE inside the VM */
#define GK_PATH_MAX 4096

/* What uname(2) and /proc/sys/kernel say of the system. */
#define GK_UTS_SYSNAME "Linux"
#define GK_UTS_NODENAME "vmlet"
#define GK_UTS_RELEASE "6.1.0-vmlet"
#define GK_UTS_VERSION "#1 SMP vmlet"

/* lib.c: freestanding string and memory helpers. */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);

/* lib.c: text of synthetic files. len counts every byte put, those past cap (not stored) too. */
struct gk_text {
	char *buf;
	uint64_t len, cap;
};
void text_mem(struct gk_text *t, const void *s, uint64_t n);
void text_str(struct gk_text *t, const char *s);
void text_u64(struct gk_text *t, uint64_t v, int width); /* decimal, right-aligned in width spaces */
void text_hex(struct gk_text *t, uint64_t v, int width); /* lower-case hex, zero-padded to width digits */

/* hypercall.c: one call to the host through the hypercall block; through the VMLET_HC_VECTOR gate
 * while gk_hc_gated (code the host entered at CPL3: gk_interrupt). */
extern int gk_hc_gated;
long hc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* fs/tmpfs_lock.c: the lock of the tmpfs that the run's processes share (fs/tmpfs.h). enter takes
 * it, once: it is held until leave, which the end of each system call and each hc() call. */
void tmpfs_enter(void);
void tmpfs_leave(void);
extern uint64_t gk_shared_vbase; /* where the shared region is: VMLET_SHARED_VBASE (a host test moves it) */
_Noreturn void gk_exit(int status, int signal);

/* user.c: checks on program-supplied addresses. */
int user_ok(uint64_t addr, uint64_t len);       /* 1 if [addr, addr+len) is program memory */
int user_ok_w(uint64_t addr, uint64_t len);     /* ... and writable: a buffer read() fills */
long user_string(uint64_t addr, char *buf, size_t size); /* copies a NUL-terminated path; len or -errno */
/* How much of [addr, addr+len) (checked by user_ok) lies in one run of frames, as a hypercall needs. */
uint64_t user_run(uint64_t addr, uint64_t len);

/* out.c: the output ring. */
void out_append(uint32_t chan, const void *data, size_t len);
long out_write(uint32_t handle, const void *data, size_t len);

/* fd.c, fs.c, mm.c, signal.c, time.c, random.c, misc.c: syscall handlers (see tables in syscall.c). */
long fd_stdio_closed_all(void);
void random_fill(void *buf, size_t len);
uint64_t time_mono_ns(void);
uint64_t time_real_ns(void); /* CLOCK_REALTIME, ns since the epoch */
long time_wait_signal(void); /* wait until a signal interrupts (-EINTR), or the run ends */
uint64_t rlimit_nofile(void); /* RLIMIT_NOFILE's soft limit: fds are below it */
/* Sleep ns, really or on the virtual clock of a deterministic run: 0, or -EINTR when a signal
 * interrupts it (with *left, if not NULL, the time not slept). */
long time_sleep_left(uint64_t ns, uint64_t *left);
long time_sleep(uint64_t ns);
long time_read_timespec(uint64_t addr, uint64_t *ns); /* a struct timespec of the program: 0, -EFAULT, -EINVAL */
uint32_t umask_get(void);
/* cred.c: the program's ids now (the boot block's until it changes them): owner of the files it creates. */
uint32_t cred_uid(void);  /* real user id */
uint32_t cred_euid(void);
uint32_t cred_egid(void);
void cred_ids(uint32_t uid[3], uint32_t gid[3]); /* real, effective, saved */
/* Program memory the guest kernel keeps for itself (tmpfs pages): counted as the program's mmap,
 * never given back. 0 if none is left. */
uint64_t mm_kernel_map(uint64_t len);
void mm_kernel_unmap(uint64_t addr, uint64_t len); /* gives back what mm_kernel_map gave */
void mm_clear(uint64_t addr, uint64_t len);        /* zero program memory (large spans: by the host) */
int mm_region(int i, uint64_t *lo, uint64_t *hi);  /* the i-th mmap'd range of the user region; 0 past the last */
uint64_t mm_brk(void);                             /* the program break */
/* execve (proc/exec.c): an image ending at image_hi fits below the kernel's own chunks; */
int mm_exec_fits(uint64_t image_hi);
/* the program's memory goes (its mappings, image, heap, stack: zeros; the kernel's chunks stay) */
long mm_exec_reset(const char *exe); /* exe: the new program's path, for the host's process list */
void mm_exec_image(uint64_t image_hi);  /* the new image ends there: the break starts above it */
long mm_exec_map(uint64_t len);         /* a free range of len bytes for the interpreter, or -ENOMEM */

/* sparse.c: the sparse region (VMLET_SPARSE_LO..HI): mappings with frames taken only for pages
 * ever accessible. Ranges are page-aligned. */
int sparse_contains(uint64_t lo, uint64_t hi);  /* [lo, hi) lies in the region */
int sparse_free(uint64_t lo, uint64_t hi);      /* ... and nothing is mapped there */
uint64_t sparse_find(uint64_t len);             /* the highest free range of len bytes; 0 if none */
/* Map [lo, hi) with prot, replacing what was there; *frames: the frames of an accessible mapping
 * (zeroed), 0 for PROT_NONE. */
long sparse_map(uint64_t lo, uint64_t hi, unsigned prot, uint64_t *frames);
struct tnode;
/* Map [lo, hi) shared to a tmpfs file's pages from page pgoff (past its end: not mapped). */
long sparse_map_shared(uint64_t lo, uint64_t hi, unsigned prot, struct tnode *file, uint64_t pgoff);
long sparse_unmap(uint64_t lo, uint64_t hi);
void sparse_tmpfs_refs(int add); /* a reference more (add) or less on every shared tmpfs mapping's file */
int sparse_shared(uint64_t addr); /* addr lies in a shared mapping: the shared region backs it */
long sparse_protect(uint64_t lo, uint64_t hi, unsigned prot); /* -ENOMEM if a page is not mapped */
int sparse_ok(uint64_t lo, uint64_t hi);         /* every page mapped and accessible */
void sparse_discard(uint64_t lo, uint64_t hi);   /* MADV_DONTNEED: the pages read as zeros */
uint64_t sparse_run(uint64_t addr, uint64_t len); /* the part of [addr, addr+len) on contiguous frames */
int sparse_region(int i, uint64_t *lo, uint64_t *hi, unsigned *prot); /* the i-th mapping; 0 past the last */
/* start.c: the program's first stack (boot.start_rsp), read as it is now; 0s where it is not program memory. */
struct gk_start {
	uint64_t arg_lo, arg_hi; /* argv's strings, NULs included */
	uint64_t env_lo, env_hi; /* envp's strings */
};
void start_spans(struct gk_start *s);
uint64_t start_auxv(uint64_t type); /* the auxiliary vector's value for type, 0 if absent */
/* maps.c: the text of /proc/self/maps into buf (cap bytes): its length (more than cap: cut) or -errno. */
long mm_maps_text(char *buf, uint64_t cap);
void signal_masks(uint64_t *blocked, uint64_t *ignored, uint64_t *caught); /* bit sig-1 per signal */
/* Deliver a pending signal at the return to the program from syscall nr (-1: from an interrupt):
 * its frame set up in f, or its default action; restarts nr when the handler has SA_RESTART. */
long signal_deliver(struct gk_frame *f, int64_t nr);
/* Make sig pending with siginfo's si_code, si_value and the two ints after si_code (low, high). */
void signal_send(int sig, int32_t code, uint64_t value, uint64_t ints);
/* Take signals from outside and due timers; 1 if one pending now interrupts a wait (EINTR). */
int signal_interrupts(void);
extern struct vmlet_interrupt gk_interrupt_info;
/* timers.c: the earliest armed timer (time_mono_ns), 0 none; fire those due (fired: a deadline
 * the host saw pass). */
uint64_t timers_next(void);
void timers_run(uint64_t fired);
/* The program faulted (the host's record): deliver the signal to its handler, or die of it. */
void signal_fault(struct gk_frame *f, const struct vmlet_interrupt *in);
/* 1 once after rt_sigreturn: the return to the program must restore every register. */
int signal_resume_full(void);

/* pagetable.c: rights of the program's pages (identity-mapped user memory). */
#define PT_P 0x1ull
#define PT_W 0x2ull
#define PT_U 0x4ull
#define PT_NX (1ull << 63)
#define PT_DEFAULT (PT_P | PT_W | PT_U) /* what the host maps: read, write, execute */
uint64_t pt_flags(unsigned prot); /* page rights for PROT_* (writable memory stays executable) */
/* Give the pages of [lo, hi) (page-aligned) the rights flags, then drop stale translations if a
 * page lost a right. 0, or -ENOMEM when no page-table page is left (some pages may have changed). */
int pt_protect(uint64_t lo, uint64_t hi, uint64_t flags);
uint64_t pt_get(uint64_t addr);               /* rights of the page holding addr (0: not mapped) */
/* Map the pages of [lo, hi) (page-aligned, outside the identity map) to the frames from frame on
 * with rights flags (0: unmap them), with 4 KiB pages. 0, or -ENOMEM when no table page is left. */
int pt_map(uint64_t lo, uint64_t hi, uint64_t frame, uint64_t flags);
/* Every page of [lo, hi) has right (PT_P: none is PROT_NONE; PT_W: all writable). Cheap while the
 * program made no page PROT_NONE (PT_P) or read-only (PT_W); the host's read-only pages of the
 * program image are the host's to refuse (vm_guest_ptr_w). */
int pt_all(uint64_t lo, uint64_t hi, uint64_t right);
long signal_raise(struct gk_frame *f, int sig);
#define GK_SIGPIPE 13
void signal_exec_reset(void); /* execve: handlers back to SIG_DFL, no alternate stack */
void signal_forked_child(void); /* fork's child: no pending signal, no timer */
void timers_forked_child(void);
void timers_exec_reset(void);  /* execve: POSIX timers deleted; alarm and ITIMER_REAL stay, as on Linux */

#define DECLARE(name) long sys_##name(struct gk_frame *f)
DECLARE(read); DECLARE(write); DECLARE(readv); DECLARE(writev); DECLARE(pread64);
DECLARE(pwrite64); DECLARE(preadv); DECLARE(pwritev); DECLARE(lseek); DECLARE(open); DECLARE(creat);
DECLARE(openat); DECLARE(close); DECLARE(fstat); DECLARE(stat); DECLARE(lstat);
DECLARE(newfstatat); DECLARE(statx); DECLARE(ioctl); DECLARE(fcntl); DECLARE(dup);
DECLARE(dup2); DECLARE(dup3); DECLARE(getdents64); DECLARE(poll); DECLARE(ppoll);
DECLARE(access); DECLARE(faccessat); DECLARE(faccessat2); DECLARE(readlink);
DECLARE(readlinkat); DECLARE(getcwd); DECLARE(chdir); DECLARE(fchdir);
DECLARE(brk); DECLARE(mmap); DECLARE(munmap); DECLARE(mremap); DECLARE(mprotect);
DECLARE(madvise); DECLARE(msync); DECLARE(rt_sigaction); DECLARE(rt_sigprocmask); DECLARE(sigaltstack);
DECLARE(rt_sigreturn); DECLARE(kill); DECLARE(tgkill); DECLARE(tkill);
DECLARE(clock_gettime); DECLARE(clock_getres); DECLARE(gettimeofday); DECLARE(time);
DECLARE(nanosleep); DECLARE(clock_nanosleep); DECLARE(getrandom);
DECLARE(arch_prctl); DECLARE(set_tid_address); DECLARE(set_robust_list); DECLARE(rseq);
DECLARE(prlimit64); DECLARE(getrlimit); DECLARE(uname); DECLARE(getpid); DECLARE(getppid);
DECLARE(sched_getaffinity); DECLARE(sched_yield); DECLARE(futex);
DECLARE(sysinfo); DECLARE(exit); DECLARE(exit_group); DECLARE(umask); DECLARE(getpgrp); DECLARE(getpgid); DECLARE(getsid);
DECLARE(fork); DECLARE(vfork); DECLARE(clone); DECLARE(clone3); DECLARE(wait4); DECLARE(waitid);
DECLARE(setsid); DECLARE(pipe); DECLARE(pipe2); DECLARE(execve); DECLARE(execveat); DECLARE(socketpair); DECLARE(sendto); DECLARE(recvfrom); DECLARE(getrusage); DECLARE(times);
DECLARE(prctl); DECLARE(setpgid); DECLARE(sched_getparam); DECLARE(getpriority);
DECLARE(setrlimit); DECLARE(pause); DECLARE(fsync); DECLARE(sync);
DECLARE(mkdir); DECLARE(mkdirat); DECLARE(mknod); DECLARE(mknodat); DECLARE(symlink); DECLARE(symlinkat);
DECLARE(link); DECLARE(linkat); DECLARE(unlink); DECLARE(unlinkat); DECLARE(rmdir); DECLARE(rename);
DECLARE(renameat); DECLARE(renameat2); DECLARE(chmod); DECLARE(fchmodat); DECLARE(chown); DECLARE(lchown);
DECLARE(fchownat); DECLARE(utimensat); DECLARE(utimes); DECLARE(truncate);
DECLARE(utime); DECLARE(futimesat); DECLARE(fchmod); DECLARE(fchown); DECLARE(flock); DECLARE(ftruncate);
DECLARE(fallocate); DECLARE(statfs); DECLARE(fstatfs); DECLARE(fadvise64); DECLARE(copy_file_range);
DECLARE(sendfile); DECLARE(memfd_create);
DECLARE(getxattr); DECLARE(lgetxattr); DECLARE(fgetxattr); DECLARE(listxattr); DECLARE(llistxattr);
DECLARE(flistxattr);
DECLARE(getuid); DECLARE(geteuid); DECLARE(getgid); DECLARE(getegid); DECLARE(getresuid); DECLARE(getresgid);
DECLARE(setuid); DECLARE(setgid); DECLARE(setreuid); DECLARE(setregid); DECLARE(setresuid); DECLARE(setresgid);
DECLARE(getgroups); DECLARE(setgroups);
DECLARE(select); DECLARE(pselect6); DECLARE(eventfd); DECLARE(eventfd2); DECLARE(timerfd_create);
DECLARE(timerfd_settime); DECLARE(timerfd_gettime); DECLARE(signalfd); DECLARE(signalfd4);
DECLARE(epoll_create); DECLARE(epoll_create1); DECLARE(epoll_ctl); DECLARE(epoll_wait); DECLARE(epoll_pwait);
DECLARE(epoll_pwait2);
DECLARE(alarm); DECLARE(getitimer); DECLARE(setitimer); DECLARE(timer_create); DECLARE(timer_settime);
DECLARE(timer_gettime); DECLARE(timer_getoverrun); DECLARE(timer_delete); DECLARE(rt_sigpending);
DECLARE(rt_sigsuspend); DECLARE(rt_sigtimedwait); DECLARE(rt_sigqueueinfo);
#undef DECLARE

#endif
