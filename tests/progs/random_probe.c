/* random_probe.c - prints AT_RANDOM and 16 bytes of getrandom, to compare runs. */
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/random.h>

int main(void)
{
	const unsigned char *at = (const unsigned char *)getauxval(AT_RANDOM);
	unsigned char buf[16];
	int i;

	if (!at || getrandom(buf, sizeof(buf), 0) != sizeof(buf))
		return 1;
	for (i = 0; i < 16; i++)
		printf("%02x", at[i]);
	printf(" ");
	for (i = 0; i < 16; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}
