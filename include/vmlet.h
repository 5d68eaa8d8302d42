/* vmlet.h - embedding API: create, run and destroy a KVM micro-VM running a static Linux executable. */
#ifndef VMLET_H
#define VMLET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Errors are values: every call returns 0 (or a count) on success and a
 * negative errno on failure, and fills a struct vmlet_error with a one-line
 * message when one is passed. Nothing here exits the process or prints.
 * Distinct VMs may be used concurrently from distinct threads; one VM is used
 * by one thread at a time.
 *
 * Error codes a caller can act on:
 *   -ENOENT    the program file does not exist
 *   -ENOEXEC   the file is not a runnable static x86-64 ELF (message says why)
 *   -EACCES    the file cannot be read
 *   -E2BIG     arguments and environment do not fit the guest stack
 *   -ENODEV    /dev/kvm is missing or unusable
 *   -EINVAL    a bad configuration value
 *   others     host resource failures (ENOMEM, EMFILE, ...)
 * The process must not receive SIGPIPE on writes to a closed stdout: the
 * library expects the caller to ignore SIGPIPE (the CLI does).
 */

/* Room for the longest message with two paths of PATH_MAX (4096) bytes in it: never cut. */
#define VMLET_MESSAGE_MAX (2 * 4096 + 256)

struct vmlet_error {
	int code;          /* negative errno, 0 if none */
	int program;       /* 1 if it concerns the program file (missing, not runnable) */
	char message[VMLET_MESSAGE_MAX]; /* one line, no trailing newline */
};

/* A read-only grant of a host file or directory tree to the guest. */
struct vmlet_grant {
	const char *host_path;
	const char *guest_path; /* absolute; defaults to host_path when NULL */
};

/*
 * A channel binds a guest path to a host resource (ZeroVM's model): nothing
 * else of the host can be opened. Quotas are enforced by the host; past one,
 * the call fails with EDQUOT and the result says which quota ran out.
 * Written files are transactional: the guest writes a temporary file beside
 * the target, renamed over it only when the run commits (see commit).
 */
enum vmlet_channel_type {
	VMLET_CHANNEL_FILE = 1,  /* a regular file */
	VMLET_CHANNEL_DIRECTORY, /* a read-only tree (like a grant) */
	VMLET_CHANNEL_FIFO,      /* a named pipe, opened at create without waiting: reads wait for data,
				  * writes can start before the peer opens (up to the pipe's buffer) */
	VMLET_CHANNEL_CHARDEV,   /* a character device */
	VMLET_CHANNEL_SOCKET,    /* a UNIX stream socket, connected at create */
};

enum vmlet_channel_mode {
	VMLET_CHANNEL_READ = 1,
	VMLET_CHANNEL_WRITE,      /* a file starts empty */
	VMLET_CHANNEL_APPEND,     /* a file keeps its contents; writes go to its end */
	VMLET_CHANNEL_READ_WRITE, /* a file keeps its contents */
};

#define VMLET_UNLIMITED UINT64_MAX
#define VMLET_MAX_WRITTEN_FILES 64 /* file channels in a write mode, per run */

struct vmlet_limits {
	uint64_t reads, read_bytes, writes, write_bytes; /* VMLET_UNLIMITED when not limited */
};

struct vmlet_channel {
	const char *guest_path;   /* absolute */
	const char *host_path;
	enum vmlet_channel_type type;
	enum vmlet_channel_mode mode;
	int random_access;        /* 0: sequential (seeks and positioned I/O fail with ESPIPE) */
	struct vmlet_limits limits;
};

enum vmlet_commit {
	VMLET_COMMIT_SUCCESS = 0, /* keep written files only if the program exits 0, no quota ran out */
	VMLET_COMMIT_ALWAYS,      /* keep them unless the run FAILED (vmlet_vm_kill, a broken protocol);
				   * a vmlet killed by a signal keeps none */
};

/* Determinism: the same inputs give the same outputs (see docs/DETERMINISM.md). */
struct vmlet_determinism {
	int enabled;
	int64_t epoch;            /* the guest's CLOCK_REALTIME starts here (seconds since 1970) */
	uint8_t seed[32];         /* getrandom, /dev/urandom and AT_RANDOM derive from this */
};

/* An in-memory filesystem at path inside the guest (see docs/ARCHITECTURE.md, "tmpfs"). */
#define VMLET_MAX_TMPFS 8
struct vmlet_tmpfs_mount {
	const char *path; /* absolute, normalized, not "/" */
	uint64_t size;    /* bytes; 0: half of the guest memory, as Linux's default */
};

