/* test_confine.c - seccomp and Landlock: a confined process still runs its VM, dies on other calls, reaches no other file. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "confine/confine.h"
#include "confine/filter.h"
#include "confine/landlock.h"
#include "vmlet.h"
#include "needs_kvm.h"

static const char *hello(void)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/progs/demo_hello-musl", getenv("BUILD") ? getenv("BUILD") : "build");
	return buf;
}

enum attempt { RUN_VM, OPEN_FILE, SOCKET, EXEC_MEMORY, SET_MSRS, FORK };

/* The sanitizer runtime needs system calls (ptrace, /proc) that the allowlist forbids. */
#ifdef __SANITIZE_ADDRESS__
#define SKIP_UNDER_SANITIZER()                                                                    \
	do {                                                                                      \
		print_message("skip: confinement is off in sanitizer builds (the runtime needs /proc, ptrace)\n"); \
		skip();                                                                           \
	} while (0)
#else
#define SKIP_UNDER_SANITIZER() ((void)0)
#endif

/* In a child: create a VM (max_procs: its process limit, 0 the default), confine, then try `what`;
 * the exit status tells what happened. */
static int in_confined_child(enum attempt what, uint32_t max_procs)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct vmlet_config c;
		struct vmlet_error err;
		struct vmlet_result res;
		struct vmlet_host_fds fds;
		struct vmlet_vm *vm;
		struct kvm_msrs msrs;
		int devnull = open("/dev/null", O_WRONLY);

		vmlet_config_init(&c);
		c.path = hello();
		c.max_procs = max_procs;
		c.stdout_fd = devnull;
		if (vmlet_vm_create(&c, &vm, &err) || vmlet_confine(vm, &err))
			_exit(100);
		vmlet_vm_host_fds(vm, &fds);
		switch (what) {
		case RUN_VM:
			if (vmlet_vm_run(vm, &res, &err) || res.exit_code != 0)
				_exit(101);
			vmlet_vm_destroy_detached(vm);
			_exit(0);
		case OPEN_FILE:
			open("/etc/passwd", O_RDONLY);
			break;
		case SOCKET:
			socket(AF_INET, SOCK_STREAM, 0);
			break;
		case EXEC_MEMORY:
			mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			break;
		case SET_MSRS: /* the syscall entry point (LSTAR) is the VM's builder's to set */
			memset(&msrs, 0, sizeof(msrs));
			ioctl(fds.vcpu_fd, KVM_SET_MSRS, &msrs);
			break;
		case FORK:
			fork();
			break;
		}
		_exit(102); /* the filter let it through */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void confined_process_runs_its_vm(void **state)
{
	skip_without_kvm();
	int s;

	(void)state;
	SKIP_UNDER_SANITIZER();
	s = in_confined_child(RUN_VM, 0);
	assert_true(WIFEXITED(s));
	assert_int_equal(WEXITSTATUS(s), 0);
}

/*
 * The single-VM filter ("processes": 1) refuses all of these; a VMM that may fork for its guest
 * (the default) still refuses all but KVM_SET_MSRS, which its forked child needs on its new vCPU
 * (docs/SECURITY.md), and forks only as src/core/fork.c does (CLONE_PIDFD|SIGCHLD, not libc's fork).
 */
static void forbidden_calls_kill_the_process(void **state)
{
	skip_without_kvm();
	static const enum attempt attempts[] = { OPEN_FILE, SOCKET, EXEC_MEMORY, FORK, SET_MSRS };
	const size_t n = sizeof(attempts) / sizeof(attempts[0]);
	size_t i;

	(void)state;
	SKIP_UNDER_SANITIZER();
	for (i = 0; i < 2 * n - 1; i++) {
		int s = in_confined_child(attempts[i % n], i < n ? 1 : 0);
		if (!WIFSIGNALED(s) || WTERMSIG(s) != SIGSYS)
			fail_msg("attempt %zu (%s filter): status %#x, want death by SIGSYS", i % n,
				 i < n ? "single-VM" : "process", s);
	}
}

/*
 * Files for the Landlock checks in a fresh directory: a granted tree, an output
 * directory holding a written channel's target and a spare file, and a secret
 * outside both.
 */
static char fs_root[64];

static void make_fs(void)
{
	char p[128];

	strcpy(fs_root, "/tmp/vmlet-landlock-XXXXXX");
	assert_non_null(mkdtemp(fs_root));
#define PATH(rel) (snprintf(p, sizeof(p), "%s/%s", fs_root, rel), p)
	assert_int_equal(mkdir(PATH("tree"), 0755), 0);
	assert_int_equal(mkdir(PATH("out"), 0755), 0);
	assert_int_equal(mkdir(PATH("outside"), 0755), 0);
	for (const char *const *f = (const char *const[]){ "tree/granted", "out/spare", "outside/secret", NULL }; *f; f++) {
		int fd = open(PATH(*f), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0 && write(fd, "data", 4) == 4);
		close(fd);
	}
#undef PATH
}

