/* gk.h - internal contracts of the guest kernel: the syscall frame, user-memory checks, subsystems. */
#ifndef GK_H
#define GK_H

#include <stddef.h>
#include <stdint.h>

#include "../include/vmlet_abi.h"

/* Registers saved by entry.S at `syscall`; restored from here on return. */
struct gk_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rdx, rsi, rdi, rcx, rax, rsp;
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

#define GK_PID 2
#define GK_PPID 1
#define GK_UID 0
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

/* hypercall.c: one call to the host through the hypercall block. */
long hc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
_Noreturn void gk_exit(int status, int signal);

/* user.c: checks on program-supplied addresses. */
int user_ok(uint64_t addr, uint64_t len);       /* 1 if [addr, addr+len) is program memory */
long user_string(uint64_t addr, char *buf, size_t size); /* copies a NUL-terminated path; len or -errno */

/* out.c: the output ring. */
void out_append(uint32_t chan, const void *data, size_t len);
long out_write(uint32_t handle, const void *data, size_t len);

/* fd.c, fs.c, mm.c, signal.c, time.c, random.c, misc.c: syscall handlers (see tables in syscall.c). */
long fd_stdio_closed_all(void);
void random_fill(void *buf, size_t len);
uint64_t time_mono_ns(void);
uint64_t time_real_ns(void); /* CLOCK_REALTIME, ns since the epoch */
_Noreturn void time_sleep_forever(void); /* a wait nothing in a single-threaded VM can end */
uint64_t rlimit_nofile(void); /* RLIMIT_NOFILE's soft limit: fds are below it */
long time_sleep(uint64_t ns); /* really, or on the virtual clock of a deterministic run */
uint32_t umask_get(void);
/* Program memory the guest kernel keeps for itself (tmpfs pages): counted as the program's mmap,
 * never given back. 0 if none is left. */
uint64_t mm_kernel_map(uint64_t len);
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
long signal_deliver_pending(struct gk_frame *f);
long signal_raise(struct gk_frame *f, int sig);

#define DECLARE(name) long sys_##name(struct gk_frame *f)
DECLARE(read); DECLARE(write); DECLARE(readv); DECLARE(writev); DECLARE(pread64);
DECLARE(pwrite64); DECLARE(preadv); DECLARE(pwritev); DECLARE(lseek); DECLARE(open);
DECLARE(openat); DECLARE(close); DECLARE(fstat); DECLARE(stat); DECLARE(lstat);
DECLARE(newfstatat); DECLARE(statx); DECLARE(ioctl); DECLARE(fcntl); DECLARE(dup);
DECLARE(dup2); DECLARE(dup3); DECLARE(getdents64); DECLARE(poll); DECLARE(ppoll);
DECLARE(access); DECLARE(faccessat); DECLARE(faccessat2); DECLARE(readlink);
DECLARE(readlinkat); DECLARE(getcwd); DECLARE(chdir); DECLARE(fchdir);
DECLARE(brk); DECLARE(mmap); DECLARE(munmap); DECLARE(mremap); DECLARE(mprotect);
DECLARE(madvise); DECLARE(rt_sigaction); DECLARE(rt_sigprocmask); DECLARE(sigaltstack);
DECLARE(rt_sigreturn); DECLARE(kill); DECLARE(tgkill); DECLARE(tkill);
DECLARE(clock_gettime); DECLARE(clock_getres); DECLARE(gettimeofday); DECLARE(time);
DECLARE(nanosleep); DECLARE(clock_nanosleep); DECLARE(getrandom);
DECLARE(arch_prctl); DECLARE(set_tid_address); DECLARE(set_robust_list); DECLARE(rseq);
DECLARE(prlimit64); DECLARE(getrlimit); DECLARE(uname); DECLARE(getpid); DECLARE(getppid);
DECLARE(getid); DECLARE(sched_getaffinity); DECLARE(sched_yield); DECLARE(futex);
DECLARE(sysinfo); DECLARE(exit); DECLARE(exit_group); DECLARE(umask); DECLARE(getpgrp);
DECLARE(process); DECLARE(getrusage); DECLARE(times);
DECLARE(getgroups); DECLARE(prctl); DECLARE(setid); DECLARE(sched_getparam); DECLARE(getpriority);
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
#undef DECLARE

#endif
