/* journal.c - a commit journal's text form, and applying, undoing or discarding one of its entries. */
#include "commit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_MAGIC "vmlet-journal 1\n"

/* Growable text; a failed allocation sticks (buf NULL). */
struct text {
	char *buf;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (!t->buf)
		return;
	if (t->len + n + 1 > t->cap) {
		char *b = realloc(t->buf, (t->cap = (t->len + n + 1) * 2));
		if (!b) {
			free(t->buf);
			t->buf = NULL;
			return;
		}
		t->buf = b;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

/* Paths may hold spaces or newlines: each is written as hex ("-" for none). */
static void put_hex(struct text *t, const char *s)
{
	static const char digits[] = "0123456789abcdef";
	char pair[3] = " ";

	put(t, " ", 1);
	if (!s) {
		put(t, "-", 1);
		return;
	}
	for (; *s; s++) {
		pair[0] = digits[(unsigned char)*s >> 4];
		pair[1] = digits[(unsigned char)*s & 15];
		put(t, pair, 2);
	}
}

char *journal_format(const char *primary, const struct journal_entry *e, size_t n, size_t *len)
{
	struct text t = { .buf = calloc(1, 256), .cap = 256 };
	char nums[80];
	size_t i;

	put(&t, JOURNAL_MAGIC, strlen(JOURNAL_MAGIC));
	put(&t, "P", 1);
	put_hex(&t, primary);
	put(&t, "\n", 1);
	for (i = 0; i < n; i++) {
		put(&t, (const char[]){ (char)e[i].kind }, 1);
		put_hex(&t, e[i].dir);
		put_hex(&t, e[i].name);
		put_hex(&t, e[i].tmp);
		put_hex(&t, e[i].bak);
		snprintf(nums, sizeof(nums), " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", e[i].orig_len, e[i].base,
			 e[i].len);
		put(&t, nums, strlen(nums));
	}
	*len = t.len;
	return t.buf;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One hex field after a space at *p; "-" gives NULL with *ok kept. */
static char *get_hex(const char **p, const char *end, int *ok)
{
	const char *s = *p, *f;
	char *out, *o;

	if (s >= end || *s != ' ') {
		*ok = 0;
		return NULL;
	}
	for (f = ++s; f < end && *f != ' ' && *f != '\n'; f++)
		;
	*p = f;
	if (f - s == 1 && *s == '-')
		return NULL;
	if ((f - s) % 2 || f == s || !(out = o = malloc((size_t)(f - s) / 2 + 1))) {
		*ok = 0;
		return NULL;
	}
	for (; s < f; s += 2) {
		int hi = hexval(s[0]), lo = hexval(s[1]);
		if (hi < 0 || lo < 0 || (!hi && !lo)) {
			*ok = 0;
			free(out);
			return NULL;
		}
		*o++ = (char)(hi << 4 | lo);
	}
	*o = 0;
	return out;
}

/* A decimal number after a space at *p, read within [*p, end) only. */
static int get_num(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;

	if (s >= end || *s++ != ' ' || s >= end || *s < '0' || *s > '9')
		return 0;
	for (*v = 0; s < end && *s >= '0' && *s <= '9'; s++) {
		if (*v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return 0;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	return 1;
}

int journal_parse(const char *text, size_t len, char **primary, struct journal_entry **out)
{
	const char *p = text, *end = text + len;
	struct journal_entry *e = NULL;
	size_t n = 0;
	int ok = 1;

	*primary = NULL;
	*out = NULL;
	if (len < strlen(JOURNAL_MAGIC) || memcmp(text, JOURNAL_MAGIC, strlen(JOURNAL_MAGIC)))
		return -EINVAL;
	p += strlen(JOURNAL_MAGIC);
	if (p >= end || *p++ != 'P' || !(*primary = get_hex(&p, end, &ok)) || p >= end || *p++ != '\n')
		ok = 0;
	while (ok && p < end) {
		struct journal_entry *ne = realloc(e, (n + 1) * sizeof(*e)), *x;
		if (!ne) {
			ok = 0;
			break;
		}
		e = ne;
		x = memset(&e[n++], 0, sizeof(*x));
		x->kind = (enum journal_kind)*p++;
		x->dir = get_hex(&p, end, &ok);
		x->name = get_hex(&p, end, &ok);
		x->tmp = get_hex(&p, end, &ok);
		x->bak = get_hex(&p, end, &ok);
		if (!ok || (x->kind != JOURNAL_REPLACE && x->kind != JOURNAL_APPEND) || !x->dir || x->dir[0] != '/' ||
		    !x->name || !x->tmp || strchr(x->name, '/') || strchr(x->tmp, '/') || (x->bak && strchr(x->bak, '/')) || !get_num(&p, end, &x->orig_len) || !get_num(&p, end, &x->base) ||
		    !get_num(&p, end, &x->len) || p >= end || *p++ != '\n')
			ok = 0;
	}
	if (!ok) {
		journal_entries_free(e, n);
		free(*primary);
		*primary = NULL;
		return -EINVAL;
	}
	*out = e;
	return (int)n;
}

void journal_entries_free(struct journal_entry *e, size_t n)
{
	size_t i;

	for (i = 0; e && i < n; i++) {
		free(e[i].dir);
		free(e[i].name);
		free(e[i].tmp);
		free(e[i].bak);
	}
	free(e);
}

static int exists(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

/* Bytes of tmp[from, to) to the end of target (opened O_APPEND). */
static int copy_tail(int tmp_fd, int target_fd, uint64_t from, uint64_t to)
{
	char buf[65536];

	while (from < to) {
		size_t want = to - from < sizeof(buf) ? (size_t)(to - from) : sizeof(buf);
		ssize_t n = pread(tmp_fd, buf, want, (off_t)from), w, done = 0;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		for (; done < n; done += w)
			if ((w = write(target_fd, buf + done, (size_t)(n - done))) < 0)
				return -errno;
		from += (uint64_t)n;
	}
	return 0;
}

int journal_roll_forward(const struct journal_entry *e, int dirfd, int target_fd, int tmp_fd, int resume)
{
	struct stat st;
	uint64_t done;
	int r;

	if (e->kind == JOURNAL_REPLACE) {
		if (resume && (r = exists(dirfd, e->tmp)) <= 0) /* gone: already renamed */
			return r;
		return renameat(dirfd, e->tmp, dirfd, e->name) < 0 ? -errno : 0;
	}
	if (fstat(target_fd, &st) < 0)
		return -errno;
	done = (uint64_t)st.st_size > e->orig_len ? (uint64_t)st.st_size - e->orig_len : 0;
	if (done < e->len && (r = copy_tail(tmp_fd, target_fd, e->base + done, e->base + e->len)))
		return r;
	return fsync(target_fd) < 0 ? -errno : 0; /* durable before the journal goes */
}

int journal_undo(const struct journal_entry *e, int dirfd, int target_fd)
{
	struct stat st;
	int r;

	if (e->kind == JOURNAL_APPEND) {
		if (fstat(target_fd, &st) < 0)
			return -errno;
		return (uint64_t)st.st_size > e->orig_len && ftruncate(target_fd, (off_t)e->orig_len) < 0 ? -errno : 0;
	}
	if ((r = exists(dirfd, e->tmp)) != 0) /* still there: not applied */
		return r < 0 ? r : 0;
	if (renameat(dirfd, e->name, dirfd, e->tmp) < 0) /* the new file back to tmp */
		return -errno;
	if (e->bak && renameat(dirfd, e->bak, dirfd, e->name) < 0)
		return -errno;
	return 0;
}

void journal_discard(const struct journal_entry *e, int dirfd)
{
	unlinkat(dirfd, e->tmp, 0);
	if (e->bak)
		unlinkat(dirfd, e->bak, 0);
}
