/* test_cpuid.c - cpuid_shape on recorded-style Intel and AMD tables: leaf 2 descriptors agreeing with leaf 4, one logical CPU, no XSAVEC, basic leaves up to 0xd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/vm_internal.h"

#define ROOM 64

static struct kvm_cpuid2 *table(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + ROOM * sizeof(c->entries[0]));

	assert_non_null(c);
	return c;
}

static void put(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx, uint32_t a, uint32_t b, uint32_t cx, uint32_t d)
{
	struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

	assert_true(c->nent <= ROOM);
	*e = (struct kvm_cpuid_entry2){ .function = fn, .index = idx, .eax = a, .ebx = b, .ecx = cx, .edx = d };
}

static const struct kvm_cpuid_entry2 *get(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

static const uint32_t no_host[4][4];

/* What KVM reports on a Xeon with 48 KiB L1d, 32 KiB L1i, 2 MiB L2, 105 MiB L3, SMT. */
static struct kvm_cpuid2 *xeon(uint32_t l2_ebx, uint32_t l2_ecx)
{
	struct kvm_cpuid2 *c = table();

	put(c, 0, 0, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69);
	put(c, 1, 0, 0x000806f8, 0x00400800, 0x7ffefbff, 0xbfebfbff);
	put(c, 2, 0, 0x00feff01, 0xf0, 0, 0);
	put(c, 4, 0, 0x04004121, 0x02c0003f, 0x3f, 0);
	put(c, 4, 1, 0x04004122, 0x01c0003f, 0x3f, 0);
	put(c, 4, 2, 0x04004143, l2_ebx, l2_ecx, 0);
	put(c, 4, 3, 0x0407c163, 0x0380003f, 0x1bfff, 4);
	put(c, 4, 4, 0, 0, 0, 0);
	put(c, 7, 0, 1, 0xf3bfbfbf | (1u << 25), 0x1bc1bfbe | (1u << 23), 0xfdc34412 | (1u << 24));
	put(c, 7, 1, 0x00201c30, 0, 0, 1u << 19);
	put(c, 0xb, 0, 1, 2, 0x100, 0);
	put(c, 0xd, 0, 0x602e7, 0xa88, 0x2b00, 0);
	put(c, 0xd, 1, 0x1f, 0, 0, 0);
	put(c, 0x14, 0, 1, 0, 0, 0);
	put(c, 0x1d, 0, 1, 0, 0, 0);
	put(c, 0x1f, 0, 1, 2, 0x100, 0);
	put(c, 0x40000000, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d);
	put(c, 0x80000000, 0, 0x80000008, 0, 0, 0);
	put(c, 0x80000006, 0, 0, 0, 0x08007040, 0);
	put(c, 0x80000008, 0, 0x3030, 0, 0, 0);
	return c;
}

static void intel_caches_in_leaf_2(void **state)
{
	struct kvm_cpuid2 *c = xeon(0x03c0003f, 0x7ff);
	const struct kvm_cpuid_entry2 *e;
	(void)state;

	cpuid_shape(c, no_host);
	/* L1d 0x2c (32 KiB 8-way), L1i 0x30, L2 0x7d (2 MiB 8-way), L3 0xec (24 MiB 24-way). */
	e = get(c, 2, 0);
	assert_int_equal(e->eax, 0x7d302c01);
	assert_int_equal(e->ebx, 0xec);
	assert_int_equal(e->ecx | e->edx, 0);
	/* Leaf 4 describes the same caches, shared by no other thread. */
	e = get(c, 4, 0);
	assert_int_equal(e->eax, 0x121);
	assert_int_equal(e->ebx, 7u << 22 | 63);
	assert_int_equal(e->ecx, 32768 / (8 * 64) - 1);
	e = get(c, 4, 2);
	assert_int_equal(e->ebx, 7u << 22 | 63);
	assert_int_equal(e->ecx, (2u << 20) / (8 * 64) - 1);
	e = get(c, 4, 3);
	assert_int_equal(e->eax, 0x163);
	assert_int_equal(e->ebx, 23u << 22 | 63);
	assert_int_equal(e->ecx, (24u << 20) / (24 * 64) - 1);
	assert_int_equal(e->edx, 4);
	assert_int_equal(get(c, 0x80000006, 0)->ecx, 2048u << 16 | 6u << 12 | 64);
	free(c);
}

