/* vmlet_abi.h - the guest/host contract: memory layout, hypercalls, shared structures (C99, no host headers). */
#ifndef VMLET_ABI_H
#define VMLET_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif


/*
 * Version of everything in this file. The host refuses a guest kernel whose
 * header carries another version.
 */
#define VMLET_ABI_VERSION 10
#define VMLET_GK_MAGIC 0x4b47544c /* "LTGK" */

/*
 * Guest memory. Guest RAM is one slot of mem_bytes at guest-physical 0.
 *  - User region: guest-virtual == guest-physical, [VMLET_USER_LO, user_hi).
 *    (Above it, the sparse region below.)
 *    The first 64 KiB are never mapped, so null dereferences fault.
 *  - Kernel area: the top VMLET_KERNEL_SIZE bytes of RAM, mapped at
 *    VMLET_KERNEL_VBASE. Its first VMLET_GK_OFFSET bytes hold the system
 *    tables (GDT, IDT, TSS, exception stack, page tables; supervisor-only);
 *    the guest kernel image (gk) is linked at VMLET_KERNEL_VBASE + VMLET_GK_OFFSET.
 */
#define VMLET_USER_LO 0x10000ull
/*
 * The sparse region: program addresses above any guest RAM, mapped page by page
 * (by the guest kernel's page tables) to frames of the user region. Hypercall
 * addresses there are translated through those tables by the host.
 */
#define VMLET_SPARSE_LO (64ull << 30)
#define VMLET_SPARSE_HI 0x7ffffffff000ull
#define VMLET_KERNEL_VBASE 0xffffffff80000000ull
#define VMLET_KERNEL_SIZE (4ull << 20)
#define VMLET_GK_OFFSET (1ull << 20)
#define VMLET_PAGE_SIZE 4096ull
/*
 * The shared region: the tmpfs mounts of a run (their nodes, directories and pages, memfds
 * too), one copy for every process of the run. Host memory mapped MAP_SHARED, so that a
 * forked VMM keeps it; a memory slot of boot.shared_bytes at guest-physical VMLET_SHARED_GPA
 * (above any guest RAM), mapped read-write with 2 MiB pages at guest-virtual VMLET_SHARED_VBASE.
 * Its first word is the lock of the processes' guest kernels (VMLET_LOCK_*); the rest is
 * theirs. The host reads nothing else in it but what hypercalls point at.
 */
#define VMLET_SHARED_GPA (64ull << 30)
#define VMLET_SHARED_VBASE 0xffffff0000000000ull
#define VMLET_SHARED_MAX (16ull << 30)
#define VMLET_LOCK_OWNER 0x3fffffffu /* the guest pid holding it; 0: free */
#define VMLET_LOCK_HOST (1u << 30)   /* the holder's VMM wants VMLET_HC_LOCK_WAKE at the release */
#define VMLET_LOCK_WAITERS (1u << 31) /* someone sleeps in VMLET_HC_LOCK_WAIT */
/* The clock page (struct vmlet_vvar): the last page of the kernel area. */
#define VMLET_VVAR_ADDR (VMLET_KERNEL_VBASE + VMLET_KERNEL_SIZE - VMLET_PAGE_SIZE)

/*
 * Guest-to-host signals are port I/O, Solo5 style:
 *  - `outb %al, $VMLET_PORT_HYPERCALL`: perform the call described by the
 *    hypercall block (struct vmlet_hypercall) at header.hypercall. The only
 *    port a guest at CPL3 may touch (TSS I/O bitmap).
 *  - `outb %al, $(VMLET_PORT_FAULT_BASE + vector)`: the CPU raised exception
 *    `vector` (0..31). Sent by the one-instruction IDT stubs. A fault of the program
 *    (not of the guest kernel) that is a signal goes to the guest kernel (struct
 *    vmlet_interrupt); any other fault ends the VM.
 * Any other exit the guest causes is fatal to that VM.
 */
#define VMLET_PORT_HYPERCALL 0xd0
#define VMLET_PORT_FAULT_BASE 0xe0
#define VMLET_FAULT_STUB_SIZE 16
#define VMLET_FAULT_VECTORS 32
/* `int $VMLET_TLB_FLUSH_VECTOR` (allowed at any CPL): the guest's TLB is flushed (CR3 reloaded at CPL0). */
#define VMLET_TLB_FLUSH_VECTOR 32
/* `int $VMLET_HC_VECTOR` (any CPL): the hypercall, for guest-kernel code the host entered at CPL3
 * (struct vmlet_interrupt), where `out` may be refused (TCG's nested SVM checks the TSS I/O bitmap
 * only for an available TSS). */
