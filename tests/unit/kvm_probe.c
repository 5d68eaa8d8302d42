/* kvm_probe.c - exits 0 when /dev/kvm opens and creates a VM; otherwise prints why and exits 1 (tests/run.sh). */
#include "needs_kvm.h"

int main(void)
{
	const char *why;

	if (kvm_usable(&why))
		return 0;
	printf("%s\n", why);
	return 1;
}