static void intel_cpu_is_cheap_for_glibc(void **state)
{
	struct kvm_cpuid2 *c = xeon(0x03c0003f, 0x7ff);
	uint32_t i;
	(void)state;

	cpuid_shape(c, no_host);
	assert_int_equal(get(c, 0, 0)->eax, 0xd);
	for (i = 0; i < c->nent; i++)
		assert_false(c->entries[i].function > 0xd && c->entries[i].function < 0x40000000);
	assert_non_null(get(c, 0x40000000, 0));
	assert_int_equal(get(c, 1, 0)->edx & (1u << 28), 0);		/* HTT */
	assert_int_equal((get(c, 1, 0)->ebx >> 16) & 0xff, 1);
	assert_int_equal(get(c, 1, 0)->ecx & (1u << 30), 0);		/* RDRAND */
	assert_int_equal(get(c, 0xd, 1)->eax, 0x15);			/* XSAVEOPT XGETBV1 XFD, no XSAVEC/XSAVES */
	assert_int_equal(get(c, 7, 0)->ebx & (1u << 25 | 1u << 18), 0); /* PT (leaf 0x14), RDSEED */
	assert_int_equal(get(c, 7, 0)->ecx & (1u << 23), 0);		/* Key Locker (leaf 0x19) */
	assert_int_equal(get(c, 7, 0)->edx & (1u << 24), 0);		/* AMX-TILE (leaf 0x1d) */
	assert_int_equal(get(c, 7, 1)->edx & (1u << 19), 0);		/* AVX10 (leaf 0x24) */
	assert_int_equal(get(c, 7, 0)->ebx & (1u << 5), 1u << 5);	/* AVX2 stays */
	free(c);
}

/* A descriptor >= 0x80 cannot sit in a register's top byte (bit 31 marks it empty). */
static void descriptor_skips_top_byte(void **state)
{
	struct kvm_cpuid2 *c = xeon(0x01c0003f, 0x3ff); /* L2 512 KiB 8-way: 0x80 */
	const struct kvm_cpuid_entry2 *e;
	(void)state;

	cpuid_shape(c, no_host);
	e = get(c, 2, 0);
	assert_int_equal(e->eax, 0x00302c01);
	assert_int_equal(e->ebx, 0xec80);
	free(c);
}

/* Leaf 4 ends at the first cache no descriptor names (an L4 here). */
static void undescribed_cache_ends_leaf_4(void **state)
{
	struct kvm_cpuid2 *c = xeon(0x03c0003f, 0x7ff);
	struct kvm_cpuid_entry2 *e;
	uint32_t i;
	(void)state;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 4 && c->entries[i].index == 4) {
			e = &c->entries[i];
			e->eax = 0x183, e->ebx = 0x03c0003f, e->ecx = 0xffff;
		}
	cpuid_shape(c, no_host);
	e = (struct kvm_cpuid_entry2 *)get(c, 4, 4);
	assert_int_equal(e->eax | e->ebx | e->ecx | e->edx, 0);
	assert_int_equal(get(c, 2, 0)->ebx, 0xec);
	free(c);
}

/* Shaping a shaped table changes nothing: the rounded caches are their own descriptors. */
static void shaping_is_idempotent(void **state)
{
	struct kvm_cpuid2 *a = xeon(0x03c0003f, 0x7ff), *b = table();
	(void)state;

	cpuid_shape(a, no_host);
	memcpy(b, a, sizeof(*a) + a->nent * sizeof(a->entries[0]));
	cpuid_shape(b, no_host);
	assert_int_equal(a->nent, b->nent);
	assert_memory_equal(a->entries, b->entries, a->nent * sizeof(a->entries[0]));
	free(a);
	free(b);
}

