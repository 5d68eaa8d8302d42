/* test_elf_load.c - elf_parse of valid images (ET_EXEC, static PIE), readers, elf_check_fit, elf_load, real binaries. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/guestmem.h"
#include "loader/elf.h"

/*
 * The reference image: an ELF header and NPH program headers at offset 64,
 *   PT_LOAD 0: offset 0,      vaddr BASE,          filesz 0x1000, memsz 0x1000, R X
 *   PT_LOAD 1: offset 0x1000, vaddr BASE + 0x1000, filesz 0x800,  memsz 0x2000, R W (bss)
 *   PT_GNU_STACK
 * entry BASE + 0x100. The file is 0x1800 bytes; every byte after the headers is a pattern.
 */
#include "elf_fixture.h"
}

/* ---- valid images ---- */

static void test_valid_exec(void **state)
{
	static struct img m;
	struct elf_image im;
	char msg[256];

	(void)state;
	build_exec(&m);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(im.file_size, FILE_SIZE);
	assert_false(im.is_pie);
	assert_int_equal(im.bias, 0);
	assert_int_equal(im.entry, EXEC_BASE + 0x100);
	assert_int_equal(im.phdr, EXEC_BASE + sizeof(Elf64_Ehdr));
	assert_int_equal(im.phnum, NPH);
	assert_int_equal(im.phent, sizeof(Elf64_Phdr));
	assert_int_equal(im.lo, EXEC_BASE);
	assert_int_equal(im.hi, EXEC_BASE + 0x3000);
	assert_int_equal(im.nsegs, 2);
	assert_int_equal(im.segs[0].vaddr, EXEC_BASE);
	assert_int_equal(im.segs[0].memsz, 0x1000);
	assert_int_equal(im.segs[0].offset, 0);
	assert_int_equal(im.segs[0].filesz, 0x1000);
	assert_int_equal(im.segs[0].flags, PF_R | PF_X);
	assert_int_equal(im.segs[1].vaddr, EXEC_BASE + 0x1000);
	assert_int_equal(im.segs[1].memsz, 0x2000);
	assert_int_equal(im.segs[1].offset, 0x1000);
	assert_int_equal(im.segs[1].filesz, 0x800);
	assert_int_equal(im.segs[1].flags, PF_R | PF_W);
}

static void test_valid_pie(void **state)
{
	static struct img m;
	struct elf_image im;
	char msg[256];

	(void)state;
	build(&m, ET_DYN, 0);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_true(im.is_pie);
	assert_int_equal(im.bias, ELF_PIE_BASE);
	assert_int_equal(im.entry, ELF_PIE_BASE + 0x100);
	assert_int_equal(im.phdr, ELF_PIE_BASE + sizeof(Elf64_Ehdr));
	assert_int_equal(im.lo, ELF_PIE_BASE);
	assert_int_equal(im.hi, ELF_PIE_BASE + 0x3000);
	assert_int_equal(im.nsegs, 2);
	assert_int_equal(im.segs[0].vaddr, ELF_PIE_BASE);
	assert_int_equal(im.segs[1].vaddr, ELF_PIE_BASE + 0x1000);
	/* File offsets and sizes are not relocated. */
	assert_int_equal(im.segs[1].offset, 0x1000);
	assert_int_equal(im.segs[1].filesz, 0x800);
	assert_int_equal(im.segs[1].memsz, 0x2000);
}

static void test_valid_pie_nonzero_base(void **state)
{
	static struct img m;
	struct elf_image im;
	char msg[256];

	(void)state;
	/* A PIE linked at 0x10000: its lowest page still lands on ELF_PIE_BASE. */
	build(&m, ET_DYN, 0x10000);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(im.bias, ELF_PIE_BASE - 0x10000);
	assert_int_equal(im.lo, ELF_PIE_BASE);
	assert_int_equal(im.entry, ELF_PIE_BASE + 0x100);
	assert_int_equal(im.segs[0].vaddr, ELF_PIE_BASE);
	assert_int_equal(im.segs[1].vaddr, ELF_PIE_BASE + 0x1000);
	assert_int_equal(im.phdr, ELF_PIE_BASE + sizeof(Elf64_Ehdr));
}

static void test_phdr_from_pt_phdr(void **state)
{
	static struct img m;
	struct elf_image im;
	char msg[256];

	(void)state;
	/* The program headers are not inside any segment's file bytes: PT_PHDR gives the address. */
	build_exec(&m);
	ph(&m)[0].p_offset = 0x1000;
	ph(&m)[0].p_filesz = 0x400;
	ph(&m)[1].p_offset = 0x1400;
	ph(&m)[1].p_filesz = 0x400;
	ph(&m)[2] = (Elf64_Phdr){ .p_type = PT_PHDR, .p_vaddr = EXEC_BASE + 0x40,
				  .p_memsz = NPH * sizeof(Elf64_Phdr) };
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(im.phdr, EXEC_BASE + 0x40);
}