#define VMLET_TRACE 1u   /* write each guest syscall, strace-like, to trace_fd */
#define VMLET_DIGESTS 2u /* compute SHA-256 etags of every channel's data (for reports) */

struct vmlet_config {
	const char *path;          /* program to run (host path; with root, a path inside the root) */
	const char *root;          /* host directory that is the guest's "/", read-only, resolved like a
				    * chroot (grants and channels lie on top of it); NULL: none */
	const char *const *argv;   /* NULL-terminated; argv[0] defaults to path */
	const char *const *envp;   /* NULL-terminated; NULL means empty */
	uint64_t mem_bytes;        /* guest RAM; 0 means VMLET_DEFAULT_MEM */
	uint64_t timeout_ns;       /* wall-clock limit of vmlet_vm_run; 0: none */
	int stdin_fd, stdout_fd, stderr_fd; /* host fds for the guest's stdio */
	const struct vmlet_grant *grants;
	size_t ngrants;
	unsigned flags;            /* VMLET_TRACE */
	int trace_fd;              /* where VMLET_TRACE lines go */
	struct vmlet_pool *pool;   /* take a prepared shell from here; NULL: create cold */
	const struct vmlet_channel *channels;
	size_t nchannels;
	struct vmlet_limits stdio_limits[3]; /* quotas of stdin, stdout, stderr */
	enum vmlet_commit commit;
	struct vmlet_determinism determinism;
	const struct vmlet_tmpfs_mount *tmpfs; /* counted against mem_bytes as its files grow */
	size_t ntmpfs;
	uint32_t uid, gid;         /* the program's user and group ids, 0..VMLET_MAX_ID (default 0, root) */
	uint32_t max_procs;        /* guest processes at once, the first included, 1..VMLET_MAX_PROCS;
				    * 0: VMLET_DEFAULT_PROCS. 1: fork fails (EAGAIN) and the process keeps
				    * the single-VM seccomp filter. Each process is a VMM forked from its
				    * parent's (docs/ARCHITECTURE.md, "Processes"). */
};

#define VMLET_DEFAULT_PROCS 64u
#define VMLET_MAX_PROCS 4096u

#define VMLET_MAX_ID 4294967294u /* (uid_t)-1 is no id */

#define VMLET_DEFAULT_MEM (256ull << 20)
#define VMLET_MIN_MEM (16ull << 20)
#define VMLET_MAX_MEM (64ull << 30)

/* Fill a config with defaults: stdio 0/1/2, default memory, no timeout. */
void vmlet_config_init(struct vmlet_config *config);

/*
 * Check a config as vmlet_vm_create and vmlet_vm_reuse do first, without
 * touching the host or KVM: a program is named; mem_bytes is 0 (the default)
 * or passes vmlet_mem_check; the commit policy is known; each channel has an
 * absolute guest path, a host path, a known type and mode (a directory:
 * mode read) and a guest path of its own; at most VMLET_MAX_WRITTEN_FILES
 * file channels write. Front-ends call it to refuse a config exactly as a run
 * would (`vmlet check`). Returns 0 or -EINVAL with the message.
 */
int vmlet_config_check(const struct vmlet_config *config, struct vmlet_error *err);

/*
 * 1 if a run of this config gets a tmpfs at /dev/shm of the default size (half of the memory), as
 * POSIX shared memory and semaphores need: it has a root, and no tmpfs, grant or channel of its
 * own at or under /dev/shm (nor a tmpfs above it).
 */
int vmlet_config_dev_shm(const struct vmlet_config *config);

/*
 * A guest memory size as a user gives it: VMLET_MIN_MEM..VMLET_MAX_MEM bytes
 * (0 is refused: only a config's mem_bytes uses 0 for the default). Returns 0
 * or -EINVAL with "guest memory must be between 16M and 64G, got 15M".
 */
int vmlet_mem_check(uint64_t mem_bytes, struct vmlet_error *err);

enum vmlet_outcome {
	VMLET_EXITED = 1, /* the program exited; status holds its code */
	VMLET_SIGNALED,   /* the program died of a signal (fault, abort, SIGPIPE) */
	VMLET_TIMEOUT,    /* the wall-clock limit ran out */
	VMLET_FAILED,     /* vmlet failed, or the guest broke the hypercall protocol */
};

/* What happened on one channel (stdio first, then config.channels in order). */
struct vmlet_channel_stats {
	uint64_t reads, read_bytes, writes, write_bytes;
	uint8_t read_sha256[32], write_sha256[32]; /* digests of the bytes moved each way (VMLET_DIGESTS) */
	unsigned quota_hit;  /* VMLET_QUOTA_* bits of the quotas that ran out */
};
#define VMLET_QUOTA_READS 1u
#define VMLET_QUOTA_READ_BYTES 2u
#define VMLET_QUOTA_WRITES 4u
#define VMLET_QUOTA_WRITE_BYTES 8u

