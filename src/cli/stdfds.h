/* stdfds.h - vmlet started with stdin, stdout or stderr closed: keep those fd numbers taken. */
#ifndef VMLET_STDFDS_H
#define VMLET_STDFDS_H

/*
 * Call first thing in main. Each of fds 0, 1 and 2 that is closed gets /dev/null
 * opened O_PATH, so no fd vmlet opens later (/dev/kvm, a channel, a report) lands
 * on a standard stream number: the guest's read or write on that stream then
 * fails with EBADF, as a native program's would, and vmlet's own messages to a
 * closed stderr are dropped. Returns a bit mask of the fds that were closed
 * (bit N: fd N), or -errno if one could not be taken.
 */
int stdfds_occupy(void);

#endif
