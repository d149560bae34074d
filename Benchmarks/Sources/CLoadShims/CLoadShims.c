#define _GNU_SOURCE
#include "CLoadShims.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct load_datagrams {
    size_t capacity;
    uint32_t slot_size;
    uint8_t *memory;
    struct mmsghdr *headers;
    struct iovec *vectors;
    struct sockaddr_in *addresses;
    unsigned char *controls; // one UDP_SEGMENT control message per header
};

enum { SEGMENT_CONTROL_SPACE = CMSG_SPACE(sizeof(uint16_t)) };

load_datagrams *load_datagrams_create(size_t capacity, uint32_t slot_size) {
    load_datagrams *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->capacity = capacity;
    d->slot_size = slot_size;
    if (posix_memalign((void **)&d->memory, 64, capacity * slot_size) != 0) d->memory = NULL;
    d->headers = calloc(capacity, sizeof *d->headers);
    d->vectors = calloc(capacity, sizeof *d->vectors);
    d->addresses = calloc(capacity, sizeof *d->addresses);
    d->controls = calloc(capacity, SEGMENT_CONTROL_SPACE);
    if (!d->memory || !d->headers || !d->vectors || !d->addresses || !d->controls) {
        load_datagrams_destroy(d);
        return NULL;
    }
    memset(d->memory, 0, capacity * slot_size);
    for (size_t i = 0; i < capacity; i++) {
        d->vectors[i].iov_base = d->memory + i * slot_size;
        d->vectors[i].iov_len = slot_size;
        d->headers[i].msg_hdr.msg_iov = &d->vectors[i];
        d->headers[i].msg_hdr.msg_iovlen = 1;
    }
    return d;
}

void load_datagrams_destroy(load_datagrams *d) {
    if (!d) return;
    free(d->memory);
    free(d->headers);
    free(d->vectors);
    free(d->addresses);
    free(d->controls);
    free(d);
}

size_t load_datagrams_capacity(const load_datagrams *d) { return d->capacity; }

uint8_t *load_datagrams_slot(load_datagrams *d, size_t index) { return d->memory + index * d->slot_size; }

void load_datagrams_set_destination(load_datagrams *d, size_t index, uint32_t length, uint32_t address,
                                    uint16_t port) {
    struct sockaddr_in *a = &d->addresses[index];
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(address);
    a->sin_port = htons(port);
    d->vectors[index].iov_len = length;
    struct msghdr *h = &d->headers[index].msg_hdr;
    h->msg_name = a;
    h->msg_namelen = sizeof *a;
    h->msg_iov = &d->vectors[index];
    h->msg_iovlen = 1;
    h->msg_control = NULL;
    h->msg_controllen = 0;
    h->msg_flags = 0;
}

void load_datagrams_segment(load_datagrams *d, size_t message, size_t first, unsigned count, uint16_t segment) {
    struct msghdr *h = &d->headers[message].msg_hdr;
    h->msg_name = &d->addresses[first];
    h->msg_namelen = sizeof d->addresses[first];
    h->msg_iov = &d->vectors[first];
    h->msg_iovlen = count;
    h->msg_flags = 0;
    if (count > 1) {
        unsigned char *control = d->controls + message * SEGMENT_CONTROL_SPACE;
        memset(control, 0, SEGMENT_CONTROL_SPACE);
        h->msg_control = control;
        h->msg_controllen = SEGMENT_CONTROL_SPACE;
        struct cmsghdr *c = CMSG_FIRSTHDR(h);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        memcpy(CMSG_DATA(c), &segment, sizeof segment);
    } else {
        h->msg_control = NULL;
        h->msg_controllen = 0;
    }
}

int load_datagrams_send(load_datagrams *d, int fd, size_t first, unsigned count) {
    if (first >= d->capacity) return 0;
    if (count > d->capacity - first) count = (unsigned)(d->capacity - first);
    if (count > 1024) count = 1024;
    int sent;
    do {
        sent = sendmmsg(fd, d->headers + first, count, MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    return sent < 0 ? -errno : sent;
}

int load_datagrams_receive(load_datagrams *d, int fd, size_t first, unsigned count) {
    if (first >= d->capacity) return 0;
    if (count > d->capacity - first) count = (unsigned)(d->capacity - first);
    if (count > 1024) count = 1024;
    // Slots of a receiving store are never given a destination: iov_len is the slot size and
    // msg_name NULL since create, and recvmmsg writes only msg_len and msg_flags.
    int received;
    do {
        received = recvmmsg(fd, d->headers + first, count, MSG_DONTWAIT, NULL);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    return received;
}

uint32_t load_datagrams_received_length(const load_datagrams *d, size_t index) {
    const struct mmsghdr *m = &d->headers[index];
    return (m->msg_hdr.msg_flags & MSG_TRUNC) ? 0 : m->msg_len;
}
