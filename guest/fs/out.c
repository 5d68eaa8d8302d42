/* out.c - batches output into the shared ring; the host drains it on every exit. */
#include "gk.h"

struct vmlet_ring gk_ring;

#define ALIGN8(x) (((x) + 7ull) & ~7ull)
/* Writes larger than this skip the ring and go straight from program memory. */
#define OUT_DIRECT_MIN (VMLET_RING_SIZE / 4)

static void flush(void)
{
	hc(VMLET_HC_FLUSH, 0, 0, 0, 0);
}

void out_append(uint32_t chan, const void *data, size_t len)
{
	struct vmlet_record rec = { chan, (uint32_t)len };
	uint64_t need = sizeof(rec) + ALIGN8(len);
	uint64_t pos = gk_ring.head % VMLET_RING_SIZE;
	uint64_t pad = pos + need > VMLET_RING_SIZE ? VMLET_RING_SIZE - pos : 0;

	if (gk_ring.head + pad + need - gk_ring.tail > VMLET_RING_SIZE) {
		flush();
		pos = gk_ring.head % VMLET_RING_SIZE;
		pad = pos + need > VMLET_RING_SIZE ? VMLET_RING_SIZE - pos : 0;
	}
	if (pad) {
		struct vmlet_record skip = { VMLET_CHAN_PAD, (uint32_t)(pad - sizeof(skip)) };
		memcpy(gk_ring.data + pos, &skip, sizeof(skip));
		__atomic_store_n(&gk_ring.head, gk_ring.head + pad, __ATOMIC_RELEASE);
		pos = 0;
	}
	memcpy(gk_ring.data + pos, &rec, sizeof(rec));
	memcpy(gk_ring.data + pos + sizeof(rec), data, len);
	__atomic_store_n(&gk_ring.head, gk_ring.head + need, __ATOMIC_RELEASE);
}

long out_write(uint32_t handle, const void *data, size_t len)
{
	if (len >= OUT_DIRECT_MIN)
		return hc(VMLET_HC_WRITE, handle, (uint64_t)data, len, VMLET_OFF_NONE);
	if (len)
		out_append(handle, data, len);
	return (long)len;
}
