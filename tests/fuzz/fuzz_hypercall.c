/*
 * fuzz_hypercall.c - libFuzzer target for the host side of the guest/host ABI: hypercall_handle()
 * and ring_drain() on a struct vmlet_vm built without KVM.
 *
 * The VM is real except for KVM: 32 MiB of guest RAM (mmap'd between PROT_NONE guard pages), the
 * embedded guest kernel image copied into the kernel area, vm->gk from its header, read-only
 * grants of a temporary tree (files, directories, symlinks in and out, a FIFO, a file grant,
 * nested guest paths), declared channels of every type and mode (files read/sequential/write/
 * append/read-write, /dev/null and /dev/zero with quotas, FIFOs both ways, a UNIX socket whose
 * server end the fuzzer holds, a directory), stdio on /dev/null, a regular file, a pipe without
 * reader (EPIPE), an empty non-blocking pipe (EAGAIN), or -1. Guest RAM the host must never touch (the first 64 KiB,
 * the system area below its page-table pool, the kernel area past the image) is ASan-poisoned, so a bad
 * translation is reported even though it stays inside the mapping.
 *
 * Each input is a config byte and a list of operations (see decode below): hypercalls with
 * crafted blocks (arguments chosen from region edges, sparse-region pages, handles, path slots, raw
 * values), writes into guest memory (path slots, ring, hypercall block, kernel data, garbage over
 * the page tables the host walks for sparse-region addresses), hand-made ring records,
 * ring drains. Blocking calls are bounded the way vmlet_vm_run bounds them: a deadline a few
 * milliseconds ahead and a 1 ms kick signal. After every call the host's state is checked
 * (handles, ring tail, result, the answer in the block); after every input all handles are
 * closed through close_mask and no host fd may be left open.
 *
 * Also invariants: quotas (no channel's counters pass its limits) and channel modes, which only
 * the host enforces here: no read succeeds on a write-only or append-only channel, positioned I/O
 * on a sequential channel only at its position, every write to an append-only channel lands at
 * its end; and guest input alone never ends the run as a vmlet failure (VMLET_FAILED, exit 125).
 * HC_FUZZ_STRICT=0 drops the mode and 125 checks (they caught bugs, since fixed, that an older
 * tree may still have). HC_FUZZ_WRITE_SEEDS=DIR writes the seed corpus to DIR and exits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include "core/vm_internal.h"

extern const uint8_t vmlet_gk_image[], vmlet_gk_image_end[];

#define MEM_SIZE (32ull << 20)
#define GUARD (1ull << 20)
#define PATH_AREA 0x100000ull   /* 8 path slots of 4 KiB (guest-physical == user virtual) */
#define SCRATCH 0x200000ull     /* buffers the fuzzer points hypercalls at */
#define NSLOTS 8
#define SPARSE_MID 0xc000000000ull /* a sparse-region run mapped by sparse_map */
#define SPARSE_TABLES_SIZE (12 * 4096ull) /* the page-table pool's pages sparse_map uses */
#define SPARSE_SHARED 0xd000000000ull /* sparse pages sparse_map maps to the shared region's frames */
#define SHARED_SIZE (2ull << 20)      /* the fuzzed VM's shared region (a shared tmpfs) */
#define KICK_SIGNAL (SIGRTMAX - 1) /* the signal vmlet_vm_run's tick uses */

#define CHECK(cond)                                                                         \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "fuzz_hypercall: invariant broken: %s (line %d)\n", \
				#cond, __LINE__);                                           \
			abort();                                                            \
		}                                                                           \
	} while (0)

static struct vmlet_vm *vm;
static struct vmlet_result result;
static uint8_t *map; /* guard | guest RAM | guard */
static int devnull_r, devnull_w, epipe_w, file_out, file_in, empty_r;
static int listen_fd = -1, fifo_feed = -1, fifo_drain = -1, peers[64], npeers;
static int fd_base, fd_base_count, strict;
static timer_t kick_timer;
static char tmpdir[256];
static uint64_t last_handle = 3;
static unsigned long inputs;

/* ---- guest memory helpers ---- */
static uint8_t *host_of_gva(uint64_t gva)
{
	if (gva >= VMLET_KERNEL_VBASE)
		return vm->mem.host + vm->kbase + (gva - VMLET_KERNEL_VBASE);
	return vm->mem.host + gva;
}

static struct vmlet_hypercall *block(void)
{
	return (struct vmlet_hypercall *)host_of_gva(vm->gk.hypercall);
}

static struct vmlet_ring *ring(void)
{
	return (struct vmlet_ring *)host_of_gva(vm->gk.ring);
}

/* ---- input reader: zeros past the end ---- */
struct in {
	const uint8_t *p;
	size_t n, i;
};

static uint8_t u8(struct in *in)
{
	return in->i < in->n ? in->p[in->i++] : 0;
}

static uint64_t u64(struct in *in)
{
	uint64_t v = 0;
	int k;

	for (k = 0; k < 8; k++)
		v |= (uint64_t)u8(in) << (8 * k);
	return v;
}

static uint32_t u32(struct in *in)
{
	uint32_t v = 0;
	int k;

	for (k = 0; k < 4; k++)
		v |= (uint32_t)u8(in) << (8 * k);
	return v;
}

/* ---- paths ---- */
static const char *const path_pool[] = {
	"/", "/g", "/g/a", "/g/d", "/g/d/b", "/g/ln", "/g/abs", "/g/up", "/g/loop", "/g/fifo",
	"/g/e", "/g/many", "/g/many/f17", "/x", "/x/y", "/x/y/z", "/x/y/z/more", "/x/w", "/x/w/b",
	"/deep", "/deep/a/b", "/deep/a/b/c/d", "/deep/a/b/c/d/b", "/g/../etc/passwd", "/g/./a",
	"//g", "/g/", "/gg", "/proc/self/exe", "/g/d/../a", "/g/none", "/g/a/..", "/x/yy", "/dev/null",
	"/etc/passwd", "g/a", "", "/g/dirlink", "/g/dirlink/b", "/g/weird\nname", "/g/updir/x",
	"/c", "/c/r", "/c/seq", "/c/w", "/c/app", "/c/rw", "/c/null", "/c/zero", "/c/fifo", "/c/fifow",
	"/c/sock", "/c/dir", "/c/dir/b", "/c/r/", "/c/w/x",
};
#define NPATHS (sizeof(path_pool) / sizeof(path_pool[0]))

static uint64_t slot_addr(unsigned k)
{
	return PATH_AREA + (uint64_t)(k % NSLOTS) * 4096;
}

static void set_slot(unsigned k, const char *s, size_t len)
{
	uint8_t *p = host_of_gva(slot_addr(k));

	if (len > 4095)
		len = 4095;
	memcpy(p, s, len);
	p[len] = 0;
}

