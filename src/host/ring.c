/* ring.c - drains the guest's output ring to the host fds, in program order; formats trace records. */
#include "../core/vm_internal.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define IOV_BATCH 64

/* Write everything; on failure end the run as a native program would end. */
static int write_all(struct vmlet_vm *vm, int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t n = writev(fd, iov, cnt);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				if (vm_wait_fd(vm, fd, POLLOUT, -1) <= 0)
					return -EINTR;
				continue;
			}
			if (errno == EPIPE)
				vm_finish(vm, VMLET_SIGNALED, 0, SIGPIPE, "%s", "");
			else
				vm_finish(vm, VMLET_FAILED, 0, 0, "writing the program's output: %s",
					  strerror(errno));
			return -errno;
		}
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* One trace line; once the run has more than one process, each line names its guest pid. */
static void trace_line(struct vmlet_vm *vm, const struct vmlet_trace *t)
{
	char line[1024 + 16]; /* six cut strings fit, and the pid */
	int pre = vm->tree ? snprintf(line, 16, "[pid %d] ", tree_pid(vm)) : 0;

	trace_format(t, line + pre, sizeof(line) - (size_t)pre);
	if (write(vm->trace_fd, line, strlen(line)) < 0)
		return;
}

static void protocol_error(struct vmlet_vm *vm, const char *what)
{
	vm_finish(vm, VMLET_SIGNALED, 0, SIGSYS, "guest fault: corrupt output ring (%s)", what);
}

int ring_drain(struct vmlet_vm *vm)
{
	struct vmlet_ring *ring = vm_guest_ptr(vm, vm->gk.ring, sizeof(*ring));
	struct iovec iov[IOV_BATCH];
	int cnt = 0, batch_fd = -1, r = 0;
	uint64_t head, tail = vm->ring_tail, batch_bytes = 0;

	if (!ring)
		return -EFAULT;
	head = ring->head;
	if (head < tail || head - tail > VMLET_RING_SIZE) {
		protocol_error(vm, "head out of range");
		return -EPROTO;
	}
	while (tail < head && r == 0) {
		struct vmlet_record rec;
		uint64_t pos = tail % VMLET_RING_SIZE, total;
		int fd;

		memcpy(&rec, ring->data + pos, sizeof(rec));
		total = sizeof(rec) + (((uint64_t)rec.len + 7) & ~7ull);
		if (total > head - tail || pos + total > VMLET_RING_SIZE) {
			protocol_error(vm, "record out of range");
			r = -EPROTO;
			break;
		}
		tail += total;
		if (rec.chan == VMLET_CHAN_PAD)
			continue;
		fd = rec.chan == VMLET_CHAN_TRACE ? -2 : hc_out_fd(vm, rec.chan);
		if (cnt && (fd != batch_fd || cnt == IOV_BATCH)) {
			r = write_all(vm, batch_fd, iov, cnt);
			cnt = 0;
		}
		if (fd == -2) {
			struct vmlet_trace t;
			if (rec.len == sizeof(t) && (vm->flags & VMLET_TRACE)) { /* else: the guest made it up */
				memcpy(&t, ring->data + pos + sizeof(rec), sizeof(t));
				trace_line(vm, &t);
			}
			continue;
		}
		if (fd < 0)
			continue; /* a handle that is not writable: the guest kernel never sends these */
		/* Quotas hold whatever the guest kernel batched: the excess is dropped. */
		int ch = vm->handles[rec.chan].channel;
		int64_t allowed = channel_admit(vm, ch, 1, rec.len, -1);
		if (allowed <= 0)
			continue;
		/* One host write holds several records only up to PIPE_BUF bytes: on a pipe shared
		 * with other writers each guest write of up to PIPE_BUF bytes then stays whole. */
		if (cnt && batch_bytes + (uint64_t)allowed > PIPE_BUF) {
			r = write_all(vm, batch_fd, iov, cnt);
			cnt = 0;
			if (r)
				break;
		}
		if (!cnt)
			batch_bytes = 0;
		batch_bytes += (uint64_t)allowed;
		channel_account(vm, ch, 1, ring->data + pos + sizeof(rec), (uint64_t)allowed);
		batch_fd = fd;
		iov[cnt].iov_base = ring->data + pos + sizeof(rec);
		iov[cnt].iov_len = (size_t)allowed;
		cnt++;
	}
	if (cnt && r == 0)
		r = write_all(vm, batch_fd, iov, cnt);
	vm->ring_tail = tail;
	ring->tail = tail;
	return r;
}
