/* sha256.h - streaming SHA-256 (FIPS 180-4), for per-channel digests ("etags") of data read and written. */
#ifndef VMLET_SHA256_H
#define VMLET_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1) /* 64 lowercase hex digits and a NUL */

/*
 * One message in progress. Plain data: a context can be copied, and embedded
 * in another struct; it owns no resources. Usage:
 *   sha256_init(&c); sha256_update(&c, p, n) ...; sha256_final(&c, digest);
 * After sha256_final the context is spent; sha256_init it again to reuse it.
 */
struct sha256 {
	uint32_t h[8];                     /* chaining state */
	uint64_t length;                   /* message bytes so far */
	uint8_t block[SHA256_BLOCK_SIZE];  /* partial block */
	size_t fill;                       /* bytes in block, < SHA256_BLOCK_SIZE */
};

void sha256_init(struct sha256 *c);

/* Add len bytes (any length, including 0; data may be NULL when len is 0). */
void sha256_update(struct sha256 *c, const void *data, size_t len);

/* Pad, finish, and write the 32-byte digest. */
void sha256_final(struct sha256 *c, uint8_t digest[SHA256_DIGEST_SIZE]);

/* One-shot digest of a buffer. */
void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);

/* Digest as 64 lowercase hex digits plus NUL; returns out. */
char *sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE]);

#endif