/* ---- argument values ---- */
static uint64_t value(struct in *in)
{
	uint8_t sel = u8(in);
	uint64_t gk_lo = VMLET_KERNEL_VBASE + VMLET_GK_OFFSET, gk_hi = vm->gk.bss_end;

	switch (sel % 67) {
	case 0: case 1: case 2: case 3: return slot_addr(sel % 52);
	case 4: case 5: case 6: case 7: return strnlen((char *)host_of_gva(slot_addr(sel % 52 - 4)), 4096);
	case 8: return SCRATCH + (uint64_t)u8(in) * 8;
	case 9: return vm->user_hi - sizeof(struct vmlet_stat);
	case 10: return vm->user_hi - sizeof(struct vmlet_stat) + 1;
	case 11: return gk_lo;
	case 12: return gk_lo - 1;
	case 13: return gk_hi - sizeof(struct vmlet_stat);
	case 14: return gk_hi - sizeof(struct vmlet_stat) + 1;
	case 15: return gk_hi;
	case 16: return VMLET_KERNEL_VBASE;
	case 17: return VMLET_KERNEL_VBASE + SYS_PT_LO;
	case 18: return 0;
	case 19: return VMLET_USER_LO - 1;
	case 20: return VMLET_USER_LO;
	case 21: return vm->user_hi;
	case 22: return vm->mem.size;
	case 23: return ~0ull;
	case 24: return 1ull << 63;
	case 25: return 1ull << 30;
	case 26: return (1ull << 30) + 1;
	case 27: return 1ull << 40;
	case 28: return 4096;
	case 29: return 1;
	case 30: return 2;
	case 31: return 3;
	case 32: return last_handle;
	case 33: return u8(in) % 70;
	case 34: return 63;
	case 35: return 64;
	case 36: return 4095;
	case 37: return INT64_MAX;
	case 38: case 39: return u64(in);
	case 40: return u8(in);
	case 41: return vm->gk.hypercall;
	case 42: return vm->gk.ring;
	case 43: return vm->gk.ring + sizeof(struct vmlet_ring) - u8(in);
	case 44: return 0x7fffffff;
	case 45: return POLLIN | POLLOUT;
	case 46: return VMLET_TTY_TCGETS;
	case 47: return VMLET_TTY_TIOCGWINSZ;
	case 48: return vm->stack_lo - 4096; /* the guard below the stack (RAM on the host side) */
	case 49: return (uint64_t)-1 - u8(in);
	case 50: return vm->gk.boot;
	case 51: return vm->gk.text_end - u8(in);
	case 52: return vm->brk_start + (uint64_t)u8(in) * 4096; /* heap: DISCARD-able */
	case 53: return (uint64_t)u8(in) * 4096;                 /* page-multiple lengths */
	case 54: return vm->user_hi - (uint64_t)u8(in) * 4096;
	case 55: return VMLET_SPARSE_LO + (uint64_t)u8(in) * 8; /* sparse region: see sparse_map */
	case 56: return VMLET_SPARSE_LO + 0x1234;
	case 57: return SPARSE_MID + 4096 - u8(in); /* across the mid run's two frames */
	case 58: return VMLET_SPARSE_HI - 8;
	case 59: return VMLET_SPARSE_HI - (uint64_t)u8(in);
	case 60: return VMLET_SPARSE_LO - 1 - u8(in);
	case 61: return SPARSE_MID + 3 * 4096 - u8(in); /* a read-only page, then a frame out of order */
	case 62: return VMLET_SHARED_VBASE + (uint64_t)u8(in) * 4; /* shared region: the lock, futex words */
	case 63: return VMLET_SHARED_VBASE + SHARED_SIZE - u8(in);
	case 64: return VMLET_SHARED_VBASE - 4 + u8(in) % 8;
	case 65: return SPARSE_SHARED + 4096 * (u8(in) % 3) + 4096 - 4 * (u8(in) % 3); /* its sparse mapping */
	case 66: return VMLET_LOCK_WAITERS | (u8(in) % 4); /* a lock word: owners 0..3 (the fuzzed VM is pid 2) */
	default: return 5;                                       /* a low handle */
	}
}

/* ---- invariants ---- */
static void check_handles(void)
{
	unsigned i, j;

	for (i = 0; i < 3; i++) {
		CHECK(vm->handles[i].kind == HANDLE_STDIO);
		CHECK(vm->handles[i].fd == vm->stdio[i]);
		CHECK(vm->handles[i].channel == (int)i);
	}
	for (i = 3; i < VMLET_HANDLE_MAX; i++) {
		const struct handle *h = &vm->handles[i];
		CHECK(h->kind == HANDLE_FREE || h->channel == -1 || (h->channel >= 3 && (size_t)h->channel < vm->nchannels));
		switch (h->kind) {
		case HANDLE_FREE:
			CHECK(h->fd == -1 && !h->vpath);
			break;
		case HANDLE_FILE:
		case HANDLE_DIR:
		case HANDLE_STREAM:
			CHECK(h->fd >= 0 && !h->vpath);
			CHECK(fcntl(h->fd, F_GETFD) == FD_CLOEXEC);
			for (j = 3; j < i; j++)
				CHECK(vm->handles[j].fd != h->fd);
			break;
		case HANDLE_VDIR:
			CHECK(h->fd == -1 && h->vpath && h->vpath[0] == '/');
			break;
		default:
			CHECK(!"handle kind");
		}
	}
}

static void check_result(void)
{
	const struct vmlet_result *r = vm->res;

	switch ((int)r->outcome) {
	case 0:
		break;
	case VMLET_EXITED:
		CHECK(r->exit_code == r->status && r->status >= 0 && r->status <= 255);
		break;
	case VMLET_SIGNALED:
		CHECK(r->signal >= 1 && r->signal <= 127 && r->exit_code == 128 + r->signal);
		CHECK(!r->message[0] || !strncmp(r->message, "guest fault: ", 13));
		break;
	case VMLET_TIMEOUT:
		CHECK(r->exit_code == 124);
		break;
	case VMLET_FAILED:
		CHECK(r->exit_code == 125);
		if (strict) {
			fprintf(stderr, "fuzz_hypercall: guest input ended the run as a vmlet failure: %s\n",
				r->message);
			abort();
		}
		break;
	default:
		CHECK(!"outcome");
	}
	CHECK(strnlen(r->message, sizeof(r->message)) < sizeof(r->message));
}

/* Quotas: no channel's counters ever pass its limits. */
static void check_quotas(void)
{
	size_t i;

	for (i = 0; i < vm->nchannels; i++) {
		const struct channel *c = &vm->channels[i];
		if (c->type == VMLET_CHANNEL_DIRECTORY)
			continue;
		CHECK(c->stats.reads <= c->limits.reads && c->stats.read_bytes <= c->limits.read_bytes);
		CHECK(c->stats.writes <= c->limits.writes && c->stats.write_bytes <= c->limits.write_bytes);
	}
}

static void policy(const char *what)
{
	if (strict) {
		fprintf(stderr, "fuzz_hypercall: channel policy broken: %s\n", what);
		abort();
	}
}

/* After a drain the guest's copy of the tail is the host's (a hypercall may have the host write
 * anything anywhere in the image, the ring header included, so only right after a drain). */
static void check_ring(int drained)
{
	CHECK(vm->ring_tail % 8 == 0);
	if (drained && !vm->res->outcome)
		CHECK(ring()->tail == vm->ring_tail);
}

/* ---- bounded blocking: deadline plus kick, as vmlet_vm_run does ---- */
static void kick(int sig)
{
	(void)sig;
}

