/* adv_out.c - output pressure on the host: large direct writes, floods of tiny ring records,
 * wide writev, interleaved stdout/stderr. stdout gets exactly MIB MiB of "abc...z" repeated.
 * usage: adv_out [MIB]   (default 16) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adv.h"

int main(int argc, char **argv)
{
	uint64_t mib = argc > 1 ? strtoull(argv[1], 0, 0) : 16, i, done = 0, total = mib << 20;
	static char big[(1 << 20) + 32];
	static struct { uint64_t base, len; } iov[1024];

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	/* Half in 1 MiB writes (direct hypercalls), half in 1-byte writes and 1024-wide writevs (ring).
	 * Every write starts where the pattern left off: stdout is "abc...z" repeated, SIZE bytes. */
	while (done < total / 2) {
		long r = sc3(1, 1, &big[done % 26], 1 << 20);
		if (r <= 0)
			return 1;
		done += (uint64_t)r;
	}
	for (i = 0; i < 1024; i++)
		iov[i] = (typeof(iov[0])){ (uint64_t)&big[i], 1 };
	while (done < total) {
		long r;
		if (total - done >= 1024 && (done & 1) == 0) {
			/* 1024 one-byte vectors continuing the pattern: offset so the letters line up */
			uint64_t k, off = done % 26;
			for (k = 0; k < 1024; k++)
				iov[k].base = (uint64_t)&big[off + k];
			r = sc3(20, 1, iov, 1024);
		} else {
			r = sc3(1, 1, &big[done % 26], 1);
		}
		if (r <= 0)
			return 1;
		done += (uint64_t)r;
		if ((done & 0xffff) == 0)
			sc3(1, 2, ".", 1);
	}
	sc3(1, 2, "\n", 1);
	return 0;
}
