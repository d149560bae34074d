// CPalisadeShims: the few Linux calls Swift's Glibc module does not import (epoll, recvmmsg,
// sendmmsg, eventfd, pthread affinity). Everything here is a thin wrapper; policy lives in Swift.
// Structures that need _GNU_SOURCE (mmsghdr) stay opaque: defining _GNU_SOURCE in a header does
// nothing once Glibc's module is built, so only the .c file sees their layout.
#ifndef C_PALISADE_SHIMS_H
#define C_PALISADE_SHIMS_H

#include <stdint.h>
#include <stddef.h>

// ---- epoll: the caller's 64-bit token comes back for every ready descriptor.
int palisade_epoll_create(void);
int palisade_epoll_add(int epfd, int fd, uint64_t token);
/// Waits up to `timeout_ms`; writes up to `capacity` tokens; returns their count, 0, or -errno.
int palisade_epoll_wait(int epfd, uint64_t *tokens, int capacity, int timeout_ms);

// ---- eventfd: a counter a producer bumps and a consumer drains.
int palisade_eventfd_create(void);
int palisade_eventfd_signal(int fd);
/// Reads and resets the counter; returns 0 if it was already zero.
uint64_t palisade_eventfd_drain(int fd);

// ---- batched UDP (IPv4). Addresses and ports are in host byte order.
typedef struct palisade_mmsg_batch palisade_mmsg_batch;

/// Allocates `count` mmsghdr/iovec/sockaddr_in entries once; NULL on failure.
palisade_mmsg_batch *palisade_mmsg_batch_create(unsigned count);
void palisade_mmsg_batch_destroy(palisade_mmsg_batch *batch);

/// recvmmsg(MSG_DONTWAIT) into `buffers[i]` (each `capacity` bytes). For each received datagram
/// writes its length (0 when truncated by MSG_TRUNC), source address and port.
/// Returns the count, 0 when nothing is pending, or -errno.
int palisade_recv_batch(palisade_mmsg_batch *batch, int fd, uint8_t *const *buffers, uint32_t capacity,
                        unsigned count, uint32_t *lengths, uint32_t *addresses, uint16_t *ports);

/// sendmmsg(MSG_DONTWAIT) of `count` datagrams, each to its own address and port. Retries the
/// remainder after a partial send, skipping a datagram the kernel refuses; returns how many were sent.
int palisade_send_batch(palisade_mmsg_batch *batch, int fd, uint8_t *const *buffers, const uint32_t *lengths,
                        const uint32_t *addresses, const uint16_t *ports, unsigned count);

/// Like palisade_send_batch, but each run of consecutive datagrams to one address and port whose
/// lengths are equal (the last may be shorter) leaves as one UDP GSO send (UDP_SEGMENT), which the
/// kernel cuts back into exactly those datagrams: one trip through the IP stack per run instead of
/// per datagram. When the kernel refuses a segmented send (a route without checksum offload: EIO),
/// this batch stops segmenting for good and sends datagram by datagram. Returns how many were sent.
int palisade_send_batch_segmented(palisade_mmsg_batch *batch, int fd, uint8_t *const *buffers,
                                  const uint32_t *lengths, const uint32_t *addresses, const uint16_t *ports,
                                  unsigned count);
/// 1 while the batch still sends segmented, 0 after the kernel refused it once.
int palisade_mmsg_batch_segmentation(const palisade_mmsg_batch *batch);

// ---- threads
/// Pins the calling thread to one CPU; returns 0 or an errno value.
int palisade_pin_current_thread(int cpu);
/// Number of CPUs this process may run on.
int palisade_available_cpus(void);

#endif