/* AMD: no leaf 4, so leaf 2 stays; empty KVM leaves take the host's; one logical CPU in AMD's leaves. */
static void amd_host_leaves_and_topology(void **state)
{
	static const uint32_t host[4][4] = { { 0x20444d41, 0x43595045, 0, 0 }, { 0 }, { 0 },
					     { 0xff40ff40, 0xff40ff40, 0x20080140, 0x20080140 } };
	struct kvm_cpuid2 *c = table();
	(void)state;

	put(c, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65);
	put(c, 1, 0, 0x00a00f11, 0x00800800, 0x7ef8320b, 0x178bfbff);
	put(c, 2, 0, 0, 0, 0, 0);
	put(c, 0xd, 1, 0xf, 0, 0, 0);
	put(c, 0x10, 0, 0, 2, 0, 0);
	put(c, 0x80000000, 0, 0x80000021, 0x68747541, 0x444d4163, 0x69746e65);
	put(c, 0x80000001, 0, 0x00a00f11, 0, 0x75c237ff, 0x2fd3fbff);
	put(c, 0x80000002, 0, 0, 0, 0, 0);
	put(c, 0x80000004, 0, 0x11, 0x22, 0x33, 0x44);
	put(c, 0x80000008, 0, 0x3030, 0, 0x703f, 0);
	put(c, 0x8000001d, 0, 0x00004121, 0x01c0003f, 0x3f, 0);
	cpuid_shape(c, host);
	assert_int_equal(get(c, 0, 0)->eax, 0xd);
	assert_null(get(c, 0x10, 0));
	assert_int_equal(get(c, 2, 0)->eax, 0);
	assert_int_equal(get(c, 0x80000002, 0)->eax, 0x20444d41);	/* filled */
	assert_int_equal(get(c, 0x80000003, 0)->eax, 0);		/* added, the host's (empty) */
	assert_int_equal(get(c, 0x80000004, 0)->eax, 0x11);		/* KVM's kept */
	assert_int_equal(get(c, 0x80000005, 0)->ecx, 0x20080140);	/* L1d 32 KiB */
	assert_int_equal(get(c, 1, 0)->edx & (1u << 28), 0);
	assert_int_equal(get(c, 0x80000001, 0)->ecx & 2, 0);		/* CmpLegacy */
	assert_int_equal(get(c, 0x80000008, 0)->ecx, 0);
	assert_int_equal(get(c, 0x8000001d, 0)->eax, 0x121);
	assert_int_equal(get(c, 0xd, 1)->eax, 0x5);
	free(c);
}

/* The deterministic CPU on a shaped table: still one logical CPU, no XSAVEC, its brand. */
static void fixed_cpu_agrees(void **state)
{
	struct kvm_cpuid2 *c = xeon(0x03c0003f, 0x7ff);
	(void)state;

	put(c, 0x80000002, 0, 0, 0, 0, 0);
	cpuid_shape(c, no_host);
	cpuid_fixed(c);
	assert_int_equal(get(c, 1, 0)->eax, 0x00060f00);
	assert_int_equal(get(c, 1, 0)->edx & (1u << 28), 0);
	assert_int_equal(get(c, 1, 0)->ebx & 0x00ff0000u, 1u << 16);
	assert_int_equal(get(c, 0xd, 1)->eax & 0xa, 0);
	assert_int_equal(get(c, 0xd, 0)->eax, CPUID_FIXED_XCR0);
	assert_memory_equal(&get(c, 0x80000002, 0)->eax, "vmlet determin", 14);
	assert_int_equal(get(c, 2, 0)->eax, 0x7d302c01);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intel_caches_in_leaf_2),
		cmocka_unit_test(intel_cpu_is_cheap_for_glibc),
		cmocka_unit_test(descriptor_skips_top_byte),
		cmocka_unit_test(undescribed_cache_ends_leaf_4),
		cmocka_unit_test(shaping_is_idempotent),
		cmocka_unit_test(amd_host_leaves_and_topology),
		cmocka_unit_test(fixed_cpu_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
