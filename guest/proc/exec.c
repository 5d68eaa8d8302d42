/* exec.c - execve and execveat: a new program in this process's VM, loaded by the guest kernel, which keeps its descriptors, tmpfs and identity. */
#include "fs/fd.h"
#include "fs/tmpfs.h"

#include <linux/auxvec.h>
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/stat.h>

#define PAGE 4096ull
#define SCRIPT_DEPTH 4       /* "#!" interpreters in a row, as Linux allows */
#define SCRIPT_LINE 256      /* bytes of a "#!" line that count (Linux's BINPRM_BUF_SIZE) */
#define PHDRS_MAX 64
#define PIE_BASE 0x400000ull /* where the host's loader puts a PIE (ELF_PIE_BASE, src/loader/elf.h) */
#define AT_FDCWD_K (-100)
#define AT_EMPTY_PATH_K 0x1000
#define AT_SYMLINK_NOFOLLOW_K 0x100

/*
 * The arguments live in a kernel chunk of program memory (mm_kernel_map) while the old
 * program's memory goes: argv and envp as packed NUL-terminated strings, then the paths.
 */
#define STRINGS_MAX (512u << 10)
struct exec_buf {
	char argv[STRINGS_MAX];
	char envp[STRINGS_MAX];
	char path[GK_PATH_MAX];   /* the file to run now (a script's interpreter after a "#!") */
	char execfn[GK_PATH_MAX]; /* AT_EXECFN: the path the caller gave */
	char interp[GK_PATH_MAX]; /* PT_INTERP */
	char line[SCRIPT_LINE + 1];
	Elf64_Ehdr eh, ieh;
	Elf64_Phdr ph[PHDRS_MAX], iph[PHDRS_MAX];
	uint64_t lo, hi, ilo, ihi; /* the program's and the interpreter's PT_LOAD spans (image_span) */
	uint64_t argv_len, envp_len, argc, envc;
};

/* A user array of strings packed into out (cap bytes): its byte length, or -errno; *n the count. */
static long pack_strings(uint64_t uvec, char *out, uint64_t cap, uint64_t *n)
{
	uint64_t len = 0;

	*n = 0;
	if (!uvec)
		return 0;
	for (;; (*n)++) {
		uint64_t s;
		long l;
		if (!user_ok(uvec + 8 * *n, 8))
			return -EFAULT;
		s = *(const uint64_t *)(uvec + 8 * *n);
		if (!s)
			return (long)len;
		if (len >= cap)
			return -E2BIG;
		l = user_string(s, out + len, cap - len);
		if (l < 0)
			return l == -ENAMETOOLONG ? -E2BIG : l;
		len += (uint64_t)l + 1;
	}
}

/* Put s (and its NUL) before the packed strings of b's argv. */
static long argv_prepend(struct exec_buf *b, const char *s)
{
	uint64_t l = strlen(s) + 1;

	if (b->argv_len + l > STRINGS_MAX)
		return -E2BIG;
	memmove(b->argv + l, b->argv, b->argv_len);
	memcpy(b->argv, s, l);
	b->argv_len += l;
	b->argc++;
	return 0;
}

/* Drop the first packed string of b's argv. */
static void argv_shift(struct exec_buf *b)
{
	uint64_t l;

	if (!b->argc)
		return;
	l = strlen(b->argv) + 1;
	memmove(b->argv, b->argv + l, b->argv_len - l);
	b->argv_len -= l;
	b->argc--;
}

/* A regular file of the root, a grant or a tmpfs with an execute bit. */
static int executable(const struct ofd *o)
{
	uint32_t mode = o->kind == OFD_TMPFS ? o->node->mode : o->st.mode;

	return (o->kind == OFD_FILE || o->kind == OFD_TMPFS) && S_ISREG(mode) && (mode & 0111);
}

