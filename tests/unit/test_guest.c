/*
 * test_guest.c - the guest kernel's system calls, run in this process without KVM: the guest kernel
 * is built as ordinary code (Makefile: gk-hosted.o, symbols prefixed gk_), each call enters it as
 * entry.S would (gk_syscall with a register frame), and each hypercall goes straight to the host's
 * own handler (hypercall_handle) on a struct vmlet_vm whose guest memory is this process's address
 * space. Guest and host code are the real ones; only the VM boundary is a function call.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/vm_internal.h"

/* The guest kernel's symbols, as the hosted build names them. */
struct gk_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rdx, rsi, rdi, rcx, rax, rsp;
};
int gk_gk_syscall(struct gk_frame *f);
extern struct vmlet_boot gk_gk_boot;
extern struct vmlet_ring gk_gk_ring;
extern struct vmlet_stats gk_gk_stats;
extern uint64_t gk_gk_shared_vbase;

/* What guest/arch/hypercall.c is in a VM: the block, one exit, the answer. */
struct vmlet_hypercall gk_gk_hypercall;
static struct vmlet_vm *vm;
static jmp_buf exited;

long gk_hc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
long gk_hc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	gk_gk_hypercall.nr = nr;
	gk_gk_hypercall.arg[0] = a0;
	gk_gk_hypercall.arg[1] = a1;
	gk_gk_hypercall.arg[2] = a2;
	gk_gk_hypercall.arg[3] = a3;
	if (hypercall_handle(vm) != EXIT_CONTINUE)
		longjmp(exited, 1);
	return gk_gk_hypercall.ret;
}

_Noreturn void gk_gk_exit(int status, int signal);
_Noreturn void gk_gk_exit(int status, int signal)
{
	gk_hc(VMLET_HC_EXIT, (uint64_t)status & 0xff, (uint64_t)signal, 0, 0);
	longjmp(exited, 1);
}

static char tree[64];
#define HEAP_SIZE (64ull << 20)
#define SHARED_SIZE (512ull << 20)