static void remove_fs(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", fs_root);
	assert_int_equal(system(cmd), 0);
}

static int open_path(const char *rel, int flags)
{
	char p[128];
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC };

	snprintf(p, sizeof(p), "%s/%s", fs_root, rel);
	return (int)syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof(how));
}

/*
 * In a child: create a VM with the tree granted and out/result written,
 * confine, then use the system calls the allowlist admits (openat2, renameat,
 * unlinkat on an output directory's fd) on paths outside what the VM may
 * touch. Exits 0 when every escape is refused and every legitimate use works,
 * else the number of the first check that went wrong.
 */
static int landlock_child(void)
{
	char tree[128], out[128], secret[128], moved[128];
	struct vmlet_grant grant = { .host_path = tree };
	struct vmlet_channel result = { .guest_path = "/result", .host_path = out,
					.type = VMLET_CHANNEL_FILE, .mode = VMLET_CHANNEL_WRITE,
					.limits = { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED } };
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_host_fds fds;
	struct vmlet_vm *vm;
	int d, fd;

	snprintf(tree, sizeof(tree), "%s/tree", fs_root);
	snprintf(out, sizeof(out), "%s/out/result", fs_root);
	snprintf(secret, sizeof(secret), "%s/outside/secret", fs_root);
	snprintf(moved, sizeof(moved), "%s/outside/moved", fs_root);
	vmlet_config_init(&c);
	c.path = hello();
	c.grants = &grant;
	c.ngrants = 1;
	c.channels = &result;
	c.nchannels = 1;
	if (vmlet_vm_create(&c, &vm, &err) || vmlet_confine(vm, &err))
		return 100;
	vmlet_vm_host_fds(vm, &fds);
	if (fds.ncommit_dirs != 1)
		return 101;
	d = fds.commit_dirs[0];
	/* Refused: reading outside the grant, writing inside it, renaming or removing elsewhere. */
	if (open_path("outside/secret", O_RDONLY) >= 0 || errno != EACCES)
		return 1;
	if (open_path("tree/granted", O_WRONLY) >= 0 || errno != EACCES)
		return 2;
	if (open_path("tree/new", O_WRONLY | O_CREAT) >= 0 || errno != EACCES)
		return 3;
	if (renameat(d, secret, d, moved) == 0 || errno != EACCES)
		return 4;
	if (unlinkat(d, secret, 0) == 0 || errno != EACCES)
		return 5;
	if (open_path("out/spare", O_RDONLY) >= 0 || errno != EACCES)
		return 6;
	/* Still allowed: reading the grant, renaming and removing in the output directory. */
	if ((fd = open_path("tree/granted", O_RDONLY)) < 0)
		return 7;
	close(fd);
	if (renameat(d, "spare", d, "renamed") != 0 || unlinkat(d, "renamed", 0) != 0)
		return 8;
	return 0;
}

static void landlock_confines_files(void **state)
{
	skip_without_kvm();
	char p[128];
	pid_t pid;
	int s;

	(void)state;
	SKIP_UNDER_SANITIZER();
	if (!landlock_abi()) {
		print_message("skip: this kernel has no Landlock (seccomp alone confines the process)\n");
		skip();
	}
	make_fs();
	pid = fork();
	if (pid == 0)
		_exit(landlock_child());
	assert_int_equal(waitpid(pid, &s, 0), pid);
	if (!WIFEXITED(s) || WEXITSTATUS(s) != 0)
		fail_msg("child status %#x (exit %d: the check that went wrong)", s, WEXITSTATUS(s));
	/* The secret is where it was, untouched. */
	assert_int_equal(access((snprintf(p, sizeof(p), "%s/outside/secret", fs_root), p), F_OK), 0);
	remove_fs();
}

static void creator_files_are_read_only(void **state)
{
	skip_without_kvm();
	pid_t pid;
	int s;

	(void)state;
	SKIP_UNDER_SANITIZER();
	if (!landlock_abi()) {
		print_message("skip: this kernel has no Landlock\n");
		skip();
	}
	make_fs();
	pid = fork();
	if (pid == 0) {
		struct vmlet_error err;
		char secret[128], moved[128];
		int fd;

		if (vmlet_confine_creator_files(&err))
			_exit(100);
		if (open_path("outside/secret", O_WRONLY) >= 0 || errno != EACCES)
			_exit(1);
		if (open_path("outside/new", O_WRONLY | O_CREAT) >= 0 || errno != EACCES)
			_exit(2);
		if (rename((snprintf(secret, sizeof(secret), "%s/outside/secret", fs_root), secret),
			   (snprintf(moved, sizeof(moved), "%s/outside/moved", fs_root), moved)) == 0 || errno != EACCES)
			_exit(3);
		if ((fd = open_path("outside/secret", O_RDONLY)) < 0)
			_exit(4);
		close(fd);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &s, 0), pid);
	if (!WIFEXITED(s) || WEXITSTATUS(s) != 0)
		fail_msg("child status %#x (exit %d: the check that went wrong)", s, WEXITSTATUS(s));
	remove_fs();
}

