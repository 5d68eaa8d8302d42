/* trace_file.h - `--trace-file FILE`: where the system-call trace goes instead of stderr. */
#ifndef VMLET_TRACE_FILE_H
#define VMLET_TRACE_FILE_H

#include <stddef.h>

/*
 * Open FILE for the trace, before vmlet narrows itself: a regular file is
 * created (0644) or truncated; a character device (/dev/null, a terminal) is
 * written as is. FIFOs, directories, other special files and files on procfs
 * or sysfs are refused, without blocking. Returns the fd (close-on-exec), or
 * -errno with "--trace-file FILE: why" in msg.
 */
int trace_file_open(const char *path, char *msg, size_t msglen);

#endif
