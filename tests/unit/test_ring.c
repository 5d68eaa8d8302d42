/* test_ring.c - the output ring's host side (ring_drain) on a VM built without KVM: writes reach the fd whole and in order. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/vm_internal.h"

extern const uint8_t vmlet_gk_image[];

#define MEM_SIZE (32ull << 20)

static struct vmlet_vm *vm;
static int packets[2]; /* a SOCK_SEQPACKET pair: each host write() arrives as one packet */

static int build_vm(void **state)
{
	struct vmlet_config c;
	struct vmlet_error err;

	(void)state;
	vm = vm_new();
	assert_non_null(vm);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, packets), 0);
	vm->stdio[0] = -1;
	vm->stdio[1] = vm->stdio[2] = packets[0];
	vm->trace_fd = -1;
	vm->mem.host = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(vm->mem.host != MAP_FAILED);
	vm->mem.size = MEM_SIZE;
	vm->kbase = MEM_SIZE - VMLET_KERNEL_SIZE;
	vm->user_hi = vm->kbase;
	memcpy(&vm->gk, vmlet_gk_image, sizeof(vm->gk));
	assert_int_equal(vm->gk.magic, VMLET_GK_MAGIC);
	vmlet_config_init(&c);
	assert_int_equal(files_init(vm, &c, &err), 0);
	return 0;
}

static int free_vm(void **state)
{
	(void)state;
	files_close_all(vm);
	munmap(vm->mem.host, MEM_SIZE);
	close(packets[0]);
	close(packets[1]);
	free(vm);
	return 0;
}

static struct vmlet_ring *ring(void)
{
	return (struct vmlet_ring *)(vm->mem.host + vm->kbase + (vm->gk.ring - VMLET_KERNEL_VBASE));
}

/* Appends a record of `len` bytes, all `fill`, as the guest kernel would (no wrap handling: tests stay small). */
static void put(uint32_t chan, uint32_t len, char fill)
{
	struct vmlet_ring *r = ring();
	struct vmlet_record rec = { chan, len };
	uint64_t pos = r->head % VMLET_RING_SIZE;

	memcpy(r->data + pos, &rec, sizeof(rec));
	memset(r->data + pos + sizeof(rec), fill, len);
	r->head += sizeof(rec) + ((len + 7u) & ~7u);
}

/* Reads every packet now queued; checks each holds whole records of one fill byte each, in order. */
static void expect_packets(const uint32_t *lens, int n)
{
	static char buf[VMLET_RING_SIZE];
	int i = 0;

	while (i < n) {
		ssize_t got = recv(packets[1], buf, sizeof(buf), MSG_DONTWAIT), off = 0;

		assert_true(got > 0);
		/* A write of up to PIPE_BUF bytes is atomic for a pipe: a packet holding more
		 * than one record must stay within PIPE_BUF, so no other writer splits a record. */
		while (off < got) {
			assert_true(i < n);
			assert_true(off + (ssize_t)lens[i] <= got); /* no record split across writes */
			for (uint32_t k = 0; k < lens[i]; k++)
				assert_int_equal(buf[off + k], 'a' + i % 26);
			off += lens[i++];
		}
		if (got > PIPE_BUF)
			assert_int_equal(got, (ssize_t)lens[i - 1]); /* only a lone large record passes PIPE_BUF */
	}
	assert_int_equal(recv(packets[1], buf, sizeof(buf), MSG_DONTWAIT), -1);
}

static void small_writes_reach_the_fd_within_pipe_buf(void **state)
{
	uint32_t lens[200];
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		lens[i] = 1 + (uint32_t)(i * 37) % 200; /* lines of 1-200 bytes: 20 KiB in all */
		put(1, lens[i], (char)('a' + i % 26));
	}
	assert_int_equal(ring_drain(vm), 0);
	expect_packets(lens, 200);
}

static void large_writes_stay_whole(void **state)
{
	uint32_t lens[6] = { 10, PIPE_BUF + 1, 20, 3 * PIPE_BUF, PIPE_BUF, PIPE_BUF - 1 };
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		put(1, lens[i], (char)('a' + i));
	assert_int_equal(ring_drain(vm), 0);
	expect_packets(lens, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(small_writes_reach_the_fd_within_pipe_buf, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(large_writes_stay_whole, build_vm, free_vm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
