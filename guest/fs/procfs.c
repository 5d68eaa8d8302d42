/* procfs.c - the synthetic /proc: its tree and the texts of its files, made from the guest kernel's own state (no host call). */
#include "fs/synth.h"

#include <linux/auxvec.h>
#include <linux/stat.h>

#define KB 1024ull
#define PAGE 4096ull
#define USER_HZ 100ull
#define NS 1000000000ull

static void nl(struct gk_text *t)
{
	text_str(t, "\n");
}

/* "Name:\tvalue\n" lines of /proc/<pid>/status. */
#define MASK 1 /* a field in 16 hex digits */

static void field(struct gk_text *t, const char *name, uint64_t v, int mask)
{
	text_str(t, name);
	text_str(t, ":\t");
	if (mask)
		text_hex(t, v, 16);
	else
		text_u64(t, v, 0);
	nl(t);
}

/* "Uid:" and "Gid:" lines: real, effective, saved, and the filesystem id (the effective one). */
static void ids(struct gk_text *t, const char *name, const uint32_t v[3])
{
	int i;

	text_str(t, name);
	text_str(t, ":");
	for (i = 0; i < 4; i++) {
		text_str(t, "\t");
		text_u64(t, v[i < 3 ? i : 1], 0);
	}
	nl(t);
}

static void field_kb(struct gk_text *t, const char *name, uint64_t bytes)
{
	text_str(t, name);
	text_str(t, ":\t");
	text_u64(t, bytes / KB, 8);
	text_str(t, " kB\n");
}


/* Memory in use, as far as the guest kernel counts it (peaks: the counters it keeps). */
struct usage {
	uint64_t heap, mapped, stack, total;
};

static void usage(struct usage *u)
{
	u->heap = gk_stats.brk_peak > gk_boot.brk_start ? gk_stats.brk_peak - gk_boot.brk_start : 0;
	u->mapped = gk_stats.mmap_bytes_peak;
	u->stack = gk_boot.start_rsp ? gk_boot.user_hi - (gk_boot.start_rsp & ~(PAGE - 1)) : 0;
	u->total = u->heap + u->mapped + u->stack;
	if (u->total > gk_boot.mem_bytes)
		u->total = gk_boot.mem_bytes;
}

/* The command name: the file name the program was started by, at most 15 bytes. */
static void comm(struct gk_text *t)
{
	const char *p = (const char *)start_auxv(AT_EXECFN), *base;
	size_t n;

	if (!p || !user_ok((uint64_t)p, 1))
		p = gk_boot.exe;
	n = strnlen(p, GK_PATH_MAX);
	for (base = p + n; base > p && base[-1] != '/'; base--)
		;
	n = strnlen(base, 15);
	text_mem(t, base, n);
}

static void gen_comm(struct gk_text *t)
{
	comm(t);
	nl(t);
}

static void gen_status(struct gk_text *t)
{
	uint64_t blocked, ignored, caught;
	uint32_t uid[3], gid[3];
	struct usage u;

	usage(&u);
	signal_masks(&blocked, &ignored, &caught);
	cred_ids(uid, gid);
	text_str(t, "Name:\t");
	comm(t);
	text_str(t, "\nUmask:\t0");
	text_u64(t, (umask_get() >> 6) & 7, 0);
	text_u64(t, (umask_get() >> 3) & 7, 0);
	text_u64(t, umask_get() & 7, 0);
	text_str(t, "\nState:\tR (running)\n");
	field(t, "Tgid", gk_pid, 0);
	field(t, "Ngid", 0, 0);
	field(t, "Pid", gk_pid, 0);
	field(t, "PPid", gk_ppid, 0);
	field(t, "TracerPid", 0, 0);
	ids(t, "Uid", uid);
	ids(t, "Gid", gid);
	field(t, "FDSize", GK_FD_MAX, 0);
	text_str(t, "Groups:\t\n");
	field_kb(t, "VmPeak", u.total);
	field_kb(t, "VmSize", u.total);
	field_kb(t, "VmLck", 0);
	field_kb(t, "VmPin", 0);
	field_kb(t, "VmHWM", u.total);
	field_kb(t, "VmRSS", u.total);
	field_kb(t, "RssAnon", u.total);
	field_kb(t, "RssFile", 0);
	field_kb(t, "RssShmem", 0);
	field_kb(t, "VmData", u.heap + u.mapped);
	field_kb(t, "VmStk", u.stack);
	field_kb(t, "VmExe", 0);
	field_kb(t, "VmLib", 0);
	field_kb(t, "VmPTE", 0);
	field_kb(t, "VmSwap", 0);
	field(t, "Threads", 1, 0);
	text_str(t, "SigQ:\t0/0\n");
	field(t, "SigPnd", 0, MASK);
	field(t, "ShdPnd", 0, MASK);
	field(t, "SigBlk", blocked, MASK);
	field(t, "SigIgn", ignored, MASK);
	field(t, "SigCgt", caught, MASK);
	field(t, "CapInh", 0, MASK);
	field(t, "CapPrm", 0, MASK);
	field(t, "CapEff", 0, MASK);
	field(t, "CapBnd", 0, MASK);
	field(t, "CapAmb", 0, MASK);
	field(t, "NoNewPrivs", 1, 0);
	field(t, "Seccomp", 0, 0);
	text_str(t, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed_list:\t0\n");
	field(t, "voluntary_ctxt_switches", 0, 0);
	field(t, "nonvoluntary_ctxt_switches", 0, 0);
}

static void put_fields(struct gk_text *t, const uint64_t *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		text_str(t, " ");
		text_u64(t, v[i], 0);
	}
}