/* A VM whose "guest memory" is this process (base 0, the whole user half), with tree granted read-only. */
static int build_vm(void **state)
{
	struct vmlet_grant grant = { .host_path = tree, .guest_path = tree };
	static char db[96];
	struct vmlet_channel channel = { .guest_path = "/out/db", .host_path = db, .type = VMLET_CHANNEL_FILE,
					 .mode = VMLET_CHANNEL_READ_WRITE, .random_access = 1,
					 .limits = { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED } };
	struct vmlet_config c;
	struct vmlet_error err;
	unsigned i;

	(void)state;
	strcpy(tree, "/tmp/vmlet-guest-XXXXXX");
	assert_non_null(mkdtemp(tree));
	{
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "cd %s && mkdir sub out && echo data > file && ln -s file link && "
			 "ln -s nowhere dangling && head -c 8192 /dev/zero > out/db", tree);
		assert_int_equal(system(cmd), 0);
	}
	vm = vm_new();
	assert_non_null(vm);
	vm->stdio[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	vm->stdio[1] = vm->stdio[2] = open("/dev/null", O_WRONLY | O_CLOEXEC);
	vm->trace_fd = -1;
	vm->mem.host = NULL;
	vm->mem.size = vm->user_hi = vm->stack_lo = 1ull << 47;
	vm->kbase = vm->mem.size - VMLET_KERNEL_SIZE;
	vm->gk.hypercall = (uint64_t)&gk_gk_hypercall;
	vm->gk.ring = (uint64_t)&gk_gk_ring;
	vm->gk.boot = (uint64_t)&gk_gk_boot;
	vm->gk.stats = (uint64_t)&gk_gk_stats;
	vmlet_config_init(&c);
	c.grants = &grant;
	c.ngrants = 1;
	snprintf(db, sizeof(db), "%s/out/db", tree);
	c.channels = &channel;
	c.nchannels = 1;
	if (files_init(vm, &c, &err)) /* grants and channels */
		fail_msg("files_init: %s", err.message);
	memset(&gk_gk_boot, 0, sizeof(gk_gk_boot));
	gk_gk_boot.mem_bytes = 256ull << 20;
	gk_gk_boot.user_hi = gk_gk_boot.stack_lo = vm->user_hi;
	/* Program memory for mmap, where the tmpfs pages come from: one region for the whole process. */
	static uint8_t *heap;
	if (!heap)
		heap = mmap(NULL, HEAP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(heap != MAP_FAILED);
	gk_gk_boot.brk_start = (uint64_t)heap;
	gk_gk_boot.mmap_top = (uint64_t)heap + HEAP_SIZE;
	/* The shared region (the tmpfs): one for the whole process too, as the host would give it. */
	static uint8_t *shared;
	if (!shared)
		shared = mmap(NULL, SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(shared != MAP_FAILED);
	gk_gk_shared_vbase = (uint64_t)shared;
	gk_gk_boot.shared_bytes = SHARED_SIZE;
	vm->shared.host = shared;
	vm->shared.size = SHARED_SIZE;
	vm->shared.slotted = 1; /* (no KVM VM: this process is the guest) */
	gk_gk_boot.ntmpfs = 2;
	gk_gk_boot.tmpfs[0].size = 16ull << 20;
	strcpy(gk_gk_boot.tmpfs[0].path, "/scratch");
	gk_gk_boot.tmpfs[1].size = 64ull << 10;
	strcpy(gk_gk_boot.tmpfs[1].path, "/small");
	for (i = 0; i < 3; i++)
		gk_gk_boot.stdio[i].mode = S_IFCHR | 0666;
	return 0;
}

static int free_vm(void **state)
{
	char cmd[128];

	(void)state;
	files_close_all(vm);
	close(vm->stdio[0]);
	close(vm->stdio[1]);
	free(vm);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tree);
	return system(cmd) == 0 ? 0 : -1;
}

/* One system call as the program would make it: the result, or -errno. */
static long sys(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct gk_frame f = { .rax = (uint64_t)nr, .rdi = a0, .rsi = a1, .rdx = a2, .r10 = a3, .r8 = a4, .r9 = a5 };

	gk_gk_syscall(&f);
	return (long)f.rax;
}

#define SYS(nr, ...) sys(nr, __VA_ARGS__)
#define P(name) ((uint64_t)in_tree(name))

static const char *in_tree(const char *name)
{
	static char buf[8][128];
	static unsigned next;
	char *b = buf[next++ % 8];

	snprintf(b, sizeof(buf[0]), "%s/%s", tree, name);
	return b;
}

/* The answers Linux gives on a read-only mount (tests/progs/fsops.c checks them natively too). */
static void tree_changes_answer_as_a_read_only_mount(void **state)
{
	(void)state;
	assert_int_equal(SYS(SYS_mkdir, P("sub"), 0755, 0, 0, 0, 0), -EEXIST);
	assert_int_equal(SYS(SYS_mkdir, P("missing"), 0755, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_mkdir, P("missing/x"), 0755, 0, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_mkdir, P("file/x"), 0755, 0, 0, 0, 0), -ENOTDIR);
	assert_int_equal(SYS(SYS_mkdir, P("dangling"), 0755, 0, 0, 0, 0), -EEXIST);
	assert_int_equal(SYS(SYS_mkdir, P("sub/."), 0755, 0, 0, 0, 0), -EEXIST);
	assert_int_equal(SYS(SYS_symlink, (uint64_t)"file", P("link"), 0, 0, 0, 0), -EEXIST);
	assert_int_equal(SYS(SYS_symlink, (uint64_t)"", P("missing"), 0, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_link, P("file"), P("missing"), 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_link, P("missing"), P("file"), 0, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_unlink, P("file"), 0, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_unlink, P("missing"), 0, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_unlink, P("missing/x"), 0, 0, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_unlink, P("sub/."), 0, 0, 0, 0, 0), -EISDIR);
	assert_int_equal(SYS(SYS_unlinkat, (uint64_t)AT_FDCWD, P("file"), 0x1000, 0, 0, 0), -EINVAL);
	assert_int_equal(SYS(SYS_rmdir, P("sub"), 0, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_rmdir, P("sub/."), 0, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(SYS(SYS_rmdir, P("missing/x"), 0, 0, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_rename, P("file"), P("missing"), 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_rename, P("missing/x"), P("file"), 0, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_chmod, P("file"), 0600, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_chmod, P("missing"), 0600, 0, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_fchmodat, (uint64_t)AT_FDCWD, P("dangling"), 0600, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_lchown, P("dangling"), 0, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_utimensat, (uint64_t)AT_FDCWD, P("missing"), 0, 0, 0, 0), -ENOENT);
	assert_int_equal(SYS(SYS_truncate, P("file"), 0, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_truncate, P("sub"), 0, 0, 0, 0, 0), -EISDIR);
	assert_int_equal(SYS(SYS_truncate, P("file"), (uint64_t)-1, 0, 0, 0, 0), -EINVAL);
}

static void nofile_limit_is_kept_and_enforced(void **state)
{
	uint64_t want[2] = { 8, 8 }, got[2] = { 0, 0 };
	int n = 0;

	(void)state;
	assert_int_equal(SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, (uint64_t)want, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (uint64_t)got, 0, 0), 0);
	assert_int_equal(got[0], 8);
	assert_int_equal(got[1], 8);
	while (SYS(SYS_openat, (uint64_t)AT_FDCWD, P("file"), O_RDONLY, 0, 0, 0) >= 0)
		n++;
	assert_int_equal(n, 5); /* fds 3..7 */
	assert_int_equal(SYS(SYS_openat, (uint64_t)AT_FDCWD, P("file"), O_RDONLY, 0, 0, 0), -EMFILE);
	assert_int_equal(SYS(SYS_dup2, 0, 8, 0, 0, 0, 0), -EBADF);
	assert_int_equal(SYS(SYS_fcntl, 0, F_DUPFD, 8, 0, 0, 0), -EINVAL);
	want[0] = 16;
	assert_int_equal(SYS(SYS_setrlimit, RLIMIT_NOFILE, (uint64_t)want, 0, 0, 0, 0), -EINVAL);
	want[1] = 1u << 30;
	assert_int_equal(SYS(SYS_setrlimit, RLIMIT_NOFILE, (uint64_t)want, 0, 0, 0, 0), -EPERM);
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A CLOCK_REALTIME deadline 50 ms ahead times out after about 50 ms (it used to wait for decades:
 * the wait runs in a child that SIGALRM ends, so such a bug fails the test instead of hanging it). */
static void futex_realtime_deadline_times_out(void **state)
{
	static uint32_t word;
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	if (pid == 0) {
		uint64_t deadline = now_ns(CLOCK_REALTIME) + 50000000ull, t0 = now_ns(CLOCK_MONOTONIC), took;
		int64_t ts[2] = { (int64_t)(deadline / 1000000000ull), (int64_t)(deadline % 1000000000ull) };
		long r;

		alarm(10);
		r = SYS(SYS_futex, (uint64_t)&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 0,
			(uint64_t)ts, 0, FUTEX_BITSET_MATCH_ANY);
		took = now_ns(CLOCK_MONOTONIC) - t0;
		_exit(r == -ETIMEDOUT && took >= 40000000ull ? 0 : 1);
	}
	assert_true(pid > 0 && waitpid(pid, &status, 0) == pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(SYS(SYS_futex, (uint64_t)&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, 0, 0, 0), -ENOSYS);
}

/* pause() blocks: nothing in a single-threaded VM can end it but the run's end (here SIGALRM). */
static void pause_blocks(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	if (pid == 0) {
		alarm(1);
		SYS(SYS_pause, 0, 0, 0, 0, 0, 0);
		_exit(0); /* returned: the bug this test is for */
	}
	assert_true(pid > 0 && waitpid(pid, &status, 0) == pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM);
}

static void fsync_and_kin(void **state)
{
	(void)state;
	assert_int_equal(SYS(SYS_fsync, 1, 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_fdatasync, 1, 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_syncfs, 1, 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_fsync, 99, 0, 0, 0, 0, 0), -EBADF);
	assert_int_equal(SYS(SYS_sync, 0, 0, 0, 0, 0, 0), 0);
}

/* The same VM with its tree as the root (--root) and sub/ granted on top of it at /granted. */
static int build_root_vm(void **state)
{
	static char sub_dir[96];
	struct vmlet_grant grant = { .host_path = sub_dir, .guest_path = "/granted" };
	struct vmlet_config c;
	struct vmlet_error err;
	char cmd[256];

	build_vm(state);
	files_close_all(vm);
	snprintf(cmd, sizeof(cmd), "cd %s && ln -s /file abs && ln -s ../../../../../../etc up && "
		 "ln -s /.. top && echo inner > sub/inner", tree);
	assert_int_equal(system(cmd), 0);
	snprintf(sub_dir, sizeof(sub_dir), "%s/sub", tree);
	vmlet_config_init(&c);
	c.root = tree;
	c.grants = &grant;
	c.ngrants = 1;
	if (files_init(vm, &c, &err))
		fail_msg("files_init: %s", err.message);
	return 0;
}

static long read_file(const char *path, char *buf, size_t size)
{
	long fd = SYS(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)path, O_RDONLY, 0, 0, 0), n;

	if (fd < 0)
		return fd;
	n = SYS(SYS_read, (uint64_t)fd, (uint64_t)buf, size - 1, 0, 0, 0);
	SYS(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* --root: a chroot. Symlinks and ".." stay inside; grants lie on top; writes are EROFS. */
static void root_is_a_read_only_chroot(void **state)
{
	char buf[64];
	struct stat st;

	(void)state;
	assert_int_equal(read_file("/file", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "data\n");
	assert_int_equal(read_file("/../../file", buf, sizeof(buf)), 5); /* ".." at "/" is "/" */
	assert_int_equal(read_file("/abs", buf, sizeof(buf)), 5);        /* an absolute symlink: inside */
	assert_int_equal(read_file("/top/file", buf, sizeof(buf)), 5);   /* "/.." through a symlink */
	assert_int_equal(read_file("/up/passwd", buf, sizeof(buf)), -ENOENT); /* not the host's /etc */
	assert_int_equal(read_file("/granted/inner", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "inner\n");
	assert_int_equal(SYS(SYS_stat, (uint64_t)"/sub/inner", (uint64_t)&st, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)"/new", O_WRONLY | O_CREAT, 0644, 0, 0),
			 -EROFS);
	assert_int_equal(SYS(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)"/file", O_RDWR, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_mkdir, (uint64_t)"/newdir", 0755, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_unlink, (uint64_t)"/file", 0, 0, 0, 0, 0), -EROFS);
	assert_int_equal(SYS(SYS_getxattr, (uint64_t)"/file", (uint64_t)"user.x", (uint64_t)buf, sizeof(buf), 0, 0),
			 -ENODATA);
	assert_int_equal(SYS(SYS_lgetxattr, (uint64_t)"/missing", (uint64_t)"user.x", (uint64_t)buf, sizeof(buf), 0,
			     0), -ENOENT);
	assert_int_equal(SYS(SYS_listxattr, (uint64_t)"/file", (uint64_t)buf, sizeof(buf), 0, 0, 0), 0);
}

/* --trace: the path is the one the call saw, though the program overwrites it before the drain. */
static void trace_shows_strings_at_entry(void **state)
{
	static char path[128];
	char line[512] = "";
	int p[2];
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(p), 0);
	vm->trace_fd = p[1];
	vm->flags |= VMLET_TRACE;
	gk_gk_boot.flags |= VMLET_BOOT_TRACE;
	snprintf(path, sizeof(path), "%s/nonexistent-A", tree);
	assert_int_equal(SYS(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)path, O_RDONLY, 0, 0, 0), -ENOENT);
	memset(path, 'X', strlen(path));
	assert_int_equal(ring_drain(vm), 0);
	n = read(p[0], line, sizeof(line) - 1);
	assert_true(n > 0);
	line[n] = 0;
	assert_non_null(strstr(line, "/nonexistent-A\""));
	assert_null(strstr(line, "XXXX"));
	gk_gk_boot.flags &= ~VMLET_BOOT_TRACE;
	vm->flags &= ~VMLET_TRACE;
	vm->trace_fd = -1;
	close(p[0]);
	close(p[1]);
}

/* A written file's size is current: fstat and SEEK_END see the run's own writes (sqlite relies on it). */
static void written_file_size_is_current(void **state)
{
	static char block[100];
	struct vmlet_stat st;
	long fd;

	(void)state;
	fd = SYS(SYS_openat, (uint64_t)AT_FDCWD, (uint64_t)"/out/db", O_RDWR, 0, 0, 0);
	assert_true(fd >= 0);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)fd, 0, SEEK_END, 0, 0, 0), 8192);
	assert_int_equal(SYS(SYS_write, (uint64_t)fd, (uint64_t)block, sizeof(block), 0, 0, 0), 100);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)fd, 0, SEEK_END, 0, 0, 0), 8292);
	assert_int_equal(SYS(SYS_write, (uint64_t)fd, (uint64_t)block, sizeof(block), 0, 0, 0), 100);
	assert_int_equal(SYS(SYS_fstat, (uint64_t)fd, (uint64_t)&st, 0, 0, 0, 0), 0);
	assert_int_equal(st.size, 8392);
	/* ftruncate of a written channel is a hypercall; the size the program sees follows */
	assert_int_equal(SYS(SYS_ftruncate, (uint64_t)fd, 100, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)fd, 0, SEEK_END, 0, 0, 0), 100);
	assert_int_equal(SYS(SYS_pread64, (uint64_t)fd, (uint64_t)block, sizeof(block), 50, 0, 0), 50);
	assert_int_equal(SYS(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0), 0);
	fd = SYS(SYS_openat, (uint64_t)AT_FDCWD, P("file"), O_RDONLY, 0, 0, 0);
	assert_int_equal(SYS(SYS_ftruncate, (uint64_t)fd, 0, 0, 0, 0, 0), -EINVAL); /* a grant: read-only */
	assert_int_equal(SYS(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0), 0);
}

