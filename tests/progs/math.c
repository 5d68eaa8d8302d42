/* math.c - math float: printf of doubles and hand-rolled double math (no libm needed);
 * math qsort: sorts 100000 pseudo-random ints and checks the order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double seed_pi = 3.14159;

static double my_sqrt(double x)
{
	double r = x > 1 ? x : 1;
	int i;

	for (i = 0; i < 60; i++)
		r = 0.5 * (r + x / r);
	return r;
}

static double my_exp(double x)
{
	double term = 1, sum = 1;
	int i;

	for (i = 1; i < 40; i++) {
		term *= x / i;
		sum += term;
	}
	return sum;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int do_float(void)
{
	double pi = 0, x = seed_pi * 2;
	int k;

	for (k = 0; k < 100000; k++)
		pi += (k % 2 ? -4.0 : 4.0) / (2 * k + 1);
	printf("%.3f\n", x);
	printf("%.6f\n", my_sqrt(2.0));
	printf("%.6f\n", my_exp(1.0));
	printf("%.4f\n", pi);
	printf("%g %g %e\n", 1.0 / 3, 1e100 * 1e100, 12345.678);
	printf("%.2f\n", strtod("2.5e-1", NULL) * 10);
	printf("%d\n", (int)(x * 1000));
	return 0;
}

static int do_qsort(void)
{
	enum { N = 100000 };
	static int a[N];
	unsigned long long x = 12345, sum = 0, sum2 = 0;
	int i;

	for (i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		a[i] = (int)(x >> 33) - (1 << 30);
		sum += (unsigned)a[i];
	}
	qsort(a, N, sizeof(a[0]), cmp_int);
	for (i = 0; i < N; i++) {
		if (i && a[i - 1] > a[i]) {
			printf("not sorted at %d: %d > %d\n", i, a[i - 1], a[i]);
			return 1;
		}
		sum2 += (unsigned)a[i];
	}
	if (sum != sum2) {
		printf("elements changed\n");
		return 1;
	}
	printf("sorted %d\n", N);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "float"))
		return do_float();
	if (argc > 1 && !strcmp(argv[1], "qsort"))
		return do_qsort();
	fprintf(stderr, "usage: math float|qsort\n");
	return 2;
}