/* Open path (kernel memory inside program memory, which the path calls read) for reading: an fd. */
static long open_exec(long dirfd, const char *path, int nofollow)
{
	struct gk_frame g = { 0 };
	long fd;

	g.rdi = (uint64_t)dirfd;
	g.rsi = (uint64_t)path;
	g.rdx = O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
	fd = sys_openat(&g);
	if (fd < 0)
		return fd;
	if (!executable(fd_get(fd))) {
		fd_close(fd);
		return -EACCES;
	}
	return fd;
}

/* execveat(fd, "", ..., AT_EMPTY_PATH): the open file itself (fexecve); its path names it. */
static long reopen_exec(long fd, char *path)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -EBADF;
	if (!executable(o))
		return -EACCES;
	memcpy(path, o->path, strlen(o->path) + 1);
	o->refs++;
	return fd_install(o, 1, 0);
}

static long read_at(long fd, void *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		long n = ofd_read(fd_get(fd), (uint8_t *)buf + done, len - done, off + done, 1);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	return (long)done;
}

/* The ELF header and program headers of fd, checked as the host's loader checks them. */
static long read_elf(long fd, Elf64_Ehdr *eh, Elf64_Phdr *ph)
{
	long n = read_at(fd, eh, sizeof(*eh), 0);
	uint64_t size;

	if (n < 0)
		return n;
	if (n < (long)sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !eh->e_phnum || eh->e_phnum > PHDRS_MAX)
		return -ENOEXEC;
	size = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	n = read_at(fd, ph, size, eh->e_phoff);
	return n < 0 ? n : (uint64_t)n < size ? -ENOEXEC : 0;
}

/* [lo, hi) spanned by the PT_LOAD segments (page-aligned); -ENOEXEC if none or one is malformed. */
static long image_span(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t *lo, uint64_t *hi)
{
	int i;

	*lo = UINT64_MAX;
	*hi = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz > p->p_memsz || p->p_vaddr + p->p_memsz < p->p_vaddr ||
		    (p->p_vaddr & (PAGE - 1)) != (p->p_offset & (PAGE - 1)) || p->p_vaddr + p->p_memsz > (1ull << 46))
			return -ENOEXEC;
		if ((p->p_vaddr & ~(PAGE - 1)) < *lo)
			*lo = p->p_vaddr & ~(PAGE - 1);
		if (p->p_vaddr + p->p_memsz > *hi)
			*hi = p->p_vaddr + p->p_memsz;
	}
	if (!*hi)
		return -ENOEXEC;
	*hi = (*hi + PAGE - 1) & ~(PAGE - 1);
	return 0;
}

static unsigned seg_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) | ((flags & PF_X) ? PROT_EXEC : 0);
}

/* Each PT_LOAD of fd at bias: the file's pages (the host maps a host file's copy-on-write), zeros past p_filesz. */
static long load_segments(long fd, const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t bias)
{
	struct ofd *o = fd_get(fd);
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint64_t lo = (p->p_vaddr & ~(PAGE - 1)) + bias, file_end = p->p_vaddr + p->p_filesz + bias;
		uint64_t hi = ((p->p_vaddr + p->p_memsz + PAGE - 1) & ~(PAGE - 1)) + bias;
		uint64_t off = p->p_offset & ~(PAGE - 1), flen = file_end - lo;
		long n = -ENODEV;

		if (p->p_type != PT_LOAD)
			continue;
		if (flen && o->kind == OFD_FILE)
			n = hc(VMLET_HC_MMAP, o->handle, lo, (flen + PAGE - 1) & ~(PAGE - 1), off);
		if (n == -ENODEV && flen && read_at(fd, (void *)lo, flen, off) != (long)flen)
			return -EIO;
		if (n < 0 && n != -ENODEV)
			return n;
		mm_clear(file_end, hi - file_end); /* bss, and the file's bytes past the segment */
		if (pt_flags(seg_prot(p->p_flags)) != PT_DEFAULT &&
		    pt_protect(lo, hi, pt_flags(seg_prot(p->p_flags))))
			return -ENOMEM;
	}
	return 0;
}

