/* random.c - ChaCha20 keystream seeded by the host: getrandom and /dev/urandom without exits. */
#include "gk.h"

#include <linux/errno.h>

static uint32_t key[8], counter;
static int seeded;
static uint8_t block[64];
static unsigned block_used = 64;

#define ROTL(a, b) (((a) << (b)) | ((a) >> (32 - (b))))
#define QR(a, b, c, d) \
	(a += b, d ^= a, d = ROTL(d, 16), c += d, b ^= c, b = ROTL(b, 12), \
	 a += b, d ^= a, d = ROTL(d, 8), c += d, b ^= c, b = ROTL(b, 7))

static void chacha_block(void)
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 }, x[16];
	int i;

	for (i = 0; i < 8; i++)
		in[4 + i] = key[i];
	in[12] = counter++;
	for (i = 0; i < 16; i++)
		x[i] = in[i];
	for (i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]); QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]); QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]); QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]); QR(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];
		block[4 * i] = (uint8_t)v;
		block[4 * i + 1] = (uint8_t)(v >> 8);
		block[4 * i + 2] = (uint8_t)(v >> 16);
		block[4 * i + 3] = (uint8_t)(v >> 24);
	}
	block_used = 0;
}

void random_fill(void *buf, size_t len)
{
	uint8_t *out = buf;

	if (!seeded) {
		memcpy(key, gk_boot.seed, sizeof(key));
		seeded = 1;
	}
	while (len) {
		size_t n;
		if (block_used == 64)
			chacha_block();
		n = 64 - block_used < len ? 64 - block_used : len;
		memcpy(out, block + block_used, n);
		block_used += (unsigned)n;
		out += n;
		len -= n;
	}
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

long sys_getrandom(struct gk_frame *f)
{
	uint64_t len = A1 > 0x1ffffff ? 0x1ffffff : A1;

	if (A2 & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (!user_ok(A0, len))
		return -EFAULT;
	random_fill((void *)A0, len);
	return (long)len;
}
