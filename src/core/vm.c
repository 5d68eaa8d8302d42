/* vm.c - VM creation and destruction: KVM objects, guest memory, guest kernel, program and stack. */
#include "vm_internal.h"
#include "../host/commit.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../loader/script.h"
#include "../loader/stack.h"

#define MIB (1ull << 20)

int vm_error(struct vmlet_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		err->program = 0;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return code;
}

uint64_t vm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vmlet_config_init(struct vmlet_config *c)
{
	memset(c, 0, sizeof(*c));
	c->stdin_fd = 0;
	c->stdout_fd = 1;
	c->stderr_fd = 2;
	c->trace_fd = 2;
	c->stdio_limits[0] = c->stdio_limits[1] = c->stdio_limits[2] =
		(struct vmlet_limits){ VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED };
}

static void *guest_ptr(const struct vmlet_vm *vm, uint64_t gva, uint64_t len, int write)
{
	uint64_t gk_lo = VMLET_KERNEL_VBASE + VMLET_GK_OFFSET, gk_hi = vm->gk.bss_end, frame;

	if (gva >= gk_lo && gva <= gk_hi) {
		if (len > gk_hi - gva)
			return NULL;
		return guestmem_ptr(&vm->mem, gpa(vm->kbase + (gva - VMLET_KERNEL_VBASE)), len);
	}
	if (gva >= VMLET_USER_LO && gva <= vm->user_hi)
		return len > vm->user_hi - gva ? NULL : guestmem_ptr(&vm->mem, gpa(gva), len);
	if (gva >= VMLET_SHARED_VBASE && gva < VMLET_KERNEL_VBASE)
		return shared_ptr(vm, gva - VMLET_SHARED_VBASE, len);
	if (gva >= VMLET_SPARSE_LO && gva < VMLET_SPARSE_HI) {
		if (vm_translate(vm, gva, len, write, &frame))
			return NULL;
		if (frame >= VMLET_SHARED_GPA) /* a shared tmpfs mapping */
			return shared_ptr(vm, frame - VMLET_SHARED_GPA, len);
		return guestmem_ptr(&vm->mem, gpa(frame), len);
	}
	return NULL;
}

void *vm_guest_ptr(const struct vmlet_vm *vm, uint64_t gva, uint64_t len)
{
	return guest_ptr(vm, gva, len, 0);
}

void *vm_guest_ptr_w(const struct vmlet_vm *vm, uint64_t gva, uint64_t len)
{
	size_t i;

	if (gva >= VMLET_KERNEL_VBASE && gva < vm->gk.text_end)
		return NULL;
	for (i = 0; i < vm->nreadonly; i++)
		if (gva < vm->readonly[i].hi && gva + len > vm->readonly[i].lo)
			return NULL;
	return guest_ptr(vm, gva, len, 1);
}

/* Pages entirely inside non-writable segments (a page shared with a writable one stays writable). */
static void note_readonly(struct vmlet_vm *vm, const struct elf_image *img)
{
	size_t i;

	for (i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		uint64_t lo = (s->vaddr + 4095) & ~4095ull, hi = (s->vaddr + s->memsz) & ~4095ull;
		if (!(s->flags & PF_W) && lo < hi) {
			vm->readonly[vm->nreadonly].lo = lo;
			vm->readonly[vm->nreadonly++].hi = hi;
		}
	}
}

struct file_ctx {
	int fd;
	struct stat st;
};

/*
 * What a run executes: the program (for a "#!" script, its interpreter, named
 * by sb_interp and given sb_arg), and the interpreter its PT_INTERP names
 * (fd -1: none).
 */
struct program {
	struct file_ctx fc, ifc;
	struct elf_image img, interp;
	char head[SCRIPT_HEAD + 1];
	const char *sb_interp, *sb_arg;
};

static void program_close(struct program *p)
{
	if (p->fc.fd >= 0)
		close(p->fc.fd);
	if (p->ifc.fd >= 0)
		close(p->ifc.fd);
	p->fc.fd = p->ifc.fd = -1;
}