static void arm(int on)
{
	struct itimerspec its = { { 0, on ? 1000000 : 0 }, { 0, on ? 1000000 : 0 } };

	vm->deadline_ns = on ? vm_now_ns() + 3000000 : 0;
	timer_settime(kick_timer, 0, &its, NULL);
}

/* ---- operations ---- */
static void op_hypercall(struct in *in)
{
	struct vmlet_hypercall h, *b = block();
	uint8_t nr = u8(in), msel = u8(in);
	enum exit_action a;
	int k, ch = -1;
	uint64_t seq_off = 0;
	int64_t size_before = -1;

	memset(&h, 0, sizeof(h));
	h.nr = nr < 0xf0 ? nr % (VMLET_HC_COUNT + 2) : u64(in); /* the last two and raw numbers are unknown */
	switch (msel % 8) {
	case 0: case 1: case 2: case 3: h.close_mask = 0; break;
	case 4: h.close_mask = ~0ull; break;
	case 5: h.close_mask = 1ull << (u8(in) % 64); break;
	case 6: h.close_mask = u64(in); break;
	default: h.close_mask = 7; break;
	}
	for (k = 0; k < 6; k++)
		h.arg[k] = value(in);
	h.ret = (int64_t)0xdeadbeefdeadbeefull;
	memcpy(b, &h, sizeof(h));
	if (h.arg[0] < VMLET_HANDLE_MAX && !(h.close_mask & (1ull << h.arg[0])) && vm->handles[h.arg[0]].kind != HANDLE_FREE) {
		const struct handle *hd = &vm->handles[h.arg[0]];
		struct stat st;
		ch = hd->channel;
		seq_off = hd->seq_off;
		if (hd->kind == HANDLE_FILE && fstat(hd->fd, &st) == 0)
			size_before = st.st_size;
	}
	arm(1);
	a = hypercall_handle(vm);
	arm(0);
	check_handles();
	check_result();
	check_ring(0);
	check_quotas();
	if (a == EXIT_CONTINUE && b->ret >= 0 && ch >= 3 && vm->channels[ch].type != VMLET_CHANNEL_DIRECTORY) {
		const struct channel *c = &vm->channels[ch];
		int positioned = h.arg[3] != VMLET_OFF_NONE;
		if (h.nr == VMLET_HC_READ && (c->mode == VMLET_CHANNEL_WRITE || c->mode == VMLET_CHANNEL_APPEND))
			policy("a read succeeded on a write-only or append-only channel");
		if ((h.nr == VMLET_HC_READ || h.nr == VMLET_HC_WRITE) && positioned && !c->random_access &&
		    c->type == VMLET_CHANNEL_FILE && h.arg[3] != seq_off)
			policy("positioned I/O away from its position succeeded on a sequential channel");
		if (h.nr == VMLET_HC_WRITE && c->mode == VMLET_CHANNEL_APPEND && c->type == VMLET_CHANNEL_FILE &&
		    size_before >= 0) {
			struct stat st;
			if (fstat(vm->handles[h.arg[0]].fd, &st) == 0 && st.st_size != size_before + b->ret)
				policy("a write to an append-only channel did not land at its end");
		}
	}
	if (a == EXIT_CONTINUE) {
		CHECK(!vm->res->outcome);
		/* (close_mask is cleared before the call; the call itself may write the block.) */
		CHECK(b->ret >= -4095);
		if (h.nr == VMLET_HC_OPEN && b->ret >= 3)
			last_handle = (uint64_t)b->ret;
		if (h.nr == VMLET_HC_OPEN || h.nr == VMLET_HC_CLOSE)
			CHECK(b->ret < (int64_t)VMLET_HANDLE_MAX);
	} else {
		CHECK(vm->res->outcome);
	}
}

static void op_mem(struct in *in)
{
	uint8_t region = u8(in), len = u8(in);
	uint32_t off = (uint32_t)u8(in) | (uint32_t)u8(in) << 8;
	uint64_t data_lo = vm->gk.text_end, data_size = vm->gk.bss_end - vm->gk.text_end;
	uint8_t *dst;
	size_t room, i;

	switch (region % 10) {
	case 0: dst = host_of_gva(PATH_AREA + off % (NSLOTS * 4096)); room = NSLOTS * 4096 - off % (NSLOTS * 4096); break;
	case 1: dst = host_of_gva(SCRATCH + off); room = 1 << 20; break;
	case 2: dst = host_of_gva(vm->user_hi - 4096 + off % 4096); room = 4096 - off % 4096; break;
	case 3: dst = ring()->data + (off * 4u) % VMLET_RING_SIZE; room = VMLET_RING_SIZE - (off * 4u) % VMLET_RING_SIZE; break;
	case 4: dst = (uint8_t *)block() + off % sizeof(struct vmlet_hypercall); room = sizeof(struct vmlet_hypercall) - off % sizeof(struct vmlet_hypercall); break;
	case 5: dst = host_of_gva(data_lo + ((uint64_t)off * 37) % data_size); room = data_size - ((uint64_t)off * 37) % data_size; break;
	case 6: dst = (uint8_t *)ring() + off % 16; room = 16 - off % 16; break;
	case 7: dst = host_of_gva(VMLET_KERNEL_VBASE + VMLET_GK_OFFSET + off % 4096); room = 4096 - off % 4096; break;
	/* Garbage page tables: anywhere in the pool, or whole entries of the tables sparse_map built. */
	case 8: dst = host_of_gva(VMLET_KERNEL_VBASE + SYS_PT_LO + (uint64_t)off * 13 % (SYS_PT_HI - SYS_PT_LO)); room = SYS_PT_HI - SYS_PT_LO - (uint64_t)off * 13 % (SYS_PT_HI - SYS_PT_LO); break;
	default: dst = host_of_gva(VMLET_KERNEL_VBASE + SYS_PT_LO + (off & ~7u) % SPARSE_TABLES_SIZE); room = SPARSE_TABLES_SIZE - (off & ~7u) % SPARSE_TABLES_SIZE; break;
	}
	for (i = 0; i < len && i < room; i++)
		dst[i] = u8(in);
}