/* The address of the program headers in memory, as AT_PHDR gives it. */
static uint64_t phdr_addr(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t bias)
{
	int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			return ph[i].p_vaddr + bias;
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= eh->e_phoff &&
		    eh->e_phoff < ph[i].p_offset + ph[i].p_filesz)
			return ph[i].p_vaddr + (eh->e_phoff - ph[i].p_offset) + bias;
	return 0;
}

/* Push len bytes below *sp. */
static uint64_t push(uint64_t *sp, const void *src, uint64_t len)
{
	*sp -= len;
	memcpy((void *)*sp, src, len);
	return *sp;
}

#define AUXV_ENTRIES 20

/* The new stack's strings, pointers and auxv fit in a quarter of the stack (Linux's ARG_MAX rule). */
static int stack_fits(const struct exec_buf *b)
{
	return b->argv_len + b->envp_len + strlen(b->execfn) + 64 +
		       8 * (b->argc + b->envc + 3 + 2 * (uint64_t)AUXV_ENTRIES) <=
	       (gk_boot.user_hi - gk_boot.stack_lo) / 4;
}

/* The System V initial stack at the top of the stack region, as the host's loader builds it. */
static void build_stack(struct exec_buf *b, uint64_t auxv[][2], int nauxv, uint64_t *rsp)
{
	uint64_t sp = gk_boot.user_hi;
	uint64_t execfn, platform, random, strs, words, *w, i, a;
	uint8_t rnd[16];

	execfn = push(&sp, b->execfn, strlen(b->execfn) + 1);
	push(&sp, b->envp, b->envp_len);
	strs = push(&sp, b->argv, b->argv_len);
	platform = push(&sp, "x86_64", 7);
	random_fill(rnd, sizeof(rnd));
	random = push(&sp, rnd, sizeof(rnd));
	for (i = 0; i < (uint64_t)nauxv; i++)
		auxv[i][1] = auxv[i][0] == AT_RANDOM ? random : auxv[i][0] == AT_EXECFN ? execfn :
			     auxv[i][0] == AT_PLATFORM ? platform : auxv[i][1];
	words = 1 + b->argc + 1 + b->envc + 1 + 2 * (uint64_t)nauxv;
	sp = (sp - words * 8) & ~15ull;
	w = (uint64_t *)sp;
	*w++ = b->argc;
	for (i = 0, a = strs; i < b->argc; i++, a += strlen((const char *)a) + 1)
		*w++ = a;
	*w++ = 0;
	for (i = 0, a = strs + b->argv_len; i < b->envc; i++, a += strlen((const char *)a) + 1)
		*w++ = a;
	*w++ = 0;
	memcpy(w, auxv, (uint64_t)nauxv * 16);
	*rsp = sp;
}

/*
 * Replace the program: from here on a failure can only kill the process (as on Linux past the
 * point of no return). fd is the program, ifd its interpreter or -1.
 */
