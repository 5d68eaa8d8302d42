/* landlock.c - the filesystem half of confinement: a Landlock domain that admits only the VM's grants and output directories. */
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Rights newer than the Debian 12 headers (Landlock ABI 3 and 5). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

#define READ_RIGHTS (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* A commit renames the temporary file over its target in one directory, or removes it. */
#define COMMIT_RIGHTS (LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG)

int landlock_abi(void)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

/* Every filesystem right the running kernel knows: all of them are denied unless a rule grants them. */
static uint64_t handled_rights(int abi)
{
	uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

static int add_rule(int ruleset, int fd, uint64_t rights)
{
	struct landlock_path_beneath_attr rule = { .allowed_access = rights, .parent_fd = fd };

	return syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0 ? -errno : 0;
}

/* Read access to one grant: the whole tree, or only the granted file in its directory. */
static int add_read_root(int ruleset, int dirfd, const char *name)
{
	struct stat st;
	int fd, r;

	if (!name)
		return add_rule(ruleset, dirfd, READ_RIGHTS);
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC); /* a symlink swapped in grants nothing */
	if (fd < 0) /* gone since the VM was created: nothing to grant */
		return errno == ENOENT ? 0 : -errno;
	r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? add_rule(ruleset, fd, LANDLOCK_ACCESS_FS_READ_FILE) : 0;
	close(fd);
	return r;
}

static int add_rules(int ruleset, const struct vmlet_vm *vm, const struct vmlet_host_fds *fds)
{
	const char *name;
	size_t i;
	int dirfd, r = 0;

	if (!vm) { /* creator: programs and read-only channels anywhere, nothing else */
		int root = open("/", O_PATH | O_CLOEXEC);
		if (root < 0)
			return -errno;
		r = add_rule(ruleset, root, READ_RIGHTS);
		close(root);
		return r;
	}
	for (i = 0; !r && !vmlet_vm_read_root(vm, i, &dirfd, &name); i++)
		r = add_read_root(ruleset, dirfd, name);
	for (i = 0; !r && i < (size_t)fds->ncommit_dirs; i++)
		r = add_rule(ruleset, fds->commit_dirs[i], COMMIT_RIGHTS);
	return r;
}

int landlock_confine(const struct vmlet_vm *vm, const struct vmlet_host_fds *fds)
{
	int abi = landlock_abi(), ruleset, r;
	struct landlock_ruleset_attr attr = { .handled_access_fs = handled_rights(abi) };

	if (!abi)
		return 1;
	ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0)
		return -errno;
	r = add_rules(ruleset, vm, fds);
	if (!r && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
	if (!r && syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
		r = -errno;
	close(ruleset);
	return r;
}
