#define _GNU_SOURCE
#include "CPalisadeShims.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

int palisade_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int palisade_epoll_add(int epfd, int fd, uint64_t token) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = EPOLLIN;
    event.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : -errno;
}

int palisade_epoll_wait(int epfd, uint64_t *tokens, int capacity, int timeout_ms) {
    enum { MAX_EVENTS = 64 };
    struct epoll_event events[MAX_EVENTS];
    if (capacity > MAX_EVENTS) capacity = MAX_EVENTS;
    int ready = epoll_wait(epfd, events, capacity, timeout_ms);
    if (ready < 0) return -errno;
    for (int i = 0; i < ready; i++) tokens[i] = events[i].data.u64;
    return ready;
}

int palisade_eventfd_create(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int palisade_eventfd_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof one) == (ssize_t)sizeof one ? 0 : -errno;
}

uint64_t palisade_eventfd_drain(int fd) {
    uint64_t value = 0;
    if (read(fd, &value, sizeof value) != (ssize_t)sizeof value) return 0;
    return value;
}

// One UDP_SEGMENT control message per header, for segmented sends.
enum { SEGMENT_CONTROL_SPACE = CMSG_SPACE(sizeof(uint16_t)) };
// Datagrams per segmented send, and its payload bytes: within the kernel's UDP_MAX_SEGMENTS (64
// before Linux 6.8) and one IPv4 datagram.
enum { SEGMENT_MAX_DATAGRAMS = 64, SEGMENT_MAX_BYTES = 65000 };

struct palisade_mmsg_batch {
    unsigned count;
    struct mmsghdr *headers;
    struct iovec *vectors;
    struct sockaddr_in *addresses;
    unsigned char *controls;  // count * SEGMENT_CONTROL_SPACE, aligned for cmsghdr
    unsigned *run_first;      // per segmented-send message: its first datagram
    unsigned *run_length;     // and how many datagrams it carries
    int segmentation;         // 1 until the kernel refuses a segmented send
};

palisade_mmsg_batch *palisade_mmsg_batch_create(unsigned count) {
    palisade_mmsg_batch *batch = calloc(1, sizeof *batch);
    if (!batch) return NULL;
    batch->count = count;
    batch->headers = calloc(count, sizeof *batch->headers);
    batch->vectors = calloc(count, sizeof *batch->vectors);
    batch->addresses = calloc(count, sizeof *batch->addresses);
    batch->controls = calloc(count, SEGMENT_CONTROL_SPACE);
    batch->run_first = calloc(count, sizeof *batch->run_first);
    batch->run_length = calloc(count, sizeof *batch->run_length);
    batch->segmentation = 1;
    if (!batch->headers || !batch->vectors || !batch->addresses || !batch->controls || !batch->run_first ||
        !batch->run_length) {
        palisade_mmsg_batch_destroy(batch);
        return NULL;
    }
    return batch;
}

void palisade_mmsg_batch_destroy(palisade_mmsg_batch *batch) {
    if (!batch) return;
    free(batch->headers);
    free(batch->vectors);
    free(batch->addresses);
    free(batch->controls);
    free(batch->run_first);
    free(batch->run_length);
    free(batch);
}

