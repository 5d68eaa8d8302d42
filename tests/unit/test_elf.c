/* test_elf.c - elf_parse rejects malformed ELF images (built in memory) with -ENOEXEC and a sensible message. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Parsing must fail with -ENOEXEC and a one-line message containing `want`. */
static void expect_noexec(struct img *m, const char *want)
{
	struct elf_image out;
	char msg[256];
	int r = parse(m, &out, msg, sizeof(msg));

	if (r != -ENOEXEC || !strstr(msg, want) || strchr(msg, '\n'))
		print_error("parse returned %d, message '%s', wanted -ENOEXEC and '%s'\n", r, msg, want);
	assert_int_equal(r, -ENOEXEC);
	assert_non_null(strstr(msg, want));
	assert_null(strchr(msg, '\n'));
}

/* ---- bad headers ---- */

static void test_empty_file(void **state)
{
	static struct img m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.size = 0;
	expect_noexec(&m, "not an ELF");
}

static void test_short_file(void **state)
{
	static struct img m;

	(void)state;
	memset(&m, 0, sizeof(m));
	memcpy(m.buf, "\x7f" "EL", 3);
	m.size = 3;
	expect_noexec(&m, "not an ELF");
	memcpy(m.buf, "#!", 2);
	m.size = 2;
	expect_noexec(&m, "not an ELF");
}

static void test_not_elf(void **state)
{
	static struct img m;
	const char script[] = "#!/bin/sh\necho this is a shell script, not a program at all\n";

	(void)state;
	memset(&m, 0, sizeof(m));
	memcpy(m.buf, script, sizeof(script));
	m.size = sizeof(script) + 64;
	expect_noexec(&m, "not an ELF");
	memcpy(m.buf, "\x7f" "ELG", 4);
	expect_noexec(&m, "not an ELF");
}

static void test_truncated_header(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	m.size = 40;
	expect_noexec(&m, "truncated");
	m.size = sizeof(Elf64_Ehdr) - 1;
	expect_noexec(&m, "truncated");
	m.size = 4;
	expect_noexec(&m, "truncated");
}

static void test_32bit(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	eh(&m)->e_ident[EI_CLASS] = ELFCLASS32;
	expect_noexec(&m, "32-bit");
	eh(&m)->e_ident[EI_CLASS] = ELFCLASSNONE;
	expect_noexec(&m, "class");
	eh(&m)->e_ident[EI_CLASS] = 7;
	expect_noexec(&m, "class");
}

static void test_big_endian(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	eh(&m)->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_noexec(&m, "big-endian");
}

static void test_wrong_machine(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	eh(&m)->e_machine = EM_AARCH64;
	expect_noexec(&m, "x86-64");
	eh(&m)->e_machine = EM_386;
	expect_noexec(&m, "x86-64");
}

static void test_wrong_type(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	eh(&m)->e_type = ET_REL;
	expect_noexec(&m, "not an executable");
	eh(&m)->e_type = ET_CORE;
	expect_noexec(&m, "not an executable");
	eh(&m)->e_type = ET_NONE;
	expect_noexec(&m, "not an executable");
}

static void test_bad_phentsize(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	eh(&m)->e_phentsize = sizeof(Elf32_Phdr);
	expect_noexec(&m, "program header size");
	eh(&m)->e_phentsize = sizeof(Elf64_Phdr) + 8;
	expect_noexec(&m, "program header size");
}

static void test_bad_phnum(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	eh(&m)->e_phnum = 0;
	expect_noexec(&m, "program headers");
	eh(&m)->e_phnum = 0xffff; /* PN_XNUM */
	expect_noexec(&m, "program headers");
	eh(&m)->e_phnum = 1000;
	expect_noexec(&m, "program headers");
}

static void test_phdrs_beyond_eof(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	eh(&m)->e_phoff = FILE_SIZE - 16;
	expect_noexec(&m, "program headers lie beyond the end of the file");
	eh(&m)->e_phoff = FILE_SIZE + 0x1000;
	expect_noexec(&m, "beyond the end of the file");
	eh(&m)->e_phoff = UINT64_MAX - 8;
	expect_noexec(&m, "beyond the end of the file");
	/* Many headers, each in bounds of the offset check alone, together past the end. */
	eh(&m)->e_phoff = 64;
	eh(&m)->e_phnum = 200;
	expect_noexec(&m, "beyond the end of the file");
}

