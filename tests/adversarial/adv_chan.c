/* adv_chan.c - declared channels (library config) used through direct hypercalls, skipping every
 * check the guest kernel makes: only the host's checks stand between the program and the file.
 *
 * usage: adv_chan read PATH OFF         open PATH asking for neither read nor write, read 4 KiB
 *                                       at OFF ("-": the current position); prints "read R: DATA"
 *        adv_chan write PATH OFF DATA   open PATH for writing, write DATA at OFF; prints "write R"
 *        adv_chan readloop PATH         open PATH for reading, read 100-byte pieces until the end
 *                                       or an error; prints "total T last R"
 *        adv_chan writeloop PATH N      open PATH for writing, write N bytes in 10-byte pieces;
 *                                       prints "total T last R"
 *        adv_chan stdout N              write(1) N bytes in 10-byte pieces (through the ring)
 *        adv_chan stat PATH             stat, lstat, open, fstat through the guest kernel (what
 *                                       any program does); prints "stat A lstat B open C fstat D"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adv.h"

static char buf[8192], line[9000];
static struct vmlet_stat st;

static long open_path(const char *path, uint64_t flags)
{
	return adv_hc(VMLET_HC_OPEN, (uint64_t)path, strlen(path), flags, (uint64_t)&st);
}

static uint64_t offset(const char *s)
{
	return s[0] == '-' ? VMLET_OFF_NONE : strtoull(s, 0, 0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long h, r = 0, total = 0, n, i;

	if (!strcmp(mode, "read") && argc > 3) {
		h = open_path(argv[2], 0);
		r = h < 0 ? h : adv_hc(VMLET_HC_READ, (uint64_t)h, (uint64_t)buf, 4096, offset(argv[3]));
		snprintf(line, sizeof(line), "read %ld: %.*s\n", r, r > 0 ? (int)r : 0, buf);
	} else if (!strcmp(mode, "write") && argc > 4) {
		h = open_path(argv[2], VMLET_OPEN_WRITE);
		r = h < 0 ? h : adv_hc(VMLET_HC_WRITE, (uint64_t)h, (uint64_t)argv[4], strlen(argv[4]), offset(argv[3]));
		snprintf(line, sizeof(line), "write %ld\n", r);
	} else if (!strcmp(mode, "readloop") && argc > 2) {
		h = open_path(argv[2], VMLET_OPEN_READ);
		for (i = 0; i < 1000 && h >= 0; i++) {
			r = adv_hc(VMLET_HC_READ, (uint64_t)h, (uint64_t)buf, 100, VMLET_OFF_NONE);
			if (r <= 0)
				break;
			total += r;
		}
		snprintf(line, sizeof(line), "total %ld last %ld\n", total, h < 0 ? h : r);
	} else if (!strcmp(mode, "writeloop") && argc > 3) {
		n = atol(argv[3]);
		h = open_path(argv[2], VMLET_OPEN_WRITE);
		memset(buf, 'w', sizeof(buf));
		while (h >= 0 && total < n) {
			r = adv_hc(VMLET_HC_WRITE, (uint64_t)h, (uint64_t)buf, 10, VMLET_OFF_NONE);
			if (r <= 0)
				break;
			total += r;
		}
		snprintf(line, sizeof(line), "total %ld last %ld\n", total, h < 0 ? h : r);
	} else if (!strcmp(mode, "stat") && argc > 2) {
		long a = sc2(4, argv[2], &st), b = sc2(6, argv[2], &st), fd = sc3(2, argv[2], 0, 0), d;
		if (fd < 0)
			fd = sc3(2, argv[2], 1 /* O_WRONLY */, 0);
		d = sc2(5, fd, &st);
		snprintf(line, sizeof(line), "stat %ld lstat %ld open %ld fstat %ld\n", a, b, fd < 0 ? fd : 0, d);
	} else if (!strcmp(mode, "stdout") && argc > 2) {
		n = atol(argv[2]);
		for (i = 0; i < n; i += 10)
			sc3(1, 1, "0123456789", 10);
		return 0;
	} else {
		adv_puts("usage: adv_chan read|write|readloop|writeloop|stdout ...\n");
		return 2;
	}
	adv_puts(line);
	return 0;
}
