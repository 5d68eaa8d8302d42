/* vm_internal.h - the VM object shared by the core, loader and hypercall layers (not part of the API). */
#ifndef VMLET_VM_INTERNAL_H
#define VMLET_VM_INTERNAL_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

#include "vmlet.h"
#include "vmlet_abi.h"
#include "guestmem.h"
#include "../loader/elf.h"
#include "../manifest/sha256.h"

/* Offsets inside the kernel area's system part (supervisor-only pages). */
#define SYS_GDT 0x0000ull
#define SYS_IDT 0x1000ull
#define SYS_TSS 0x2000ull
#define SYS_IST_TOP 0x5000ull /* exception stack [0x3000, 0x5000) */
#define SYS_PT_LO 0x10000ull  /* page-table pool */
#define SYS_PT_HI VMLET_GK_OFFSET

#define SEL_KERNEL_CS 0x10
#define SEL_KERNEL_DS 0x18
#define SEL_USER32_CS 0x23
#define SEL_USER_DS 0x2b
#define SEL_USER_CS 0x33
#define SEL_TSS 0x40
#define TSS_LIMIT (104 + 32) /* 104-byte TSS, then the I/O bitmap for ports 0..255 */

#define STACK_GUARD (2ull << 20)

/* HANDLE_VDIR: a directory that exists only because grants lie below it ("/" always). */
/* HANDLE_STREAM: a FIFO, socket or character device channel. */
enum handle_kind { HANDLE_FREE = 0, HANDLE_STDIO, HANDLE_FILE, HANDLE_DIR, HANDLE_VDIR, HANDLE_STREAM };

struct handle {
	enum handle_kind kind;
	int fd;
	int channel;     /* index into vm->channels (stdio 0..2), -1 for files of a read-only tree */
	int writable, readable;
	int sequential;   /* the channel is read/written in order: positioned I/O only at seq_off */
	uint64_t seq_off;
	char *vpath;     /* HANDLE_VDIR: its guest path */
	size_t vcursor;  /* HANDLE_VDIR: entries already listed */
};

/* A declared channel (stdio are channels 0..2) and what happened on it. */
struct channel {
	char *guest;                 /* NULL for stdio */
	char *host;                  /* absolute host path */
	enum vmlet_channel_type type;
	enum vmlet_channel_mode mode;
	int random_access;
	struct vmlet_limits limits;
	int fd;                      /* FILE and CHARDEV: open at create; -1 otherwise */
	char *tmp;                   /* FILE in a write mode: the temporary file beside host */
	int dirfd;                   /* its directory: commit is renameat/linkat/unlinkat there */
	char *tmp_name, *name;       /* base names of tmp and host */
	int target_fd;               /* APPEND: host itself, where the commit appends; -1 otherwise */
	uint64_t base;               /* APPEND: bytes of host copied into tmp at create */
	struct vmlet_channel_stats stats;
	struct sha256 read_hash, write_hash;
};

struct grant {
	int channel;      /* index into vm->channels of a directory channel, -1 for --ro and the root */
	int in_root;      /* the root (guest "/"): resolved like a chroot (RESOLVE_IN_ROOT) */
	char *guest;      /* normalized absolute guest path */
	size_t guest_len;
	int dirfd;        /* O_PATH directory: the granted tree, or the parent of a granted file */
	char *name;       /* basename of a granted file; NULL for a tree */
	int filefd;       /* a granted file: O_PATH fd of the file granted, held so that its inode
			   * number stays its own; every open must find that inode (dev, ino) */
	uint64_t dev, ino;
};

struct vmlet_vm {
	int vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	struct guestmem mem;
	uint64_t kbase;       /* guest-physical start of the kernel area */
	uint64_t user_hi, stack_lo, mmap_top;
	uint64_t pt_next;     /* next free page-table page (guest-physical) */
	uint64_t brk_start;   /* end of the program image: heap and mmap space start here */
	uint64_t filemap_lo, filemap_hi; /* span that host files were mapped over (VMLET_HC_MMAP) since the
					  * memory was fresh: discarding there maps anonymous memory back */
	struct { uint64_t lo, hi; } readonly[2 * ELF_MAX_SEGMENTS]; /* the program's and its interpreter's read-only pages */
	size_t nreadonly;
	struct vmlet_gk_header gk; /* host copy, trusted */

