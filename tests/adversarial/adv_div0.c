/* adv_div0.c - integer divide errors: x/0 and INT64_MIN/-1 (#DE, a clean SIGFPE death: exit 136).
 * usage: adv_div0 [min]   (default: divide by zero) */
#include <stdint.h>
#include <string.h>

int main(int argc, char **argv)
{
	volatile int64_t a = INT64_MIN, b = argc > 1 && !strcmp(argv[1], "min") ? -1 : 0;

	return (int)(a / b);
}