/* Time spent in each phase of a VM's life, in nanoseconds. */
struct vmlet_phases {
	uint64_t create_vm, create_vcpu, memory, load, run, destroy;
};

/* One guest process of a run, as it ended: its own counters (not its children's). */
#define VMLET_PROCESS_LIST_MAX 256u
#define VMLET_PROGRAM_MAX 64u
struct vmlet_process_summary {
	int pid, ppid;            /* guest pids */
	int exit_code;            /* status, or 128 + the signal it died of */
	uint64_t exits, hypercalls, syscalls;
	char program[VMLET_PROGRAM_MAX]; /* the last program it ran (a path, cut to fit; printable) */
};

struct vmlet_result {
	enum vmlet_outcome outcome;
	int status;               /* exit status (EXITED) */
	int signal;               /* signal number (SIGNALED) */
	int exit_code;            /* shell convention: status, 128+signal, 124 timeout, 125 failure */
	char message[VMLET_MESSAGE_MAX]; /* why it ended, for SIGNALED/TIMEOUT/FAILED; else empty */
	uint64_t exits;           /* returns from KVM_RUN */
	uint64_t hypercalls;
	uint64_t syscalls;        /* served by the guest kernel */
	uint64_t unsupported;     /* syscalls answered ENOSYS */
	uint64_t processes;       /* guest processes the run had, itself included (exits, hypercalls,
				   * syscalls and unsupported count those its processes waited for) */
	uint64_t mem_peak;        /* highest guest memory in use by the program, bytes */
	struct vmlet_phases phases;
	int committed;            /* written files were kept (see enum vmlet_commit) */
	unsigned quota_hit;       /* VMLET_QUOTA_* bits over all channels */
	size_t nchannels;         /* 3 + config.nchannels */
	struct vmlet_channel_stats *channels; /* owned by the VM: valid until vmlet_vm_destroy or
					       * the next vmlet_vm_reuse */
	const struct vmlet_process_summary *process_list; /* the run's guest processes that ended,
					       * the first first, then in the order they ended (at most
					       * VMLET_PROCESS_LIST_MAX); owned by the VM like channels */
	size_t nprocess_list;
	uint32_t syscall_counts[512]; /* guest system calls by number */
};

struct vmlet_vm;
struct vmlet_pool;

/*
 * A pool of prepared VM shells (LightVM's split toolstack). A background
 * worker keeps `shells` VMs of `mem_bytes` ready (KVM VM, vCPU, memory, guest
 * kernel, page tables) and destroys the VMs that vmlet_vm_destroy hands back.
 * vmlet_vm_create with config.pool set takes a ready shell, or prepares one on
 * the spot when none is ready: it never fails or waits for lack of shells.
 * A shell runs one program: vmlet_vm_destroy hands it back to be destroyed,
 * never reused (vmlet_vm_reuse is the explicit, caller-chosen exception).
 * At most `shells` used VMs wait for the worker; past that, vmlet_vm_destroy
 * destroys the VM on the caller's thread (back-pressure). So VMs alive, with
 * their fds, KVM threads and memory, stay below 2 x shells + the VMs in use
 * + one the worker is preparing.
 */
struct vmlet_pool_config {
	unsigned shells;    /* how many to keep ready (default 4) */
	uint64_t mem_bytes; /* guest RAM of each shell (default VMLET_DEFAULT_MEM) */
};

struct vmlet_pool_stats {
	uint64_t prepared; /* shells the worker made */
	uint64_t taken;    /* creates served from the pool */
	uint64_t missed;   /* creates that found no ready shell and prepared one cold */
	uint64_t reaped;   /* used VMs the worker destroyed */
	uint64_t reaped_inline; /* used VMs their caller destroyed: the worker was behind */
	unsigned ready;    /* shells ready now */
	unsigned reaping;  /* used VMs waiting for the worker: never more than the pool's shells */
};

int vmlet_pool_create(const struct vmlet_pool_config *config, struct vmlet_pool **pool,
		      struct vmlet_error *err);
void vmlet_pool_stats(struct vmlet_pool *pool, struct vmlet_pool_stats *stats);
/* Stop the worker and free everything; VMs taken from the pool must be destroyed first. */
void vmlet_pool_destroy(struct vmlet_pool *pool);

/*
 * Create a VM, load config->path into it and prepare its first instruction.
 * The config's strings are copied; the caller may free them after return.
 */
