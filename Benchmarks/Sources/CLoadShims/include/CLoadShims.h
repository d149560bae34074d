// CLoadShims: the load generator's preplanned datagrams (benchmarks only). A `load_datagrams` is
// `capacity` fixed-size slots with one mmsghdr/iovec/sockaddr_in each, allocated once, so that a
// whole run can be built (and SRTP-protected) before the clock starts and sent with nothing but
// sendmmsg, and received with nothing but recvmmsg straight into its final slot.
// mmsghdr needs _GNU_SOURCE, so its layout stays in the .c file (see CPalisadeShims).
#ifndef C_LOAD_SHIMS_H
#define C_LOAD_SHIMS_H

#include <stdint.h>
#include <stddef.h>

typedef struct load_datagrams load_datagrams;

/// `capacity` slots of `slot_size` bytes (64-byte aligned); NULL on failure. Memory is touched
/// (zeroed) here so that no page fault lands in a measured interval.
load_datagrams *load_datagrams_create(size_t capacity, uint32_t slot_size);
void load_datagrams_destroy(load_datagrams *d);
size_t load_datagrams_capacity(const load_datagrams *d);
uint8_t *load_datagrams_slot(load_datagrams *d, size_t index);

/// Slot `index` is a datagram of `length` bytes to `address`:`port` (host byte order).
void load_datagrams_set_destination(load_datagrams *d, size_t index, uint32_t length, uint32_t address,
                                    uint16_t port);

/// UDP GSO: header `message` becomes one UDP_SEGMENT send of slots [first, first + count) (each
/// `segment` bytes but the last, all given destinations first, all to the first one's), which the
/// kernel cuts back into those datagrams. Call after every load_datagrams_set_destination of the
/// step, for messages in increasing order with message <= first: headers are then messages, not slots.
void load_datagrams_segment(load_datagrams *d, size_t message, size_t first, unsigned count, uint16_t segment);

/// One sendmmsg(MSG_DONTWAIT) of headers [first, first + count) (count <= 1024).
/// Returns how many the kernel took (>= 0), or -errno (-EAGAIN when none).
int load_datagrams_send(load_datagrams *d, int fd, size_t first, unsigned count);

/// One recvmmsg(MSG_DONTWAIT) into slots [first, first + count) (count <= 1024), each receiving up
/// to the slot size; no source addresses are kept. Only for a store never given destinations.
/// Returns the count, 0 when nothing is pending, or -errno.
int load_datagrams_receive(load_datagrams *d, int fd, size_t first, unsigned count);

/// Length received into slot `index` (0 when truncated), valid after load_datagrams_receive filled it.
uint32_t load_datagrams_received_length(const load_datagrams *d, size_t index);

#endif