/* Classic BPF over struct seccomp_data, as the kernel runs a seccomp filter; aborts on an unknown instruction. */
static uint32_t bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	size_t pc = 0;

	while (pc < n) {
		const struct sock_filter *i = &f[pc++];
		uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(i->k % 4 == 0 && i->k < sizeof(*d));
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_LD | BPF_IMM: a = i->k; break;
		case BPF_LD | BPF_MEM: a = mem[i->k]; break;
		case BPF_LDX | BPF_IMM: x = i->k; break;
		case BPF_LDX | BPF_MEM: x = mem[i->k]; break;
		case BPF_ST: mem[i->k] = a; break;
		case BPF_STX: mem[i->k] = x; break;
		case BPF_MISC | BPF_TAX: x = a; break;
		case BPF_MISC | BPF_TXA: a = x; break;
		case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X: a &= src; break;
		case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X: a |= src; break;
		case BPF_JMP | BPF_JA: pc += i->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X: pc += a == src ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X: pc += a > src ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X: pc += a >= src ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X: pc += (a & src) ? i->jt : i->jf; break;
		case BPF_RET | BPF_K: return i->k;
		case BPF_RET | BPF_A: return a;
		default: fail_msg("unknown BPF instruction %#x", i->code);
		}
	}
	fail_msg("the filter ran off its end");
	return 0;
}

/*
 * The prebuilt filter with values patched in decides every call exactly as
 * the filter libseccomp builds from the same values: every system call with
 * zero arguments, and the calls with argument rules over arguments drawn from
 * the values, their neighbours, the requests and flags the rules name, and
 * the same with high bits set.
 */
static void check_prebuilt_decides_like_libseccomp(const struct filter_values *v)
{
	static struct sock_filter built[FILTER_MAX_INSNS], prebuilt[FILTER_MAX_INSNS];
	static const int with_args[] = { __NR_ioctl, __NR_fcntl, __NR_tgkill, __NR_tkill, __NR_mmap,
					 __NR_clone, __NR_renameat, __NR_renameat2, __NR_unlinkat };
	uint64_t pool[64];
	size_t npool = 0, base, nb, np, i, a0, a1, a2;
	scmp_filter_ctx ctx = filter_new();
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };
	int fd = memfd_create("filter", 0), n, nr;
	ssize_t len;

	assert_non_null(ctx);
	assert_true(fd >= 0);
	assert_int_equal(filter_add_rules(ctx, v), 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	len = pread(fd, built, sizeof(built), 0);
	close(fd);
	seccomp_release(ctx);
	assert_true(len > 0);
	nb = (size_t)len / sizeof(built[0]);
	n = filter_vm_program(v, prebuilt, FILTER_MAX_INSNS);
	assert_true(n > 0);
	np = (size_t)n;

	for (i = 0; i < 3; i++)
		pool[npool++] = (uint64_t)v->stdio[i];
	pool[npool++] = (uint64_t)v->vcpu_fd, pool[npool++] = (uint64_t)v->pid;
	pool[npool++] = (uint64_t)v->commit_dirs[0], pool[npool++] = (uint64_t)v->commit_dirs[1];
	pool[npool++] = (uint64_t)v->commit_dirs[v->ncommit_dirs / 2];
	pool[npool++] = (uint64_t)v->commit_dirs[v->ncommit_dirs - 1];
	for (i = 0, base = npool; i < base; i++) /* neighbours */
		pool[npool++] = pool[i] + 1;
	static const uint64_t named[] = { KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS, KVM_SET_REGS, KVM_SET_SREGS, KVM_SET_MSRS, TCGETS,
					  TIOCGWINSZ, F_DUPFD_CLOEXEC, F_SETFD, F_GETFL, PROT_READ,
					  PROT_READ | PROT_EXEC, CLONE_VM | CLONE_UNTRACED, CLONE_VM, 0 };
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		pool[npool++] = named[i];
	for (i = 0, base = npool; i < base && npool < 64; i += 3) /* high bits set */
		pool[npool++] = pool[i] | (1ull << 32);

	for (nr = 0; nr < 1024; nr++) { /* and the x32 numbers */
		d.nr = nr;
		assert_int_equal(bpf_run(built, nb, &d), bpf_run(prebuilt, np, &d));
		d.nr = nr | 0x40000000;
		assert_int_equal(bpf_run(built, nb, &d), bpf_run(prebuilt, np, &d));
	}
	for (i = 0; i < sizeof(with_args) / sizeof(with_args[0]); i++) {
		d.nr = with_args[i];
		for (a0 = 0; a0 < npool; a0++)
			for (a1 = 0; a1 < npool; a1++)
				for (a2 = 0; a2 < npool; a2++) {
					uint32_t want, got;
					d.args[0] = pool[a0], d.args[1] = pool[a1], d.args[2] = pool[a2];
					want = bpf_run(built, nb, &d);
					got = bpf_run(prebuilt, np, &d);
					if (want != got)
						fail_msg("nr %d args %#llx %#llx %#llx: libseccomp %#x, prebuilt %#x", d.nr,
							 (unsigned long long)pool[a0], (unsigned long long)pool[a1],
							 (unsigned long long)pool[a2], want, got);
				}
	}
	/* Another architecture is refused by both. */
	d.arch = AUDIT_ARCH_I386, d.nr = __NR_write;
	assert_int_equal(bpf_run(prebuilt, np, &d), bpf_run(built, nb, &d));
	assert_int_not_equal(bpf_run(prebuilt, np, &d), SECCOMP_RET_ALLOW);
}

