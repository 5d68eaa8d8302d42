/* test_guestmem.c - bounds and overflow checks of guestmem_ptr, guestmem_read and guestmem_write. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/guestmem.h"

#define MEM_SIZE 0x10000ull

struct fixture {
	struct guestmem mem;
	uint8_t *buf;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->buf = calloc(1, MEM_SIZE);
	if (!f->buf) {
		free(f);
		return -1;
	}
	f->mem.host = f->buf;
	f->mem.size = MEM_SIZE;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->buf);
	free(f);
	return 0;
}

static void test_ptr_inside(void **state)
{
	struct fixture *f = *state;

	assert_ptr_equal(guestmem_ptr(&f->mem, gpa(0), 1), f->buf);
	assert_ptr_equal(guestmem_ptr(&f->mem, gpa(0), MEM_SIZE), f->buf);
	assert_ptr_equal(guestmem_ptr(&f->mem, gpa(0x1234), 0x100), f->buf + 0x1234);
	assert_ptr_equal(guestmem_ptr(&f->mem, gpa(MEM_SIZE - 1), 1), f->buf + MEM_SIZE - 1);
	assert_ptr_equal(guestmem_ptr(&f->mem, gpa(MEM_SIZE - 16), 16), f->buf + MEM_SIZE - 16);
}

static void test_ptr_len_zero(void **state)
{
	struct fixture *f = *state;

	/* An empty range inside RAM is valid. */
	assert_ptr_equal(guestmem_ptr(&f->mem, gpa(0), 0), f->buf);
	assert_ptr_equal(guestmem_ptr(&f->mem, gpa(0x800), 0), f->buf + 0x800);
	/* An empty range at the very end touches no byte outside RAM. */
	assert_ptr_equal(guestmem_ptr(&f->mem, gpa(MEM_SIZE), 0), f->buf + MEM_SIZE);
	/* ...but one past that is outside. */
	assert_null(guestmem_ptr(&f->mem, gpa(MEM_SIZE + 1), 0));
	assert_null(guestmem_ptr(&f->mem, gpa(UINT64_MAX), 0));
}

static void test_ptr_at_end(void **state)
{
	struct fixture *f = *state;

	assert_null(guestmem_ptr(&f->mem, gpa(MEM_SIZE), 1));
	assert_null(guestmem_ptr(&f->mem, gpa(MEM_SIZE - 1), 2));
	assert_null(guestmem_ptr(&f->mem, gpa(MEM_SIZE - 16), 17));
	assert_null(guestmem_ptr(&f->mem, gpa(MEM_SIZE + 0x1000), 1));
	assert_null(guestmem_ptr(&f->mem, gpa(1), MEM_SIZE));
}

static void test_ptr_len_too_big(void **state)
{
	struct fixture *f = *state;

	assert_null(guestmem_ptr(&f->mem, gpa(0), MEM_SIZE + 1));
	assert_null(guestmem_ptr(&f->mem, gpa(0), UINT64_MAX));
	assert_null(guestmem_ptr(&f->mem, gpa(0), 1ull << 63));
}

static void test_ptr_wrap(void **state)
{
	struct fixture *f = *state;

	/* addr + len wraps past 2^64 and lands inside RAM: must still be refused. */
	assert_null(guestmem_ptr(&f->mem, gpa(UINT64_MAX), 2));
	assert_null(guestmem_ptr(&f->mem, gpa(UINT64_MAX - 0xff), 0x200));
	assert_null(guestmem_ptr(&f->mem, gpa(0x100), UINT64_MAX - 0x80));
	assert_null(guestmem_ptr(&f->mem, gpa(0x100), UINT64_MAX));
	assert_null(guestmem_ptr(&f->mem, gpa(1ull << 63), 1ull << 63));
	assert_null(guestmem_ptr(&f->mem, gpa(UINT64_MAX), UINT64_MAX));
	assert_null(guestmem_ptr(&f->mem, gpa(MEM_SIZE), UINT64_MAX - MEM_SIZE + 1));
}

static void test_ptr_empty_memory(void **state)
{
	struct guestmem mem = { NULL, 0 };

	(void)state;
	assert_null(guestmem_ptr(&mem, gpa(0), 1));
	assert_null(guestmem_ptr(&mem, gpa(1), 0));
	assert_null(guestmem_ptr(&mem, gpa(UINT64_MAX), 1));
}

static void test_read_write_roundtrip(void **state)
{
	struct fixture *f = *state;
	uint8_t in[64], out[64];
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(guestmem_write(&f->mem, gpa(0x2000), in, sizeof(in)), 0);
	assert_memory_equal(f->buf + 0x2000, in, sizeof(in));
	memset(out, 0, sizeof(out));
	assert_int_equal(guestmem_read(&f->mem, gpa(0x2000), out, sizeof(out)), 0);
	assert_memory_equal(out, in, sizeof(in));

	/* The last bytes of RAM are reachable. */
	assert_int_equal(guestmem_write(&f->mem, gpa(MEM_SIZE - sizeof(in)), in, sizeof(in)), 0);
	assert_int_equal(guestmem_read(&f->mem, gpa(MEM_SIZE - sizeof(in)), out, sizeof(out)), 0);
	assert_memory_equal(out, in, sizeof(in));

	/* Zero-length copies inside RAM succeed and touch nothing. */
	assert_int_equal(guestmem_write(&f->mem, gpa(MEM_SIZE), in, 0), 0);
	assert_int_equal(guestmem_read(&f->mem, gpa(0), out, 0), 0);
}

static void test_read_write_efault(void **state)
{
	struct fixture *f = *state;
	uint8_t in[32], out[32];

	memset(in, 0x5a, sizeof(in));
	memset(out, 0xa5, sizeof(out));

	assert_int_equal(guestmem_write(&f->mem, gpa(MEM_SIZE - 16), in, sizeof(in)), -EFAULT);
	/* A refused write must not copy the part that would fit. */
	for (size_t i = MEM_SIZE - 16; i < MEM_SIZE; i++)
		assert_int_equal(f->buf[i], 0);
	assert_int_equal(guestmem_write(&f->mem, gpa(MEM_SIZE), in, 1), -EFAULT);
	assert_int_equal(guestmem_write(&f->mem, gpa(UINT64_MAX - 8), in, 16), -EFAULT);
	assert_int_equal(guestmem_write(&f->mem, gpa(0), in, UINT64_MAX), -EFAULT);

	assert_int_equal(guestmem_read(&f->mem, gpa(MEM_SIZE - 16), out, sizeof(out)), -EFAULT);
	assert_int_equal(guestmem_read(&f->mem, gpa(MEM_SIZE), out, 1), -EFAULT);
	assert_int_equal(guestmem_read(&f->mem, gpa(UINT64_MAX - 8), out, 16), -EFAULT);
	assert_int_equal(guestmem_read(&f->mem, gpa(8), out, UINT64_MAX - 4), -EFAULT);
	/* A refused read leaves the destination alone. */
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xa5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ptr_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptr_len_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptr_at_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptr_len_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptr_wrap, setup, teardown),
		cmocka_unit_test(test_ptr_empty_memory),
		cmocka_unit_test_setup_teardown(test_read_write_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_write_efault, setup, teardown),
	};

	return cmocka_run_group_tests_name("guestmem", tests, NULL, NULL);
}