#define VMLET_HC_VECTOR 33

#ifndef __ASSEMBLER__
/*
 * Hypercall numbers. Arguments in arg[], result in ret (>= 0 or -errno).
 * "gpa" arguments are guest addresses as the guest kernel sees them: an
 * address in the user region (identity-mapped) or inside the guest kernel
 * image; the host refuses anything else with -EFAULT.
 */
enum vmlet_hc {
	VMLET_HC_EXIT = 0,     /* arg0 status, arg1 signal (0: normal exit), arg2 1: the program dies of the
				* fault the host last redirected (its fault line is printed). Never returns. */
	VMLET_HC_FLUSH = 1,    /* drain the output ring (every hypercall drains it first anyway) */
	VMLET_HC_READ = 2,     /* arg0 handle, arg1 gpa, arg2 len, arg3 offset or VMLET_OFF_NONE */
	VMLET_HC_WRITE = 3,    /* arg0 handle, arg1 gpa, arg2 len, arg3 offset or VMLET_OFF_NONE */
	VMLET_HC_OPEN = 4,     /* arg0 gpa of path, arg1 path len, arg2 VMLET_OPEN_*, arg3 gpa of struct vmlet_stat -> handle */
	VMLET_HC_CLOSE = 5,    /* arg0 handle */
	VMLET_HC_FSTAT = 6,    /* arg0 handle, arg1 gpa of struct vmlet_stat */
	VMLET_HC_STAT = 7,     /* arg0 gpa of path, arg1 len, arg2 gpa of struct vmlet_stat, arg3 nofollow */
	VMLET_HC_GETDENTS = 8, /* arg0 handle, arg1 gpa, arg2 len -> bytes of linux_dirent64 records */
	VMLET_HC_CLOCK = 9,    /* -> out0 CLOCK_MONOTONIC ns, out1 CLOCK_REALTIME ns */
	VMLET_HC_SLEEP = 10,   /* arg0 ns */
	VMLET_HC_POLL = 11,    /* arg0 handle, arg1 events (POLLIN/POLLOUT), arg2 timeout ms (-1 forever) -> revents */
	VMLET_HC_TTY = 12,     /* arg0 handle, arg1 request (VMLET_TTY_*), arg2 gpa of result */
	VMLET_HC_READLINK = 13,/* arg0 gpa of path, arg1 len, arg2 gpa buf, arg3 buf len -> length */
	VMLET_HC_SEEK = 14,    /* arg0 handle, arg1 offset, arg2 whence -> new offset (directories: rewind) */
	VMLET_HC_DISCARD = 15, /* arg0 addr, arg1 len: page-aligned heap/mmap memory back to the host; reads as zeros after */
	VMLET_HC_STATFS = 16,  /* arg0 handle, or VMLET_OFF_NONE and arg1 gpa of path, arg2 len; arg3 gpa of struct vmlet_statfs */
	VMLET_HC_TRUNCATE = 17,/* arg0 handle of a written file channel, arg1 length (a write to its quotas) */
	VMLET_HC_MMAP = 18,    /* arg0 handle, arg1 addr, arg2 len, arg3 file offset (all page-aligned): the file's
				* pages mapped copy-on-write at [addr, addr+len) of the mmap region, zeros past its
				* end -> bytes that come from the file; -ENODEV: this handle cannot be mapped (copy it) */
	VMLET_HC_FORK = 19,    /* a new process, a copy of this one -> its pid (parent) or 0 (child); out0 the
				* caller's pid, out1 its parent's; -EAGAIN at the process limit */
	VMLET_HC_WAIT = 20,    /* arg0 pid or -1 (any child), arg1 1: do not block -> the reaped child's pid
				* (0: none exited yet), out0 its Linux wait status; -ECHILD */
	VMLET_HC_PIPE = 21,    /* a host pipe -> 0, out0 the read end's handle, out1 the write end's */
	VMLET_HC_EXEC = 22,    /* execve: the old image is gone. Fresh zeros over [VMLET_USER_LO, arg0) (image,
				* heap) and [arg1, the first mmap top) (the first interpreter) -> 0, out0 that
				* mmap top; from now on VMLET_HC_MMAP and VMLET_HC_DISCARD reach the whole user
				* region below it (the guest kernel maps the new image); arg2 gva of the new
				* program's path, arg3 its length (the run's process list names it) */
	VMLET_HC_SOCKETPAIR = 23, /* arg0 SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET: a host AF_UNIX pair -> 0,
				   * out0 and out1 the two ends' handles (each read and written) */
	VMLET_HC_ALARM = 24,   /* arg0: CLOCK_MONOTONIC ns of the guest kernel's next timer, 0 none: the host
				* stops the program there (struct vmlet_interrupt's alarm_fired) */
	VMLET_HC_KILL = 25,    /* arg0 pid of another process of the run (-1: all but the caller; -N: those of
				* process group N but the caller), arg1 signal
				* (0: does it exist) -> 0, -ESRCH; it reaches that process's guest kernel as a
				* signal from outside */
	VMLET_HC_LOCK_WAIT = 26, /* arg0 the lock word as the caller saw it (VMLET_LOCK_WAITERS set): sleep while
				  * it holds that value, until a wake or the next tick -> 0; a holder that has
				  * ended no longer holds it (the host frees it) */
	VMLET_HC_LOCK_WAKE = 27, /* the caller released the lock and saw VMLET_LOCK_WAITERS or VMLET_LOCK_HOST:
				  * one sleeper wakes; the host does what it waited for */
	VMLET_HC_FUTEX_WAIT = 28, /* arg0 gva of a 4-byte word in a shared mapping (one the shared region backs),
				   * arg1 the value expected there, arg2 CLOCK_MONOTONIC deadline ns (0: none),
				   * arg3 bitset: sleep until a wake that matches -> 0, -EAGAIN (the word
				   * differs), -ETIMEDOUT, -EINTR (a signal is due) */
	VMLET_HC_FUTEX_WAKE = 29, /* arg0 gva of such a word, arg1 how many, arg2 bitset -> sleepers woken, in
				   * every process of the run */
	VMLET_HC_PGID = 30,    /* process groups and sessions: arg0 VMLET_PGID_*, arg1 pid (0: the caller), arg2 pgid
				* (SET; 0: pid itself) -> the group or session id (GET, GETSID, SETSID) or 0 (SET);
				* -ESRCH, -EPERM as Linux */
	VMLET_HC_SHARED = 31,  /* before the guest kernel first touches the shared region: the host gives it
				* memory -> 0 (a failure ends the run) */
	VMLET_HC_COUNT
};
#define VMLET_PGID_GET 0u
#define VMLET_PGID_GETSID 1u
#define VMLET_PGID_SET 2u
#define VMLET_PGID_SETSID 3u