int palisade_recv_batch(palisade_mmsg_batch *batch, int fd, uint8_t *const *buffers, uint32_t capacity,
                        unsigned count, uint32_t *lengths, uint32_t *addresses, uint16_t *ports) {
    if (count > batch->count) count = batch->count;
    for (unsigned i = 0; i < count; i++) {
        batch->vectors[i].iov_base = buffers[i];
        batch->vectors[i].iov_len = capacity;
        struct msghdr *h = &batch->headers[i].msg_hdr;
        h->msg_name = &batch->addresses[i];
        h->msg_namelen = sizeof batch->addresses[i];
        h->msg_iov = &batch->vectors[i];
        h->msg_iovlen = 1;
        h->msg_control = NULL;
        h->msg_controllen = 0;
        h->msg_flags = 0;
    }
    int received;
    do {
        received = recvmmsg(fd, batch->headers, count, MSG_DONTWAIT, NULL);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    for (int i = 0; i < received; i++) {
        const struct mmsghdr *m = &batch->headers[i];
        lengths[i] = (m->msg_hdr.msg_flags & MSG_TRUNC) ? 0 : m->msg_len;
        if (batch->addresses[i].sin_family == AF_INET && m->msg_hdr.msg_namelen >= sizeof(struct sockaddr_in)) {
            addresses[i] = ntohl(batch->addresses[i].sin_addr.s_addr);
            ports[i] = ntohs(batch->addresses[i].sin_port);
        } else {
            addresses[i] = 0;
            ports[i] = 0;
        }
    }
    return received;
}

// Message `slot` of `batch`: to address:port (host order), carrying `iovlen` vectors from
// `first_vector`, no control data.
static struct msghdr *fill_message(palisade_mmsg_batch *batch, unsigned slot, uint32_t address, uint16_t port,
                                   unsigned first_vector, unsigned iovlen) {
    struct sockaddr_in *a = &batch->addresses[slot];
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(address);
    a->sin_port = htons(port);
    struct msghdr *h = &batch->headers[slot].msg_hdr;
    h->msg_name = a;
    h->msg_namelen = sizeof *a;
    h->msg_iov = &batch->vectors[first_vector];
    h->msg_iovlen = iovlen;
    h->msg_control = NULL;
    h->msg_controllen = 0;
    h->msg_flags = 0;
    return h;
}

int palisade_send_batch(palisade_mmsg_batch *batch, int fd, uint8_t *const *buffers, const uint32_t *lengths,
                        const uint32_t *addresses, const uint16_t *ports, unsigned count) {
    if (count > batch->count) count = batch->count;
    for (unsigned i = 0; i < count; i++) {
        batch->vectors[i].iov_base = buffers[i];
        batch->vectors[i].iov_len = lengths[i];
        fill_message(batch, i, addresses[i], ports[i], i, 1);
    }
    // A datagram the kernel refuses (full buffer, unreachable) is skipped, not retried: the
    // caller counts count - return value as send failures.
    unsigned next = 0, sent = 0;
    while (next < count) {
        int result = sendmmsg(fd, batch->headers + next, count - next, MSG_DONTWAIT);
        if (result < 0) {
            if (errno == EINTR) continue;
            next += 1;
            continue;
        }
        if (result == 0) break;
        next += (unsigned)result;
        sent += (unsigned)result;
    }
    return (int)sent;
}

int palisade_send_batch_segmented(palisade_mmsg_batch *batch, int fd, uint8_t *const *buffers,
                                  const uint32_t *lengths, const uint32_t *addresses, const uint16_t *ports,
                                  unsigned count) {
    if (count > batch->count) count = batch->count;
    if (!batch->segmentation) return palisade_send_batch(batch, fd, buffers, lengths, addresses, ports, count);
    // Runs: consecutive datagrams to one address and port, all `size` bytes but the last, which may
    // be shorter (the kernel cuts a segmented send every `size` bytes, so it rebuilds exactly these).
    unsigned messages = 0;
    for (unsigned i = 0; i < count;) {
        uint32_t size = lengths[i];
        unsigned run = 1;
        uint32_t bytes = size;
        while (size > 0 && i + run < count && run < SEGMENT_MAX_DATAGRAMS && addresses[i + run] == addresses[i] &&
               ports[i + run] == ports[i] && lengths[i + run] > 0 && lengths[i + run] <= size &&
               bytes + lengths[i + run] <= SEGMENT_MAX_BYTES) {
            bytes += lengths[i + run];
            run += 1;
            if (lengths[i + run - 1] < size) break;
        }
        for (unsigned k = i; k < i + run; k++) {
            batch->vectors[k].iov_base = buffers[k];
            batch->vectors[k].iov_len = lengths[k];
        }
        struct msghdr *h = fill_message(batch, messages, addresses[i], ports[i], i, run);
        if (run > 1) {
            unsigned char *control = batch->controls + (size_t)messages * SEGMENT_CONTROL_SPACE;
            memset(control, 0, SEGMENT_CONTROL_SPACE);
            h->msg_control = control;
            h->msg_controllen = SEGMENT_CONTROL_SPACE;
            struct cmsghdr *c = CMSG_FIRSTHDR(h);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            uint16_t segment = (uint16_t)size;
            memcpy(CMSG_DATA(c), &segment, sizeof segment);
        }
        batch->run_first[messages] = i;
        batch->run_length[messages] = run;
        messages += 1;
        i += run;
    }
    unsigned next = 0, sent = 0;
    while (next < messages) {
        int result = sendmmsg(fd, batch->headers + next, messages - next, MSG_DONTWAIT);
        if (result < 0) {
            if (errno == EINTR) continue;
            if (batch->run_length[next] > 1 &&
                (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
                // A route without checksum offload (or an old kernel) refuses segmented sends: stop
                // segmenting for good and send the rest datagram by datagram.
                batch->segmentation = 0;
                unsigned first = batch->run_first[next];
                return (int)sent + palisade_send_batch(batch, fd, buffers + first, lengths + first, addresses + first,
                                                       ports + first, count - first);
            }
            // Refused (full buffer, unreachable): skipped, not retried, like palisade_send_batch.
            next += 1;
            continue;
        }
        if (result == 0) break;
        for (unsigned m = next; m < next + (unsigned)result; m++) sent += batch->run_length[m];
        next += (unsigned)result;
    }
    return (int)sent;
}

int palisade_mmsg_batch_segmentation(const palisade_mmsg_batch *batch) { return batch->segmentation; }

int palisade_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

int palisade_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}