/* /proc/<pid>/stat: the 52 fields of proc(5), from "pid (comm) state" on. */
static void gen_stat(struct gk_text *t)
{
	uint64_t blocked, ignored, caught, ticks = time_mono_ns() / (NS / USER_HZ);
	struct gk_start s;
	struct usage u;

	usage(&u);
	start_spans(&s);
	signal_masks(&blocked, &ignored, &caught);
	text_u64(t, gk_pid, 0);
	text_str(t, " (");
	comm(t);
	text_str(t, ") R");
	{
		const uint64_t a[] = { (uint64_t)gk_ppid, (uint64_t)gk_pid, (uint64_t)gk_pid, 0 }; /* ppid pgrp session tty_nr */
		put_fields(t, a, 4);
	}
	text_str(t, " -1"); /* tpgid */
	{
		const uint64_t a[] = {
			0x400000, 0, 0, 0, 0, ticks, 0, 0, 0, 20, 0, 1, 0, 0, /* flags .. starttime */
			u.total, u.total / PAGE, UINT64_MAX, 0, 0,            /* vsize rss rsslim startcode endcode */
			gk_boot.start_rsp, 0, 0, 0, blocked, ignored, caught, /* startstack .. sigcatch */
			0, 0, 0, 17, 0, 0, 0, 0, 0, 0,                        /* wchan .. cguest_time */
			0, 0, gk_boot.brk_start, s.arg_lo, s.arg_hi, s.env_lo, s.env_hi, 0,
		};
		put_fields(t, a, (int)(sizeof(a) / sizeof(a[0])));
	}
	nl(t);
}

static void gen_statm(struct gk_text *t)
{
	struct usage u;

	usage(&u);
	text_u64(t, u.total / PAGE, 0);
	text_str(t, " ");
	text_u64(t, u.total / PAGE, 0);
	text_str(t, " 0 0 0 ");
	text_u64(t, (u.heap + u.mapped + u.stack) / PAGE, 0);
	text_str(t, " 0\n");
}

static void gen_maps(struct gk_text *t)
{
	long n = mm_maps_text(t->buf + t->len, t->cap > t->len ? t->cap - t->len : 0);

	if (n > 0)
		t->len += (uint64_t)n;
}

static void gen_mounts(struct gk_text *t)
{
	uint32_t i;

	text_str(t, "vmlet / vmlet ro,relatime 0 0\n"
		    "proc /proc proc ro,nosuid,nodev,noexec,relatime 0 0\n"
		    "devtmpfs /dev devtmpfs ro,nosuid,relatime,mode=755 0 0\n");
	for (i = 0; i < gk_boot.ntmpfs && i < VMLET_TMPFS_MAX; i++) {
		text_str(t, "tmpfs ");
		text_mem(t, gk_boot.tmpfs[i].path, strnlen(gk_boot.tmpfs[i].path, VMLET_TMPFS_PATH_MAX));
		text_str(t, " tmpfs rw,nosuid,nodev,relatime 0 0\n");
	}
}

static void span_cmdline(uint64_t *lo, uint64_t *hi)
{
	struct gk_start s;

	start_spans(&s);
	*lo = s.arg_lo;
	*hi = s.arg_hi;
}

static void span_environ(uint64_t *lo, uint64_t *hi)
{
	struct gk_start s;

	start_spans(&s);
	*lo = s.env_lo;
	*hi = s.env_hi;
}