static void test_empty_load_segment_skipped(void **state)
{
	static struct img m;
	struct elf_image im;
	char msg[256];

	(void)state;
	build_exec(&m);
	ph(&m)[2] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_vaddr = 0x100, .p_memsz = 0 };
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(im.nsegs, 2);
}

/* ---- readers ---- */

static long failing_reader(void *ctx, void *buf, size_t len, uint64_t off)
{
	(void)ctx, (void)buf, (void)len, (void)off;
	return -EIO;
}

static void test_reader_error_propagates(void **state)
{
	static struct img m;
	struct elf_image im;
	char msg[256];

	(void)state;
	build_exec(&m);
	assert_int_equal(elf_parse(failing_reader, NULL, m.size, &im, msg, sizeof(msg)), -EIO);
}

static void test_file_shorter_than_stated(void **state)
{
	static struct img m;
	struct elf_buffer b;
	struct elf_image im;
	char msg[256];

	(void)state;
	/* The stated size says there are headers, the reader runs dry. */
	build_exec(&m);
	b = (struct elf_buffer){ m.buf, 32 };
	assert_int_equal(elf_parse(elf_buffer_reader, &b, m.size, &im, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "truncated"));
	b.size = 100; /* header readable, program headers not */
	assert_int_equal(elf_parse(elf_buffer_reader, &b, m.size, &im, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "truncated"));
}

static void test_buffer_reader(void **state)
{
	const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct elf_buffer b = { data, sizeof(data) };
	uint8_t out[16];

	(void)state;
	memset(out, 0, sizeof(out));
	assert_int_equal(elf_buffer_reader(&b, out, 4, 2), 4);
	assert_memory_equal(out, data + 2, 4);
	assert_int_equal(elf_buffer_reader(&b, out, 16, 6), 2);
	assert_int_equal(elf_buffer_reader(&b, out, 16, 8), 0);
	assert_int_equal(elf_buffer_reader(&b, out, 16, UINT64_MAX), 0);
}

/* ---- elf_check_fit ---- */

static void test_check_fit(void **state)
{
	static struct img m;
	struct elf_image im;
	char msg[256];

	(void)state;
	build_exec(&m);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(elf_check_fit(&im, EXEC_BASE, EXEC_BASE + 0x3000, msg, sizeof(msg)), 0);
	assert_int_equal(elf_check_fit(&im, 0x10000, 1ull << 30, msg, sizeof(msg)), 0);

	msg[0] = 0;
	assert_int_equal(elf_check_fit(&im, EXEC_BASE + 0x1000, 1ull << 30, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "below"));
	msg[0] = 0;
	assert_int_equal(elf_check_fit(&im, EXEC_BASE, EXEC_BASE + 0x2fff, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "does not fit"));
	msg[0] = 0;
	assert_int_equal(elf_check_fit(&im, 0x10000, 0x200000, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "does not fit"));
}

static void test_check_fit_low_exec(void **state)
{
	static struct img m;
	struct elf_image im;
	char msg[256];

	(void)state;
	/* A non-PIE linked at 0x1000 is not moved, so it falls below the limit. */
	build(&m, ET_EXEC, 0x1000);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(im.lo, 0x1000);
	assert_int_equal(elf_check_fit(&im, 0x400000, 1ull << 30, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "below"));
	/* The same as a PIE is relocated and fits. */
	build(&m, ET_DYN, 0x1000);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(elf_check_fit(&im, 0x400000, 1ull << 30, msg, sizeof(msg)), 0);
}

/* ---- elf_load ---- */

#define GUEST_SIZE 0x800000ull

static void test_load_copies(void **state)
{
	static struct img m;
	struct elf_buffer b;
	struct elf_image im;
	struct guestmem mem;
	char msg[256];
	uint8_t *ram;
	size_t i;

	(void)state;
	build_exec(&m);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	ram = calloc(1, GUEST_SIZE);
	assert_non_null(ram);
	mem = (struct guestmem){ ram, GUEST_SIZE };
	b = (struct elf_buffer){ m.buf, m.size };
	assert_int_equal(elf_load(elf_buffer_reader, &b, &im, &mem, msg, sizeof(msg)), 0);
	assert_memory_equal(ram + EXEC_BASE, m.buf, 0x1000);
	assert_memory_equal(ram + EXEC_BASE + 0x1000, m.buf + 0x1000, 0x800);
	/* bss stays zero, and nothing was written around the image. */
	for (i = EXEC_BASE + 0x1800; i < EXEC_BASE + 0x3000; i++)
		assert_int_equal(ram[i], 0);
	for (i = EXEC_BASE - 0x1000; i < EXEC_BASE; i++)
		assert_int_equal(ram[i], 0);
	free(ram);
}