/* ---- bad segments ---- */

static void test_segment_beyond_eof(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	ph(&m)[1].p_filesz = 0x1000; /* 0x1000 + 0x1000 > 0x1800 */
	expect_noexec(&m, "beyond the end of the file");
	build_exec(&m);
	ph(&m)[1].p_offset = FILE_SIZE + 1;
	ph(&m)[1].p_filesz = 0x10;
	expect_noexec(&m, "beyond the end of the file");
	build_exec(&m);
	ph(&m)[1].p_offset = UINT64_MAX - 0x10; /* offset + filesz wraps */
	ph(&m)[1].p_filesz = 0x800;
	expect_noexec(&m, "beyond the end of the file");
}

static void test_filesz_gt_memsz(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	ph(&m)[1].p_memsz = 0x7ff;
	expect_noexec(&m, "file size exceeds memory size");
}

static void test_vaddr_overflow_high_vaddr(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	ph(&m)[1].p_vaddr = 0xfffffffffffff000ull;
	ph(&m)[1].p_memsz = 0x2000; /* vaddr + memsz wraps */
	expect_noexec(&m, "overflows");
	build_exec(&m);
	ph(&m)[1].p_vaddr = UINT64_MAX - 0x1000;
	ph(&m)[1].p_memsz = 0x1000; /* ends exactly at 2^64 - 1: no room for the page round-up */
	expect_noexec(&m, "overflows");
}

static void test_vaddr_overflow_huge_memsz(void **state)
{
	static struct img m;

	(void)state;
	/* A small vaddr with memsz near 2^64: vaddr + memsz wraps to just below the image. */
	build_exec(&m);
	ph(&m)[1].p_memsz = UINT64_MAX - 0x1000;
	expect_noexec(&m, "overflows");
	build_exec(&m);
	ph(&m)[1].p_memsz = UINT64_MAX;
	expect_noexec(&m, "overflows");
	build_exec(&m);
	ph(&m)[1].p_memsz = UINT64_MAX - (EXEC_BASE + 0x1000) - 0x10; /* the sum fits, the page round-up not */
	expect_noexec(&m, "overflows");
}

/*
 * Either the parser refuses the image, or the result must be self-consistent
 * (every segment inside [lo, hi), lo < hi) and rejected by the fit check.
 */
static void expect_no_wrap(struct img *m)
{
	struct elf_image im;
	char msg[256];
	size_t i;
	int r = parse(m, &im, msg, sizeof(msg));

	if (r == 0) {
		if (!(im.lo < im.hi))
			print_error("parsed with lo 0x%llx >= hi 0x%llx\n", (unsigned long long)im.lo,
				    (unsigned long long)im.hi);
		assert_true(im.lo < im.hi);
		for (i = 0; i < im.nsegs; i++) {
			assert_true(im.segs[i].vaddr >= im.lo);
			assert_true(im.segs[i].vaddr <= im.hi && im.segs[i].memsz <= im.hi - im.segs[i].vaddr);
		}
		assert_int_equal(elf_check_fit(&im, 0x400000, 1ull << 40, msg, sizeof(msg)), -ENOEXEC);
	} else {
		assert_int_equal(r, -ENOEXEC);
	}
}

static void test_pie_span_cannot_wrap(void **state)
{
	static struct img m;

	(void)state;
	/* Segments spanning almost all of the 64-bit space: relocation by +ELF_PIE_BASE wraps. */
	build(&m, ET_DYN, 0);
	ph(&m)[1].p_vaddr = 0xfffffffffff00000ull; /* + ELF_PIE_BASE wraps to 0x300000 */
	ph(&m)[1].p_memsz = 0x1000;
	expect_no_wrap(&m);
	/* One segment whose end fits before relocation but not after (found by fuzz_elf). */
	build(&m, ET_DYN, 0);
	ph(&m)[1].p_memsz = 0xffffffffffff0201ull - 0x1000;
	expect_no_wrap(&m);
}

static void test_overlapping_segments(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	ph(&m)[1].p_vaddr = EXEC_BASE + 0x800;
	expect_noexec(&m, "overlaps");
	build_exec(&m);
	ph(&m)[1].p_vaddr = EXEC_BASE; /* identical start */
	expect_noexec(&m, "overlaps");
}

