/* An LD_PRELOAD malloc counter for the SRTP micro-measure (SRTPMeasure.swift), which reads it
 * through palisade_malloc_count(). Counts every thread; the measure runs alone.
 *   gcc -O2 -shared -fPIC Tests/SRTPTests/Tools/malloc-count.c -o /tmp/libmalloc-count.so
 *   LD_PRELOAD=/tmp/libmalloc-count.so PALISADE_SRTP_MEASURE=1 swift test -c release --filter SRTPMeasure */
#include <stddef.h>
#include <stdatomic.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static atomic_long count;
long palisade_malloc_count(void) { return atomic_load(&count); }
void *malloc(size_t n) { atomic_fetch_add(&count, 1); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { atomic_fetch_add(&count, 1); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { atomic_fetch_add(&count, 1); return __libc_realloc(p, n); }