/* ---- tmpfs (guest/fs/tmpfs.c): "/scratch" (16M) and "/small" (64K) are mounted by build_vm ---- */

#define S(x) ((uint64_t)(x))
#define OPEN(path, flags, mode) SYS(SYS_openat, S(AT_FDCWD), S(path), (uint64_t)(flags), (uint64_t)(mode), 0, 0)
#define CLOSE(fd) SYS(SYS_close, (uint64_t)(fd), 0, 0, 0, 0, 0)
#define WRITE(fd, str) SYS(SYS_write, (uint64_t)(fd), S(str), strlen(str), 0, 0, 0)

static long stat_of(const char *path, struct vmlet_stat *st)
{
	return SYS(SYS_newfstatat, S(AT_FDCWD), S(path), S(st), AT_SYMLINK_NOFOLLOW, 0, 0);
}

static void tmpfs_files(void **state)
{
	char buf[64] = "";
	struct vmlet_stat st;
	long fd, fd2;

	(void)state;
	fd = OPEN("/scratch/f", O_RDWR | O_CREAT | O_EXCL, 0666);
	assert_true(fd >= 0);
	assert_int_equal(OPEN("/scratch/f", O_RDWR | O_CREAT | O_EXCL, 0666), -EEXIST);
	assert_int_equal(WRITE(fd, "hello world"), 11);
	assert_int_equal(SYS(SYS_pread64, (uint64_t)fd, S(buf), 5, 6, 0, 0), 5);
	assert_string_equal(buf, "world");
	assert_int_equal(SYS(SYS_pwrite64, (uint64_t)fd, S("W"), 1, 6, 0, 0), 1);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)fd, 0, SEEK_END, 0, 0, 0), 11);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)fd, 8192, SEEK_SET, 0, 0, 0), 8192);
	assert_int_equal(WRITE(fd, "x"), 1); /* a hole in between reads as zeros */
	assert_int_equal(SYS(SYS_fstat, (uint64_t)fd, S(&st), 0, 0, 0, 0), 0);
	assert_int_equal(st.size, 8193);
	assert_int_equal(st.blocks, 16); /* two pages, the hole has none */
	assert_int_equal(st.mode, S_IFREG | 0644); /* umask 022 */
	assert_int_equal(st.nlink, 1);
	assert_int_equal(SYS(SYS_pread64, (uint64_t)fd, S(buf), 4, 4096, 0, 0), 4);
	assert_memory_equal(buf, "\0\0\0\0", 4);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)fd, 0, SEEK_HOLE, 0, 0, 0), 8193);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)fd, 9000, SEEK_DATA, 0, 0, 0), -ENXIO);
	/* O_APPEND writes at the end; O_TRUNC empties */
	fd2 = OPEN("/scratch/f", O_WRONLY | O_APPEND, 0);
	assert_int_equal(WRITE(fd2, "!"), 1);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)fd, 0, SEEK_END, 0, 0, 0), 8194);
	assert_int_equal(CLOSE(fd2), 0);
	/* unlinked while open: the data lives until the last close */
	assert_int_equal(SYS(SYS_unlink, S("/scratch/f"), 0, 0, 0, 0, 0), 0);
	assert_int_equal(stat_of("/scratch/f", &st), -ENOENT);
	assert_int_equal(SYS(SYS_pread64, (uint64_t)fd, S(buf), 5, 0, 0, 0), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(SYS(SYS_fstat, (uint64_t)fd, S(&st), 0, 0, 0, 0), 0);
	assert_int_equal(st.nlink, 0);
	assert_int_equal(CLOSE(fd), 0);
	fd = OPEN("/scratch/g", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(WRITE(fd, "abc"), 3);
	assert_int_equal(CLOSE(fd), 0);
	fd = OPEN("/scratch/g", O_RDONLY | O_TRUNC, 0);
	assert_int_equal(SYS(SYS_fstat, (uint64_t)fd, S(&st), 0, 0, 0, 0), 0);
	assert_int_equal(st.size, 0);
	assert_int_equal(SYS(SYS_write, (uint64_t)fd, S("x"), 1, 0, 0, 0), -EBADF);
	assert_int_equal(SYS(SYS_ftruncate, (uint64_t)fd, 10, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(CLOSE(fd), 0);
	assert_int_equal(SYS(SYS_truncate, S("/scratch/g"), 5000, 0, 0, 0, 0), 0);
	assert_int_equal(stat_of("/scratch/g", &st), 0);
	assert_int_equal(st.size, 5000);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(OPEN("/scratch/missing/x", O_RDWR | O_CREAT, 0600), -ENOENT);
	assert_int_equal(OPEN("/scratch/g/x", O_RDWR | O_CREAT, 0600), -ENOTDIR);
	assert_int_equal(OPEN("/scratch/g", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	assert_int_equal(OPEN("/scratch", O_RDWR, 0), -EISDIR);
}

static void tmpfs_directories(void **state)
{
	static uint8_t dents[4096];
	struct vmlet_stat st, st2;
	char buf[64] = "", names[256] = "";
	long fd, n, off;

	(void)state;
	assert_int_equal(SYS(SYS_mkdir, S("/scratch/d"), 0755, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_mkdir, S("/scratch/d"), 0755, 0, 0, 0, 0), -EEXIST);
	assert_int_equal(SYS(SYS_mkdir, S("/scratch/d/sub"), 0700, 0, 0, 0, 0), 0);
	assert_int_equal(stat_of("/scratch/d", &st), 0);
	assert_int_equal(st.nlink, 3);
	assert_int_equal(st.mode, S_IFDIR | 0755);
	assert_int_equal(CLOSE(OPEN("/scratch/d/a", O_CREAT | O_WRONLY, 0644)), 0);
	assert_int_equal(CLOSE(OPEN("/scratch/d/b", O_CREAT | O_WRONLY, 0644)), 0);
	assert_int_equal(SYS(SYS_rmdir, S("/scratch/d"), 0, 0, 0, 0, 0), -ENOTEMPTY);
	assert_int_equal(SYS(SYS_rmdir, S("/scratch/d/a"), 0, 0, 0, 0, 0), -ENOTDIR);
	assert_int_equal(SYS(SYS_unlink, S("/scratch/d/sub"), 0, 0, 0, 0, 0), -EISDIR);
	assert_int_equal(SYS(SYS_rmdir, S("/scratch"), 0, 0, 0, 0, 0), -EBUSY);
	/* link, symlink, readlink */
	assert_int_equal(SYS(SYS_link, S("/scratch/d/a"), S("/scratch/d/hard"), 0, 0, 0, 0), 0);
	assert_int_equal(stat_of("/scratch/d/a", &st), 0);
	assert_int_equal(stat_of("/scratch/d/hard", &st2), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(st.ino, st2.ino);
	assert_int_equal(SYS(SYS_symlink, S("sub"), S("/scratch/d/ln"), 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_readlink, S("/scratch/d/ln"), S(buf), sizeof(buf), 0, 0, 0), 3);
	assert_memory_equal(buf, "sub", 3);
	assert_int_equal(SYS(SYS_stat, S("/scratch/d/ln"), S(&st), 0, 0, 0, 0), 0);
	assert_true(S_ISDIR(st.mode));
	assert_int_equal(CLOSE(OPEN("/scratch/d/ln/viasym", O_CREAT | O_WRONLY, 0644)), 0);
	assert_int_equal(stat_of("/scratch/d/sub/viasym", &st), 0);
	assert_int_equal(SYS(SYS_symlink, S("/scratch/d/loop"), S("/scratch/d/loop"), 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_stat, S("/scratch/d/loop"), S(&st), 0, 0, 0, 0), -ELOOP);
	/* rename: over an existing file, a directory, not under itself */
	assert_int_equal(SYS(SYS_rename, S("/scratch/d/b"), S("/scratch/d/a"), 0, 0, 0, 0), 0);
	assert_int_equal(stat_of("/scratch/d/b", &st), -ENOENT);
	assert_int_equal(stat_of("/scratch/d/hard", &st), 0);
	assert_int_equal(st.nlink, 1); /* a's old file lives on as hard */
	assert_int_equal(SYS(SYS_rename, S("/scratch/d/sub"), S("/scratch/d/sub/x"), 0, 0, 0, 0), -EINVAL);
	assert_int_equal(SYS(SYS_rename, S("/scratch/d/sub"), S("/scratch/d/a"), 0, 0, 0, 0), -ENOTDIR);
	assert_int_equal(SYS(SYS_rename, S("/scratch/d/sub"), S("/scratch/moved"), 0, 0, 0, 0), 0);
	assert_int_equal(stat_of("/scratch/moved/viasym", &st), 0);
	assert_int_equal(SYS(SYS_rename, S("/scratch/d/a"), S(in_tree("file")), 0, 0, 0, 0), -EXDEV);
	assert_int_equal(SYS(SYS_renameat2, S(AT_FDCWD), S("/scratch/d/a"), S(AT_FDCWD), S("/scratch/d/hard"),
			     RENAME_NOREPLACE, 0), -EEXIST);
	/* getdents64: ".", "..", then creation order (Linux 6.6 and later) */
	fd = OPEN("/scratch/d", O_RDONLY | O_DIRECTORY, 0);
	assert_true(fd >= 0);
	n = SYS(SYS_getdents64, (uint64_t)fd, S(dents), sizeof(dents), 0, 0, 0);
	assert_true(n > 0);
	for (off = 0; off < n;) {
		struct { uint64_t ino; int64_t off; uint16_t reclen; uint8_t type; char name[]; } *e = (void *)(dents + off);
		strcat(names, e->name);
		strcat(names, " ");
		off += e->reclen;
	}
	assert_string_equal(names, ". .. a hard ln loop "); /* a renamed file takes the place of the one it replaced */
	assert_int_equal(SYS(SYS_getdents64, (uint64_t)fd, S(dents), sizeof(dents), 0, 0, 0), 0);
	assert_int_equal(CLOSE(fd), 0);
	/* chdir and relative paths; access; chmod, chown, utimensat */
	assert_int_equal(SYS(SYS_chdir, S("/scratch/d"), 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_getcwd, S(buf), sizeof(buf), 0, 0, 0, 0), 11);
	assert_string_equal(buf, "/scratch/d");
	assert_int_equal(stat_of("hard", &st), 0);
	assert_int_equal(SYS(SYS_access, S("hard"), W_OK, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_access, S("hard"), X_OK, 0, 0, 0, 0), -EACCES);
	assert_int_equal(SYS(SYS_chmod, S("hard"), 0755, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_access, S("hard"), X_OK, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_chown, S("hard"), 1000, 100, 0, 0, 0), 0);
	{
		int64_t ts[4] = { 1000, 5, 2000, 7 };
		assert_int_equal(SYS(SYS_utimensat, S(AT_FDCWD), S("hard"), S(ts), 0, 0, 0), 0);
	}
	assert_int_equal(stat_of("hard", &st), 0);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.gid, 100);
	assert_int_equal(st.mode, S_IFREG | 0755);
	assert_int_equal(st.atime, 1000);
	assert_int_equal(st.mtime_ns, 7);
	assert_int_equal(SYS(SYS_chdir, S("/"), 0, 0, 0, 0, 0), 0);
}

static void tmpfs_fills_up(void **state)
{
	static uint8_t block[16384];
	struct statfs sf;
	long fd, n, total = 0;

	(void)state;
	memset(block, 'z', sizeof(block));
	assert_int_equal(SYS(SYS_statfs, S("/small"), S(&sf), 0, 0, 0, 0), 0);
	assert_int_equal(sf.f_type, 0x01021994);
	assert_int_equal(sf.f_blocks, 16);
	fd = OPEN("/small/big", O_WRONLY | O_CREAT, 0644);
	while ((n = SYS(SYS_write, (uint64_t)fd, S(block), sizeof(block), 0, 0, 0)) > 0)
		total += n;
	assert_int_equal(n, -ENOSPC);
	assert_true(total >= 12 * 4096 && total < 16 * 4096); /* index pages count too */
	assert_int_equal(SYS(SYS_fstatfs, (uint64_t)fd, S(&sf), 0, 0, 0, 0), 0);
	assert_int_equal(sf.f_bfree, 0);
	assert_int_equal(SYS(SYS_fallocate, (uint64_t)fd, 0, 1 << 20, 4096, 0, 0), -ENOSPC);
	assert_int_equal(SYS(SYS_ftruncate, (uint64_t)fd, 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_fstatfs, (uint64_t)fd, S(&sf), 0, 0, 0, 0), 0);
	assert_int_equal(sf.f_bfree, 15); /* the directory's page of entries remains */
	assert_int_equal(SYS(SYS_fallocate, (uint64_t)fd, 0, 0, 8192, 0, 0), 0);
	assert_int_equal(CLOSE(fd), 0);
	assert_int_equal(SYS(SYS_unlink, S("/small/big"), 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_statfs, S("/small"), S(&sf), 0, 0, 0, 0), 0);
	assert_int_equal(sf.f_bfree, 16);
	/* a grant answers as a read-only mount */
	assert_int_equal(SYS(SYS_statfs, S(in_tree("file")), S(&sf), 0, 0, 0, 0), 0);
	assert_true(sf.f_flags & ST_RDONLY);
}

static void memfd_copy_and_locks(void **state)
{
	char buf[32] = "";
	int64_t off = 2;
	long m, t, fd2;

	(void)state;
	m = SYS(SYS_memfd_create, S("x"), MFD_CLOEXEC, 0, 0, 0, 0);
	assert_true(m >= 0);
	assert_int_equal(WRITE(m, "0123456789"), 10);
	t = OPEN("/scratch/copy", O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(SYS(SYS_copy_file_range, (uint64_t)m, S(&off), (uint64_t)t, 0, 5, 0), -EXDEV);
	assert_int_equal(WRITE(t, "23456"), 5);
	assert_int_equal(SYS(SYS_copy_file_range, (uint64_t)t, S(&off), (uint64_t)t, 0, 3, 0), 3);
	assert_int_equal(off, 5);
	assert_int_equal(SYS(SYS_ftruncate, (uint64_t)t, 5, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)t, 5, SEEK_SET, 0, 0, 0), 5);
	assert_int_equal(SYS(SYS_lseek, (uint64_t)m, 0, SEEK_SET, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_sendfile, (uint64_t)t, (uint64_t)m, 0, 3, 0, 0), 3);
	assert_int_equal(SYS(SYS_pread64, (uint64_t)t, S(buf), sizeof(buf), 0, 0, 0), 8);
	assert_string_equal(buf, "23456012");
	assert_int_equal(SYS(SYS_fadvise64, (uint64_t)t, 0, 0, POSIX_FADV_SEQUENTIAL, 0, 0), 0);
	assert_int_equal(SYS(SYS_fadvise64, (uint64_t)t, 0, 0, 99, 0, 0), -EINVAL);
	/* flock belongs to the open file description */
	fd2 = OPEN("/scratch/copy", O_RDONLY, 0);
	assert_int_equal(SYS(SYS_flock, (uint64_t)t, LOCK_EX, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_flock, (uint64_t)fd2, LOCK_SH | LOCK_NB, 0, 0, 0, 0), -EWOULDBLOCK);
	assert_int_equal(SYS(SYS_flock, (uint64_t)t, LOCK_UN, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_flock, (uint64_t)fd2, LOCK_SH | LOCK_NB, 0, 0, 0, 0), 0);
	assert_int_equal(CLOSE(fd2), 0);
	assert_int_equal(CLOSE(t), 0);
	assert_int_equal(CLOSE(m), 0);
}

/* eventfd, epoll (level and edge), timerfd and signalfd through the guest kernel (tests/vm/test_events.sh
 * compares them with Linux in real VMs). */
static void event_descriptors(void **state)
{
	struct {
		uint32_t events;
		uint64_t data;
	} __attribute__((packed)) ev[2] = { { 0x80000001u /* EPOLLIN | EPOLLET */, 0x1122334455667788ull }, { 0, 0 } };
	int64_t its[4] = { 0, 0, 0, 20000000 }, ts[2] = { 0, 1000000 };
	uint64_t v = 0, usr1 = 1ull << (SIGUSR1 - 1);
	uint8_t si[128];
	long e, ep, t, s;

	(void)state;
	e = SYS(SYS_eventfd2, 0, O_NONBLOCK, 0, 0, 0, 0);
	assert_true(e >= 0);
	assert_int_equal(SYS(SYS_read, (uint64_t)e, S(&v), 8, 0, 0, 0), -EAGAIN);
	ep = SYS(SYS_epoll_create1, 0, 0, 0, 0, 0, 0);
	assert_int_equal(SYS(SYS_epoll_ctl, (uint64_t)ep, 1 /* ADD */, (uint64_t)e, S(ev), 0, 0), 0);
	assert_int_equal(SYS(SYS_epoll_wait, (uint64_t)ep, S(ev), 2, 0, 0, 0), 0);
	v = 2;
	assert_int_equal(SYS(SYS_write, (uint64_t)e, S(&v), 8, 0, 0, 0), 8);
	assert_int_equal(SYS(SYS_epoll_wait, (uint64_t)ep, S(ev), 2, (uint64_t)-1, 0, 0), 1);
	assert_true(ev[0].data == 0x1122334455667788ull && ev[0].events == 1);
	assert_int_equal(SYS(SYS_epoll_wait, (uint64_t)ep, S(ev), 2, 0, 0, 0), 0); /* edge-triggered: once */
	assert_int_equal(SYS(SYS_write, (uint64_t)e, S(&v), 8, 0, 0, 0), 8);
	assert_int_equal(SYS(SYS_epoll_wait, (uint64_t)ep, S(ev), 2, 0, 0, 0), 1); /* a new write: again */
	assert_int_equal(SYS(SYS_read, (uint64_t)e, S(&v), 8, 0, 0, 0), 8);
	assert_int_equal(v, 4);
	assert_int_equal(SYS(SYS_ppoll, 0, 0, S(ts), 0, 0, 0), 0);
	/* a one-shot timer: a blocking read sleeps until it expires, once */
	t = SYS(SYS_timerfd_create, CLOCK_MONOTONIC, 0, 0, 0, 0, 0);
	assert_int_equal(SYS(SYS_timerfd_settime, (uint64_t)t, 0, S(its), 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_read, (uint64_t)t, S(&v), 8, 0, 0, 0), 8);
	assert_int_equal(v, 1);
	/* a blocked signal the program sends itself is read from a signalfd */
	assert_int_equal(SYS(SYS_rt_sigprocmask, SIG_BLOCK, S(&usr1), 0, 8, 0, 0), 0);
	s = SYS(SYS_signalfd4, (uint64_t)-1, S(&usr1), 8, O_NONBLOCK, 0, 0);
	assert_int_equal(SYS(SYS_read, (uint64_t)s, S(si), sizeof(si), 0, 0, 0), -EAGAIN);
	assert_int_equal(SYS(SYS_tgkill, 2, 2, SIGUSR1, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_read, (uint64_t)s, S(si), sizeof(si), 0, 0, 0), 128);
	assert_int_equal(*(uint32_t *)si, SIGUSR1);
	assert_int_equal(SYS(SYS_rt_sigprocmask, SIG_UNBLOCK, S(&usr1), 0, 8, 0, 0), 0);
	assert_int_equal(CLOSE(s), 0);
	assert_int_equal(CLOSE(t), 0);
	assert_int_equal(CLOSE(e), 0);
	assert_int_equal(CLOSE(ep), 0);
}

/* The set*id rules of Linux for a process without file capabilities; files it creates are its own. */
static void ids_change_as_linux_allows(void **state)
{
	uint32_t r = 9, e = 9, s = 9, list[4] = { 0 }, groups[2] = { 5, 6 };
	struct vmlet_stat st;

	(void)state;
	/* The boot block's ids, 0 here (root): everything is allowed. */
	assert_int_equal(SYS(SYS_getuid, 0, 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_setgroups, 2, S(groups), 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_getgroups, 0, 0, 0, 0, 0, 0), 2);
	assert_int_equal(SYS(SYS_getgroups, 1, S(list), 0, 0, 0, 0), -EINVAL);
	assert_int_equal(SYS(SYS_getgroups, 4, S(list), 0, 0, 0, 0), 2);
	assert_int_equal(list[1], 6);
	assert_int_equal(SYS(SYS_setresgid, 100, 100, 100, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_setuid, (uint64_t)-1, 0, 0, 0, 0, 0), -EINVAL);
	/* An effective uid other than 0 keeps the saved 0: root can come back. */
	assert_int_equal(SYS(SYS_setresuid, (uint64_t)-1, 1000, (uint64_t)-1, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_geteuid, 0, 0, 0, 0, 0, 0), 1000);
	assert_int_equal(SYS(SYS_setgid, 5, 0, 0, 0, 0, 0), -EPERM);
	assert_int_equal(SYS(SYS_setuid, 0, 0, 0, 0, 0, 0), 0); /* to the real uid: only the effective one */
	assert_int_equal(SYS(SYS_geteuid, 0, 0, 0, 0, 0, 0), 0);
	/* setuid as root sets all three: root is gone for good. */
	assert_int_equal(SYS(SYS_setuid, 1000, 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_getresuid, S(&r), S(&e), S(&s), 0, 0, 0), 0);
	assert_true(r == 1000 && e == 1000 && s == 1000);
	assert_int_equal(SYS(SYS_getresgid, S(&r), S(&e), S(&s), 0, 0, 0), 0);
	assert_true(r == 100 && e == 100 && s == 100);
	assert_int_equal(SYS(SYS_getresuid, 0, S(&e), S(&s), 0, 0, 0), -EFAULT);
	assert_int_equal(SYS(SYS_setuid, 0, 0, 0, 0, 0, 0), -EPERM);
	assert_int_equal(SYS(SYS_setuid, 1000, 0, 0, 0, 0, 0), 0); /* its own uid */
	assert_int_equal(SYS(SYS_setreuid, 1000, 0, 0, 0, 0, 0), -EPERM);
	assert_int_equal(SYS(SYS_setreuid, (uint64_t)-1, 1000, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_setresgid, 100, (uint64_t)-1, 7, 0, 0, 0), -EPERM);
	assert_int_equal(SYS(SYS_setgid, 100, 0, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_setgroups, 0, 0, 0, 0, 0, 0), -EPERM);
	assert_int_equal(SYS(SYS_getgid, 0, 0, 0, 0, 0, 0), 100);
	assert_int_equal(SYS(SYS_getegid, 0, 0, 0, 0, 0, 0), 100);
	/* A file it creates is its own; the mount's root stays root's. */
	assert_int_equal(SYS(SYS_mkdir, S("/scratch/mine"), 0755, 0, 0, 0, 0), 0);
	assert_int_equal(SYS(SYS_stat, S("/scratch/mine"), S(&st), 0, 0, 0, 0), 0);
	assert_true(st.uid == 1000 && st.gid == 100);
	assert_int_equal(SYS(SYS_stat, S("/scratch"), S(&st), 0, 0, 0, 0), 0);
	assert_true(st.uid == 0 && st.gid == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tree_changes_answer_as_a_read_only_mount, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(futex_realtime_deadline_times_out, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(pause_blocks, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(fsync_and_kin, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(root_is_a_read_only_chroot, build_root_vm, free_vm),
		cmocka_unit_test_setup_teardown(trace_shows_strings_at_entry, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(written_file_size_is_current, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(tmpfs_files, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(tmpfs_directories, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(tmpfs_fills_up, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(memfd_copy_and_locks, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(event_descriptors, build_vm, free_vm),
		/* last: the guest kernel's state (its fd table, limits, ids) lives on from test to test */
		cmocka_unit_test_setup_teardown(ids_change_as_linux_allows, build_vm, free_vm), /* drops root */
		cmocka_unit_test_setup_teardown(nofile_limit_is_kept_and_enforced, build_vm, free_vm),
	};

	if (setjmp(exited)) {
		fprintf(stderr, "test_guest: the guest kernel ended the run: %s\n", vm->res->message);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