static long replace(struct gk_frame *f, struct exec_buf *b, long fd, long ifd)
{
	uint64_t bias = b->eh.e_type == ET_DYN ? PIE_BASE - b->lo : 0, ibase = 0, rsp, entry;
	uint32_t uid[3], gid[3];
	const char *exe;
	uint64_t auxv[][2] = {
		{ AT_PHDR, 0 },	      { AT_PHENT, sizeof(Elf64_Phdr) }, { AT_PHNUM, b->eh.e_phnum },
		{ AT_PAGESZ, PAGE },  { AT_BASE, 0 },			{ AT_FLAGS, 0 },
		{ AT_ENTRY, 0 },      { AT_UID, 0 },			{ AT_EUID, 0 },
		{ AT_GID, 0 },	      { AT_EGID, 0 },			{ AT_SECURE, 0 },
		{ AT_HWCAP, start_auxv(AT_HWCAP) }, { AT_HWCAP2, start_auxv(AT_HWCAP2) }, { AT_CLKTCK, 100 },
		{ AT_RANDOM, 0 },     { AT_EXECFN, 0 },			{ AT_PLATFORM, 0 },
		{ AT_SYSINFO_EHDR, start_auxv(AT_SYSINFO_EHDR) },	{ AT_NULL, 0 },
	};
	long r;

	if ((r = mm_exec_reset(b->path)) < 0)
		return r;
	mm_exec_image(b->hi + bias);
	if ((r = load_segments(fd, &b->eh, b->ph, bias)) < 0)
		return r;
	if (ifd >= 0) {
		long at = mm_exec_map(b->ihi - b->ilo);
		if (at < 0)
			return at;
		ibase = (uint64_t)at - b->ilo;
		if ((r = load_segments(ifd, &b->ieh, b->iph, ibase)) < 0)
			return r;
	}
	cred_ids(uid, gid);
	auxv[0][1] = phdr_addr(&b->eh, b->ph, bias);
	auxv[4][1] = ifd >= 0 ? ibase : 0;
	auxv[6][1] = b->eh.e_entry + bias;
	auxv[7][1] = uid[0], auxv[8][1] = uid[1], auxv[9][1] = gid[0], auxv[10][1] = gid[1];
	if (!auxv[18][1])
		auxv[18][0] = AT_IGNORE;
	_Static_assert(sizeof(auxv) / sizeof(auxv[0]) == AUXV_ENTRIES, "stack_fits counts every auxv entry");
	build_stack(b, auxv, AUXV_ENTRIES, &rsp);
	entry = ifd >= 0 ? b->ieh.e_entry + ibase : b->eh.e_entry + bias;
	exe = fd_get(fd)->path; /* normalized and absolute, as /proc/self/exe shows it */
	memcpy(gk_boot.exe, exe, strlen(exe) + 1 < VMLET_EXE_MAX ? strlen(exe) + 1 : VMLET_EXE_MAX);
	gk_boot.exe[VMLET_EXE_MAX - 1] = 0;
	gk_boot.start_rsp = rsp;
	fd_close_on_exec();
	hc(VMLET_HC_FLUSH, 0, 0, 0, 0); /* the host closes them now: a pipe's reader sees its end */
	signal_exec_reset();
	memset(f, 0, sizeof(*f));
	f->rcx = entry;  /* where the return to the program goes */
	f->r11 = 0x202;  /* its flags: IF */
	f->rsp = rsp;
	__asm__ volatile("wrfsbase %0" : : "r"(0ull));
	__asm__ volatile("fninit");
	__asm__ volatile("ldmxcsr %0" : : "m"((uint32_t){ 0x1f80 }));
	return 0;
}

/* A "#!" line in b->line: the interpreter becomes the program, with its argument and the script's path. */
static long script(struct exec_buf *b)
{
	char *p = b->line + 2, *name, *arg = 0, *end;

	end = p;
	while (*end && *end != '\n')
		end++;
	if (!*end && end - b->line >= SCRIPT_LINE)
		return -ENOEXEC; /* the line does not end within what counts */
	*end = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		arg = *p ? p : 0;
		if (arg)
			for (end = arg + strlen(arg); end > arg && (end[-1] == ' ' || end[-1] == '\t');)
				*--end = 0;
	}
	if (!*name)
		return -ENOEXEC;
	argv_shift(b);
	if (argv_prepend(b, b->path) || (arg && argv_prepend(b, arg)) || argv_prepend(b, name))
		return -E2BIG;
	memcpy(b->path, name, strlen(name) + 1);
	return 0;
}

