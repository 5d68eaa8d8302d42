/* test_filemap.c - VMLET_HC_MMAP and VMLET_HC_DISCARD on a VM built without KVM: files mapped copy-on-write, zeros past their end and after a discard. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/vm_internal.h"

extern const uint8_t vmlet_gk_image[];

#define MEM_SIZE (32ull << 20)
#define PAGE 4096ull
#define AREA (8ull << 20) /* guest address of the mapping tests: inside the mmap region */

static struct vmlet_vm *vm;
static char root[64];
static char data[3 * PAGE + 100]; /* the file: three pages and a partial fourth */

static int build_vm(void **state)
{
	struct vmlet_config c;
	struct vmlet_error err;
	char path[128];
	size_t i;
	FILE *f;

	(void)state;
	strcpy(root, "/tmp/vmlet-filemap-XXXXXX");
	assert_non_null(mkdtemp(root));
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/lib.so", root);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, sizeof(data), f), sizeof(data));
	fclose(f);
	vm = vm_new();
	assert_non_null(vm);
	vm->stdio[0] = vm->stdio[1] = vm->stdio[2] = -1;
	vm->trace_fd = -1;
	vm->mem.host = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(vm->mem.host != MAP_FAILED);
	vm->mem.size = MEM_SIZE;
	vm->kbase = MEM_SIZE - VMLET_KERNEL_SIZE;
	vm->user_hi = vm->stack_lo = vm->mmap_top = vm->kbase;
	vm->brk_start = 4ull << 20;
	memcpy(&vm->gk, vmlet_gk_image, sizeof(vm->gk));
	vmlet_config_init(&c);
	c.root = root;
	assert_int_equal(files_init(vm, &c, &err), 0);
	return 0;
}

static int free_vm(void **state)
{
	char cmd[128];

	(void)state;
	files_close_all(vm);
	munmap(vm->mem.host, MEM_SIZE);
	free(vm);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* One hypercall as the guest kernel makes it; its result. */
static int64_t hc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct vmlet_hypercall *h = vm_guest_ptr(vm, vm->gk.hypercall, sizeof(*h));

	memset(h, 0, sizeof(*h));
	h->nr = nr;
	h->arg[0] = a0, h->arg[1] = a1, h->arg[2] = a2, h->arg[3] = a3;
	assert_int_equal(hypercall_handle(vm), EXIT_CONTINUE);
	return h->ret;
}

/* The root's file opened as the guest kernel opens it: its handle. */
static int64_t open_lib(void)
{
	static const char path[] = "/lib.so";
	uint64_t scratch = 2ull << 20; /* path and stat: guest memory below the mapping tests */
	int64_t hd;

	memcpy(vm->mem.host + scratch, path, sizeof(path));
	hd = hc(VMLET_HC_OPEN, scratch, sizeof(path) - 1, VMLET_OPEN_READ, scratch + 512);
	assert_true(hd >= 3);
	return hd;
}

static int zeros(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void file_pages_are_mapped_copy_on_write(void **state)
{
	int64_t hd = open_lib();
	uint8_t *g = vm->mem.host + AREA;

	(void)state;
	memset(g, 0x55, 8 * PAGE); /* old data where the mapping goes */
	/* Eight pages asked from offset 0: four come from the file (the last one partly), four are zeros. */
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, 8 * PAGE, 0), 4 * PAGE);
	assert_memory_equal(g, data, sizeof(data));
	assert_true(zeros(g + sizeof(data), 8 * PAGE - sizeof(data)));
	/* A write is private: the file keeps its bytes. */
	g[0] = 'X';
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA + 8 * PAGE, PAGE, 0), PAGE);
	assert_int_equal(g[8 * PAGE], 'a');
	/* From an offset; past the end of the file: all zeros. */
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, 2 * PAGE, 2 * PAGE), 2 * PAGE);
	assert_memory_equal(g, data + 2 * PAGE, PAGE + 100);
	g[PAGE + 200] = 1;
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, 2 * PAGE, 8 * PAGE), 0);
	assert_true(zeros(g, 2 * PAGE));
	/* Discarding where a file was mapped gives zeros, not the file's bytes again. */
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, 4 * PAGE, 0), 4 * PAGE);
	assert_int_equal(hc(VMLET_HC_DISCARD, AREA, 4 * PAGE, 0, 0), 0);
	assert_true(zeros(g, 4 * PAGE));
}

static void bad_requests_are_refused(void **state)
{
	int64_t hd = open_lib();

	(void)state;
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA + 1, PAGE, 0), -EINVAL);
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, PAGE + 1, 0), -EINVAL);
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, PAGE, 1), -EINVAL);
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, 0, 0), -EINVAL);
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, PAGE, 1ull << 63), -EINVAL);
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, PAGE * 16, PAGE, 0), -EFAULT); /* the program image */
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, vm->mmap_top, PAGE, 0), -EFAULT);
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, AREA, ~0ull & ~(PAGE - 1), 0), -EFAULT);
	assert_int_equal(hc(VMLET_HC_MMAP, (uint64_t)hd, VMLET_KERNEL_VBASE + VMLET_GK_OFFSET, PAGE, 0), -EFAULT);
	assert_int_equal(hc(VMLET_HC_MMAP, 1, AREA, PAGE, 0), -ENODEV);  /* stdout: not a file */
	assert_int_equal(hc(VMLET_HC_MMAP, 63, AREA, PAGE, 0), -EBADF);
	assert_int_equal(hc(VMLET_HC_MMAP, 1ull << 40, AREA, PAGE, 0), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(file_pages_are_mapped_copy_on_write, build_vm, free_vm),
		cmocka_unit_test_setup_teardown(bad_requests_are_refused, build_vm, free_vm),
	};

	return cmocka_run_group_tests_name("filemap", tests, NULL, NULL);
}
