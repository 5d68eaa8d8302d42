/* cpuid.c - the CPUID table every VM gets: KVM's, shaped so that libc start-up asks little, and the deterministic CPU. */
#include "vm_internal.h"

#include <stdlib.h>
#include <string.h>

#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3
/* The highest basic leaf a VM sees: XSAVE (0xd) and below. */
#define MAX_BASIC_LEAF 0xdu
#define LEAF1_HTT (1u << 28)
#define LEAF_D1_XSAVEC (1u << 1)
#define LEAF_D1_XSAVES (1u << 3)
/* Room for the host leaves that KVM leaves out. */
#define EXTRA_ENTRIES 8

static uint32_t *reg(struct kvm_cpuid_entry2 *e, int r)
{
	uint32_t *regs[4] = { &e->eax, &e->ebx, &e->ecx, &e->edx };

	return regs[r];
}

static struct kvm_cpuid_entry2 *entry(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

/*
 * Guests see no RDRAND or RDSEED: randomness comes from getrandom, which a
 * deterministic run seeds. (A program executing them regardless still gets
 * hardware randomness: KVM cannot trap them here; see docs/DETERMINISM.md.)
 */
static void hide_random_instructions(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e;

	if ((e = entry(c, 1, 0)))
		e->ecx &= ~(1u << 30); /* RDRAND */
	if ((e = entry(c, 7, 0)))
		e->ebx &= ~(1u << 18); /* RDSEED */
}

/*
 * A VM has one vCPU: one logical processor, no sibling sharing a cache. With HTT
 * off, glibc does not walk leaves 4 and 0xb to count the threads sharing a cache.
 */
static void one_logical_cpu(struct kvm_cpuid2 *c)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		switch (e->function) {
		case 1:
			e->edx &= ~LEAF1_HTT;
			e->ebx = (e->ebx & ~0x00ff0000u) | (1u << 16);
			break;
		case 4: /* threads sharing the cache, cores in the package */
			e->eax &= 0x3fffu;
			break;
		case 0x80000001:
			e->ecx &= ~(1u << 1); /* CmpLegacy */
			break;
		case 0x80000008: /* cores in the package, APIC id size */
			e->ecx &= ~0xf0ffu;
			break;
		case 0x8000001d: /* threads sharing the cache */
			e->eax &= ~0x03ffc000u;
			break;
		}
	}
}

/*
 * Feature flags whose details live in a leaf above MAX_BASIC_LEAF: with that
 * leaf hidden they go too (leaf, subleaf, register, bits).
 */
static const struct {
	uint32_t fn, idx;
	int r;
	uint32_t bits;
} beyond_max_leaf[] = {
	{ 7, 0, EBX, (1u << 2) | (1u << 12) | (1u << 15) | (1u << 25) }, /* SGX 0x12, RDT 0xf 0x10, PT 0x14 */
	{ 7, 0, ECX, (1u << 23) | (1u << 30) },				 /* Key Locker 0x19, SGX-LC */
	{ 7, 0, EDX, (1u << 15) | (1u << 18) | (1u << 22) | (1u << 24) | (1u << 25) }, /* hybrid 0x1a, PCONFIG 0x1b, AMX 0x1d 0x1e */
	{ 7, 1, EAX, 1u << 21 },					 /* AMX-FP16 */
	{ 7, 1, EDX, (1u << 8) | (1u << 19) },				 /* AMX-COMPLEX, AVX10 0x24 */
};

/*
 * Basic leaves stop at 0xd (glibc reads 0x14 and 0x19 when they exist). The
 * leaves above go from the table, so that a read past the end returns what
 * the CPU returns there.
 */
static void cap_basic_leaves(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e = entry(c, 0, 0);
	uint32_t i, n = 0;

	if (e && e->eax > MAX_BASIC_LEAF)
		e->eax = MAX_BASIC_LEAF;
	for (i = 0; i < c->nent; i++) {
		uint32_t fn = c->entries[i].function;
		if (fn <= MAX_BASIC_LEAF || fn >= 0x40000000u)
			c->entries[n++] = c->entries[i];
	}
	c->nent = n;
	for (i = 0; i < sizeof(beyond_max_leaf) / sizeof(beyond_max_leaf[0]); i++)
		if ((e = entry(c, beyond_max_leaf[i].fn, beyond_max_leaf[i].idx)))
			*reg(e, beyond_max_leaf[i].r) &= ~beyond_max_leaf[i].bits;
}

/*
 * No XSAVEC (nor XSAVES, which implies it): with it, glibc asks leaf 0xd for
 * every state component to size its compacted save area. Programs save state
 * with XSAVE, in the standard format, instead.
 */
static void hide_xsavec(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e = entry(c, 0xd, 1);

	if (e)
		e->eax &= ~(LEAF_D1_XSAVEC | LEAF_D1_XSAVES);
}