static void prebuilt_filter_matches_libseccomp(void **state)
{
	struct filter_values v = { .vcpu_fd = 7, .stdio = { 0, 1, 2 }, .pid = 1234,
				   .ncommit_dirs = FILTER_SMALL_SLOTS };
	int i;

	(void)state;
	for (i = 0; i < VMLET_MAX_WRITTEN_FILES; i++)
		v.commit_dirs[i] = i < 2 ? 9 + 2 * i : FILTER_UNUSED_FD(3 + i);
	check_prebuilt_decides_like_libseccomp(&v);
	/* Values in another order, a missing stdin, every output slot of the full template used, a large pid. */
	v.ncommit_dirs = VMLET_MAX_WRITTEN_FILES;
	v.vcpu_fd = 300;
	v.stdio[0] = FILTER_UNUSED_FD(0), v.stdio[1] = 41, v.stdio[2] = 5;
	v.pid = 4194303;
	for (i = 0; i < VMLET_MAX_WRITTEN_FILES; i++)
		v.commit_dirs[i] = 1000 - i;
	check_prebuilt_decides_like_libseccomp(&v);
	/* Equal values (stdout and stderr on one fd). */
	v.stdio[2] = v.stdio[1];
	check_prebuilt_decides_like_libseccomp(&v);
}

/* The values vmlet_confine derives from a real VM: its fds, this pid, padded slots. */
static void prebuilt_filter_matches_for_a_real_vm(void **state)
{
	skip_without_kvm();
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_host_fds fds;
	struct filter_values v;
	struct vmlet_vm *vm;

	(void)state;
	vmlet_config_init(&c);
	c.path = hello();
	assert_int_equal(vmlet_vm_create(&c, &vm, &err), 0);
	vmlet_vm_host_fds(vm, &fds);
	filter_values_for_vm(&fds, &v);
	assert_int_equal(v.ncommit_dirs, FILTER_SMALL_SLOTS);
	check_prebuilt_decides_like_libseccomp(&v);
	vmlet_vm_destroy(vm);
}

static void prebuilt_filter_refuses_small_buffer(void **state)
{
	struct filter_values v = { .vcpu_fd = 7, .stdio = { 0, 1, 2 }, .pid = 1,
				   .ncommit_dirs = VMLET_MAX_WRITTEN_FILES };
	struct sock_filter few[4];

	(void)state;
	assert_int_equal(filter_vm_program(&v, few, 4), -ENOSPC);
	v.ncommit_dirs = 5; /* no template has 5 slots */
	assert_int_equal(filter_vm_program(&v, few, 4), -EINVAL);
}

static void drop_to_unknown_user_fails_cleanly(void **state)
{
	struct vmlet_error err;

	(void)state;
	assert_int_equal(vmlet_drop_privileges("no-such-user-vmlet", &err), -EINVAL);
	assert_non_null(strstr(err.message, "no such user"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(confined_process_runs_its_vm),
		cmocka_unit_test(forbidden_calls_kill_the_process),
		cmocka_unit_test(landlock_confines_files),
		cmocka_unit_test(creator_files_are_read_only),
		cmocka_unit_test(prebuilt_filter_matches_libseccomp),
		cmocka_unit_test(prebuilt_filter_matches_for_a_real_vm),
		cmocka_unit_test(prebuilt_filter_refuses_small_buffer),
		cmocka_unit_test(drop_to_unknown_user_fails_cleanly),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