static void test_segments_out_of_order(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	ph(&m)[1].p_vaddr = EXEC_BASE - 0x10000;
	expect_noexec(&m, "precedes");
}

static void test_no_load(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	ph(&m)[0].p_type = PT_NOTE;
	ph(&m)[1].p_type = PT_NULL;
	expect_noexec(&m, "no loadable segments");
	/* Only empty PT_LOADs count as none. */
	build_exec(&m);
	ph(&m)[0].p_memsz = ph(&m)[0].p_filesz = 0;
	ph(&m)[1].p_memsz = ph(&m)[1].p_filesz = 0;
	expect_noexec(&m, "no loadable segments");
}

/* A PT_INTERP whose bytes cannot be a path: empty, beyond the file, longer than PATH_MAX, twice. */
static void test_interp(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	ph(&m)[2] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x200, .p_filesz = 1 };
	expect_noexec(&m, "interpreter path");
	ph(&m)[2] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = FILE_SIZE - 4, .p_filesz = 28 };
	expect_noexec(&m, "interpreter path");
	ph(&m)[2] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = UINT64_MAX - 2, .p_filesz = 28 };
	expect_noexec(&m, "interpreter path");
	ph(&m)[2] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0, .p_filesz = ELF_INTERP_MAX + 1 };
	expect_noexec(&m, "interpreter path");
	/* Twice, PT_INTERP first, in an ET_DYN (a dynamic PIE). */
	build(&m, ET_DYN, 0);
	ph(&m)[2] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x200, .p_filesz = 28 };
	ph(&m)[1] = ph(&m)[0];
	ph(&m)[0] = ph(&m)[2];
	expect_noexec(&m, "more than one interpreter");
}

static void test_entry_outside(void **state)
{
	static struct img m;

	(void)state;
	build_exec(&m);
	eh(&m)->e_entry = EXEC_BASE + 0x3000; /* just past the bss */
	expect_noexec(&m, "entry point");
	eh(&m)->e_entry = 0;
	expect_noexec(&m, "entry point");
	eh(&m)->e_entry = EXEC_BASE - 1;
	expect_noexec(&m, "entry point");
}

static void test_too_many_segments(void **state)
{
	static struct img m;
	Elf64_Phdr *p;
	size_t i, n = ELF_MAX_SEGMENTS + 1;

	(void)state;
	build_exec(&m);
	/* ELF_MAX_SEGMENTS + 1 one-page segments, program headers at 0x800. */
	eh(&m)->e_phoff = 0x800;
	eh(&m)->e_phnum = (uint16_t)n;
	p = (Elf64_Phdr *)(m.buf + 0x800);
	for (i = 0; i < n; i++)
		p[i] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0,
				     .p_vaddr = EXEC_BASE + i * 0x1000, .p_filesz = 0x100,
				     .p_memsz = 0x1000 };
	expect_noexec(&m, "more than");
	/* Exactly ELF_MAX_SEGMENTS is fine. */
	eh(&m)->e_phnum = ELF_MAX_SEGMENTS;
	{
		struct elf_image im;
		char msg[256];
		assert_int_equal(parse(&m, &im, msg, sizeof(msg)), 0);
		assert_int_equal(im.nsegs, ELF_MAX_SEGMENTS);
		assert_int_equal(im.hi, EXEC_BASE + ELF_MAX_SEGMENTS * 0x1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_short_file),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_32bit),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_wrong_machine),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_bad_phentsize),
		cmocka_unit_test(test_bad_phnum),
		cmocka_unit_test(test_phdrs_beyond_eof),
		cmocka_unit_test(test_segment_beyond_eof),
		cmocka_unit_test(test_filesz_gt_memsz),
		cmocka_unit_test(test_vaddr_overflow_high_vaddr),
		cmocka_unit_test(test_vaddr_overflow_huge_memsz),
		cmocka_unit_test(test_pie_span_cannot_wrap),
		cmocka_unit_test(test_overlapping_segments),
		cmocka_unit_test(test_segments_out_of_order),
		cmocka_unit_test(test_no_load),
		cmocka_unit_test(test_interp),
		cmocka_unit_test(test_entry_outside),
		cmocka_unit_test(test_too_many_segments),
	};

	return cmocka_run_group_tests_name("elf_parse_rejects", tests, NULL, NULL);
}