/*
 * Leaf 2 cache descriptors (Intel SDM vol. 2, CPUID leaf 2), 64-byte lines, not
 * sectored, those whose meaning all decoders agree on: level, type (1 data,
 * 2 instruction, 3 unified), ways, size.
 */
static const struct descriptor {
	uint8_t byte, level, type, ways;
	uint32_t kib;
} descriptors[] = {
	{ 0x0d, 1, 1, 4, 16 },	  { 0x0e, 1, 1, 6, 24 },     { 0x2c, 1, 1, 8, 32 },	{ 0x30, 1, 2, 8, 32 },
	{ 0x21, 2, 3, 8, 256 },	  { 0x80, 2, 3, 8, 512 },    { 0x86, 2, 3, 4, 512 },	{ 0x87, 2, 3, 8, 1024 },
	{ 0x7d, 2, 3, 8, 2048 },  { 0x48, 2, 3, 12, 3072 },  { 0x49, 2, 3, 16, 4096 },	{ 0x4e, 2, 3, 24, 6144 },
	{ 0xd0, 3, 3, 4, 512 },	  { 0xd1, 3, 3, 4, 1024 },   { 0xd6, 3, 3, 8, 1024 },	{ 0xd2, 3, 3, 4, 2048 },
	{ 0xd7, 3, 3, 8, 2048 },  { 0xe2, 3, 3, 16, 2048 },  { 0x46, 3, 3, 4, 4096 },	{ 0xd8, 3, 3, 8, 4096 },
	{ 0xe3, 3, 3, 16, 4096 }, { 0x4a, 3, 3, 12, 6144 },  { 0x47, 3, 3, 8, 8192 },	{ 0x4b, 3, 3, 16, 8192 },
	{ 0xe4, 3, 3, 16, 8192 }, { 0x4c, 3, 3, 12, 12288 }, { 0xea, 3, 3, 24, 12288 }, { 0x4d, 3, 3, 16, 16384 },
	{ 0xeb, 3, 3, 24, 18432 }, { 0xec, 3, 3, 24, 24576 },
};

/* Is descriptor d nearer than b to a cache of kib KiB and this many ways? Not larger first, then the largest, then the nearest ways. */
static int nearer(const struct descriptor *d, const struct descriptor *b, uint32_t kib, unsigned ways)
{
	int d_fits = d->kib <= kib, b_fits = b->kib <= kib;

	if (d_fits != b_fits)
		return d_fits;
	if (d->kib != b->kib)
		return d_fits ? d->kib > b->kib : d->kib < b->kib;
	return abs((int)d->ways - (int)ways) < abs((int)b->ways - (int)ways);
}

static const struct descriptor *nearest_descriptor(unsigned level, unsigned type, uint32_t kib, unsigned ways)
{
	const struct descriptor *best = NULL;
	size_t i;

	for (i = 0; i < sizeof(descriptors) / sizeof(descriptors[0]); i++) {
		const struct descriptor *d = &descriptors[i];
		if (d->level == level && d->type == type && (!best || nearer(d, best, kib, ways)))
			best = d;
	}
	return best;
}

