/* adv_ring.c - corrupt the output ring the host drains: head, tail, record lengths, channels.
 *
 * usage: adv_ring MODE
 *   head-back     head below the host's tail                 -> corrupt ring (SIGSYS)
 *   head-far      head more than a ring ahead of the tail     -> corrupt ring
 *   head-max      head = 2^64-1                               -> corrupt ring
 *   head-odd      head 5 bytes past the tail                  -> corrupt ring
 *   len-huge      a record of length 0xffffffff               -> corrupt ring
 *   len-past-end  a record that runs past the ring's end      -> corrupt ring
 *   pad-huge      a pad record longer than the data           -> corrupt ring
 *   chan-odd      records on handles 3, 63, 64, 2^31, 0xfffffffd: skipped; then "ok\n" on 1
 *   chan-stdin    a record on handle 0 (the host's stdin)
 *   trace         trace records with strings at region edges, unknown numbers, odd results
 *   many          20000 one-byte records alternating stdout and stderr, then pads
 *   tail          garbage in the (informational) guest tail; output must be intact
 *   then-write    corrupt the head, then write(2) normally and exit
 * Each mode writes its records directly and then flushes with a direct hypercall. */
#include <stdint.h>
#include <stdio.h>

#include "adv.h"

static volatile struct vmlet_ring *ring;

/* Append a record at the guest's head (wrapping with a pad like the guest kernel does). */
static void put(uint32_t chan, const void *data, uint32_t len)
{
	uint64_t need = 8 + ((len + 7ull) & ~7ull), pos = ring->head % VMLET_RING_SIZE;
	struct vmlet_record rec = { chan, len };

	if (ring->head + need - ring->tail > VMLET_RING_SIZE)
		adv_hc(VMLET_HC_FLUSH, 0, 0, 0, 0);
	pos = ring->head % VMLET_RING_SIZE;
	if (pos + need > VMLET_RING_SIZE) {
		struct vmlet_record pad = { VMLET_CHAN_PAD, (uint32_t)(VMLET_RING_SIZE - pos - 8) };
		memcpy((void *)(ring->data + pos), &pad, 8);
		ring->head += VMLET_RING_SIZE - pos;
		pos = 0;
	}
	memcpy((void *)(ring->data + pos), &rec, 8);
	memcpy((void *)(ring->data + pos + 8), data, len);
	ring->head += need;
}

static void flush(void)
{
	adv_hc(VMLET_HC_FLUSH, 0, 0, 0, 0);
}

static void put_trace(uint64_t nr, uint64_t a0, uint64_t a1, int64_t ret)
{
	struct vmlet_trace t = { nr, { a0, a1, a0, a1, a0, a1 }, ret };

	put(VMLET_CHAN_TRACE, &t, sizeof(t));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const volatile struct vmlet_boot *boot = (const volatile struct vmlet_boot *)ADV_GK->boot;
	uint64_t tail;

	ring = (volatile struct vmlet_ring *)ADV_GK->ring;
	flush(); /* drained: the host's tail is now ring->tail == ring->head */
	tail = ring->tail;
	if (!strcmp(mode, "head-back")) {
		ring->head = tail - 8;
		flush();
	} else if (!strcmp(mode, "head-far")) {
		ring->head = tail + VMLET_RING_SIZE + 8;
		flush();
	} else if (!strcmp(mode, "head-max")) {
		ring->head = ~0ull;
		flush();
	} else if (!strcmp(mode, "head-odd")) {
		put(1, "abc", 3);
		ring->head = tail + 5;
		flush();
	} else if (!strcmp(mode, "len-huge")) {
		put(1, "abcdefgh", 8);
		((volatile struct vmlet_record *)(ring->data + tail % VMLET_RING_SIZE))->len = 0xffffffffu;
		flush();
	} else if (!strcmp(mode, "len-past-end")) {
		/* A pad moves the host's tail to 200 bytes before the end; then a record claiming 256 bytes. */
		uint64_t pos = tail % VMLET_RING_SIZE;
		struct vmlet_record pad = { VMLET_CHAN_PAD, (uint32_t)(VMLET_RING_SIZE - 200 - pos - 8) };
		struct vmlet_record rec = { 1, 256 };
		memcpy((void *)(ring->data + pos), &pad, 8);
		ring->head = tail + (VMLET_RING_SIZE - 200 - pos);
		flush();
		memcpy((void *)(ring->data + VMLET_RING_SIZE - 200), &rec, 8);
		ring->head += 8 + 256;
		flush();
	} else if (!strcmp(mode, "pad-huge")) {
		struct vmlet_record pad = { VMLET_CHAN_PAD, 0xfffffff8u };
		memcpy((void *)(ring->data + tail % VMLET_RING_SIZE), &pad, 8);
		ring->head = tail + 64;
		flush();
	} else if (!strcmp(mode, "chan-odd")) {
		static const uint32_t chans[] = { 3, 63, 64, 0x80000000u, 0xfffffffdu, 0x7fffffffu };
		size_t i;
		for (i = 0; i < sizeof(chans) / sizeof(chans[0]); i++)
			put(chans[i], "XXXXXXXX", 8);
		put(1, "ok\n", 3);
		flush();
	} else if (!strcmp(mode, "chan-stdin")) {
		put(0, "to-stdin\n", 9);
		flush();
		put(1, "after\n", 6);
		flush();
	} else if (!strcmp(mode, "trace")) {
		static const char big[] = "0123456789012345678901234567890123456789012345678901234567890123456789";
		uint64_t hi = boot->user_hi;
		volatile char *edge = (volatile char *)(hi - 3);
		edge[0] = 'e', edge[1] = 'n', edge[2] = 'd'; /* no NUL before user_hi */
		put_trace(2, hi - 3, 0, 3);
		put_trace(2, hi, 0, -2);
		put_trace(2, ADV_GK->bss_end - 1, 0, -4095);
		put_trace(2, ADV_GK->bss_end, 0, -4096);
		put_trace(2, VMLET_KERNEL_VBASE, 0, INT64_MIN);
		put_trace(2, ~0ull, ~0ull, INT64_MAX);
		put_trace(2, (uint64_t)big, 0, 65536);
		put_trace(257, ~0ull - 1, (uint64_t)big, -1);
		put_trace(~0ull, 1, 2, 3);
		put_trace(1u << 31, 1, 2, 3);
		put_trace(450, 1, 2, 3);
		put_trace(451, 1, 2, 3);
		put_trace(511, 1, 2, 3);
		put_trace(512, 1, 2, 3);
		put(VMLET_CHAN_TRACE, big, 10); /* wrong size: ignored */
		put(1, "ok\n", 3);
		flush();
	} else if (!strcmp(mode, "many")) {
		int i;
		for (i = 0; i < 20000; i++) {
			char c = (char)('a' + i % 26);
			put(1 + (i & 1), &c, 1);
		}
		for (i = 0; i < 1000; i++)
			put(VMLET_CHAN_PAD, "", 0);
		put(1, "\n", 1);
		put(2, "\n", 1);
		flush();
	} else if (!strcmp(mode, "tail")) {
		ring->tail = ~0ull;
		put(1, "one\n", 4);
		ring->tail = 0;
		put(1, "two\n", 4);
		flush();
		ring->tail = tail + 12345;
		put(1, "three\n", 6);
		flush();
	} else if (!strcmp(mode, "then-write")) {
		ring->head = tail + 3;
		sc3(1, 1, "hello\n", 6);
		sc1(60, 0);
	} else {
		adv_puts("adv_ring: unknown mode\n");
		return 2;
	}
	sc3(1, 1, "adv_ring: end\n", 14);
	return 0;
}
