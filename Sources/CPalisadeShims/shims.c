#define _GNU_SOURCE
#include "CPalisadeShims.h"

#include <errno.h>
#include <netinet/in.h>
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

int palisade_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == 0 ? 0 : -errno;
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

struct palisade_mmsg_batch {
    unsigned count;
    struct mmsghdr *headers;
    struct iovec *vectors;
    struct sockaddr_in *addresses;
};

palisade_mmsg_batch *palisade_mmsg_batch_create(unsigned count) {
    palisade_mmsg_batch *batch = calloc(1, sizeof *batch);
    if (!batch) return NULL;
    batch->count = count;
    batch->headers = calloc(count, sizeof *batch->headers);
    batch->vectors = calloc(count, sizeof *batch->vectors);
    batch->addresses = calloc(count, sizeof *batch->addresses);
    if (!batch->headers || !batch->vectors || !batch->addresses) {
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

int palisade_send_batch(palisade_mmsg_batch *batch, int fd, uint8_t *const *buffers, const uint32_t *lengths,
                        const uint32_t *addresses, const uint16_t *ports, unsigned count) {
    if (count > batch->count) count = batch->count;
    for (unsigned i = 0; i < count; i++) {
        batch->vectors[i].iov_base = buffers[i];
        batch->vectors[i].iov_len = lengths[i];
        struct sockaddr_in *a = &batch->addresses[i];
        memset(a, 0, sizeof *a);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(addresses[i]);
        a->sin_port = htons(ports[i]);
        struct msghdr *h = &batch->headers[i].msg_hdr;
        h->msg_name = a;
        h->msg_namelen = sizeof *a;
        h->msg_iov = &batch->vectors[i];
        h->msg_iovlen = 1;
        h->msg_control = NULL;
        h->msg_controllen = 0;
        h->msg_flags = 0;
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