static void op_ring(struct in *in)
{
	struct vmlet_ring *r = ring();
	uint8_t csel = u8(in), lsel = u8(in), dlen = u8(in), hsel = u8(in);
	struct vmlet_record rec;
	uint64_t pos = r->head % VMLET_RING_SIZE, total;
	uint8_t *p;
	unsigned i;

	switch (csel % 8) {
	case 0: case 1: rec.chan = 1; break;
	case 2: rec.chan = 2; break;
	case 3: rec.chan = 0; break;
	case 4: rec.chan = VMLET_CHAN_PAD; break;
	case 5: rec.chan = VMLET_CHAN_TRACE; break;
	case 6: rec.chan = 3 + u8(in); break;
	default: rec.chan = u32(in); break;
	}
	switch (lsel % 6) {
	case 0: case 1: case 2: rec.len = dlen; break;
	case 3: rec.len = rec.chan == VMLET_CHAN_TRACE ? sizeof(struct vmlet_trace) : dlen; break;
	case 4: rec.len = (uint32_t)(VMLET_RING_SIZE - pos - 8); break; /* exactly to the end (a pad) */
	default: rec.len = u32(in); break;
	}
	if (pos + 8 > VMLET_RING_SIZE)
		return;
	memcpy(r->data + pos, &rec, sizeof(rec));
	p = r->data + pos + 8;
	if (rec.chan == VMLET_CHAN_TRACE && rec.len == sizeof(struct vmlet_trace)) {
		struct vmlet_trace t;
		uint8_t t0 = u8(in);
		t.nr = t0 >= 0xf0 ? u64(in) : t0 % 4 == 0 ? 2 : t0; /* often open: a string argument */
		for (i = 0; i < 6; i++)
			t.arg[i] = value(in);
		t.ret = (int64_t)value(in);
		if (pos + 8 + sizeof(t) <= VMLET_RING_SIZE)
			memcpy(p, &t, sizeof(t));
	} else {
		for (i = 0; i < dlen && pos + 8 + i < VMLET_RING_SIZE; i++)
			p[i] = u8(in);
	}
	total = 8 + (((uint64_t)rec.len + 7) & ~7ull);
	switch (hsel % 6) {
	case 0: case 1: case 2: r->head += total; break;
	case 3: r->head += u8(in); break;
	case 4: r->head = vm->ring_tail + VMLET_RING_SIZE + (hsel >> 4); break;
	default: r->head = u64(in); break;
	}
}

static void op_drain(void)
{
	arm(1);
	ring_drain(vm);
	arm(0);
	check_result();
	check_ring(1);
	check_quotas();
}

static void op_path(struct in *in)
{
	uint8_t slot = u8(in), which = u8(in);

	if (which == 0xff) {
		char s[256];
		uint8_t len = u8(in), i;
		for (i = 0; i < len; i++)
			s[i] = (char)u8(in);
		set_slot(slot, s, len);
	} else {
		const char *s = path_pool[which % NPATHS];
		set_slot(slot, s, strlen(s));
	}
}