/* Leaf 0x80000006's associativity code for a number of ways. */
static uint32_t l2_assoc_code(unsigned ways)
{
	static const struct { unsigned ways, code; } codes[] = {
		{ 128, 0xe }, { 96, 0xd }, { 64, 0xc }, { 48, 0xb }, { 32, 0xa }, { 16, 8 }, { 8, 6 }, { 6, 5 }, { 4, 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (ways >= codes[i].ways)
			return codes[i].code;
	return ways;
}

/*
 * Where the CPU describes its caches in leaf 4 (Intel), leaf 2 says "see leaf 4"
 * and glibc walks leaf 4 once per cache parameter: about 40 cpuid. Instead leaf 2
 * names each cache with an old-style descriptor (EAX low byte 1), which glibc
 * decodes without another cpuid; leaf 4 (and leaf 0x80000006's L2) are made to
 * describe the same caches: the host's, rounded down to a size a descriptor has.
 */
static void legacy_cache_descriptors(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *l2 = entry(c, 2, 0), *e;
	uint8_t bytes[16] = { 1 };
	unsigned n = 1, sub, cut = 0;

	if (!l2 || !(e = entry(c, 4, 0)) || !(e->eax & 0x1f))
		return;
	for (sub = 0; (e = entry(c, 4, sub)); sub++) {
		unsigned type = e->eax & 0x1f, level = (e->eax >> 5) & 7, ways = (e->ebx >> 22) + 1;
		uint32_t line = (e->ebx & 0xfff) + 1, parts = ((e->ebx >> 12) & 0x3ff) + 1;
		uint32_t kib = (uint32_t)((uint64_t)ways * parts * line * (e->ecx + 1ull) >> 10);
		const struct descriptor *d = type ? nearest_descriptor(level, type, kib, ways) : NULL;

		if (cut || !d || line != 64 || n > 13) {
			/* The enumeration ends at the first cache no descriptor names. */
			cut = 1;
			e->eax = e->ebx = e->ecx = e->edx = 0;
			continue;
		}
		/* A register whose bit 31 is set holds no descriptors: skip its top byte for one >= 0x80. */
		if (n % 4 == 3 && d->byte >= 0x80)
			n++;
		bytes[n++] = d->byte;
		e->ebx = (uint32_t)(d->ways - 1) << 22 | 63;
		e->ecx = d->kib * 1024 / (d->ways * 64u) - 1;
		if (level == 2 && (e = entry(c, 0x80000006, 0)))
			e->ecx = d->kib << 16 | l2_assoc_code(d->ways) << 12 | 64;
	}
	memcpy(&l2->eax, bytes, 16);
}

/*
 * KVM leaves some leaves empty that the CPU fills: the brand string, and AMD's
 * L1 caches (without which glibc reports no L1 data cache). The host's are used.
 */
static void host_leaves(struct kvm_cpuid2 *c, const uint32_t host[4][4])
{
	struct kvm_cpuid_entry2 *max = entry(c, 0x80000000u, 0);
	uint32_t fn;

	for (fn = 0x80000002u; max && fn <= 0x80000005u && fn <= max->eax; fn++) {
		struct kvm_cpuid_entry2 *e = entry(c, fn, 0);
		if (!e) {
			e = &c->entries[c->nent++];
			memset(e, 0, sizeof(*e));
			e->function = fn;
		}
		if (!(e->eax | e->ebx | e->ecx | e->edx))
			memcpy(&e->eax, host[fn - 0x80000002u], 16);
	}
}

void cpuid_shape(struct kvm_cpuid2 *c, const uint32_t host[4][4])
{
	hide_random_instructions(c);
	host_leaves(c, host);
	cap_basic_leaves(c);
	one_logical_cpu(c);
	hide_xsavec(c);
	legacy_cache_descriptors(c);
}

/*
 * The fixed CPU a deterministic run sees (within what the host supports): x86-64-v3
 * features (SSE to SSE4.2, POPCNT, AVX, AVX2, BMI1/2, FMA, F16C, MOVBE, LZCNT, XSAVE),
 * no AVX-512, no RDRAND/RDSEED, family 6 model 0, the same brand string, and x87,
 * SSE and AVX state only.
 */
#define FIXED_1_ECX 0x3c982203u /* SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES XSAVE OSXSAVE AVX F16C */
#define FIXED_1_EDX 0x078bfbffu /* FPU..SSE2, HTT off */
#define FIXED_7_EBX 0x00000129u /* FSGSBASE BMI1 AVX2 BMI2 */
#define FIXED_80000001_ECX 0x00000021u /* LAHF LZCNT */
#define FIXED_80000001_EDX 0x2c100800u /* SYSCALL NX PDPE1GB RDTSCP LM */

void cpuid_fixed(struct kvm_cpuid2 *c)
{
	static const char brand[48] = "vmlet deterministic x86-64-v3";
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		switch (e->function) {
		case 1:
			e->eax = 0x00060f00; /* family 6, model 0, stepping 0 */
			e->ebx &= 0xff000000u; /* keep the APIC id only */
			e->ebx |= 1u << 16;
			e->ecx &= FIXED_1_ECX;
			e->edx &= FIXED_1_EDX;
			break;
		case 7:
			if (e->index == 0) {
				e->ebx &= FIXED_7_EBX;
				e->ecx = e->edx = 0;
			} else {
				e->eax = e->ebx = e->ecx = e->edx = 0;
			}
			break;
		case 0xd:
			if (e->index == 0) {
				e->eax &= CPUID_FIXED_XCR0;
				e->edx = 0;
			} else if (e->index > 2) {
				e->eax = e->ebx = e->ecx = e->edx = 0;
			}
			break;
		case 0x80000001:
			e->ecx &= FIXED_80000001_ECX;
			e->edx &= FIXED_80000001_EDX;
			break;
		case 0x80000002: case 0x80000003: case 0x80000004:
			memcpy(&e->eax, brand + 16 * (e->function - 0x80000002), 16);
			break;
		}
	}
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct kvm_cpuid2 *table;

static void build(void)
{
	const struct kvm_cpuid2 *sup = kvm_cpuid();
	uint32_t host[4][4], i;

	table = sup ? malloc(sizeof(*sup) + (sup->nent + EXTRA_ENTRIES) * sizeof(sup->entries[0])) : NULL;
	if (!table)
		return;
	memcpy(table, sup, sizeof(*sup) + sup->nent * sizeof(sup->entries[0]));
	for (i = 0; i < 4; i++)
		__asm__ volatile("cpuid" : "=a"(host[i][0]), "=b"(host[i][1]), "=c"(host[i][2]), "=d"(host[i][3])
				 : "a"(0x80000002u + i), "c"(0));
	cpuid_shape(table, host);
}

const struct kvm_cpuid2 *cpuid_table(void)
{
	pthread_once(&once, build);
	return table;
}
