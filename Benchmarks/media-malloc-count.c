// LD_PRELOAD interposer for `scripts/bench media`: counts every malloc-family call of the process
// it is loaded into (palisade-media), all threads, into word 0 of a shared 4 KiB file named by
// PALISADE_MALLOC_COUNT_FILE, which palisade-bench maps and reads before and after a steady-state
// window. Word 1 holds a marker once the file is mapped. Calls forward to glibc's own entry points
// (__libc_*), so no dlsym (which allocates) is needed. Built by Benchmarks/media.sh:
//     cc -O2 -shared -fPIC -o libmediamalloccount.so media-malloc-count.c
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

static _Atomic uint64_t before_mapping;
static _Atomic uint64_t *counter = &before_mapping;

__attribute__((constructor)) static void map_counter(void) {
    const char *path = getenv("PALISADE_MALLOC_COUNT_FILE");
    if (path == NULL) return;
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) return;
    if (ftruncate(fd, 4096) != 0) { close(fd); return; }
    void *mapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (mapped == MAP_FAILED) return;
    _Atomic uint64_t *words = mapped;
    words[0] = before_mapping;
    words[1] = 0x50414C4953414445ull; // "PALISADE"
    counter = words;
}

static inline void count(void) { __atomic_fetch_add((uint64_t *)counter, 1, __ATOMIC_RELAXED); }

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *valloc(size_t size) { count(); return __libc_valloc(size); }
void *pvalloc(size_t size) { count(); return __libc_pvalloc(size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    void *p = __libc_memalign(alignment, size);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}