static void test_load_pie(void **state)
{
	static struct img m;
	struct elf_buffer b;
	struct elf_image im;
	struct guestmem mem;
	char msg[256];
	uint8_t *ram;

	(void)state;
	build(&m, ET_DYN, 0);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	ram = calloc(1, GUEST_SIZE);
	assert_non_null(ram);
	mem = (struct guestmem){ ram, GUEST_SIZE };
	b = (struct elf_buffer){ m.buf, m.size };
	assert_int_equal(elf_load(elf_buffer_reader, &b, &im, &mem, msg, sizeof(msg)), 0);
	assert_memory_equal(ram + ELF_PIE_BASE, m.buf, 0x1000);
	assert_memory_equal(ram + ELF_PIE_BASE + 0x1000, m.buf + 0x1000, 0x800);
	free(ram);
}

static void test_load_outside_memory(void **state)
{
	static struct img m;
	struct elf_buffer b;
	struct elf_image im;
	struct guestmem mem;
	char msg[256];
	uint8_t *ram;

	(void)state;
	build_exec(&m);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	/* Guest RAM ends one byte before the end of the second segment's file bytes. */
	ram = calloc(1, EXEC_BASE + 0x1800);
	assert_non_null(ram);
	mem = (struct guestmem){ ram, EXEC_BASE + 0x17ff };
	b = (struct elf_buffer){ m.buf, m.size };
	msg[0] = 0;
	assert_int_equal(elf_load(elf_buffer_reader, &b, &im, &mem, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "outside guest memory"));
	/* Entirely outside. */
	mem.size = 0x1000;
	assert_int_equal(elf_load(elf_buffer_reader, &b, &im, &mem, msg, sizeof(msg)), -ENOEXEC);
	free(ram);
}

static void test_load_file_shrank(void **state)
{
	static struct img m;
	struct elf_buffer b;
	struct elf_image im;
	struct guestmem mem;
	char msg[256];
	uint8_t *ram;

	(void)state;
	build_exec(&m);
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	ram = calloc(1, GUEST_SIZE);
	assert_non_null(ram);
	mem = (struct guestmem){ ram, GUEST_SIZE };
	b = (struct elf_buffer){ m.buf, 0x1400 };
	assert_int_equal(elf_load(elf_buffer_reader, &b, &im, &mem, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "truncated"));
	assert_int_equal(elf_load(failing_reader, NULL, &im, &mem, msg, sizeof(msg)), -EIO);
	free(ram);
}

/* ---- real binaries ---- */

static long fd_reader(void *ctx, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(*(int *)ctx, buf, len, (off_t)off);

	return n < 0 ? -errno : (long)n;
}

static int check_real(const char *path)
{
	struct elf_image im;
	struct stat st;
	char msg[256];
	size_t i;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	assert_int_equal(fstat(fd, &st), 0);
	if (elf_parse(fd_reader, &fd, (uint64_t)st.st_size, &im, msg, sizeof(msg)) != 0) {
		/* Only static executables are expected here. */
		print_error("%s: %s\n", path, msg);
		fail();
	}
	close(fd);
	assert_true(im.nsegs > 0 && im.nsegs <= ELF_MAX_SEGMENTS);
	assert_int_equal(im.phent, sizeof(Elf64_Phdr));
	assert_true(im.phnum > 0);
	assert_true(im.lo < im.hi);
	assert_int_equal(im.lo & 0xfff, 0);
	assert_int_equal(im.hi & 0xfff, 0);
	assert_true(im.entry >= im.lo && im.entry < im.hi);
	assert_true(im.phdr >= im.lo && im.phdr < im.hi);
	if (im.is_pie)
		assert_int_equal(im.lo, ELF_PIE_BASE);
	else
		assert_int_equal(im.bias, 0);
	for (i = 0; i < im.nsegs; i++) {
		assert_true(im.segs[i].filesz <= im.segs[i].memsz);
		assert_true(im.segs[i].vaddr >= im.lo);
		assert_true(im.segs[i].vaddr + im.segs[i].memsz <= im.hi);
		if (i)
			assert_true(im.segs[i].vaddr >= im.segs[i - 1].vaddr + im.segs[i - 1].memsz);
	}
	return 1;
}