	int stdio[3];
	int trace_fd;
	unsigned flags;
	uint64_t timeout_ns;
	uint64_t deadline_ns; /* CLOCK_MONOTONIC; 0: none */
	struct grant *grants;
	size_t ngrants;
	struct channel *channels;    /* 3 + config.nchannels */
	struct vmlet_channel_stats *channel_stats; /* published in vmlet_result */
	size_t nchannels;
	enum vmlet_commit commit;
	struct txn *txn;             /* the written files' commit (src/host/commit.c) */
	struct vmlet_determinism determinism;
	struct vmlet_tmpfs tmpfs[VMLET_TMPFS_MAX]; /* as the boot block gives them (sizes resolved) */
	uint32_t ntmpfs;
	uint32_t uid, gid;    /* the program's ids at start (config) */
	struct handle handles[VMLET_HANDLE_MAX];
	uint64_t ring_tail;   /* host-owned copy; the guest's copy is informational */

	struct vmlet_pool *pool; /* where it came from and goes back to for teardown */
	struct vmlet_vm *reap_next; /* in the pool's queue of VMs to destroy */
	int reused;               /* has run a program before (vmlet_vm_reuse) */
	volatile int killed;
	int ran;
	pthread_t thread;
	timer_t tick;             /* kicks the vCPU every TICK_NS while it runs (run.c) */
	int max_procs;            /* processes the tree may have at once; 1: no fork */
	struct vmlet_tree *tree;  /* the process tree's shared table, from the first fork on (tree.c) */
	int tree_slot;            /* this process's entry in it */
	struct tree_child *children; /* by slot: this process's unreaped children (private: tree.c) */
	int guest_pid, guest_ppid;   /* this process's guest pid and its parent's, from the first fork on */
	int guest_pgid, guest_sid;   /* its process group and session (the table's, once there is one) */
	struct {                  /* the counters of the processes this one reaped, and theirs */
		uint64_t exits, hypercalls, syscalls, unsupported, processes;
	} sub;
	int tree_child;           /* a forked process: its end is recorded for its parent, nothing committed */
	struct vmlet_result *res;
	uint64_t hypercalls;
	char exe[VMLET_EXE_MAX];
	int fault_signal;       /* the fault last handed to the guest kernel: its signal and line */
	char fault_line[160];
	uint64_t sig_pending;   /* signals sent for the program (vmlet_vm_signal), not yet in the record */
	uint64_t sig_sent;      /* every signal vmlet_vm_signal was given: a death by one keeps no output */
	uint64_t alarm_ns;      /* the guest kernel's next timer (VMLET_HC_ALARM), CLOCK_MONOTONIC; 0 none */
	timer_t alarm_timer;    /* kicks the vCPU at alarm_ns, once created (alarm_armed) */
	int alarm_armed;
	struct {                /* the shared region (shared.c): host mapping, bytes, in the VM yet */
		uint8_t *host;
		uint64_t size;
		int slotted;
	} shared;
	int lock_kill;          /* a SIGKILL waits for this process's guest kernel to release the shared lock */
	char program[VMLET_PROGRAM_MAX]; /* what this process runs (tree_name_program) */
	struct vmlet_process_summary *process_list; /* published in vmlet_result */
};

/* Signal that kicks the vCPU thread out of KVM_RUN and blocking host calls. */
#define KICK_SIGNAL (SIGRTMAX - 1)
/* run.c: a CLOCK_MONOTONIC timer that sends KICK_SIGNAL to the calling thread: 0 or -errno. */
int run_kick_timer(timer_t *timer);

/* Result of handling one exit. */
enum exit_action { EXIT_CONTINUE, EXIT_STOP };

/* Host pointer for guest-virtual [gva, gva+len) in the user region, the sparse region
 * (translated by vm_translate), the shared region or the guest kernel image; NULL when outside. The one path
 * for hypercall addresses. */
void *vm_guest_ptr(const struct vmlet_vm *vm, uint64_t gva, uint64_t len);
/* The same for memory the host writes on the guest's behalf: NULL also when the range
 * touches read-only memory (the guest kernel's text, the program's read-only segments),
 * so a hypercall cannot do what the page tables forbid. The pointer may be unaligned. */
void *vm_guest_ptr_w(const struct vmlet_vm *vm, uint64_t gva, uint64_t len);

