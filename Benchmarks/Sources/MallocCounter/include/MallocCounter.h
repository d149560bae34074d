#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H
#include <stdint.h>

/// Number of malloc, calloc, realloc, posix_memalign and aligned_alloc calls so far.
uint64_t malloc_counter_allocations(void);

#endif