#define VMLET_OFF_NONE UINT64_MAX
#define VMLET_FIRST_PID 2 /* the guest pid of a run's first process; its parent's is one less */
#define VMLET_OPEN_DIRECTORY 1u /* O_DIRECTORY: fail with ENOTDIR unless a directory */
#define VMLET_OPEN_NOFOLLOW 2u  /* O_NOFOLLOW: fail with ELOOP on a final symlink */
#define VMLET_OPEN_WRITE 4u     /* write access or O_CREAT was asked for */
#define VMLET_OPEN_READ 8u      /* read access was asked for */
/* What the host says of an opened handle, in out[0]: */
#define VMLET_OPENED_SEQUENTIAL 1u /* a stream: the program may not seek or use positioned I/O */
#define VMLET_OPENED_EXACT 2u      /* quotas count each call: no read-ahead, no batched writes */
#define VMLET_OPENED_APPEND 4u     /* writes go to the end */
#define VMLET_TTY_TCGETS 1u     /* result: struct termios (kernel layout, 36 bytes) */
#define VMLET_TTY_TIOCGWINSZ 2u /* result: struct winsize (8 bytes) */

/*
 * Handles 0, 1, 2 are the host's stdin, stdout and stderr; others come from
 * VMLET_HC_OPEN. Closing costs no exit: the guest sets the handle's bit in
 * close_mask and the host closes those handles before the next call.
 */
#define VMLET_HANDLE_MAX 64u

struct vmlet_hypercall {
	uint64_t nr;
	uint64_t close_mask;
	uint64_t arg[6];
	int64_t ret;
	uint64_t out[2];
};

/* Stat result in the Linux x86-64 `struct stat` layout (144 bytes). */
struct vmlet_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	int64_t reserved[3];
};

/* statfs result in the Linux x86-64 `struct statfs` layout (120 bytes); flags has ST_RDONLY for read-only trees. */
struct vmlet_statfs {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};

