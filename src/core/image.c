/* image.c - program images laid out once in a sealed memfd and mapped copy-on-write into each VM. */
#include "vm_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMAGE_CACHE_MAX 32

/* A file is the same program only if none of these changed. */
struct image_key {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct image {
	struct image_key key;
	int memfd;         /* the image's span [img.lo, img.hi), segments at their offsets */
	uint64_t lo, span;
	uint64_t last_use;
	struct image *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct image *cache;
static unsigned cached;
static uint64_t use_clock;

static struct image_key key_of(const struct stat *st)
{
	struct image_key k;

	memset(&k, 0, sizeof(k));
	k.dev = st->st_dev;
	k.ino = st->st_ino;
	k.size = st->st_size;
	k.mtime = st->st_mtim;
	k.ctime = st->st_ctim;
	return k;
}

static int same_key(const struct image_key *a, const struct image_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Lay the segments out in a new sealed memfd: -errno on failure. */
static int build(struct image *im, elf_reader reader, void *ctx, const struct elf_image *img)
{
	uint8_t *p;
	size_t i;

	im->lo = img->lo;
	im->span = img->hi - img->lo;
	im->memfd = memfd_create("vmlet-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (im->memfd < 0)
		return -errno;
	if (ftruncate(im->memfd, (off_t)im->span) < 0)
		return -errno;
	p = mmap(NULL, im->span, PROT_READ | PROT_WRITE, MAP_SHARED, im->memfd, 0);
	if (p == MAP_FAILED)
		return -errno;
	for (i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		long n = reader(ctx, p + (s->vaddr - img->lo), s->filesz, s->offset);
		if (n < 0 || (uint64_t)n != s->filesz) {
			munmap(p, im->span);
			return n < 0 ? (int)n : -ENOEXEC;
		}
	}
	munmap(p, im->span);
	if (fcntl(im->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return -errno;
	return 0;
}

static void evict_one(void)
{
	struct image **pp, **victim = NULL, *im;

	for (pp = &cache; *pp; pp = &(*pp)->next)
		if (!victim || (*pp)->last_use < (*victim)->last_use)
			victim = pp;
	im = *victim;
	*victim = im->next;
	close(im->memfd);
	free(im);
	cached--;
}

int image_map(struct vmlet_vm *vm, const struct stat *st, elf_reader reader, void *ctx,
	      const struct elf_image *img)
{
	struct image_key key = key_of(st);
	struct image *im;
	int r = 0;
	void *at;

	pthread_mutex_lock(&lock);
	for (im = cache; im && !same_key(&im->key, &key); im = im->next)
		;
	if (!im) {
		im = calloc(1, sizeof(*im));
		if (!im) {
			pthread_mutex_unlock(&lock);
			return -ENOMEM;
		}
		im->key = key;
		r = build(im, reader, ctx, img);
		if (r) {
			if (im->memfd >= 0)
				close(im->memfd);
			free(im);
			pthread_mutex_unlock(&lock);
			return r;
		}
		if (cached == IMAGE_CACHE_MAX)
			evict_one();
		im->next = cache;
		cache = im;
		cached++;
	}
	im->last_use = ++use_clock;
	/* Private: the guest's writes to its data pages stay in this VM. */
	at = mmap(vm->mem.host + im->lo, im->span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		  im->memfd, 0);
	if (at == MAP_FAILED)
		r = -errno;
	pthread_mutex_unlock(&lock);
	return r;
}
