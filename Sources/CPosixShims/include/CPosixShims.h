// CPosixShims: system calls Swift's Glibc module does not import, for PosixSupport (the one
// target that imports this module).
#ifndef C_POSIX_SHIMS_H
#define C_POSIX_SHIMS_H

#include <stdint.h>

/// 64 bits from getrandom(2), handed out from a per-thread buffer of 32 words refilled by one
/// system call; a word is cleared from the buffer once handed out. For identifiers (tags,
/// branches, Call-IDs, nonce salts), not key material. The buffer is not reset on fork: a
/// process that forks must not draw in the child.
uint64_t palisade_random_u64(void);

#endif