/* ---- per-input reset and end-of-input cleanup ---- */
static void reset_channels(void)
{
	static const char hello[] = "data from the peer\n";
	char sink[65536];
	size_t i;
	int fd;

	for (i = 0; i < vm->nchannels; i++) {
		struct channel *c = &vm->channels[i];
		memset(&c->stats, 0, sizeof(c->stats));
		sha256_init(&c->read_hash);
		sha256_init(&c->write_hash);
		if (c->tmp && c->fd >= 0) { /* written files: keep them small */
			ftruncate(c->fd, 0);
			lseek(c->fd, 0, SEEK_SET);
		}
	}
	/* FIFO peers: drain what the program wrote, offer something to read. */
	while (fifo_drain >= 0 && read(fifo_drain, sink, sizeof(sink)) > 0)
		;
	if (fifo_feed >= 0 && write(fifo_feed, hello, sizeof(hello) - 1) < 0)
		;
	/* Socket peers: accept new connections, drain them, offer data; keep the newest 64. */
	while (listen_fd >= 0 && (fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (npeers == 64) {
			close(peers[0]);
			memmove(peers, peers + 1, sizeof(peers[0]) * 63);
			npeers--;
		}
		peers[npeers++] = fd;
	}
	for (i = 0; i < (size_t)npeers; i++) {
		while (read(peers[i], sink, sizeof(sink)) > 0)
			;
		if (write(peers[i], hello, sizeof(hello) - 1) < 0)
			;
	}
}

/* Map sparse-region page gva to frame (4 KiB pages), with tables taken from the pool after the root. */
static void sparse_page(uint64_t gva, uint64_t frame, uint64_t leaf_flags, uint64_t *next_table)
{
	uint64_t t = vm->kbase + SYS_PT_LO;
	int level;

	for (level = 3; level > 0; level--) {
		uint64_t *e = (uint64_t *)(vm->mem.host + t) + ((gva >> (12 + 9 * level)) & 511);
		if (!(*e & 1)) {
			*e = *next_table | 7; /* P W U */
			*next_table += 4096;
		}
		t = *e & 0x000ffffffffff000ull;
	}
	((uint64_t *)(vm->mem.host + t))[(gva >> 12) & 511] = frame | leaf_flags;
}

/*
 * The guest kernel's sparse-region mappings, as guest/mm/sparse.c makes them, onto SCRATCH frames:
 * 4 pages at VMLET_SPARSE_LO, 4 at SPARSE_MID (two contiguous writable, one read-only, one out
 * of order), the last page below VMLET_SPARSE_HI, and 3 at SPARSE_SHARED onto the shared region
 * (its first and last frames, one past it). Tables fill SPARSE_TABLES_SIZE of the pool.
 */
static void sparse_map(void)
{
	uint64_t next = vm->kbase + SYS_PT_LO + 4096, i;

	for (i = 0; i < 4; i++)
		sparse_page(VMLET_SPARSE_LO + i * 4096, SCRATCH + i * 4096, 7, &next);
	sparse_page(SPARSE_MID, SCRATCH + 0x10000, 7, &next);
	sparse_page(SPARSE_MID + 4096, SCRATCH + 0x11000, 7, &next);
	sparse_page(SPARSE_MID + 2 * 4096, SCRATCH + 0x12000, 5, &next);
	sparse_page(SPARSE_MID + 3 * 4096, SCRATCH + 0x20000, 7, &next);
	sparse_page(VMLET_SPARSE_HI - 4096, SCRATCH + 0x30000, 7, &next);
	/* A shared tmpfs mapping: the region's first and last frames, then one past its end. */
	sparse_page(SPARSE_SHARED, VMLET_SHARED_GPA, 7, &next);
	sparse_page(SPARSE_SHARED + 4096, VMLET_SHARED_GPA + SHARED_SIZE - 4096, 7, &next);
	sparse_page(SPARSE_SHARED + 2 * 4096, VMLET_SHARED_GPA + SHARED_SIZE, 7, &next);
	if (next > vm->kbase + SYS_PT_LO + SPARSE_TABLES_SIZE)
		abort();
}

static void reset_guest(uint8_t config)
{
	static const int *outs[] = { &devnull_w, &epipe_w, &file_out, NULL };
	static const int *ins[] = { &devnull_r, &file_in, &empty_r, NULL };
	int out = outs[config & 3] ? *outs[config & 3] : -1, inp = ins[(config >> 2) & 3] ? *ins[(config >> 2) & 3] : -1;
	unsigned i;

	/* Guest RAM back to zero pages, then the kernel image and the path slots. */
	/* Fresh anonymous memory, as shell_reset gives (MADV_DONTNEED would keep files VMLET_HC_MMAP mapped). */
	if (mmap(vm->mem.host, vm->mem.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		abort();
	vm->filemap_lo = vm->filemap_hi = 0;
	memcpy(vm->mem.host + vm->kbase + VMLET_GK_OFFSET, vmlet_gk_image, (size_t)(vmlet_gk_image_end - vmlet_gk_image));
	sparse_map();
	for (i = 0; i < NSLOTS; i++)
		set_slot(i, path_pool[i * 3 % NPATHS], strlen(path_pool[i * 3 % NPATHS]));
	memset(&result, 0, sizeof(result));
	vm->ring_tail = 0;
	vm->hypercalls = 0;
	vm->killed = 0;
	vm->stdio[0] = inp;
	vm->stdio[1] = out;
	vm->stdio[2] = (config & 16) ? out : devnull_w;
	for (i = 0; i < 3; i++)
		vm->handles[i].fd = vm->stdio[i];
	last_handle = 3;
	if (file_out >= 0 && inputs % 512 == 0)
		ftruncate(file_out, 0);
	reset_channels();
}

static void close_everything(void)
{
	struct vmlet_hypercall *b = block();
	int fd, open_now = 0;
	unsigned i;

	/* The guest's own way: every close_mask bit, on a FLUSH, with a clean ring and no outcome. */
	memset(&result, 0, sizeof(result));
	ring()->head = ring()->tail = vm->ring_tail;
	memset(b, 0, sizeof(*b));
	b->nr = VMLET_HC_FLUSH;
	b->close_mask = ~0ull;
	CHECK(hypercall_handle(vm) == EXIT_CONTINUE);
	for (i = 3; i < VMLET_HANDLE_MAX; i++)
		CHECK(vm->handles[i].kind == HANDLE_FREE);
	for (fd = fd_base; fd < fd_base + 160; fd++)
		open_now += fcntl(fd, F_GETFD) != -1;
	if (open_now != fd_base_count + npeers) { /* say which, then trap */
		char link[64], target[512];
		for (fd = fd_base; fd < fd_base + 160; fd++) {
			ssize_t n;
			snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
			n = readlink(link, target, sizeof(target) - 1);
			if (n > 0)
				fprintf(stderr, "fuzz_hypercall: fd %d -> %.*s\n", fd, (int)n, target);
		}
		fprintf(stderr, "fuzz_hypercall: %d fds open from %d, expected %d + %d socket peers\n", open_now,
			fd_base, fd_base_count, npeers);
	}
	CHECK(open_now == fd_base_count + npeers); /* no host fd leaked (the socket peers are ours) */
}

/* ---- set-up ---- */
/* libFuzzer often leaves by _exit (no atexit): remove the trees of fuzzers that are gone. */
static void remove_stale_trees(void)
{
	DIR *d = opendir("/tmp");
	struct dirent *e;
	char cmd[400];
	int pid;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "vmlet-fuzz-hc-%d-", &pid) == 1 && pid > 0 && kill(pid, 0) < 0 && errno == ESRCH) {
			snprintf(cmd, sizeof(cmd), "rm -rf '/tmp/%s'", e->d_name);
			if (system(cmd))
				continue;
		}
	closedir(d);
}

static void make_tree(void)
{
	char p[512];
	int i, fd;
	char buf[10000];

	remove_stale_trees();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vmlet-fuzz-hc-%d-XXXXXX", (int)getpid());
	if (!mkdtemp(tmpdir))
		abort();
#define P(...) (snprintf(p, sizeof(p), __VA_ARGS__), p)
	mkdir(P("%s/g", tmpdir), 0755);
	mkdir(P("%s/g/d", tmpdir), 0755);
	mkdir(P("%s/g/e", tmpdir), 0755);
	mkdir(P("%s/g/many", tmpdir), 0755);
	mkdir(P("%s/deep", tmpdir), 0755);
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)('A' + i % 50);
	fd = open(P("%s/g/a", tmpdir), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		abort();
	close(fd);
	close(open(P("%s/g/d/b", tmpdir), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	close(open(P("%s/g/weird\nname", tmpdir), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	for (i = 0; i < 300; i++)
		close(open(P("%s/g/many/f%d-%0200d", tmpdir, i, i), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	symlink("a", P("%s/g/ln", tmpdir));
	symlink("/etc/passwd", P("%s/g/abs", tmpdir));
	symlink("../..", P("%s/g/up", tmpdir));
	symlink("../../..", P("%s/g/updir", tmpdir));
	symlink("loop", P("%s/g/loop", tmpdir));
	symlink("d", P("%s/g/dirlink", tmpdir));
	mkfifo(P("%s/g/fifo", tmpdir), 0644);
	mkdir(P("%s/chan", tmpdir), 0755);
	fd = open(P("%s/chan/r", tmpdir), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, 5000) != 5000)
		abort();
	close(fd);
	fd = open(P("%s/chan/app", tmpdir), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "ORIGINAL CONTENTS\n", 18) != 18)
		abort();
	close(fd);
	mkfifo(P("%s/chan/fifo", tmpdir), 0644);
	mkfifo(P("%s/chan/fifow", tmpdir), 0644);
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/chan/sock", tmpdir);
		listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(listen_fd, 128))
			abort();
	}
	/* The FIFO peers: open both before the VM opens its ends (non-blocking, read-write). */
	fifo_feed = open(P("%s/chan/fifo", tmpdir), O_RDWR | O_NONBLOCK | O_CLOEXEC);
	fifo_drain = open(P("%s/chan/fifow", tmpdir), O_RDWR | O_NONBLOCK | O_CLOEXEC);
#undef P
}

static void make_vm(void)
{
	char g[512], a[512], d[512], deep[512];
	struct vmlet_grant grants[4] = {
		{ g, "/g" }, { a, "/x/y/z" }, { d, "/x/w" }, { deep, "/deep/a/b/c/d" },
	};
	struct vmlet_config c;
	struct vmlet_error err;
	unsigned i;

	snprintf(g, sizeof(g), "%s/g", tmpdir);
	snprintf(a, sizeof(a), "%s/g/a", tmpdir);
	snprintf(d, sizeof(d), "%s/g/d", tmpdir);
	snprintf(deep, sizeof(deep), "%s/g/d", tmpdir);
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		abort();
	vm->vm_fd = vm->vcpu_fd = -1;
	vm->res = &result;
	for (i = 0; i < VMLET_HANDLE_MAX; i++)
		vm->handles[i].fd = -1;
	vm->stdio[0] = devnull_r;
	vm->stdio[1] = vm->stdio[2] = devnull_w;
	vm->trace_fd = devnull_w;
	/* Memory plan as plan_memory() makes it for 32 MiB. */
	map = mmap(NULL, MEM_SIZE + 2 * GUARD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		abort();
	mprotect(map, GUARD, PROT_NONE);
	mprotect(map + GUARD + MEM_SIZE, GUARD, PROT_NONE);
	vm->mem.host = map + GUARD;
	vm->mem.size = MEM_SIZE;
	map = mmap(NULL, SHARED_SIZE + 2 * GUARD, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		abort();
	mprotect(map, GUARD, PROT_NONE);
	mprotect(map + GUARD + SHARED_SIZE, GUARD, PROT_NONE);
	vm->shared.host = (uint8_t *)map + GUARD;
	vm->shared.size = SHARED_SIZE;
	vm->shared.slotted = 1;
	vm->kbase = MEM_SIZE - VMLET_KERNEL_SIZE;
	vm->user_hi = vm->kbase;
	vm->stack_lo = vm->user_hi - (2ull << 20);
	vm->mmap_top = vm->stack_lo - STACK_GUARD;
	vm->brk_start = 0x800000;
	memcpy(&vm->gk, vmlet_gk_image, sizeof(vm->gk));
	if (vm->gk.magic != VMLET_GK_MAGIC || vm->gk.bss_end - VMLET_KERNEL_VBASE > VMLET_KERNEL_SIZE)
		abort();
	static char cp[11][512];
	const struct vmlet_limits unl = { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED };
	const struct vmlet_limits few = { 40, 1 << 20, 40, 1 << 20 };
	struct vmlet_channel chans[11] = {
		{ "/c/r", cp[0], VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ, 1, unl },
		{ "/c/seq", cp[1], VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ, 0, few },
		{ "/c/w", cp[2], VMLET_CHANNEL_FILE, VMLET_CHANNEL_WRITE, 0, { 40, 1 << 20, 100, 64 << 10 } },
		{ "/c/app", cp[3], VMLET_CHANNEL_FILE, VMLET_CHANNEL_APPEND, 0, unl },
		{ "/c/rw", cp[4], VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ_WRITE, 1, unl },
		{ "/c/null", "/dev/null", VMLET_CHANNEL_CHARDEV, VMLET_CHANNEL_WRITE, 0, few },
		{ "/c/zero", "/dev/zero", VMLET_CHANNEL_CHARDEV, VMLET_CHANNEL_READ, 0, { 100, 100000, 0, 0 } },
		{ "/c/fifo", cp[7], VMLET_CHANNEL_FIFO, VMLET_CHANNEL_READ, 0, unl },
		{ "/c/fifow", cp[8], VMLET_CHANNEL_FIFO, VMLET_CHANNEL_WRITE, 0, few },
		{ "/c/sock", cp[9], VMLET_CHANNEL_SOCKET, VMLET_CHANNEL_READ_WRITE, 0, few },
		/* Last: a directory channel before another one crashes channels_init (reported). */
		{ "/c/dir", cp[10], VMLET_CHANNEL_DIRECTORY, VMLET_CHANNEL_READ, 1, unl },
	};
	static const char *const names[11] = { "chan/r", "chan/r", "chan/w", "chan/app", "chan/rw", "", "",
					       "chan/fifo", "chan/fifow", "chan/sock", "g/d" };
	for (i = 0; i < 11; i++)
		snprintf(cp[i], sizeof(cp[i]), "%s/%s", tmpdir, names[i]);
	vmlet_config_init(&c);
	c.grants = grants;
	c.ngrants = 4;
	c.channels = chans;
	c.nchannels = 11;
	c.stdio_limits[1] = (struct vmlet_limits){ VMLET_UNLIMITED, VMLET_UNLIMITED, 100000, 8 << 20 };
	if (files_init(vm, &c, &err)) {
		fprintf(stderr, "fuzz_hypercall: files_init: %s\n", err.message);
		abort();
	}
	/* Guest RAM the host must never reach through a hypercall address. */
	ASAN_POISON_MEMORY_REGION(vm->mem.host, VMLET_USER_LO);
	/* The system area but its page-table pool, which the host reads to translate sparse-region addresses. */
	ASAN_POISON_MEMORY_REGION(vm->mem.host + vm->kbase, SYS_PT_LO);
	ASAN_POISON_MEMORY_REGION(vm->mem.host + vm->kbase + (vm->gk.bss_end - VMLET_KERNEL_VBASE),
				  VMLET_KERNEL_SIZE - (vm->gk.bss_end - VMLET_KERNEL_VBASE));
}

static void make_fds(void)
{
	char p[300];
	int pipes[2];

	devnull_r = open("/dev/null", O_RDONLY | O_CLOEXEC);
	devnull_w = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (pipe2(pipes, O_CLOEXEC))
		abort();
	close(pipes[0]);
	epipe_w = pipes[1]; /* writes: EPIPE */
	if (pipe2(pipes, O_CLOEXEC | O_NONBLOCK))
		abort();
	empty_r = pipes[0]; /* reads: EAGAIN; the write end stays open so there is never EOF */
	snprintf(p, sizeof(p), "%s/out", tmpdir);
	file_out = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	snprintf(p, sizeof(p), "%s/g/a", tmpdir);
	file_in = open(p, O_RDONLY | O_CLOEXEC);
	if (devnull_r < 0 || devnull_w < 0 || file_out < 0 || file_in < 0)
		abort();
}

/* Where leaked fds would show up: from the lowest free number on (after all set-up). */
static void fd_baseline(void)
{
	int fd;

	fd_base = dup(0);
	close(fd_base);
	fd_base_count = 0;
	for (fd = fd_base; fd < fd_base + 160; fd++)
		fd_base_count += fcntl(fd, F_GETFD) != -1;
}

static void make_kick(void)
{
	struct sigaction sa;
	struct sigevent sev;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick; /* no SA_RESTART: a blocked ppoll returns EINTR */
	sigaction(KICK_SIGNAL, &sa, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = KICK_SIGNAL;
#ifdef sigev_notify_thread_id
	sev.sigev_notify_thread_id = gettid();
#else
	sev._sigev_un._tid = gettid();
#endif
	if (timer_create(CLOCK_MONOTONIC, &sev, &kick_timer))
		abort();
}

static void write_seeds(const char *dir);

static void cleanup_tree(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		return;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("HC_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (seeds) {
		write_seeds(seeds);
		exit(0);
	}
	strict = !getenv("HC_FUZZ_STRICT") || getenv("HC_FUZZ_STRICT")[0] != '0';
	signal(SIGPIPE, SIG_IGN); /* the library's callers ignore SIGPIPE */
	make_tree();
	make_fds();
	make_vm();
	make_kick();
	fd_baseline();
	atexit(cleanup_tree);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size, 0 };
	uint8_t config = u8(&in);
	int ops = 0;

	inputs++;
	reset_guest(config);
	while (in.i < in.n && ops++ < 256 && !vm->res->outcome) {
		switch (u8(&in) % 5) {
		case 0: op_hypercall(&in); break;
		case 1: op_mem(&in); break;
		case 2: op_ring(&in); break;
		case 3: op_drain(); break;
		default: op_path(&in); break;
		}
	}
	close_everything();
	return 0;
}

/* ---- seeds: one input per interesting sequence ---- */
struct seed {
	uint8_t b[8192];
	size_t n;
};

static void put(struct seed *s, const uint8_t *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}
#define B(...) put(s, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* Encodings of value() selectors (some take extra bytes) and of the operations. */
#define A_SLOT(k) (k)
#define A_LEN(k) (4 + (k))
#define A_SCR(off) 8, (off)
#define A_UHI_STAT 9
#define A_UHI_STAT1 10
#define A_GKLO 11
#define A_GKHI_STAT 13
#define A_GKHI 15
#define A_ZERO 18
#define A_MAX 23
#define A_G30 25
#define A_G40 27
#define A_4096 28
#define A_ONE 29
#define A_LAST 32
#define A_H(h) 33, (h)
#define A_4095 36
#define A_U8(v) 40, (v)
#define A_POLL 45
#define A_TCGETS 46
#define A_GUARD 48
#define A_HEAP(pg) 52, (pg)
#define A_PAGES(n) 53, (n)
#define A_UHI_PAGES(n) 54, (n)
#define A_SPARSE_1234 56
#define A_SPARSE_MID(back) 57, (back)
#define A_SPARSE_END 58
#define A_SPARSE_RO(back) 61, (back)
#define A_SHARED(w) 62, (w)
#define A_SHARED_END(back) 63, (back)
#define A_SHARED_SPARSE(page, w) 65, (page), (w)
#define A_LOCK(owner) 66, (owner)
#define M_NONE 0
#define M_ALL 4
#define M_BIT(b) 5, (b)
/* hypercall NR with close-mask encoding MASK and six argument encodings */
#define HC(nr, ...) B(0, (nr), __VA_ARGS__)
#define PATH(slot, which) B(4, (slot), (which))
#define DRAIN() B(3)
#define CHAN0 41 /* index of "/c" in path_pool; the channels follow */

static void write_seeds(const char *dir)
{
	static struct seed seeds[64];
	static const uint8_t flags[4] = { 0, VMLET_OPEN_READ, VMLET_OPEN_WRITE, VMLET_OPEN_READ | VMLET_OPEN_WRITE };
	struct seed *s;
	int n = 0, i;
	char p[600];

	/* Grants: open a pool path, fstat, getdents, read, rewind, stat, readlink, close. */
	for (i = 0; i < 12; i++) {
		s = &seeds[n++];
		B(0);
		PATH(0, (uint8_t)(i * 3 + 1));
		HC(VMLET_HC_OPEN, M_NONE, A_SLOT(0), A_LEN(0), A_U8((uint8_t)(i & 3)), A_SCR(0), A_ZERO, A_ZERO);
		HC(VMLET_HC_FSTAT, M_NONE, A_LAST, A_SCR(32), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_GETDENTS, M_NONE, A_LAST, A_SCR(64), A_4096, A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_GETDENTS, M_NONE, A_LAST, A_SCR(64), A_U8(30), A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_READ, M_NONE, A_LAST, A_SCR(64), A_4096, A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_SEEK, M_NONE, A_LAST, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_MMAP, M_NONE, A_LAST, A_HEAP(4), A_PAGES(4), A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_DISCARD, M_NONE, A_HEAP(4), A_PAGES(2), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_STAT, M_NONE, A_SLOT(0), A_LEN(0), A_SCR(64), A_ONE, A_ZERO, A_ZERO);
		HC(VMLET_HC_READLINK, M_NONE, A_SLOT(0), A_LEN(0), A_SCR(64), A_4096, A_ZERO, A_ZERO);
		HC(VMLET_HC_CLOSE, M_NONE, A_LAST, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	}
	/* Channels: open each with every flag set, read, write, positioned both ways, fstat, stat,
	 * poll, a ring record on the handle, close. */
	for (i = 0; i < 15; i++) {
		s = &seeds[n++];
		B(0);
		PATH(0, (uint8_t)(CHAN0 + i));
		HC(VMLET_HC_OPEN, M_NONE, A_SLOT(0), A_LEN(0), A_U8(flags[i % 4]), A_SCR(0), A_ZERO, A_ZERO);
		HC(VMLET_HC_READ, M_NONE, A_LAST, A_SCR(64), A_4096, A_MAX, A_ZERO, A_ZERO);
		HC(VMLET_HC_WRITE, M_NONE, A_LAST, A_SCR(64), A_4096, A_MAX, A_ZERO, A_ZERO);
		HC(VMLET_HC_READ, M_NONE, A_LAST, A_SCR(64), A_4096, A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_WRITE, M_NONE, A_LAST, A_SCR(64), A_4096, A_ONE, A_ZERO, A_ZERO);
		HC(VMLET_HC_FSTAT, M_NONE, A_LAST, A_SCR(32), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_STAT, M_NONE, A_SLOT(0), A_LEN(0), A_SCR(64), A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_POLL, M_NONE, A_LAST, A_POLL, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
		B(2, 6, 0, 8, 0, 3, 'r', 'i', 'n', 'g', 'r', 'e', 'c', '\n'); /* record on handle 3 */
		DRAIN();
		HC(VMLET_HC_CLOSE, M_NONE, A_LAST, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	}
	/* Quotas: many small reads of /dev/zero and writes to /c/w past their limits. */
	s = &seeds[n++];
	B(0);
	PATH(0, CHAN0 + 7);
	PATH(1, CHAN0 + 3);
	HC(VMLET_HC_OPEN, M_NONE, A_SLOT(0), A_LEN(0), A_U8(VMLET_OPEN_READ), A_SCR(0), A_ZERO, A_ZERO);
	for (i = 0; i < 40; i++)
		HC(VMLET_HC_READ, M_NONE, A_LAST, A_SCR(64), A_U8(200), A_MAX, A_ZERO, A_ZERO);
	HC(VMLET_HC_OPEN, M_NONE, A_SLOT(1), A_LEN(1), A_U8(VMLET_OPEN_WRITE), A_SCR(0), A_ZERO, A_ZERO);
	for (i = 0; i < 40; i++)
		HC(VMLET_HC_WRITE, M_NONE, A_LAST, A_SCR(64), A_4096, A_MAX, A_ZERO, A_ZERO);
	/* DISCARD: heap pages, unaligned, below the heap, the top of user memory, the kernel. */
	s = &seeds[n++];
	B(0);
	HC(VMLET_HC_DISCARD, M_NONE, A_HEAP(4), A_PAGES(16), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_DISCARD, M_NONE, A_HEAP(4), A_U8(100), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_DISCARD, M_NONE, A_SCR(0), A_4096, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_DISCARD, M_NONE, A_UHI_PAGES(2), A_PAGES(2), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_DISCARD, M_NONE, A_UHI_PAGES(2), A_PAGES(3), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_DISCARD, M_NONE, A_GKLO, A_4096, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	/* Edges: stat into the last bytes of user memory and of the kernel image, and one past. */
	s = &seeds[n++];
	B(0);
	PATH(0, 0);
	HC(VMLET_HC_STAT, M_NONE, A_SLOT(0), A_LEN(0), A_UHI_STAT, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_STAT, M_NONE, A_SLOT(0), A_LEN(0), A_UHI_STAT1, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_STAT, M_NONE, A_SLOT(0), A_LEN(0), A_GKHI_STAT, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_STAT, M_NONE, A_SLOT(0), A_LEN(0), A_GKHI, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_READ, M_NONE, A_ZERO, A_GUARD, A_4096, A_MAX, A_ZERO, A_ZERO);
	HC(VMLET_HC_WRITE, M_NONE, A_ONE, A_GKLO, A_4096, A_MAX, A_ZERO, A_ZERO);
	HC(VMLET_HC_WRITE, M_NONE, A_ONE, A_SCR(0), A_G30, A_MAX, A_ZERO, A_ZERO);
	/* Handles: exhaust the table with "/", then close_mask all ones. */
	s = &seeds[n++];
	B(0);
	PATH(1, 0);
	for (i = 0; i < 64; i++)
		HC(VMLET_HC_OPEN, M_NONE, A_SLOT(1), A_LEN(1), A_ZERO, A_SCR(0), A_ZERO, A_ZERO);
	HC(VMLET_HC_FLUSH, M_ALL, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_GETDENTS, M_BIT(3), A_H(3), A_SCR(0), A_4096, A_ZERO, A_ZERO, A_ZERO);
	/* Path lengths 0, 4095, 2^40 and a raw path with an embedded NUL. */
	s = &seeds[n++];
	B(0);
	HC(VMLET_HC_OPEN, M_NONE, A_SLOT(0), A_ZERO, A_ZERO, A_SCR(0), A_ZERO, A_ZERO);
	HC(VMLET_HC_OPEN, M_NONE, A_SLOT(0), A_4095, A_ZERO, A_SCR(0), A_ZERO, A_ZERO);
	HC(VMLET_HC_OPEN, M_NONE, A_SLOT(0), A_G40, A_ZERO, A_SCR(0), A_ZERO, A_ZERO);
	B(4, 2, 0xff, 6, '/', 'g', '/', 'a', 0, 'x');
	HC(VMLET_HC_STAT, M_NONE, A_SLOT(2), A_U8(6), A_SCR(0), A_ZERO, A_ZERO, A_ZERO);
	/* Blocking: poll a virtual directory forever, read an empty pipe, sleep forever. */
	s = &seeds[n++];
	B(8); /* stdin: the empty non-blocking pipe */
	PATH(0, 0);
	HC(VMLET_HC_OPEN, M_NONE, A_SLOT(0), A_LEN(0), A_ZERO, A_SCR(0), A_ZERO, A_ZERO);
	HC(VMLET_HC_POLL, M_NONE, A_LAST, A_POLL, A_MAX, A_ZERO, A_ZERO, A_ZERO);
	s = &seeds[n++];
	B(8);
	HC(VMLET_HC_READ, M_NONE, A_ZERO, A_SCR(0), A_4096, A_MAX, A_ZERO, A_ZERO);
	s = &seeds[n++];
	B(0);
	HC(VMLET_HC_SLEEP, M_NONE, A_MAX, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	/* Output: EPIPE on the direct path and through the ring. */
	s = &seeds[n++];
	B(1);
	HC(VMLET_HC_WRITE, M_NONE, A_ONE, A_SCR(0), A_4096, A_MAX, A_ZERO, A_ZERO);
	s = &seeds[n++];
	B(1);
	B(2, 0, 0, 40, 0);
	for (i = 0; i < 40; i++)
		B('x');
	DRAIN();
	/* Ring: records on stdout/stderr, a trace record, a pad to the end, a record on handle 0, bad heads. */
	s = &seeds[n++];
	B(2);
	B(2, 0, 0, 5, 0, 'h', 'e', 'l', 'l', 'o');
	B(2, 2, 0, 3, 0, 'e', 'r', 'r');
	B(2, 5, 3, 0, 0, 0 /* nr: open */, A_SLOT(0), A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	B(2, 4, 4, 0, 0);
	B(2, 1, 0, 2, 0, 'o', 'k');
	DRAIN();
	s = &seeds[n++];
	B(0);
	B(2, 3, 0, 2, 0, 'i', 'n'); /* handle 0: the host's stdin */
	DRAIN();
	s = &seeds[n++];
	B(0);
	B(2, 1, 5, 0, 5, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8); /* len 0xffffffff, raw head */
	DRAIN();
	s = &seeds[n++];
	B(0);
	B(2, 1, 0, 8, 4, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'); /* head a ring ahead */
	DRAIN();
	/* TTY, CLOCK, an unknown number; EXIT with a signal. */
	s = &seeds[n++];
	B(0);
	HC(VMLET_HC_TTY, M_NONE, A_ONE, A_TCGETS, A_SCR(0), A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_TTY, M_NONE, A_U8(3), A_TCGETS, A_GKHI, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_CLOCK, M_NONE, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_COUNT, M_NONE, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	/* The shared region: the lock's wait (its owner alive, ended, none) and wake; futexes on its
	 * words, through its sparse mapping and past it; a bitset of 0. */
	s = &seeds[n++];
	B(0);
	HC(VMLET_HC_LOCK_WAIT, M_NONE, A_LOCK(2), A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_LOCK_WAIT, M_NONE, A_LOCK(3), A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_LOCK_WAIT, M_NONE, A_ONE, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_LOCK_WAKE, M_NONE, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_FUTEX_WAIT, M_NONE, A_SHARED(1), A_ZERO, A_ZERO, A_MAX, A_ZERO, A_ZERO);
	HC(VMLET_HC_FUTEX_WAIT, M_NONE, A_SHARED_SPARSE(1, 0), A_ZERO, A_ONE, A_MAX, A_ZERO, A_ZERO);
	HC(VMLET_HC_FUTEX_WAIT, M_NONE, A_SHARED_SPARSE(2, 0), A_ZERO, A_ZERO, A_MAX, A_ZERO, A_ZERO);
	HC(VMLET_HC_FUTEX_WAKE, M_NONE, A_SHARED_END(4), A_MAX, A_MAX, A_ZERO, A_ZERO, A_ZERO);
	HC(VMLET_HC_FUTEX_WAKE, M_NONE, A_SHARED(2), A_ONE, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	s = &seeds[n++];
	B(0);
	HC(VMLET_HC_EXIT, M_NONE, A_U8(200), A_U8(11), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	/* Memory writes into the hypercall block and kernel data between calls. */
	s = &seeds[n++];
	B(0);
	B(1, 4, 16, 0, 0);
	for (i = 0; i < 16; i++)
		B(0xff);
	B(1, 5, 64, 0x10, 0x20);
	for (i = 0; i < 64; i++)
		B((uint8_t)(i * 7));
	HC(VMLET_HC_FLUSH, M_NONE, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
	/* Sparse region: calls through sparse_map's tables (across two frames, the region's last bytes,
	 * a read-only page), then the same after garbage over the tables' entries and the pool. */
	s = &seeds[n++];
	B(0);
	for (i = 0; i < 2; i++) {
		HC(VMLET_HC_FSTAT, M_NONE, A_ONE, A_SPARSE_1234, A_ZERO, A_ZERO, A_ZERO, A_ZERO);
		HC(VMLET_HC_READ, M_NONE, A_ZERO, A_SPARSE_MID(8), A_4096, A_MAX, A_ZERO, A_ZERO);
		HC(VMLET_HC_WRITE, M_NONE, A_ONE, A_SPARSE_END, A_U8(8), A_MAX, A_ZERO, A_ZERO);
		HC(VMLET_HC_FSTAT, M_NONE, A_ONE, A_SPARSE_RO(8), A_ZERO, A_ZERO, A_ZERO, A_ZERO);
		B(1, 9, 64, 0x08, 0x10);
		for (int j = 0; j < 64; j++)
			B((uint8_t)(j * 29 + 3));
		B(1, 8, 32, 0x40, 0x02);
		for (int j = 0; j < 32; j++)
			B((uint8_t)(0xff - j));
	}
	for (i = 0; i < n; i++) {
		FILE *f;
		snprintf(p, sizeof(p), "%s/seed-%02d", dir, i);
		f = fopen(p, "wb");
		if (!f || fwrite(seeds[i].b, 1, seeds[i].n, f) != seeds[i].n)
			abort();
		fclose(f);
	}
	printf("wrote %d seeds to %s\n", n, dir);
}
