/* trace.c - formats one guest system call strace-style: name, decoded arguments, result. */
#include "../core/vm_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Argument kinds per syscall: d decimal, x hex, s guest string, f fd (AT_FDCWD
 * shown by name), '-' unused. Syscalls not listed show six hex arguments.
 */
static const struct {
	unsigned nr;
	const char *args;
} formats[] = {
	{ 0, "fxd" },	 { 1, "fxd" },	  { 2, "sxx" },	   { 3, "f" },	    { 4, "sx" },
	{ 5, "fx" },	 { 6, "sx" },	  { 7, "xdd" },	   { 8, "fdd" },    { 9, "xdxxfx" },
	{ 10, "xdx" },	 { 11, "xd" },	  { 12, "x" },	   { 13, "dxxd" },  { 14, "dxxd" },
	{ 16, "fxx" },	 { 17, "fxdd" },  { 18, "fxdd" },  { 19, "fxd" },   { 20, "fxd" },
	{ 21, "sd" },	 { 28, "xdd" },	  { 32, "f" },	   { 33, "ff" },    { 35, "xx" },
	{ 39, "" },	 { 60, "d" },	  { 62, "dd" },	   { 63, "x" },	    { 72, "fdx" },
	{ 79, "xd" },	 { 80, "s" },	  { 89, "sxd" },   { 102, "" },	    { 158, "xx" },
	{ 186, "" },	 { 200, "dd" },	  { 202, "xdd" },  { 217, "fxd" },  { 218, "x" },
	{ 228, "dx" },	 { 230, "ddxx" }, { 231, "d" },	   { 234, "ddd" },  { 257, "fsxx" },
	{ 262, "fsxx" }, { 267, "fsxd" }, { 269, "fsdx" }, { 273, "xd" },   { 292, "ffx" },
	{ 302, "ddxx" }, { 318, "xdx" },  { 332, "fsxxx" }, { 334, "xdxx" }, { 439, "fsdx" },
};

#define E(x) [x] = #x
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
	E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST),
	E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EPIPE), E(ERANGE), E(EDEADLK),
	E(ENAMETOOLONG), E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ETIMEDOUT), E(EDQUOT),
	E(EOPNOTSUPP), E(EPROTO), E(EALREADY),
};
#undef E

static const char *errno_name(int e)
{
	if (e > 0 && (size_t)e < sizeof(errno_names) / sizeof(errno_names[0]) && errno_names[e])
		return errno_names[e];
	return "E?";
}

static int append(char *buf, size_t size, int n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char *buf, size_t size, int n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (n < 0 || (size_t)n >= size)
		return n;
	va_start(ap, fmt);
	r = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return r < 0 ? n : n + r;
}

/* A string argument as the guest kernel copied it when the call began, else its address. */
static int append_string(const struct vmlet_trace *t, size_t i, char *buf, size_t size, int n)
{
	char s[VMLET_TRACE_STR];
	size_t k;

	if (!(t->has_str & (1u << i)))
		return append(buf, size, n, "%#llx", (unsigned long long)t->arg[i]);
	for (k = 0; k < sizeof(s) - 1 && t->str[i][k]; k++) /* the guest's bytes: NUL not trusted */
		s[k] = (t->str[i][k] >= 0x20 && t->str[i][k] < 0x7f) ? t->str[i][k] : '?';
	s[k] = 0;
	return append(buf, size, n, "\"%s\"%s", s, (t->has_str & (1u << (8 + i))) ? "..." : "");
}

void trace_format(const struct vmlet_trace *t, char *buf, size_t size)
{
	const char *name = vmlet_syscall_name((unsigned)t->nr), *args = "xxxxxx";
	size_t i;
	int n;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].nr == t->nr)
			args = formats[i].args;
	n = name ? append(buf, size, 0, "%s(", name)
		 : append(buf, size, 0, "syscall_%llu(", (unsigned long long)t->nr);
	for (i = 0; args[i]; i++) {
		uint64_t a = t->arg[i];
		if (i)
			n = append(buf, size, n, ", ");
		if (args[i] == 's')
			n = append_string(t, i, buf, size, n);
		else if (args[i] == 'f' && (int)a == -100)
			n = append(buf, size, n, "AT_FDCWD");
		else if (args[i] == 'd' || args[i] == 'f')
			n = append(buf, size, n, "%lld", (long long)a);
		else
			n = append(buf, size, n, "%#llx", (unsigned long long)a);
	}
	if (t->ret == VMLET_TRACE_NORETURN)
		n = append(buf, size, n, ") = ?\n");
	else if (t->ret < 0 && t->ret > -4096)
		n = append(buf, size, n, ") = -1 %s (%s)\n", errno_name((int)-t->ret),
			   strerror((int)-t->ret));
	else if (t->ret >= -4096 && t->ret < 65536)
		n = append(buf, size, n, ") = %lld\n", (long long)t->ret);
	else
		n = append(buf, size, n, ") = %#llx\n", (unsigned long long)t->ret);
	if (n >= (int)size && size > 1)
		buf[size - 2] = '\n';
}
