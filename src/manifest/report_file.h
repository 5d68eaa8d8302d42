/* report_file.h - where a run's JSON report goes: a checked target, written through a temporary file renamed over it. */
#ifndef VMLET_REPORT_FILE_H
#define VMLET_REPORT_FILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Can `path` take a report? Refused: an existing target that is not a regular
 * file (a device, FIFO, socket or directory; a symbolic link is followed), a
 * dangling link, and a target on a kernel interface filesystem (procfs, sysfs
 * and the others src/host/kernelfs.c refuses for grants: statfs magic of the
 * target, or of its directory when it does not exist yet). Nothing is opened,
 * so a FIFO cannot block. Returns 0, or -errno with *why a short reason ("is a
 * FIFO, not a regular file", "is on procfs (a kernel interface), not storage";
 * valid until the thread's next call). "-" (stderr) is always accepted.
 */
int report_target_check(const char *path, const char **why);

struct report_file {
	FILE *f;        /* where report_write goes: the temporary file, or stderr for "-" */
	int dirfd;      /* the target's directory (O_PATH), -1 for "-" */
	char *name;     /* the target's name in it (links followed) */
	char *tmp_name; /* ".NAME.vmlet-PID-4294967295.tmp" (`vmlet gc` knows the pattern) */
};

/*
 * Check `path` again (report_target_check), then create the temporary file
 * beside the target as the calling process's user (O_EXCL; the existing
 * target's permission bits, else 0666 under the umask). Call before the process
 * narrows itself: afterwards only report_file_commit/discard are needed, which
 * write, fsync, rename and unlink inside rf->dirfd. Returns 0, or -errno with
 * "report PATH: why" in msg; on failure nothing is left to discard.
 */
int report_file_open(struct report_file *rf, const char *path, char *msg, size_t msglen);

/*
 * The report was written to rf->f, `written` being what that returned (0 or
 * -errno): flush it, fsync, rename it over the target. On any failure (written
 * included) the temporary file is removed and -errno returned with "writing
 * the report PATH: why" in msg. Releases rf either way.
 */
int report_file_commit(struct report_file *rf, int written, const char *path, char *msg, size_t msglen);

/* No report after all (the run failed first): remove the temporary file, release rf. */
void report_file_discard(struct report_file *rf);

#endif