int vmlet_vm_create(const struct vmlet_config *config, struct vmlet_vm **vm,
		    struct vmlet_error *err);

/* Run the VM to completion. A VM runs once. Returns 0 and fills result, or -errno. */
int vmlet_vm_run(struct vmlet_vm *vm, struct vmlet_result *result, struct vmlet_error *err);

/*
 * Reset instead of recreate: return a VM that has run to the state of a newly
 * prepared shell and load c's program into it, ready for vmlet_vm_run. What is
 * restored: all guest memory (fresh zeroed pages; KVM's shadow page tables are
 * dropped), the guest kernel and its tables, general, segment and control
 * registers, every MSR KVM saves (to a new vCPU's values), FPU/SSE/AVX state,
 * debug registers and pending events; host file handles are closed and the
 * random seed and AT_RANDOM are drawn anew. Not restored: the guest TSC keeps
 * counting. c->mem_bytes must be 0 or the VM's size. On failure the VM can only
 * be destroyed.
 */
int vmlet_vm_reuse(struct vmlet_vm *vm, const struct vmlet_config *c, struct vmlet_error *err);

/*
 * Validate a program as vmlet_vm_create would, without creating a VM: it exists
 * (on the host, or inside root when root is not NULL), is an x86-64 ELF whose
 * interpreter, if it names one, is found inside root, and fits in mem_bytes of
 * guest RAM (0: the default).
 * Returns 0 or the error vmlet_vm_create would return, with its message.
 */
int vmlet_program_check(const char *path, const char *root, uint64_t mem_bytes, struct vmlet_error *err);

/* Ask a running VM to stop from another thread; vmlet_vm_run then reports VMLET_FAILED. */
void vmlet_vm_kill(struct vmlet_vm *vm);

/*
 * Send signal sig (1..64) to the program, from another thread or a signal handler
 * (async-signal-safe): it runs its handler, ignores it, or dies of it (VMLET_SIGNALED)
 * as a Linux process would. A signal sent before the run starts waits for it.
 */
void vmlet_vm_signal(struct vmlet_vm *vm, int sig);

/* Release everything the VM holds. Accepts NULL. */
void vmlet_vm_destroy(struct vmlet_vm *vm);

/*
 * Only for a process about to exit: hand the VM's teardown (hundreds of us of
 * KVM work) to a detached process sharing this address space, and return at
 * once. The guest memory stays mapped until the calling process exits (the
 * reaper shares its address space); do not use the VM again. Falls back to vmlet_vm_destroy when no process can be started, and
 * when VMLET_NO_REAPER is set in the environment (valgrind cannot follow it).
 */
int vmlet_vm_destroy_detached(struct vmlet_vm *vm);

/* vmlet_vm_destroy, recording the time it took in result->phases.destroy. */
void vmlet_vm_destroy_timed(struct vmlet_vm *vm, struct vmlet_result *result);

/* Host fds a VM uses while it runs, for callers that confine themselves (seccomp).
 * With vm NULL only kvm_fd is filled. */
struct vmlet_host_fds {
	int kvm_fd, vm_fd, vcpu_fd;
	int stdio[3];
	int trace_fd;
	int commit_dirs[VMLET_MAX_WRITTEN_FILES]; /* where written files are renamed at the end */
	int ncommit_dirs;
	int max_procs;  /* the run's process limit (vmlet_config.max_procs): above 1, its VMM may fork */
};

/*
 * Recover directory `dir` from runs that died (SIGKILL, a host crash) before their
 * commit ended: a commit that had been decided is finished, any other is rolled back
 * (docs/MANIFEST.md, "Commit"); then their temporary files, backups and journals are
 * removed. Runs still alive are left alone. Returns 0, or -errno (counts, which may
 * be NULL, are still filled; a commit that could not be finished keeps its files for
 * the next try).
 */
struct vmlet_gc_counts {
	int removed;      /* files removed */
	int finished;     /* decided commits completed */
	int rolled_back;  /* undecided commits undone */
};
int vmlet_collect_garbage(const char *dir, struct vmlet_gc_counts *counts);
void vmlet_vm_host_fds(const struct vmlet_vm *vm, struct vmlet_host_fds *fds);

/*
 * The i-th host tree or file the guest may read (a --ro grant or a directory
 * channel), for callers that confine themselves (Landlock): its O_PATH
 * directory and, for a single granted file, that file's name in it (NULL for
 * the whole tree). Returns 0, or -ENOENT past the last.
 */
int vmlet_vm_read_root(const struct vmlet_vm *vm, size_t i, int *dirfd, const char **name);

/* Name of a guest syscall number, or NULL. */
const char *vmlet_syscall_name(unsigned nr);

#endif
