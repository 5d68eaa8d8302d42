/* test_sha256.c - SHA-256 against the NIST example vectors, padding boundaries, and streaming splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/sha256.h"

static void expect_digest(const uint8_t d[SHA256_DIGEST_SIZE], const char *want)
{
	char hex[SHA256_HEX_SIZE];

	assert_string_equal(sha256_hex(d, hex), want);
}

static void expect_oneshot(const void *data, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256(data, len, d);
	expect_digest(d, want);
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf"). */
static void test_nist_abc(void **state)
{
	(void)state;
	expect_oneshot("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_nist_empty(void **state)
{
	(void)state;
	expect_oneshot("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect_oneshot(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_nist_448_bits(void **state)
{
	static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	assert_int_equal(strlen(m) * 8, 448);
	expect_oneshot(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_nist_896_bits(void **state)
{
	static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
				"klmnopqrlmnopqrsmnopqrstnopqrstu";

	(void)state;
	assert_int_equal(strlen(m) * 8, 896);
	expect_oneshot(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_nist_million_a(void **state)
{
	const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	uint8_t d[SHA256_DIGEST_SIZE];
	char chunk[1000];
	struct sha256 c;
	char *all;
	int i;

	(void)state;
	/* Streamed in 1000-byte updates... */
	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, chunk, sizeof(chunk));
	sha256_final(&c, d);
	expect_digest(d, want);
	/* ...and in one. */
	all = malloc(1000000);
	assert_non_null(all);
	memset(all, 'a', 1000000);
	expect_oneshot(all, 1000000, want);
	free(all);
}

/* Lengths around the padding boundaries: 55 fits the length in one block, 56 does not. */
static void test_padding_boundaries(void **state)
{
	static const struct {
		size_t n;
		const char *want;
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
		{ 127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a" },
		{ 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
	};
	char a[128];
	size_t i;

	(void)state;
	memset(a, 'a', sizeof(a));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		expect_oneshot(a, v[i].n, v[i].want);
}

/* Any way of cutting the message into updates gives the same digest. */
static void test_streaming_splits(void **state)
{
	const char *want = "785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9";
	uint8_t m[1024], d[SHA256_DIGEST_SIZE];
	struct sha256 c;
	size_t i, cut, step;

	(void)state;
	for (i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)i;
	expect_oneshot(m, sizeof(m), want);
	for (cut = 0; cut <= 200; cut++) {
		sha256_init(&c);
		sha256_update(&c, m, cut);
		sha256_update(&c, NULL, 0);
		sha256_update(&c, m + cut, sizeof(m) - cut);
		sha256_final(&c, d);
		expect_digest(d, want);
	}
	for (step = 1; step <= 130; step++) {
		sha256_init(&c);
		for (i = 0; i < sizeof(m); i += step)
			sha256_update(&c, m + i, sizeof(m) - i < step ? sizeof(m) - i : step);
		sha256_final(&c, d);
		expect_digest(d, want);
	}
}

/* A context is plain data: a copy taken mid-stream finishes independently; init reuses. */
static void test_copy_and_reuse(void **state)
{
	uint8_t d1[SHA256_DIGEST_SIZE], d2[SHA256_DIGEST_SIZE];
	struct sha256 c, copy;

	(void)state;
	sha256_init(&c);
	sha256_update(&c, "ab", 2);
	copy = c;
	sha256_update(&c, "c", 1);
	sha256_final(&c, d1);
	expect_digest(d1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_update(&copy, "c", 1);
	sha256_final(&copy, d2);
	assert_memory_equal(d1, d2, sizeof(d1));
	sha256_init(&c);
	sha256_final(&c, d1);
	expect_digest(d1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nist_abc),
		cmocka_unit_test(test_nist_empty),
		cmocka_unit_test(test_nist_448_bits),
		cmocka_unit_test(test_nist_896_bits),
		cmocka_unit_test(test_nist_million_a),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_streaming_splits),
		cmocka_unit_test(test_copy_and_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
