/* channels.c - declared channels on the host: resources checked at create, quotas, digests, transactional files. */
#include "../core/vm_internal.h"
#include "commit.h"
#include "kernelfs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Temporary files are named ".NAME.vmlet-PID-N.tmp" beside their target (commit.h lists a run's files). */
static char *temp_name(const char *target)
{
	static unsigned counter;
	char *copy = strdup(target), *dir, *base, *out = NULL;

	if (!copy)
		return NULL;
	base = strrchr(copy, '/');
	*base++ = 0;
	dir = copy[0] ? copy : "/";
	if (asprintf(&out, "%s/.%s.vmlet-%d-%u.tmp", dir, base, (int)getpid(),
		     __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED)) < 0)
		out = NULL;
	free(copy);
	return out;
}

/* The target's directory, readable if the user may (a commit fsyncs it), else O_PATH. */
static int open_target_dir(const char *host)
{
	char *dir = strndup(host, (size_t)(strrchr(host, '/') - host));
	int fd = -1;

	if (dir) {
		fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno == EACCES)
			fd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		free(dir);
	}
	return fd;
}

/*
 * May the effective user change the target as a program would? Write permission on it
 * (root passes, as natively, even on a 0444 file); to replace it, also the directory's
 * (the temporary file is created there) and, in a sticky directory, owning one of them.
 */
static int check_writable(const struct channel *ch, const struct stat *st, struct vmlet_error *err)
{
	struct stat dst;

	if (faccessat(AT_FDCWD, ch->host, W_OK, AT_EACCESS) < 0)
		return vm_error(err, -EACCES, "channel %s: %s: not writable: %s", ch->guest, ch->host, strerror(errno));
	if (ch->mode != VMLET_CHANNEL_APPEND && fstat(ch->dirfd, &dst) == 0 && (dst.st_mode & S_ISVTX) &&
	    geteuid() != 0 && st->st_uid != geteuid() && dst.st_uid != geteuid())
		return vm_error(err, -EACCES, "channel %s: %s: cannot be replaced in a sticky directory by another user",
				ch->guest, ch->host);
	return 0;
}

/* Append: the target itself, opened (created if missing, as a shell's >> does) for the commit. */
static int open_append_target(struct channel *ch, struct vmlet_error *err)
{
	struct stat st;

	ch->target_fd = open(ch->host, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644);
	if (ch->target_fd < 0)
		return vm_error(err, -EACCES, "channel %s: %s: %s", ch->guest, ch->host, strerror(errno));
	if (fstat(ch->target_fd, &st) < 0 || !S_ISREG(st.st_mode))
		return vm_error(err, -EINVAL, "channel %s: %s is not a regular file", ch->guest, ch->host);
	return 0;
}

/* Seed the temporary file with the target's bytes (under a shared lock: no append is half-way). */
static int seed_temp(struct channel *ch, struct vmlet_error *err)
{
	int src = open(ch->host, O_RDONLY | O_CLOEXEC), r = 0;
	ssize_t n;

	if (src < 0)
		return vm_error(err, -EACCES, "channel %s: %s: %s", ch->guest, ch->host, strerror(errno));
	/* The path was checked before; what it names now is what gets copied. */
	if ((r = kernelfs_refuse(src, "channel", ch->guest, ch->host, err))) {
		close(src);
		return r;
	}
	if (ch->target_fd >= 0)
		flock(ch->target_fd, LOCK_SH);
	while ((n = copy_file_range(src, NULL, ch->fd, NULL, 1 << 30, 0)) > 0)
		ch->base += (uint64_t)n;
	if (n < 0)
		r = vm_error(err, -errno, "channel %s: copying %s: %s", ch->guest, ch->host, strerror(errno));
	if (ch->target_fd >= 0)
		flock(ch->target_fd, LOCK_UN);
	close(src);
	return r;
}