/* A dynamic PIE: PT_INTERP is kept, the path read back; the interpreter placed where asked. */
static void test_interp_read_and_place(void **state)
{
	static struct img m, ld;
	static const char path[] = "/lib64/ld-linux-x86-64.so.2";
	struct elf_buffer b = { m.buf, 0 };
	struct elf_image im, li;
	char out[ELF_INTERP_MAX], msg[200];

	(void)state;
	build(&m, ET_DYN, 0);
	ph(&m)[2] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x200, .p_filesz = sizeof(path) };
	memcpy(m.buf + 0x200, path, sizeof(path));
	b.size = m.size;
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(im.interp_off, 0x200);
	assert_int_equal(im.interp_len, sizeof(path));
	assert_int_equal(im.lo, ELF_PIE_BASE);
	assert_int_equal(elf_interp(elf_buffer_reader, &b, &im, out, msg, sizeof(msg)), 0);
	assert_string_equal(out, path);
	/* Not NUL-terminated, a NUL inside, relative: refused. */
	m.buf[0x200 + sizeof(path) - 1] = 'x';
	assert_int_equal(elf_interp(elf_buffer_reader, &b, &im, out, msg, sizeof(msg)), -ENOEXEC);
	m.buf[0x200 + sizeof(path) - 1] = 0;
	m.buf[0x205] = 0;
	assert_int_equal(elf_interp(elf_buffer_reader, &b, &im, out, msg, sizeof(msg)), -ENOEXEC);
	memcpy(m.buf + 0x200, "lib/ld.so", 10);
	im.interp_len = 10;
	assert_int_equal(elf_interp(elf_buffer_reader, &b, &im, out, msg, sizeof(msg)), -ENOEXEC);
	/* The interpreter: an ET_DYN at 0, moved so that its first page lands at lo. */
	build(&ld, ET_DYN, 0);
	assert_int_equal(parse(&ld, &li, msg, sizeof(msg)), 0);
	assert_int_equal(elf_place_interp(&li, 0x7000000, msg, sizeof(msg)), 0);
	assert_int_equal(li.lo, 0x7000000);
	assert_int_equal(li.bias, 0x7000000);
	assert_int_equal(li.entry, 0x7000000 + 0x100);
	assert_int_equal(li.segs[0].vaddr, 0x7000000);
	assert_int_equal(li.segs[1].vaddr, 0x7001000);
	assert_int_equal(li.hi, 0x7003000);
	assert_int_equal(elf_place_interp(&li, 0x7000800, msg, sizeof(msg)), -ENOEXEC);
	/* An ET_EXEC, or one with an interpreter of its own, cannot serve. */
	build_exec(&ld);
	assert_int_equal(parse(&ld, &li, msg, sizeof(msg)), 0);
	assert_int_equal(elf_place_interp(&li, 0x7000000, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "position-independent"));
	assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
	assert_int_equal(elf_place_interp(&im, 0x7000000, msg, sizeof(msg)), -ENOEXEC);
	assert_non_null(strstr(msg, "interpreter of its own"));
}

static void test_real_binaries(void **state)
{
	glob_t g;
	int found = 0;
	size_t i;

	(void)state;
	found += check_real("/bin/busybox");
	/* The suite's test programs, when built (run from the repository root). */
	if (glob("build/progs/*", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			found += check_real(g.gl_pathv[i]);
		globfree(&g);
	}
	if (!found) {
		print_message("skip: neither /bin/busybox nor build/progs/* is there to load\n");
		skip();
	}
}

static void test_busybox_exec(void **state)
{
	struct elf_image im;
	struct stat st;
	Elf64_Ehdr e;
	char msg[256];
	int fd = open("/bin/busybox", O_RDONLY | O_CLOEXEC);

	(void)state;
	if (fd < 0) {
		print_message("skip: /bin/busybox is not installed\n");
		skip();
	}
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(pread(fd, &e, sizeof(e), 0), sizeof(e));
	assert_int_equal(elf_parse(fd_reader, &fd, (uint64_t)st.st_size, &im, msg, sizeof(msg)), 0);
	close(fd);
	assert_int_equal(im.is_pie, e.e_type == ET_DYN);
	if (!im.is_pie)
		assert_int_equal(im.entry, e.e_entry);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_exec),
		cmocka_unit_test(test_valid_pie),
		cmocka_unit_test(test_valid_pie_nonzero_base),
		cmocka_unit_test(test_phdr_from_pt_phdr),
		cmocka_unit_test(test_empty_load_segment_skipped),
		cmocka_unit_test(test_reader_error_propagates),
		cmocka_unit_test(test_file_shorter_than_stated),
		cmocka_unit_test(test_buffer_reader),
		cmocka_unit_test(test_check_fit),
		cmocka_unit_test(test_check_fit_low_exec),
		cmocka_unit_test(test_load_copies),
		cmocka_unit_test(test_load_pie),
		cmocka_unit_test(test_load_outside_memory),
		cmocka_unit_test(test_load_file_shrank),
		cmocka_unit_test(test_interp_read_and_place),
		cmocka_unit_test(test_real_binaries),
		cmocka_unit_test(test_busybox_exec),
	};

	return cmocka_run_group_tests_name("elf_load", tests, NULL, NULL);
}
