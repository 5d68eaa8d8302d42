/* clock.c - CLOCK_MONOTONIC never goes backwards over 1000 reads, and a 20 ms nanosleep
 * advances it by at least 20 ms. Prints one line per check. */
#include <stdio.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return -1;
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int main(void)
{
	struct timespec req = { 0, 20000000 };
	long long prev = now_ns(), t0, t1;
	int i, bad = 0;

	if (prev < 0) {
		printf("clock_gettime failed\n");
		return 1;
	}
	for (i = 0; i < 1000; i++) {
		long long t = now_ns();
		if (t < prev) {
			printf("went backwards at %d: %lld -> %lld\n", i, prev, t);
			bad = 1;
		}
		prev = t;
	}
	if (!bad)
		printf("monotonic ok\n");
	t0 = now_ns();
	if (nanosleep(&req, NULL) != 0) {
		printf("nanosleep failed\n");
		return 1;
	}
	t1 = now_ns();
	if (t1 - t0 >= 20000000)
		printf("sleep ok\n");
	else
		printf("sleep too short: %lld ns\n", t1 - t0);
	return bad;
}
