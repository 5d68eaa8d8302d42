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
#include <sys/resource.h>
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
void gk_gk_syscall(struct gk_frame *f);
extern struct vmlet_boot gk_gk_boot;
extern struct vmlet_ring gk_gk_ring;
extern struct vmlet_stats gk_gk_stats;

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
	assert_int_equal(SYS(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0), 0);
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
		/* last: the guest kernel's state (its fd table, limits) lives on from test to test */
		cmocka_unit_test_setup_teardown(nofile_limit_is_kept_and_enforced, build_vm, free_vm),
	};

	if (setjmp(exited)) {
		fprintf(stderr, "test_guest: the guest kernel ended the run: %s\n", vm->res->message);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
