/* needs_kvm.h - lets a unit test that needs a real VM skip, saying why, where this machine has no usable KVM. */
#ifndef VMLET_TEST_NEEDS_KVM_H
#define VMLET_TEST_NEEDS_KVM_H

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Whether /dev/kvm opens and creates a VM; if not, why (for the skip line). */
static int kvm_usable(const char **why)
{
	static int probed, usable;
	static char reason[160];

	if (!probed) {
		int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

		probed = 1;
		if (fd < 0) {
			snprintf(reason, sizeof(reason), "cannot open /dev/kvm: %s", strerror(errno));
		} else if ((vm = ioctl(fd, KVM_CREATE_VM, 0)) < 0) {
			snprintf(reason, sizeof(reason), "KVM_CREATE_VM: %s", strerror(errno));
		} else {
			usable = 1;
			close(vm);
		}
		if (fd >= 0)
			close(fd);
	}
	*why = reason;
	return usable;
}

/* Call first in a test that runs a VM: on a machine without KVM it prints
 * "skip NAME: needs a VM (REASON)" and skips the test (cmocka's skip()). */
#define skip_without_kvm()                                                          \
	do {                                                                       \
		const char *why_;                                                  \
		if (!kvm_usable(&why_)) {                                          \
			printf("skip %s: needs a VM (%s)\n", __func__, why_);       \
			fflush(stdout);                                            \
			skip();                                                    \
		}                                                                  \
	} while (0)

#endif
