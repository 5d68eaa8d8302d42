/* script.h - the "#!" line of an interpreter script, parsed as execve(2) does. */
#ifndef VMLET_SCRIPT_H
#define VMLET_SCRIPT_H

#include <stddef.h>

/* The bytes of a file execve looks at for a "#!" line (Linux's BINPRM_BUF_SIZE). */
#define SCRIPT_HEAD 256

/*
 * buf[0..n) (n <= SCRIPT_HEAD) is the start of a file; buf has room for n + 1
 * bytes. Returns 0 if it is not a script (no "#!"); 1 for a script, with
 * *interp and *arg (NULL: none) pointing into buf, which is cut in place: the
 * interpreter is the first word after "#!", the argument the rest of the line
 * without its surrounding blanks (one argument, spaces included). -ENOEXEC
 * when no interpreter is named, or when the line does not end within the
 * first n bytes and the interpreter or its argument may have been cut.
 */
int script_parse(char *buf, size_t n, const char **interp, const char **arg);

#endif