static long do_exec(struct gk_frame *f, long dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp, uint64_t flags)
{
	struct exec_buf *b;
	long r, fd = -1, ifd = -1, len;
	int depth;

	if (flags & ~(uint64_t)(AT_EMPTY_PATH_K | AT_SYMLINK_NOFOLLOW_K))
		return -EINVAL;
	b = (struct exec_buf *)mm_kernel_map(sizeof(*b));
	if (!b)
		return -ENOMEM;
	len = user_string(upath, b->execfn, sizeof(b->execfn));
	r = len < 0 ? len : 0;
	if (!r && len == 0 && !(flags & AT_EMPTY_PATH_K))
		r = -ENOENT;
	if (!r && (r = pack_strings(uargv, b->argv, STRINGS_MAX, &b->argc)) >= 0) {
		b->argv_len = (uint64_t)r;
		r = pack_strings(uenvp, b->envp, STRINGS_MAX, &b->envc);
	}
	if (r < 0)
		goto out;
	b->envp_len = (uint64_t)r;
	memcpy(b->path, b->execfn, (size_t)len + 1);
	for (depth = 0;; depth++) {
		if (depth > SCRIPT_DEPTH) {
			r = -ELOOP;
			goto out;
		}
		fd = depth == 0 && len == 0 ? reopen_exec(dirfd, b->path) :
		     open_exec(depth ? AT_FDCWD_K : dirfd, b->path, !depth && (flags & AT_SYMLINK_NOFOLLOW_K));
		if (fd < 0) {
			r = fd;
			goto out;
		}
		memset(b->line, 0, sizeof(b->line));
		if ((r = read_at(fd, b->line, SCRIPT_LINE, 0)) < 0)
			goto out;
		if (b->line[0] != '#' || b->line[1] != '!')
			break;
		if ((r = script(b)) < 0)
			goto out;
		fd_close(fd);
		fd = -1;
	}
	if (!b->argc && (r = argv_prepend(b, "")) < 0)
		goto out; /* as Linux since 5.18: a program never starts with no argv[0] */
	if (!stack_fits(b)) {
		r = -E2BIG;
		goto out;
	}
	if ((r = read_elf(fd, &b->eh, b->ph)) < 0 || (r = image_span(&b->eh, b->ph, &b->lo, &b->hi)) < 0)
		goto out;
	for (int i = 0; i < b->eh.e_phnum; i++) {
		if (b->ph[i].p_type != PT_INTERP)
			continue;
		if (!b->ph[i].p_filesz || b->ph[i].p_filesz >= sizeof(b->interp) ||
		    read_at(fd, b->interp, b->ph[i].p_filesz, b->ph[i].p_offset) != (long)b->ph[i].p_filesz ||
		    b->interp[b->ph[i].p_filesz - 1]) {
			r = -ENOEXEC;
			goto out;
		}
		if ((ifd = open_exec(AT_FDCWD_K, b->interp, 0)) < 0) {
			r = ifd == -EACCES ? -ELIBBAD : ifd;
			goto out;
		}
		if ((r = read_elf(ifd, &b->ieh, b->iph)) < 0 || b->ieh.e_type != ET_DYN ||
		    (r = image_span(&b->ieh, b->iph, &b->ilo, &b->ihi)) < 0) {
			r = r < 0 ? r : -ELIBBAD;
			goto out;
		}
		break;
	}
	if (!mm_exec_fits(b->eh.e_type == ET_DYN ? PIE_BASE + (b->hi - b->lo) : b->hi) ||
	    (b->eh.e_type == ET_EXEC && b->lo < VMLET_USER_LO)) {
		r = -ENOMEM;
		goto out;
	}
	/* The point of no return. */
	r = replace(f, b, fd, ifd);
	if (r < 0)
		gk_exit(0, 9); /* SIGKILL: the old program is gone and the new one could not be set up */
out:
	if (ifd >= 0)
		fd_close(ifd);
	if (fd >= 0)
		fd_close(fd);
	mm_kernel_unmap((uint64_t)b, sizeof(*b));
	return r;
}

long sys_execve(struct gk_frame *f)
{
	return do_exec(f, AT_FDCWD_K, A0, A1, A2, 0);
}

long sys_execveat(struct gk_frame *f)
{
	return do_exec(f, (long)(int)A0, A1, A2, A3, A4);
}