/* translate.c: the user-region (or shared-region) address behind sparse-region [gva, gva+len), through the guest's
 * page tables: 0, or -EFAULT unless every page is mapped (writable, if write) to one run of
 * frames in the user region. */
int vm_translate(const struct vmlet_vm *vm, uint64_t gva, uint64_t len, int write, uint64_t *out);

/* Record how the run ended (first call wins). */
void vm_finish(struct vmlet_vm *vm, enum vmlet_outcome outcome, int status, int signal,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

uint64_t vm_now_ns(void);

/*
 * Must writes to a host fd of this kind (st_mode, st_rdev; a terminal or not) go
 * one hypercall per call instead of through the output ring? Yes when a write
 * can fail in a way the program must see at that call: a device other than a
 * terminal, /dev/null or /dev/zero (/dev/full: ENOSPC), or a regular file while
 * RLIMIT_FSIZE is finite (EFBIG). A batched write's error comes too late to return.
 */
int vm_output_exact(unsigned mode, unsigned long rdev, int tty, int fsize_limited);

/* Block until fd is ready (events) or the run must stop; 1 ready, 0 stop, -errno. */
int vm_wait_fd(struct vmlet_vm *vm, int fd, short events, int64_t timeout_ns);

/* kvm.c */
int kvm_global(int *kvm_fd, struct vmlet_error *err);
const struct kvm_cpuid2 *kvm_cpuid(void);
int kvm_vcpu_mmap_size(void);
/* Keep an idle VM alive so later creates and destroys skip kernel code patching. */
void kvm_keepalive(void);

/* layout.c: program-independent tables (GDT, IDT, TSS, page tables), then the
 * 4 KiB mappings with the program image's permissions. */
int layout_prepare(struct vmlet_vm *vm, struct vmlet_error *err);
int layout_map_image(struct vmlet_vm *vm, const struct elf_image *img, struct vmlet_error *err);
/* The shared region at VMLET_SHARED_VBASE, read-write, 2 MiB pages (after layout_prepare). */
int layout_map_shared(struct vmlet_vm *vm, struct vmlet_error *err);

/* shared.c: the shared region (VMLET_SHARED_*), one for the run's processes, and its lock.
 * install: host memory reserved for the config taken (a reused VM's kept if it fits) and mapped
 * in the page tables; back: its memory slot, at the guest's first use (VMLET_HC_SHARED) or the
 * first fork; clear: zeros, memory back to the host (reset); rebuild: its slot in a forked VMM's
 * new VM; destroy: gone. */
int shared_install(struct vmlet_vm *vm, struct vmlet_error *err);
int shared_back(struct vmlet_vm *vm);
int64_t hc_shared(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int shared_clear(struct vmlet_vm *vm);
int shared_rebuild(struct vmlet_vm *vm);
void shared_destroy(struct vmlet_vm *vm);
void *shared_ptr(const struct vmlet_vm *vm, uint64_t off, uint64_t len); /* NULL outside it */
int shared_lock_wait(struct vmlet_vm *vm, uint32_t seen); /* VMLET_HC_LOCK_WAIT */
void shared_lock_wake(struct vmlet_vm *vm, int all);      /* VMLET_HC_LOCK_WAKE */
int shared_lock_held(const struct vmlet_vm *vm);          /* this process's guest kernel holds it */
/* A SIGKILL came while this process holds the lock: 1 if it is deferred to the release. */
int shared_lock_defer_kill(struct vmlet_vm *vm);
void shared_lock_abandon(struct vmlet_vm *vm); /* the process ends: a lock it holds is freed */
/* VMLET_HC_FUTEX_WAIT and _WAKE: host futexes on words of the shared region, so that processes
 * of the run wait for each other (pshared semaphores and mutexes). */
int shared_futex_wait(struct vmlet_vm *vm, uint64_t gva, uint32_t val, uint64_t deadline_ns, uint32_t bitset);
int shared_futex_wake(struct vmlet_vm *vm, uint64_t gva, uint32_t n, uint32_t bitset);

/* cpuid.c: the CPUID table every VM gets (docs/ARCHITECTURE.md, "CPUID"), built once per
 * process from KVM's supported table; NULL without memory. */
const struct kvm_cpuid2 *cpuid_table(void);
/* Shape a copy of KVM's supported table in place (it needs room for 4 more entries); host
 * holds the host CPU's leaves 0x80000002..0x80000005, used where KVM leaves them empty. */
void cpuid_shape(struct kvm_cpuid2 *c, const uint32_t host[4][4]);
/* Turn a shaped table into the fixed CPU of a deterministic run (docs/DETERMINISM.md),
 * whose XCR0 is CPUID_FIXED_XCR0 (x87, SSE, AVX) within what KVM supports. */
void cpuid_fixed(struct kvm_cpuid2 *c);
#define CPUID_FIXED_XCR0 0x7ull

/* vcpu.c: program-independent state (long mode at CPL3, MSRs, CPUID, XCR0), then the entry. */
int vcpu_prepare(struct vmlet_vm *vm, struct vmlet_error *err);
/* The same without CPUID, which KVM does not let change after a vCPU ran. */
int vcpu_set_state(struct vmlet_vm *vm, struct vmlet_error *err);
int vcpu_start(struct vmlet_vm *vm, uint64_t entry, uint64_t rsp, int deterministic,
	       struct vmlet_error *err);
/* CS and SS of the program (CPL3, 64-bit code). */
void vcpu_user_segments(struct kvm_sregs *s);

/* fault.c: the IDT stub for exception `vector` exited: enter the guest kernel with the signal the
 * program's fault is (EXIT_CONTINUE), or finish the run with the fault line (EXIT_STOP). */
enum exit_action fault_handle(struct vmlet_vm *vm, unsigned vector);
/* Enter the guest kernel (gk_interrupt_entry, CPL3) between two instructions of the program: regs
 * are its registers (rip, rsp, rflags in in, which goes into the record with the record's
 * pending words kept). 0, or -1 if the vCPU could not be set. */
int interrupt_enter(struct vmlet_vm *vm, struct kvm_regs *regs, const struct vmlet_interrupt *in);

/* guest_signals.c: signals for the program from outside (vmlet_vm_signal) and its timers. */
int guest_signal_due(struct vmlet_vm *vm);       /* one waits to be handed over: end a host wait */
void guest_signal_publish(struct vmlet_vm *vm);  /* hand it over through the record (vCPU stopped) */
void guest_signal_interrupt(struct vmlet_vm *vm); /* ... and enter the guest kernel if in the program */
int64_t guest_signal_alarm(struct vmlet_vm *vm, uint64_t deadline_ns); /* VMLET_HC_ALARM */
void guest_signal_end(struct vmlet_vm *vm);      /* the run ended: timer gone, nothing pending */

/* shell.c: a VM with everything but a program (KVM objects, memory, guest kernel,
 * tables, vCPU state); and its teardown. */
/* Split guest RAM (fills mem.size, kbase, user_hi, stack_lo, mmap_top): kernel area
 * on top, the stack below it, an unmapped guard, mmap space below. */
int shell_plan(struct vmlet_vm *vm, uint64_t mem_bytes, struct vmlet_error *err);
/* A VM object with nothing open or mapped yet (fds -1, its result beside it); free() releases it. */
struct vmlet_vm *vm_new(void);
struct vmlet_vm *shell_prepare(uint64_t mem_bytes, struct vmlet_error *err);
/* Copy the embedded guest kernel image into the kernel area. */
int shell_load_kernel(struct vmlet_vm *vm, struct vmlet_error *err);
/* reset.c: a used VM back to the state shell_prepare leaves (see vmlet_vm_reuse). */
int shell_reset(struct vmlet_vm *vm, struct vmlet_error *err);
void shell_destroy(struct vmlet_vm *vm);

/* fork.c: fork this VMM for the guest's fork hypercall. The parent gets the child's host pid
 * (and a pidfd of it); the child, 0, running a new KVM VM over its copy-on-write copy of guest
 * RAM with the vCPU state of the hypercall, and a tick of its own; -errno on failure, in the
 * parent or (*in_child set) in a child that must then end. */
pid_t vm_fork(struct vmlet_vm *vm, int *pidfd, int *in_child);

/* tree.c: the process tree. Guest pids start at VMLET_FIRST_PID (the first process). */
int tree_attach(struct vmlet_vm *vm); /* create the shared table once (the first fork): 0 or -EAGAIN */
int tree_reserve(struct vmlet_vm *vm); /* a slot for a new child, or -EAGAIN at max_procs */
void tree_release(struct vmlet_vm *vm, int slot);
/* After vm_fork: in the parent (pidfd >= 0) record the child; in the child (pidfd -1) become
 * it. Returns the child's guest pid. */
int tree_forked(struct vmlet_vm *vm, int slot, pid_t host, int pidfd);
int tree_pid(const struct vmlet_vm *vm);  /* this process's guest pid */
int tree_alive(const struct vmlet_vm *vm, int pid); /* guest pid `pid` is a process of the run that has not ended */
/* VMLET_HC_PGID: process groups and sessions, kept in the table (before the first fork, in vm). */
int tree_pgid(struct vmlet_vm *vm, unsigned op, int pid, int pgid);
int tree_ppid(const struct vmlet_vm *vm); /* its parent's */
/* Reap a child (guest pid, or -1 any): its guest pid and Linux wait status, 0 (nohang, none
 * exited), -ECHILD (no such child), -EINTR (the run must stop). */
int tree_wait(struct vmlet_vm *vm, int pid, int nohang, int *wstatus);
int tree_guest_wstatus(const struct vmlet_result *r); /* a finished run as a Linux wait status */
/* The guest ignores SIGCHLD (or set SA_NOCLDWAIT): reap its ended children now (at a tick). */
void tree_reap_unwaited(struct vmlet_vm *vm);
_Noreturn void tree_child_exit(struct vmlet_vm *vm); /* a forked process ends: record, exit */
void tree_end(struct vmlet_vm *vm); /* the first process ended: kill and reap the rest of the tree */
/* The program a process runs now (a path, from the config or VMLET_HC_EXEC), for the process list. */
void tree_name_program(struct vmlet_vm *vm, const char *path, size_t len);
/* After tree_end (which lists the processes that ended) and the counters: this process first in
 * result.process_list. */
void tree_list_processes(struct vmlet_vm *vm);
/* Signal sig (0: existence) to the process with guest pid `pid` (-1: every process of the run
 * but this one): 0 or -ESRCH. Its VMM takes it
 * (tree_take_signals) as a signal from outside, SIGKILL as the end of its run. */
int tree_kill(struct vmlet_vm *vm, int pid, int sig);
void tree_take_signals(struct vmlet_vm *vm);

/* run.c: process-wide set-up a run needs (signal handler, RLIMIT_FSIZE read once);
 * done at create so a confined process need not do it. */
void run_prepare_process(void);
/* RLIMIT_FSIZE was finite when the process first prepared: a file write may fail with EFBIG. */
int run_fsize_limited(void);
/* 0 while the run may go on; otherwise finishes the run (killed, timed out) and returns 1. */
int vm_stop_requested(struct vmlet_vm *vm);
/* The guest kernel's counters into vm->res (syscalls, by number, memory peak). */
void run_collect_stats(struct vmlet_vm *vm);
/* A forked VMM's own tick (timers are not inherited): 0 or -errno. */
int run_restart_tick(struct vmlet_vm *vm);

/* hypercall.c, ring.c, files.c */
enum exit_action hypercall_handle(struct vmlet_vm *vm);
/* A new handle (readable, not writable) for host fd, or -EMFILE (fd closed); close one (not stdio). */
int64_t handle_alloc(struct vmlet_vm *vm, int fd, enum handle_kind kind);
void handle_close(struct vmlet_vm *vm, uint64_t h);
/* process_calls.c: VMLET_HC_FORK, WAIT, PIPE, EXEC, SOCKETPAIR, KILL, LOCK_WAIT, LOCK_WAKE, FUTEX_WAIT, FUTEX_WAKE, PGID. */
int64_t hc_fork(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_wait(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_pipe(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_exec(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_socketpair(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_kill(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_lock_wait(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_lock_wake(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_futex_wait(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_futex_wake(struct vmlet_vm *vm, struct vmlet_hypercall *h);
int64_t hc_pgid(struct vmlet_vm *vm, struct vmlet_hypercall *h);
/* Fresh anonymous memory (zeros) over guest-physical [addr, addr+len) of RAM: 0 or -errno. */
int64_t anon_back(struct vmlet_vm *vm, uint64_t addr, uint64_t len);
int ring_drain(struct vmlet_vm *vm);
/* trace.c: one strace-style line ("name(args) = ret\n") for a guest's trace record, cut to size. */
void trace_format(const struct vmlet_trace *t, char *buf, size_t size);
int files_init(struct vmlet_vm *vm, const struct vmlet_config *c, struct vmlet_error *err);
void files_close_all(struct vmlet_vm *vm);
/*
 * Open guest path `path` inside a grant, read-only: an O_PATH fd when oflags has O_PATH, else a
 * readable fd of a regular file or directory; its stat in *st. *channel: the directory channel
 * the path lies in (-1: a --ro grant); *ancestor: the path is "/" or leads towards grants.
 * -errno when refused: ENOENT outside every grant or when a granted file is no longer the file
 * granted (another inode), EACCES for a path leaving its tree, a file of another kind, or
 * anything on a kernel-interface filesystem (kernelfs.h).
 */
struct stat;
int files_open(const struct vmlet_vm *vm, const char *path, uint64_t oflags, int *ancestor,
	       int *channel, struct stat *st);
/*
 * Open path on the host (root NULL), or inside host directory root as a chroot
 * would (RESOLVE_IN_ROOT; nothing on a kernel-interface filesystem): the
 * program and its interpreter. Returns the fd (O_CLOEXEC) or -errno.
 */
int files_open_in_root(const char *root, const char *path, int flags);
/*
 * The guest's name of fd, a file opened inside root (files_open_in_root): its
 * host path with the root's left off, symlinks resolved, as /proc/self/exe
 * shows it. out is left as it was when the name cannot be read.
 */
void files_guest_name(const char *root, int fd, char *out, size_t size);
/* 1 if guest path `path` lies inside a grant (whether or not it exists). */
int files_in_grant(const struct vmlet_vm *vm, const char *path);
/* The guest paths of grants and channels at or below /dev and /proc, each NUL-terminated, an
 * empty string last, into out (size bytes; paths that do not fit are left out). */
void files_synth_grants(const struct vmlet_vm *vm, char *out, size_t size);
/* The n-th name directly below virtual directory `dir` that leads to a grant; its length, 0 if none. */
size_t files_vdir_entry(const struct vmlet_vm *vm, const char *dir, size_t n, char *name, size_t size);

/* channels.c: open the declared channels at create (missing resources stop the run
 * there), find one by guest path, account a transfer against its quotas, and keep or
 * drop written files at the end. */
int channels_init(struct vmlet_vm *vm, const struct vmlet_config *c, struct vmlet_error *err);
int channel_find(const struct vmlet_vm *vm, const char *guest_path);
/* Open channel ch for the guest as a new handle (out: stat, VMLET_OPENED_* flags). */
int64_t channel_open(struct vmlet_vm *vm, int ch, uint64_t open_flags, void *st, uint64_t *opened);
/* The host fd a handle's output goes to, or -1 if it is not writable. */
int hc_out_fd(struct vmlet_vm *vm, uint32_t handle);
/* Bytes the call may move (len clamped to what the quotas allow), or -EDQUOT; at_eof: 1 if a
 * read would find end of file (then an exhausted byte quota is not hit), 0 no, -1 unknown. */
int64_t channel_admit(struct vmlet_vm *vm, int ch, int write, uint64_t len, int at_eof);
void channel_account(struct vmlet_vm *vm, int ch, int write, const void *data, uint64_t len);
/* Publish the channels' digests and quotas into vm->res; then commit the written files
 * all or nothing when keep (src/host/commit.h), else remove them. A commit that fails
 * fails the run: vm->res becomes VMLET_FAILED (exit 125) with a message naming the
 * target and the error, whatever the program did. Returns 0 or that -errno. */
int channels_finish(struct vmlet_vm *vm, int keep);
void channels_free(struct vmlet_vm *vm);

/* image.c: map the program copy-on-write from a cache of laid-out images (built on
 * first use; a change of the file's inode, size or times makes a new one). */
struct stat;
int image_map(struct vmlet_vm *vm, const struct stat *st, elf_reader reader, void *ctx,
	      const struct elf_image *img);

/* pool.c: a prepared shell of mem_bytes, or NULL if none is ready; hand a used VM to the reaper. */
struct vmlet_vm *pool_take(struct vmlet_pool *pool, uint64_t mem_bytes);
void pool_reap(struct vmlet_pool *pool, struct vmlet_vm *vm);

/* errors */
int vm_error(struct vmlet_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