static void gen_exe(struct gk_text *t)
{
	text_mem(t, gk_boot.exe, strnlen(gk_boot.exe, sizeof(gk_boot.exe)));
}

static void gen_cwd(struct gk_text *t)
{
	text_str(t, fs_cwd());
}

static void gen_self(struct gk_text *t)
{
	text_u64(t, gk_pid, 0);
}

static void gen_thread_self(struct gk_text *t)
{
	text_u64(t, gk_pid, 0);
	text_str(t, "/task/");
	text_u64(t, gk_pid, 0);
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* cpuinfo's flags: register (0: 1.edx, 1: 1.ecx, 2: 7.ebx, 3: 7.ecx, 4: 0x80000001.edx, 5: .ecx), bit, name. */
static const struct {
	uint8_t reg, bit;
	const char *name;
} cpu_flags[] = {
	{ 0, 0, "fpu" }, { 0, 1, "vme" }, { 0, 2, "de" }, { 0, 3, "pse" }, { 0, 4, "tsc" }, { 0, 5, "msr" },
	{ 0, 6, "pae" }, { 0, 7, "mce" }, { 0, 8, "cx8" }, { 0, 9, "apic" }, { 0, 11, "sep" }, { 0, 12, "mtrr" },
	{ 0, 13, "pge" }, { 0, 14, "mca" }, { 0, 15, "cmov" }, { 0, 16, "pat" }, { 0, 17, "pse36" },
	{ 0, 19, "clflush" }, { 0, 23, "mmx" }, { 0, 24, "fxsr" }, { 0, 25, "sse" }, { 0, 26, "sse2" },
	{ 4, 11, "syscall" }, { 4, 20, "nx" }, { 4, 26, "pdpe1gb" }, { 4, 27, "rdtscp" }, { 4, 29, "lm" },
	{ 1, 0, "pni" }, { 1, 1, "pclmulqdq" }, { 1, 9, "ssse3" }, { 1, 12, "fma" }, { 1, 13, "cx16" },
	{ 1, 19, "sse4_1" }, { 1, 20, "sse4_2" }, { 1, 22, "movbe" }, { 1, 23, "popcnt" }, { 1, 25, "aes" },
	{ 1, 26, "xsave" }, { 1, 28, "avx" }, { 1, 29, "f16c" }, { 1, 30, "rdrand" }, { 1, 31, "hypervisor" },
	{ 5, 0, "lahf_lm" }, { 5, 5, "abm" }, { 5, 8, "3dnowprefetch" },
	{ 2, 0, "fsgsbase" }, { 2, 3, "bmi1" }, { 2, 5, "avx2" }, { 2, 7, "smep" }, { 2, 8, "bmi2" },
	{ 2, 9, "erms" }, { 2, 10, "invpcid" }, { 2, 16, "avx512f" }, { 2, 17, "avx512dq" }, { 2, 18, "rdseed" },
	{ 2, 19, "adx" }, { 2, 20, "smap" }, { 2, 23, "clflushopt" }, { 2, 24, "clwb" }, { 2, 28, "avx512cd" },
	{ 2, 29, "sha_ni" }, { 2, 30, "avx512bw" }, { 2, 31, "avx512vl" }, { 3, 1, "avx512vbmi" },
	{ 3, 6, "avx512_vbmi2" }, { 3, 8, "gfni" }, { 3, 9, "vaes" }, { 3, 10, "vpclmulqdq" },
	{ 3, 11, "avx512_vnni" }, { 3, 12, "avx512_bitalg" }, { 3, 14, "avx512_vpopcntdq" }, { 3, 22, "rdpid" },
};

static void gen_cpuinfo(struct gk_text *t)
{
	uint32_t r[4], regs[6] = { 0 }, max, sig, i;
	char vendor[13], model[49];
	const char *name = model;

	cpuid(0, 0, r);
	max = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	cpuid(1, 0, r);
	sig = r[0];
	regs[0] = r[3];
	regs[1] = r[2];
	if (max >= 7) {
		cpuid(7, 0, r);
		regs[2] = r[1];
		regs[3] = r[2];
	}
	cpuid(0x80000000u, 0, r);
	model[0] = 0;
	if (r[0] >= 0x80000004u) {
		for (i = 0; i < 3; i++)
			cpuid(0x80000002u + i, 0, (uint32_t *)(model + 16 * i));
		model[48] = 0;
	}
	cpuid(0x80000001u, 0, r);
	regs[4] = r[3];
	regs[5] = r[2];
	text_str(t, "processor\t: 0\nvendor_id\t: ");
	text_str(t, vendor);
	text_str(t, "\ncpu family\t: ");
	text_u64(t, ((sig >> 8) & 15) + (((sig >> 8) & 15) == 15 ? (sig >> 20) & 255 : 0), 0);
	text_str(t, "\nmodel\t\t: ");
	text_u64(t, ((sig >> 4) & 15) | (((sig >> 8) & 15) >= 6 ? ((sig >> 16) & 15) << 4 : 0), 0);
	text_str(t, "\nmodel name\t: ");
	while (*name == ' ')
		name++;
	text_str(t, name);
	text_str(t, "\nstepping\t: ");
	text_u64(t, sig & 15, 0);
	text_str(t, "\ncpu MHz\t\t: ");
	text_u64(t, gk_boot.tsc_khz / 1000, 0);
	text_str(t, ".");
	text_u64(t, gk_boot.tsc_khz % 1000 / 100, 0);
	text_u64(t, gk_boot.tsc_khz % 100 / 10, 0);
	text_u64(t, gk_boot.tsc_khz % 10, 0);
	text_str(t, "\ncache size\t: 0 KB\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n"
		    "apicid\t\t: 0\ninitial apicid\t: 0\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: ");
	text_u64(t, max, 0);
	text_str(t, "\nwp\t\t: yes\nflags\t\t:");
	for (i = 0; i < sizeof(cpu_flags) / sizeof(cpu_flags[0]); i++)
		if (regs[cpu_flags[i].reg] & (1u << cpu_flags[i].bit)) {
			text_str(t, " ");
			text_str(t, cpu_flags[i].name);
		}
	text_str(t, "\nbogomips\t: ");
	text_u64(t, gk_boot.tsc_khz / 500, 0);
	text_str(t, ".00\nclflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 46 bits physical, 48 bits virtual\n"
		    "power management:\n\n");
}

static void meminfo_line(struct gk_text *t, const char *name, uint64_t bytes)
{
	uint64_t start = t->len;

	text_str(t, name);
	text_str(t, ":");
	while (t->len - start < 16)
		text_str(t, " ");
	text_u64(t, bytes / KB, 8);
	text_str(t, " kB\n");
}

static void gen_meminfo(struct gk_text *t)
{
	static const char *const zero[] = { "Buffers", "Cached", "SwapCached", "Active", "Inactive",
					    "SwapTotal", "SwapFree", "Dirty", "Writeback", "Mapped",
					    "Shmem", "Slab", "SReclaimable", "SUnreclaim" };
	struct usage u;
	uint64_t i;

	usage(&u);
	meminfo_line(t, "MemTotal", gk_boot.mem_bytes);
	meminfo_line(t, "MemFree", gk_boot.mem_bytes - u.total);
	meminfo_line(t, "MemAvailable", gk_boot.mem_bytes - u.total);
	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		meminfo_line(t, zero[i], 0);
	meminfo_line(t, "AnonPages", u.total);
	meminfo_line(t, "CommitLimit", gk_boot.mem_bytes);
	meminfo_line(t, "Committed_AS", u.total);
	text_str(t, "HugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n");
}

/* The clock since the VM started, in USER_HZ ticks: all of it the program's (one CPU, always running). */
static uint64_t ticks_now(void)
{
	return time_mono_ns() / (NS / USER_HZ);
}

static void gen_proc_stat(struct gk_text *t)
{
	static const char *const cpus[] = { "cpu ", "cpu0" };
	uint64_t i, boot = (time_real_ns() - time_mono_ns()) / NS;

	for (i = 0; i < 2; i++) {
		text_str(t, cpus[i]);
		text_str(t, " ");
		text_u64(t, ticks_now(), 0);
		text_str(t, " 0 0 0 0 0 0 0 0 0\n");
	}
	text_str(t, "intr 0\nctxt 0\nbtime ");
	text_u64(t, boot, 0);
	text_str(t, "\nprocesses 1\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

static void gen_uptime(struct gk_text *t)
{
	uint64_t cs = time_mono_ns() / (NS / 100);

	text_u64(t, cs / 100, 0);
	text_str(t, ".");
	text_u64(t, cs / 10 % 10, 0);
	text_u64(t, cs % 10, 0);
	text_str(t, " 0.00\n");
}

static void gen_loadavg(struct gk_text *t)
{
	text_str(t, "0.00 0.00 0.00 1/1 ");
	text_u64(t, gk_pid, 0);
	nl(t);
}

static void put_uuid(struct gk_text *t, const uint8_t b[16])
{
	int i;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			text_str(t, "-");
		text_hex(t, b[i], 2);
	}
	nl(t);
}

static void random_uuid(uint8_t b[16])
{
	random_fill(b, 16);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

static void gen_uuid(struct gk_text *t)
{
	uint8_t b[16];

	random_uuid(b);
	put_uuid(t, b);
}

static void gen_boot_id(struct gk_text *t)
{
	static uint8_t id[16];
	static int made;

	if (!made)
		random_uuid(id);
	made = 1;
	put_uuid(t, id);
}

static const struct synth_entry numbered_only[] = { SYN_END };

static const struct synth_entry pid_files[] = {
	SYN_LINK("exe", 0x201, gen_exe),
	SYN_LINK("cwd", 0x202, gen_cwd),
	SYN_LINK_TEXT("root", 0x203, "/"),
	SYN_DIR("fd", S_IFDIR | 0500, 0x204, numbered_only, LIST_FD),
	{ "cmdline", S_IFREG | 0444, 0x205, 0, LIST_NONE, 0, 0, span_cmdline, OFD_FREE, 0 },
	{ "environ", S_IFREG | 0400, 0x206, 0, LIST_NONE, 0, 0, span_environ, OFD_FREE, 0 },
	SYN_FILE("status", 0x207, gen_status),
	SYN_FILE("stat", 0x208, gen_stat),
	SYN_FILE("statm", 0x209, gen_statm),
	SYN_FILE("comm", 0x20a, gen_comm),
	SYN_FILE("maps", 0x20b, gen_maps),
	SYN_FILE("mounts", 0x20c, gen_mounts),
	SYN_DIR("task", SYN_DIR_R, 0x20d, numbered_only, LIST_PID),
	SYN_END,
};

const struct synth_entry procfs_pid = SYN_DIR("", SYN_DIR_R, 0x200, pid_files, LIST_NONE);

static const struct synth_entry kernel_random[] = {
	SYN_FILE("boot_id", 0x311, gen_boot_id),
	SYN_FILE("uuid", 0x312, gen_uuid),
	SYN_END,
};

static const struct synth_entry sys_kernel[] = {
	SYN_TEXT("hostname", 0x301, GK_UTS_NODENAME "\n"),
	SYN_TEXT("osrelease", 0x302, GK_UTS_RELEASE "\n"),
	SYN_TEXT("ostype", 0x303, GK_UTS_SYSNAME "\n"),
	SYN_TEXT("version", 0x304, GK_UTS_VERSION "\n"),
	SYN_TEXT("pid_max", 0x305, "4194304\n"),
	SYN_TEXT("ngroups_max", 0x306, "65536\n"),
	SYN_DIR("random", SYN_DIR_R, 0x310, kernel_random, LIST_NONE),
	SYN_END,
};

static const struct synth_entry sys_vm[] = {
	SYN_TEXT("overcommit_memory", 0x321, "0\n"),
	SYN_END,
};

static const struct synth_entry sys[] = {
	SYN_DIR("kernel", SYN_DIR_R, 0x300, sys_kernel, LIST_NONE),
	SYN_DIR("vm", SYN_DIR_R, 0x320, sys_vm, LIST_NONE),
	SYN_END,
};

static const struct synth_entry proc_files[] = {
	SYN_LINK("self", 0x101, gen_self),
	SYN_LINK("thread-self", 0x102, gen_thread_self),
	SYN_FILE("cpuinfo", 0x103, gen_cpuinfo),
	SYN_FILE("meminfo", 0x104, gen_meminfo),
	SYN_FILE("stat", 0x105, gen_proc_stat),
	SYN_FILE("uptime", 0x106, gen_uptime),
	SYN_FILE("loadavg", 0x107, gen_loadavg),
	SYN_TEXT("version", 0x108, GK_UTS_SYSNAME " version " GK_UTS_RELEASE " (vmlet) " GK_UTS_VERSION "\n"),
	SYN_LINK_TEXT("mounts", 0x109, "self/mounts"),
	SYN_DIR("sys", SYN_DIR_R, 0x10a, sys, LIST_NONE),
	SYN_END,
};

const struct synth_entry procfs_root = SYN_DIR("proc", SYN_DIR_R, 0x100, proc_files, LIST_PID);
