/* channel_names.h - the names of channel types, modes and access: one table for manifests and `--channel`. */
#ifndef VMLET_CHANNEL_NAMES_H
#define VMLET_CHANNEL_NAMES_H

#include <stddef.h>

#include "manifest.h"

/*
 * Canonical names by enum value (enum manifest_type / _mode / _access, whose
 * values are also the library's VMLET_CHANNEL_* ones); index 0 is "inherited"
 * for types, unused (NULL) for the others. These are what `vmlet check` prints.
 */
extern const char *const channel_type_names[MANIFEST_SOCKET + 1];    /* inherited, file, directory, fifo, chardev, socket */
extern const char *const channel_mode_names[MANIFEST_READ_WRITE + 1]; /* -, read, write, append, read-write */
extern const char *const channel_access_names[MANIFEST_RANDOM + 1];   /* -, sequential, random */

/*
 * The value in names[lo..hi] that s names: a canonical name or one of its
 * aliases ("dir" for directory, "rw" for read-write), in manifests and on the
 * command line alike. Returns -1 when s names none of them.
 */
int channel_name_lookup(const char *const *names, int lo, int hi, const char *s);

/* "read, write, append, read-write (or rw)": names[lo..hi] with their aliases, for messages. */
const char *channel_names_list(const char *const *names, int lo, int hi, char *buf, size_t n);

#endif