/*
 * Output ring: the guest appends records, the host consumes them whenever the
 * VM exits (any hypercall, a timer tick, the end of the run). Each record is a
 * struct vmlet_record followed by len bytes, padded to 8; a record never wraps:
 * the guest writes a VMLET_CHAN_PAD record to skip the ring's tail. head and
 * tail are byte counts that only grow; the guest writes head, the host tail.
 * Records keep writes to stdout, stderr and trace in program order.
 */
#define VMLET_RING_SIZE (1u << 20)
#define VMLET_CHAN_PAD 0xffffffffu
#define VMLET_CHAN_TRACE 0xfffffffeu /* payload: struct vmlet_trace */

struct vmlet_record {
	uint32_t chan; /* handle, VMLET_CHAN_PAD or VMLET_CHAN_TRACE */
	uint32_t len;
};

struct vmlet_ring {
	volatile uint64_t head;
	volatile uint64_t tail;
	uint8_t data[VMLET_RING_SIZE];
};

#define VMLET_TRACE_NORETURN INT64_MIN /* ret of a call that does not return (exit) */
#define VMLET_TRACE_STR 64 /* bytes kept of a string argument, its NUL included */
struct vmlet_trace {
	uint64_t nr;
	uint64_t arg[6];
	int64_t ret;
	/* What each argument pointed to when the call began (the call, or the program
	 * before the host drains the record, may change it): bit i of has_str says
	 * str[i] holds a NUL-terminated string read at arg[i]; bit 8 + i, that it was cut
	 * at VMLET_TRACE_STR - 1 bytes. The host shows str[i] for string arguments. */
	uint32_t has_str;
	uint32_t pad;
	char str[6][VMLET_TRACE_STR];
};

/* Per-stdio facts the guest kernel answers fstat/ioctl from without an exit. */
#define VMLET_STDIO_TTY 1u
#define VMLET_STDIO_EXACT 2u /* quotas count each call: no read-ahead, no batched writes */
struct vmlet_stdio_info {
	uint32_t mode;   /* st_mode of the host fd */
	uint32_t flags;  /* VMLET_STDIO_* */
	uint32_t oflags; /* F_GETFL of the host fd */
	uint32_t pad;
	int64_t size;    /* st_size for a regular file */
	int64_t offset;  /* file offset at start for a regular file */
};

#define VMLET_BOOT_TRACE 1u
#define VMLET_BOOT_DETERMINISTIC 2u /* virtual clock from epoch_ns; no TSC reads */
#define VMLET_BOOT_FORKS 4u /* the program may fork (VMLET_HC_FORK): stdin is read as asked, never ahead */
#define VMLET_EXE_MAX 256u
#define VMLET_SYSCALL_MAX 512u

/* A tmpfs the guest kernel serves from guest memory: paths at or under path (normalized, absolute). */
#define VMLET_TMPFS_MAX 9u /* the 8 a config may give, and /dev/shm by default with a root */
#define VMLET_TMPFS_PATH_MAX 256u
struct vmlet_tmpfs {
	uint64_t size; /* bytes of guest memory its pages may take (a multiple of the page size) */
	char path[VMLET_TMPFS_PATH_MAX];
};

#define VMLET_SYNTH_GRANTS_MAX 1024u

/* Written by the host before the first instruction; read-only for the guest kernel. */
struct vmlet_boot {
	uint64_t mem_bytes;
	uint64_t user_hi;   /* end of the user region; the stack ends here */
	uint64_t stack_lo;  /* lowest address of the stack reservation */
	uint64_t mmap_top;  /* mmap allocates top-down below this */
	uint64_t brk_start; /* page-aligned end of the program image */
	uint64_t tsc_khz;   /* guest TSC frequency; 0 if unknown */
	uint32_t flags;     /* VMLET_BOOT_* */
	uint32_t pad;
	int64_t epoch_ns;   /* VMLET_BOOT_DETERMINISTIC: CLOCK_REALTIME at the first instruction */
	uint8_t seed[32];   /* seeds the guest's getrandom generator */
	struct vmlet_stdio_info stdio[3];
	char exe[VMLET_EXE_MAX]; /* readlink("/proc/self/exe") */
	uint32_t ntmpfs;
	uint32_t pad2;
	struct vmlet_tmpfs tmpfs[VMLET_TMPFS_MAX];
	/* Page tables, which the guest kernel maintains from here on (guest-physical addresses;
	 * the kernel area at kbase is mapped at VMLET_KERNEL_VBASE). Every table lies in
	 * [pt_area_lo, pt_area_hi), mapped read-write for the guest kernel at any CPL; the
	 * pages from pt_free_lo up are unused. */
	uint64_t kbase;
	uint64_t pt_root;
	uint64_t pt_area_lo, pt_free_lo, pt_area_hi;
	uint32_t uid, gid; /* the program's user and group ids (real, effective, saved) at start */
	uint64_t start_rsp; /* the program's first stack pointer: argc, argv, envp (/proc/self/cmdline) */
	/* Guest paths at or below /dev and /proc that a grant or channel serves, each NUL-terminated,
	 * an empty string last: there the host answers instead of the guest kernel's synthetic files. */
	char synth_grants[VMLET_SYNTH_GRANTS_MAX];
	uint64_t shared_bytes; /* of the shared region at VMLET_SHARED_VBASE */
};