static long file_reader(void *ctx, void *buf, size_t len, uint64_t off)
{
	int fd = ((struct file_ctx *)ctx)->fd;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (long)done;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "is a directory" : S_ISFIFO(m) ? "not a regular file (a FIFO)"
	     : S_ISSOCK(m) ? "not a regular file (a socket)" : S_ISCHR(m) ? "not a regular file (a character device)"
	     : S_ISBLK(m) ? "not a regular file (a block device)" : "not a regular file";
}

/*
 * Looked at with O_PATH first (opening a FIFO for reading would wait for a writer,
 * opening a device can act on it), then reopened for reading only if it is a
 * regular file, and only if it is still the same one.
 */
static int open_program(const char *root, const char *path, int *fd, struct stat *st, struct vmlet_error *err)
{
	struct stat now;
	int look = files_open_in_root(root, path, O_PATH), e;

	if (look < 0) {
		e = -look;
		return vm_error(err, e == ENOENT || e == ENOTDIR ? -ENOENT : -EACCES, "%s: %s", path,
				strerror(e));
	}
	e = fstat(look, st) < 0 ? errno : 0;
	close(look);
	if (e)
		return vm_error(err, -e, "%s: %s", path, strerror(e));
	if (!S_ISREG(st->st_mode))
		return vm_error(err, -EACCES, "%s: %s", path, file_kind(st->st_mode));
	if (!(st->st_mode & 0111))
		return vm_error(err, -EACCES, "%s: permission denied (not executable)", path);
	*fd = files_open_in_root(root, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (*fd < 0) {
		e = -*fd;
		return vm_error(err, e == ENOENT || e == ENOTDIR ? -ENOENT : -EACCES, "%s: %s", path,
				strerror(e));
	}
	if (fstat(*fd, &now) < 0)
		return vm_error(err, -errno, "%s: %s", path, strerror(errno));
	if (now.st_dev != st->st_dev || now.st_ino != st->st_ino)
		return vm_error(err, -EAGAIN, "%s: replaced while being opened", path);
	*st = now;
	return 0;
}

int vm_output_exact(unsigned mode, unsigned long rdev, int tty, int fsize_limited)
{
	if (S_ISREG(mode))
		return fsize_limited;
	if (S_ISCHR(mode))
		return !tty && rdev != makedev(1, 3) && rdev != makedev(1, 5); /* /dev/null, /dev/zero */
	return S_ISBLK(mode);
}

static void stdio_info(const struct vmlet_vm *vm, int i, struct vmlet_stdio_info *io)
{
	int fd = vm->stdio[i], fl = fcntl(fd, F_GETFL);
	struct stat st;

	memset(io, 0, sizeof(*io));
	if (fstat(fd, &st) < 0) {
		io->oflags = O_RDWR;
		return;
	}
	io->mode = st.st_mode;
	io->oflags = fl < 0 ? O_RDWR : (uint32_t)fl & (O_ACCMODE | O_APPEND | O_NONBLOCK);
	if (S_ISREG(st.st_mode)) {
		off_t off = lseek(fd, 0, SEEK_CUR);
		io->size = st.st_size;
		io->offset = off < 0 ? 0 : off;
	}
	if (isatty(fd))
		io->flags |= VMLET_STDIO_TTY;
	if (i > 0 && vm_output_exact(st.st_mode, st.st_rdev, isatty(fd), run_fsize_limited()))
		io->flags |= VMLET_STDIO_EXACT; /* the program gets ENOSPC/EFBIG from the write itself */
}

static int write_boot(struct vmlet_vm *vm, const struct program *p, struct vmlet_error *err)
{
	const struct elf_image *img = &p->img;
	struct vmlet_boot *b = vm_guest_ptr(vm, vm->gk.boot, sizeof(*b));
	int i;

	if (!b)
		return vm_error(err, -EINVAL, "guest kernel boot block out of range");
	b->mem_bytes = vm->mem.size;
	b->user_hi = vm->user_hi;
	b->stack_lo = vm->stack_lo;
	b->mmap_top = p->img.interp_len ? p->interp.lo - VMLET_PAGE_SIZE : vm->mmap_top; /* the interpreter at the top */
	b->brk_start = img->hi;
	vm->brk_start = img->hi;
	b->flags = (vm->flags & VMLET_TRACE) ? VMLET_BOOT_TRACE : 0;
	if (vm->max_procs > 1 && !vm->pool)
		b->flags |= VMLET_BOOT_FORKS;
	if (vm->determinism.enabled) {
		b->flags |= VMLET_BOOT_DETERMINISTIC;
		b->epoch_ns = vm->determinism.epoch * 1000000000ll;
		memcpy(b->seed, vm->determinism.seed, sizeof(b->seed));
	} else if (getrandom(b->seed, sizeof(b->seed), 0) != sizeof(b->seed)) {
		return vm_error(err, -EIO, "getrandom failed");
	}
	int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	b->tsc_khz = khz > 0 ? (uint64_t)khz : 0;
	for (i = 0; i < 3; i++) {
		const struct vmlet_limits *l = &vm->channels[i].limits;
		stdio_info(vm, i, &b->stdio[i]);
		if (l->reads != VMLET_UNLIMITED || l->read_bytes != VMLET_UNLIMITED ||
		    l->writes != VMLET_UNLIMITED || l->write_bytes != VMLET_UNLIMITED)
			b->stdio[i].flags |= VMLET_STDIO_EXACT;
	}
	memcpy(b->exe, vm->exe, sizeof(b->exe));
	b->ntmpfs = vm->ntmpfs;
	memcpy(b->tmpfs, vm->tmpfs, sizeof(b->tmpfs));
	b->kbase = vm->kbase;
	b->pt_root = vm->kbase + SYS_PT_LO;
	b->pt_area_lo = vm->kbase + SYS_PT_LO;
	b->pt_free_lo = vm->pt_next;
	b->pt_area_hi = vm->kbase + SYS_PT_HI;
	b->uid = vm->uid;
	b->gid = vm->gid;
	b->shared_bytes = vm->shared.size;
	files_synth_grants(vm, b->synth_grants, sizeof(b->synth_grants));
	return 0;
}

static int build_stack(struct vmlet_vm *vm, const struct vmlet_config *c, const struct program *prog,
		       uint64_t *rsp, struct vmlet_error *err)
{
	const struct elf_image *img = &prog->img;
	uint64_t size = vm->user_hi - vm->stack_lo;
	uint8_t *window = guestmem_ptr(&vm->mem, gpa(vm->stack_lo), size);
	const char *default_argv[] = { c->path, NULL };
	const char *const empty[] = { NULL };
	const char *const *argv = c->argv && c->argv[0] ? c->argv : default_argv, **script_argv = NULL;
	struct stack_params p = {
		.argv = argv,
		.envp = c->envp ? c->envp : empty,
		.execfn = c->path,
		.phdr = img->phdr, .phent = img->phent, .phnum = img->phnum, .entry = img->entry,
		.base = prog->img.interp_len ? prog->interp.lo : 0,
		.hwcap = getauxval(AT_HWCAP), .hwcap2 = getauxval(AT_HWCAP2), .sysinfo_ehdr = vm->gk.vdso,
	};
	size_t n = 0, i = 0;
	int r;

	if (!window)
		return vm_error(err, -EINVAL, "stack outside guest memory");
	if (prog->sb_interp) { /* as execve: interpreter, its argument, the script's path, the other arguments */
		while (argv[n])
			n++;
		if (!(script_argv = calloc(n + 3, sizeof(*script_argv))))
			return vm_error(err, -ENOMEM, "out of memory");
		script_argv[i++] = prog->sb_interp;
		if (prog->sb_arg)
			script_argv[i++] = prog->sb_arg;
		script_argv[i++] = c->path;
		memcpy(script_argv + i, argv + 1, n * sizeof(*argv)); /* argv[1..n], NULL included */
		p.argv = script_argv;
	}
	if (vm->determinism.enabled) { /* AT_RANDOM from the seed, apart from the guest's own stream */
		struct sha256 h;
		uint8_t d[32];
		sha256_init(&h);
		sha256_update(&h, vm->determinism.seed, sizeof(vm->determinism.seed));
		sha256_update(&h, "AT_RANDOM", 9);
		sha256_final(&h, d);
		memcpy(p.random, d, sizeof(p.random));
	} else if (getrandom(p.random, sizeof(p.random), 0) != sizeof(p.random)) {
		free(script_argv);
		return vm_error(err, -EIO, "getrandom failed");
	}
	r = stack_build(window, vm->user_hi, size, size / 4, &p, rsp);
	free(script_argv);
	if (r == -E2BIG)
		return vm_error(err, r, "arguments and environment do not fit the guest stack");
	if (r)
		return vm_error(err, r, "cannot build the initial stack: %s", strerror(-r));
	return 0;
}

/*
 * The heap and mmap region is mapped with 2 MiB guest pages; backing it with
 * transparent huge pages lets one fault (instead of 512) populate each 2 MiB
 * the program touches. The image, stack and kernel area stay on 4 KiB pages:
 * they are touched sparsely and zeroing 2 MiB for each would cost more.
 */
static void back_heap_with_huge_pages(struct vmlet_vm *vm, const struct elf_image *img)
{
	uint64_t lo = (img->hi + 2 * MIB - 1) & ~(2 * MIB - 1);

	if (lo < vm->mmap_top)
		madvise(vm->mem.host + lo, vm->mmap_top - lo, MADV_HUGEPAGE);
}

/*
 * The interpreter PT_INTERP names, found inside the root, placed at the top of
 * the mmap region (as Linux maps it among the mmaps). A missing one is -ENOENT
 * (exit 127), one that cannot serve -ENOEXEC or -EACCES (exit 126).
 */
static int check_interp(const struct vmlet_config *c, uint64_t mmap_top, struct program *p,
			struct vmlet_error *err)
{
	char path[ELF_INTERP_MAX], msg[200], who[VMLET_EXE_MAX + 64];
	int r = elf_interp(file_reader, &p->fc, &p->img, path, msg, sizeof(msg));

	/* Messages name the program, and for a script the interpreter that is dynamic. */
	snprintf(who, sizeof(who), "%s%s%s", c->path, p->sb_interp ? ": interpreter " : "",
		 p->sb_interp ? p->sb_interp : "");

	if (r)
		return vm_error(err, r, "%s: %s", who, r == -ENOEXEC ? msg : strerror(-r));
	if (!c->root)
		return vm_error(err, -ENOEXEC,
				"%s: dynamically linked (interpreter %s): give --root DIR (--root / for this machine's) to find it and its libraries",
				who, path);
	r = open_program(c->root, path, &p->ifc.fd, &p->ifc.st, err);
	if (r == -ENOENT)
		return vm_error(err, r, "%s: interpreter %s not found in the root %s", who, path, c->root);
	if (r) { /* open_program's message ("PATH: why"), copied: vm_error writes where it lies */
		char why[sizeof(err->message)];
		snprintf(why, sizeof(why), "%s", err ? err->message : path);
		return vm_error(err, r, "%s: interpreter %s", who, why);
	}
	r = elf_parse(file_reader, &p->ifc, (uint64_t)p->ifc.st.st_size, &p->interp, msg, sizeof(msg));
	if (!r && p->interp.hi - p->interp.lo > mmap_top / 2)
		r = -ENOEXEC, snprintf(msg, sizeof(msg), "too large");
	if (!r)
		r = elf_place_interp(&p->interp, (mmap_top - (p->interp.hi - p->interp.lo)) & ~(VMLET_PAGE_SIZE - 1), msg,
				     sizeof(msg));
	if (!r && p->img.hi + 2 * MIB > p->interp.lo)
		r = -ENOEXEC, snprintf(msg, sizeof(msg), "does not fit above the program (try a larger --mem)");
	if (r)
		return vm_error(err, r, "%s: interpreter %s: %s", who, path, r == -ENOEXEC ? msg : strerror(-r));
	return 0;
}

/*
 * A "#!" script runs its interpreter (found like the program: inside the root,
 * if any), which must be an executable of its own, not another script.
 */
static int check_script(const struct vmlet_config *c, struct program *p, struct vmlet_error *err)
{
	long n = file_reader(&p->fc, p->head, SCRIPT_HEAD, 0);
	int r;

	if (n < 0)
		return vm_error(err, (int)n, "%s: %s", c->path, strerror((int)-n));
	r = script_parse(p->head, (size_t)n, &p->sb_interp, &p->sb_arg);
	if (r <= 0)
		return r == 0 ? 0 : vm_error(err, -ENOEXEC, "%s: malformed \"#!\" line", c->path);
	close(p->fc.fd);
	p->fc.fd = -1;
	r = open_program(c->root, p->sb_interp, &p->fc.fd, &p->fc.st, err);
	if (r == -ENOENT)
		return vm_error(err, r, "%s: interpreter %s not found%s%s", c->path, p->sb_interp,
				c->root ? " in the root " : "", c->root ? c->root : "");
	if (r) { /* open_program's message ("PATH: why"), copied: vm_error writes where it lies */
		char why[sizeof(err->message)];
		snprintf(why, sizeof(why), "%s", err ? err->message : p->sb_interp);
		return vm_error(err, r, "%s: interpreter %s", c->path, why);
	}
	return 0;
}

/* Open and validate the program (and its interpreter) before any VM exists: errors cost no shell. */
static int check_program(const struct vmlet_config *c, uint64_t mmap_top, struct program *p,
			 struct vmlet_error *err)
{
	char msg[200];
	int r;

	p->fc.fd = p->ifc.fd = -1;
	p->sb_interp = p->sb_arg = NULL;
	r = open_program(c->root, c->path, &p->fc.fd, &p->fc.st, err);
	if (!r)
		r = check_script(c, p, err);
	if (!r) {
		r = elf_parse(file_reader, &p->fc, (uint64_t)p->fc.st.st_size, &p->img, msg, sizeof(msg));
		if (!r)
			r = elf_check_fit(&p->img, VMLET_USER_LO, mmap_top - 2 * MIB, msg, sizeof(msg));
		if (r && p->sb_interp) /* another script is not followed: Linux's limit is not ours to copy */
			vm_error(err, r, "%s: interpreter %s: %s", c->path, p->sb_interp, r == -ENOEXEC ? msg : strerror(-r));
		else if (r)
			vm_error(err, r, "%s: %s", c->path, r == -ENOEXEC ? msg : strerror(-r));
		else if (p->img.interp_len)
			r = check_interp(c, mmap_top, p, err);
	}
	if (r && err)
		err->program = 1;
	if (r)
		program_close(p);
	return r;
}

/* The execute phase: the program into a prepared shell, then its first registers. */
static int load_program(struct vmlet_vm *vm, const struct vmlet_config *c, struct program *p,
			struct vmlet_error *err)
{
	const struct elf_image *img = &p->img;
	struct file_ctx *fc = &p->fc;
	uint64_t rsp, t0 = vm_now_ns();
	char msg[200];
	int r = layout_map_image(vm, img, err);

	vm->nreadonly = 0;
	note_readonly(vm, img);
	if (!r && p->img.interp_len) { /* the interpreter: copied, not cached */
		r = layout_map_image(vm, &p->interp, err);
		note_readonly(vm, &p->interp);
		if (!r && (r = elf_load(file_reader, &p->ifc, &p->interp, &vm->mem, msg, sizeof(msg))))
			vm_error(err, r, "%s: interpreter: %s", c->path, r == -ENOEXEC ? msg : strerror(-r));
	}

	/* A process that runs VMs repeatedly (pool, reuse) maps cached images copy-on-write. */
	int cached = vm->pool || vm->reused;

	if (!r && cached && (r = image_map(vm, &fc->st, file_reader, fc, img)))
		vm_error(err, r, "%s: %s", c->path, strerror(-r));
	else if (!r && !cached && (r = elf_load(file_reader, fc, img, &vm->mem, msg, sizeof(msg))))
		vm_error(err, r, "%s: %s", c->path, r == -ENOEXEC ? msg : strerror(-r));
	if (!r)
		back_heap_with_huge_pages(vm, img);
	if (!r)
		r = shared_install(vm, err);
	if (!r)
		r = write_boot(vm, p, err);
	if (!r)
		r = build_stack(vm, c, p, &rsp, err);
	if (!r)
		((struct vmlet_boot *)vm_guest_ptr(vm, vm->gk.boot, sizeof(struct vmlet_boot)))->start_rsp = rsp;
	if (!r)
		r = vcpu_start(vm, p->img.interp_len ? p->interp.entry : img->entry, rsp, vm->determinism.enabled, err);
	vm->res->phases.load += vm_now_ns() - t0;
	return r;
}

_Static_assert(VMLET_TMPFS_MAX >= VMLET_MAX_TMPFS + 1, "the boot block holds a config's mounts and /dev/shm");

/* The tmpfs mounts as the guest kernel serves them: sizes page-aligned, 0 made half of the memory;
 * /dev/shm last when the config gets it by default. */
static void take_tmpfs(struct vmlet_vm *vm, const struct vmlet_config *c)
{
	uint64_t mem = c->mem_bytes ? c->mem_bytes : VMLET_DEFAULT_MEM;
	size_t i, n = c->ntmpfs + (size_t)vmlet_config_dev_shm(c);

	memset(vm->tmpfs, 0, sizeof(vm->tmpfs));
	vm->ntmpfs = (uint32_t)n;
	for (i = 0; i < n; i++) {
		uint64_t size = i < c->ntmpfs && c->tmpfs[i].size ? c->tmpfs[i].size : mem / 2;
		vm->tmpfs[i].size = (size + VMLET_PAGE_SIZE - 1) & ~(VMLET_PAGE_SIZE - 1);
		snprintf(vm->tmpfs[i].path, sizeof(vm->tmpfs[i].path), "%s", i < c->ntmpfs ? c->tmpfs[i].path : "/dev/shm");
	}
}

static void take_config(struct vmlet_vm *vm, const struct vmlet_config *c)
{
	vm->stdio[0] = c->stdin_fd;
	vm->stdio[1] = c->stdout_fd;
	vm->stdio[2] = c->stderr_fd;
	vm->trace_fd = c->trace_fd;
	vm->flags = c->flags;
	vm->timeout_ns = c->timeout_ns;
	vm->determinism = c->determinism;
	take_tmpfs(vm, c);
	vm->uid = c->uid;
	vm->max_procs = c->max_procs ? (int)c->max_procs : (int)VMLET_DEFAULT_PROCS;
	/* The first process leads its group, in the session of its (invisible) parent: a job a shell started. */
	vm->guest_pgid = VMLET_FIRST_PID;
	vm->guest_sid = VMLET_FIRST_PID - 1;
	vm->gid = c->gid;
	snprintf(vm->exe, sizeof(vm->exe), "%s%s", c->root && c->path[0] != '/' ? "/" : "", c->path);
	if (!c->root && c->path[0] != '/') {
		char *abs = realpath(c->path, NULL);
		if (abs) {
			snprintf(vm->exe, sizeof(vm->exe), "%s", abs);
			free(abs);
		}
	}
}

/* A config names a program; the memory plan it asks for (mem 0: the default). */
static int check_config(const struct vmlet_config *c, uint64_t mem, struct vmlet_vm *plan,
			struct vmlet_error *err)
{
	int r = vmlet_config_check(c, err);

	if (r)
		return r;
	memset(plan, 0, sizeof(*plan));
	return shell_plan(plan, mem, err);
}

/* Into a shell that is ready: the run's settings, its files and channels, the program. */
static int install(struct vmlet_vm *vm, const struct vmlet_config *c, struct program *p,
		   struct vmlet_error *err)
{
	int r;

	take_config(vm, c);
	if (p->sb_interp) /* /proc/self/exe of a script is its interpreter */
		snprintf(vm->exe, sizeof(vm->exe), "%s", p->sb_interp);
	if (c->root) /* the file itself, its symlinks resolved, as Linux names it */
		files_guest_name(c->root, p->fc.fd, vm->exe, sizeof(vm->exe));
	tree_name_program(vm, vm->exe, strlen(vm->exe));
	r = files_init(vm, c, err);
	if (!r)
		r = load_program(vm, c, p, err);
	program_close(p);
	return r;
}

int vmlet_program_check(const char *path, const char *root, uint64_t mem_bytes, struct vmlet_error *err)
{
	struct vmlet_config c;
	struct program p = { .fc.fd = -1, .ifc.fd = -1 };
	struct vmlet_vm plan;
	int r;

	vmlet_config_init(&c);
	c.path = path;
	c.root = root;
	c.mem_bytes = mem_bytes;
	r = check_config(&c, mem_bytes, &plan, err);
	if (!r)
		r = check_program(&c, plan.mmap_top, &p, err);
	program_close(&p);
	return r;
}

int vmlet_vm_create(const struct vmlet_config *c, struct vmlet_vm **out, struct vmlet_error *err)
{
	struct program p = { .fc.fd = -1, .ifc.fd = -1 };
	struct vmlet_vm plan, *vm = NULL;
	int r;

	*out = NULL;
	run_prepare_process();
	r = check_config(c, c ? c->mem_bytes : 0, &plan, err);
	if (!r)
		r = check_program(c, plan.mmap_top, &p, err);
	if (!r && c->pool)
		vm = pool_take(c->pool, plan.mem.size);
	if (!r && !vm && !(vm = shell_prepare(plan.mem.size, err)))
		r = err ? err->code : -ENOMEM;
	if (!r) {
		vm->pool = c->pool;
		r = install(vm, c, &p, err);
	} else {
		program_close(&p);
	}
	if (r) {
		vmlet_vm_destroy(vm);
		return r;
	}
	*out = vm;
	return 0;
}

int vmlet_vm_reuse(struct vmlet_vm *vm, const struct vmlet_config *c, struct vmlet_error *err)
{
	struct program p = { .fc.fd = -1, .ifc.fd = -1 };
	struct vmlet_vm plan;
	int r;

	r = check_config(c, c && c->mem_bytes ? c->mem_bytes : vm->mem.size, &plan, err);
	if (!r && plan.mem.size != vm->mem.size)
		r = vm_error(err, -EINVAL, "a reused VM keeps its memory size (%llu MiB)",
			     (unsigned long long)(vm->mem.size >> 20));
	if (!r)
		r = check_program(c, plan.mmap_top, &p, err);
	if (!r)
		r = shell_reset(vm, err);
	if (!r) {
		vm->reused = 1;
		return install(vm, c, &p, err);
	}
	program_close(&p);
	return r;
}

int vmlet_vm_read_root(const struct vmlet_vm *vm, size_t i, int *dirfd, const char **name)
{
	if (i >= vm->ngrants)
		return -ENOENT;
	*dirfd = vm->grants[i].dirfd;
	*name = vm->grants[i].name;
	return 0;
}

void vmlet_vm_host_fds(const struct vmlet_vm *vm, struct vmlet_host_fds *fds)
{
	int i;

	if (kvm_global(&fds->kvm_fd, NULL))
		fds->kvm_fd = -1;
	fds->ncommit_dirs = 0;
	fds->max_procs = 1;
	if (!vm)
		return;
	fds->max_procs = vm->pool ? 1 : vm->max_procs; /* hc_fork: a pool's process never forks */
	for (i = 0; i < (int)vm->nchannels && fds->ncommit_dirs < VMLET_MAX_WRITTEN_FILES; i++)
		if (vm->channels[i].dirfd >= 0)
			fds->commit_dirs[fds->ncommit_dirs++] = vm->channels[i].dirfd;
	fds->vm_fd = vm->vm_fd;
	fds->vcpu_fd = vm->vcpu_fd;
	for (i = 0; i < 3; i++)
		fds->stdio[i] = vm->stdio[i];
	fds->trace_fd = vm->trace_fd;
}

int vmlet_collect_garbage(const char *dir, struct vmlet_gc_counts *counts)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), r;
	struct vmlet_gc_counts ignored;

	if (!counts)
		counts = &ignored;
	memset(counts, 0, sizeof(*counts));
	r = fd < 0 ? -errno : gc_directory(fd, NULL, counts);
	if (fd >= 0)
		close(fd);
	return r;
}

void vmlet_vm_destroy(struct vmlet_vm *vm)
{
	if (!vm)
		return;
	if (vm->pool) {
		pool_reap(vm->pool, vm); /* torn down by the pool's worker, off the caller's path */
		return;
	}
	/* This process goes on after a destroy: it is worth keeping KVM warm. */
	kvm_keepalive();
	shell_destroy(vm);
}

void vmlet_vm_destroy_timed(struct vmlet_vm *vm, struct vmlet_result *result)
{
	uint64_t t0 = vm_now_ns();

	vmlet_vm_destroy(vm);
	if (result)
		result->phases.destroy = vm_now_ns() - t0;
}
