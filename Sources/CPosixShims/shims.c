#include "CPosixShims.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/types.h>

uint64_t palisade_random_u64(void) {
    enum { WORDS = 32 };
    static __thread uint64_t pool[WORDS];
    static __thread unsigned left = 0;
    if (left == 0) {
        size_t got = 0;
        while (got < sizeof pool) {
            ssize_t n = getrandom((uint8_t *)pool + got, sizeof pool - got, 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                abort();  // no entropy source at all: identifiers must not be guessable
            }
            got += (size_t)n;
        }
        left = WORDS;
    }
    left -= 1;
    uint64_t word = pool[left];
    pool[left] = 0;
    return word;
}