/*
 * The clock page (at VMLET_VVAR_ADDR, readable by the program): the guest kernel's
 * TSC calibration, which the vDSO uses to answer clock_gettime without a syscall.
 * ready is set once calibrated; deterministic runs leave it 0 (the vDSO then makes
 * the system call, which keeps the virtual clock's rule).
 */
struct vmlet_vvar {
	volatile uint64_t ready;
	uint64_t tsc0, mult;  /* ns = base + ((tsc - tsc0) * mult) >> 32 */
	uint64_t mono0, real0;
};

/*
 * The host's way into the guest kernel between two instructions of the program: it
 * writes this record at header.interrupt and sets the vCPU to header.interrupt_entry
 * at CPL3 (user segments) with every register of the program but rip, rsp and rflags,
 * which are here. signo != 0: the program's instruction at rip faulted (Linux's siginfo
 * and sigcontext values); the guest kernel delivers the signal or exits with
 * VMLET_HC_EXIT arg2 1. signo 0: something below is due.
 * host_pending and alarm_fired are also written while the guest kernel runs or waits in
 * a hypercall (which then returns -EINTR); the guest kernel takes and clears them.
 */
struct vmlet_interrupt {
	uint64_t rip, rsp, rflags;
	uint32_t signo;
	int32_t code;           /* si_code */
	uint64_t addr;          /* si_addr */
	uint64_t trapno, error, cr2; /* sigcontext's */
	uint64_t host_pending;  /* signals sent to vmlet for the program (bit sig - 1) */
	uint64_t alarm_fired;   /* the VMLET_HC_ALARM deadline that passed, 0 none */
	uint32_t child_reaping; /* the guest kernel's: SIGCHLD is ignored or has SA_NOCLDWAIT, so the host
				 * reaps this process's ended children itself (no zombies, as Linux) */
	uint32_t pad;
};

/* Guest-kernel counters the host reads at the end of a run. */
struct vmlet_stats {
	uint64_t syscalls;
	uint64_t unsupported;
	uint64_t brk_peak;      /* highest program break */
	uint64_t mmap_bytes_peak;
	uint32_t by_nr[VMLET_SYSCALL_MAX];
};

/*
 * The guest kernel image starts with this header. Addresses are guest-virtual.
 * [image start, text_end) is mapped read+execute, [text_end, bss_end) read+write.
 */
struct vmlet_gk_header {
	uint32_t magic;
	uint32_t abi_version;
	uint64_t syscall_entry; /* LSTAR */
	uint64_t fault_stubs;   /* VMLET_FAULT_VECTORS stubs of VMLET_FAULT_STUB_SIZE bytes */
	uint64_t boot;          /* struct vmlet_boot */
	uint64_t hypercall;     /* struct vmlet_hypercall */
	uint64_t ring;          /* struct vmlet_ring */
	uint64_t stats;         /* struct vmlet_stats */
	uint64_t text_end;
	uint64_t bss_end;
	uint64_t vdso;          /* the vDSO image (AT_SYSINFO_EHDR), inside the text */
	uint64_t tlb_flush;     /* handler of VMLET_TLB_FLUSH_VECTOR */
	uint64_t interrupt_entry; /* where the host enters the guest kernel at CPL3 (struct vmlet_interrupt) */
	uint64_t interrupt;     /* struct vmlet_interrupt */
	uint64_t hc_gate;       /* handler of VMLET_HC_VECTOR */
};

#endif /* __ASSEMBLER__ */

#endif