/* The temporary file a write-mode channel writes, seeded with the target's bytes when the mode keeps them. */
static int open_temp(struct vmlet_vm *vm, size_t idx, struct vmlet_error *err)
{
	struct channel *ch = &vm->channels[idx];
	struct vmlet_gc_counts gc;
	struct stat st;
	int exists = stat(ch->host, &st) == 0, r;
	mode_t perm = exists ? st.st_mode & 0777 : 0644; /* never setuid/setgid guest output */

	if (exists && !S_ISREG(st.st_mode))
		return vm_error(err, -EINVAL, "channel %s: %s is not a regular file", ch->guest, ch->host);
	ch->tmp = temp_name(ch->host);
	if (!ch->tmp)
		return vm_error(err, -ENOMEM, "out of memory");
	ch->tmp_name = strdup(strrchr(ch->tmp, '/') + 1);
	ch->name = strdup(strrchr(ch->host, '/') + 1);
	ch->dirfd = open_target_dir(ch->host);
	if (ch->dirfd < 0 || !ch->tmp_name || !ch->name)
		return vm_error(err, -ENOENT, "channel %s: %s: directory not found", ch->guest, ch->host);
	gc_directory(ch->dirfd, ch->name, &gc); /* finish or undo what dead runs left here first */
	if (exists && (r = check_writable(ch, &st, err)))
		return r;
	if (ch->mode == VMLET_CHANNEL_APPEND && (r = open_append_target(ch, err)))
		return r;
	ch->fd = open(ch->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, perm);
	if (ch->fd < 0)
		return vm_error(err, errno == ENOENT ? -ENOENT : -EACCES, "channel %s: cannot create a file beside %s: %s",
				ch->guest, ch->host, strerror(errno));
	fchmod(ch->fd, perm);
	if (exists && ch->mode != VMLET_CHANNEL_WRITE && (r = seed_temp(ch, err)))
		return r;
	/* Append: every write, positioned or not, goes to the end (Linux pwrite with O_APPEND). */
	if (ch->mode == VMLET_CHANNEL_APPEND && fcntl(ch->fd, F_SETFL, O_APPEND) < 0)
		return vm_error(err, -errno, "channel %s: %s", ch->guest, strerror(errno));
	lseek(ch->fd, 0, ch->mode == VMLET_CHANNEL_APPEND ? SEEK_END : SEEK_SET);
	return commit_add_channel(vm, idx, err);
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int check_type(const struct channel *ch, const struct stat *st)
{
	switch (ch->type) {
	case VMLET_CHANNEL_FILE: return S_ISREG(st->st_mode);
	case VMLET_CHANNEL_FIFO: return S_ISFIFO(st->st_mode);
	case VMLET_CHANNEL_CHARDEV: return S_ISCHR(st->st_mode);
	case VMLET_CHANNEL_SOCKET: return S_ISSOCK(st->st_mode);
	default: return 0;
	}
}

static int open_channel(struct vmlet_vm *vm, size_t idx, struct vmlet_error *err)
{
	struct channel *ch = &vm->channels[idx];
	static const int flags[] = { [VMLET_CHANNEL_READ] = O_RDONLY, [VMLET_CHANNEL_WRITE] = O_WRONLY,
				     [VMLET_CHANNEL_APPEND] = O_WRONLY | O_APPEND,
				     [VMLET_CHANNEL_READ_WRITE] = O_RDWR };
	struct stat st;
	int probe = open(ch->host, O_PATH | O_CLOEXEC), r = 0;

	if (probe >= 0) { /* procfs, sysfs, ...: in no mode (a written one would copy the file) */
		r = kernelfs_refuse(probe, "channel", ch->guest, ch->host, err);
		close(probe);
	}
	if (r)
		return r;
	if (ch->type == VMLET_CHANNEL_FILE && ch->mode != VMLET_CHANNEL_READ)
		return open_temp(vm, idx, err);
	if (stat(ch->host, &st) < 0)
		return vm_error(err, errno == ENOENT ? -ENOENT : -EACCES, "channel %s: %s: %s", ch->guest,
				ch->host, strerror(errno));
	if (!check_type(ch, &st))
		return vm_error(err, -EINVAL, "channel %s: %s is not of the declared type", ch->guest, ch->host);
	switch (ch->type) {
	case VMLET_CHANNEL_SOCKET:
		ch->fd = connect_socket(ch->host);
		break;
	case VMLET_CHANNEL_FIFO:
		/* Never blocks: a reader waits for data in poll; a writer holds both ends,
		 * so it can write before the peer opens (up to the pipe's buffer). */
		ch->fd = open(ch->host, (ch->mode == VMLET_CHANNEL_READ ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
		ch->fd = ch->fd < 0 ? -errno : ch->fd;
		break;
	default:
		ch->fd = open(ch->host, flags[ch->mode] | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		ch->fd = ch->fd < 0 ? -errno : ch->fd;
		break;
	}
	if (ch->fd < 0) {
		int e = -ch->fd;
		ch->fd = -1;
		return vm_error(err, -EACCES, "channel %s: %s: %s", ch->guest, ch->host, strerror(e));
	}
	return kernelfs_refuse(ch->fd, "channel", ch->guest, ch->host, err); /* what was opened, not what was looked at */
}

static int add_channel(struct vmlet_vm *vm, const struct vmlet_channel *c, struct vmlet_error *err)
{
	struct channel *ch = &vm->channels[vm->nchannels];
	struct stat st;
	int written;

	/* The config passed vmlet_config_check (paths, type, mode, no duplicates). */
	ch->fd = ch->dirfd = ch->target_fd = -1;
	ch->guest = strdup(c->guest_path);
	/* A written file's links are followed to the file itself: the commit happens in its directory. */
	written = c->type == VMLET_CHANNEL_FILE && c->mode != VMLET_CHANNEL_READ;
	ch->host = c->host_path[0] == '/' && !written ? strdup(c->host_path) : realpath(c->host_path, NULL);
	if (!ch->host && errno == ENOENT && written && lstat(c->host_path, &st) == 0) {
		vm->nchannels++;
		return vm_error(err, -ENOENT, "channel %s: %s: a symbolic link to a missing file", c->guest_path,
				c->host_path);
	}
	if (!ch->host && errno == ENOENT && c->mode != VMLET_CHANNEL_READ) {
		/* An output file that does not exist yet: resolve its directory. */
		char *copy = strdup(c->host_path), *dir = realpath(dirname(copy), NULL);
		if (dir && asprintf(&ch->host, "%s/%s", dir, strrchr(c->host_path, '/') ?
				    strrchr(c->host_path, '/') + 1 : c->host_path) < 0)
			ch->host = NULL;
		free(dir);
		free(copy);
	}
	vm->nchannels++; /* counted from here on so that channels_free releases it */
	sha256_init(&ch->read_hash);
	sha256_init(&ch->write_hash);
	if (!ch->guest || !ch->host)
		return vm_error(err, -ENOENT, "channel %s: %s: %s", c->guest_path, c->host_path, strerror(errno));
	ch->type = c->type;
	ch->mode = c->mode;
	ch->random_access = c->random_access;
	ch->limits = c->limits;
	return open_channel(vm, vm->nchannels - 1, err);
}

int channels_init(struct vmlet_vm *vm, const struct vmlet_config *c, struct vmlet_error *err)
{
	size_t i;
	int r;

	vm->channels = calloc(3 + c->nchannels, sizeof(*vm->channels));
	if (!vm->channels)
		return vm_error(err, -ENOMEM, "out of memory");
	vm->commit = c->commit;
	for (i = 0; i < 3; i++) {
		struct channel *ch = &vm->channels[i];
		ch->fd = ch->dirfd = ch->target_fd = -1;
		ch->limits = c->stdio_limits[i];
		ch->mode = i == 0 ? VMLET_CHANNEL_READ : VMLET_CHANNEL_WRITE;
		sha256_init(&ch->read_hash);
		sha256_init(&ch->write_hash);
	}
	vm->nchannels = 3;
	/* At most VMLET_MAX_WRITTEN_FILES written files: vmlet_config_check saw to it. */
	for (i = 0; i < c->nchannels; i++) {
		if (c->channels[i].type == VMLET_CHANNEL_DIRECTORY) {
			/* Resolved like a grant (files.c); this slot holds its quotas and figures. */
			struct channel *ch = &vm->channels[vm->nchannels++];
			ch->fd = ch->dirfd = ch->target_fd = -1;
			ch->type = VMLET_CHANNEL_DIRECTORY;
			ch->mode = VMLET_CHANNEL_READ;
			ch->limits = c->channels[i].limits;
			sha256_init(&ch->read_hash);
			sha256_init(&ch->write_hash);
			continue;
		}
		if ((r = add_channel(vm, &c->channels[i], err)))
			return r;
	}
	return 0;
}

int channel_find(const struct vmlet_vm *vm, const char *path)
{
	size_t i;

	for (i = 3; i < vm->nchannels; i++)
		if (vm->channels[i].guest && !strcmp(vm->channels[i].guest, path))
			return (int)i;
	return -1;
}

int64_t channel_admit(struct vmlet_vm *vm, int idx, int write, uint64_t len, int at_eof)
{
	struct channel *ch;
	uint64_t calls, calls_max, bytes, bytes_max;

	if (idx < 0 || (size_t)idx >= vm->nchannels)
		return (int64_t)len;
	ch = &vm->channels[idx];
	calls = write ? ch->stats.writes : ch->stats.reads;
	calls_max = write ? ch->limits.writes : ch->limits.reads;
	bytes = write ? ch->stats.write_bytes : ch->stats.read_bytes;
	bytes_max = write ? ch->limits.write_bytes : ch->limits.read_bytes;
	/* A read that would find end of file transfers nothing: it is EOF, quota or not. */
	if (!write && at_eof == 1 && (calls >= calls_max || bytes >= bytes_max))
		return 0;
	if (calls >= calls_max) {
		ch->stats.quota_hit |= write ? VMLET_QUOTA_WRITES : VMLET_QUOTA_READS;
		return -EDQUOT;
	}
	if (len && bytes >= bytes_max) {
		ch->stats.quota_hit |= write ? VMLET_QUOTA_WRITE_BYTES : VMLET_QUOTA_READ_BYTES;
		return -EDQUOT;
	}
	return (int64_t)(len < bytes_max - bytes ? len : bytes_max - bytes);
}

void channel_account(struct vmlet_vm *vm, int idx, int write, const void *data, uint64_t len)
{
	struct channel *ch;

	if (idx < 0 || (size_t)idx >= vm->nchannels)
		return;
	ch = &vm->channels[idx];
	if (write) {
		ch->stats.writes++;
		ch->stats.write_bytes += len;
	} else {
		ch->stats.reads++;
		ch->stats.read_bytes += len;
	}
	/* Hashing costs ~3 ns a byte: only when a report will show the etags. */
	if (vm->flags & VMLET_DIGESTS)
		sha256_update(write ? &ch->write_hash : &ch->read_hash, data, len);
}

/* A commit that failed fails the run, whatever the program did. */
static void fail_run(struct vmlet_result *res, const char *message)
{
	res->outcome = VMLET_FAILED;
	res->status = res->signal = 0;
	res->exit_code = 125;
	snprintf(res->message, sizeof(res->message), "%s", message);
}

int channels_finish(struct vmlet_vm *vm, int keep)
{
	struct vmlet_error err;
	int r = 0;
	size_t i;

	for (i = 0; i < vm->nchannels; i++) {
		struct channel *ch = &vm->channels[i];
		sha256_final(&ch->read_hash, ch->stats.read_sha256);
		sha256_final(&ch->write_hash, ch->stats.write_sha256);
		vm->res->quota_hit |= ch->stats.quota_hit;
	}
	if (keep)
		r = commit_outputs(vm, &err);
	else
		commit_discard(vm);
	vm->res->committed = keep && !r;
	if (r)
		fail_run(vm->res, err.message);
	return r;
}

void channels_free(struct vmlet_vm *vm)
{
	size_t i;

	commit_free(vm); /* drops what was never committed */
	for (i = 0; i < vm->nchannels; i++) {
		struct channel *ch = &vm->channels[i];
		if (ch->tmp) /* opened, but its run never reached commit_add_channel */
			unlinkat(ch->dirfd, ch->tmp_name, 0);
		if (ch->fd >= 0)
			close(ch->fd);
		if (ch->dirfd >= 0)
			close(ch->dirfd);
		if (ch->target_fd >= 0)
			close(ch->target_fd);
		free(ch->tmp);
		free(ch->tmp_name);
		free(ch->name);
		free(ch->guest);
		free(ch->host);
	}
	free(vm->channels);
	vm->channels = NULL;
	vm->nchannels = 0;
}
