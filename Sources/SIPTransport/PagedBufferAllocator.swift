import Glibc
@_spi(CustomByteBufferAllocator) import NIOCore

/// Buffer memory for TCP and TLS connections: large buffers get pages of their own.
///
/// Why: every TLS connection's NIOSSLHandler allocates a 32 KiB plaintext buffer and a 16 KiB
/// outbound buffer up front and keeps both for the connection's life, although an idle SIP flow
/// writes a few hundred bytes into each. From malloc they come out of a heap that the handshakes
/// of other connections have already touched, so most of their pages are resident and the idle
/// connection pays for all 48 KiB. Mapped on their own (`mmap`), only the pages actually written
/// become resident, and a closed connection gives them back at once (`munmap`), without
/// fragmenting the heap. Below `threshold` buffers come from malloc as usual.
///
/// Every block carries a 16-byte header with its mapped length (0: from malloc), so `deallocate`,
/// which is not told the size, knows how to free it. The header keeps malloc's 16-byte alignment.
/// If the kernel refuses a mapping (e.g. `vm.max_map_count`), the buffer comes from malloc.
enum PagedBufferAllocator {
    static let allocator = ByteBufferAllocator(allocate: allocate, reallocate: reallocate,
                                               deallocate: deallocate, copy: copy)

    /// The smallest buffer that is mapped: NIOSSL's record-sized buffers, not everyday reads.
    static let threshold = 16_384
    static let headerSize = 16
}

private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

/// `size` bytes after a header saying how they were obtained. Null only if malloc fails too.
private func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
    let header = PagedBufferAllocator.headerSize
    if size >= PagedBufferAllocator.threshold {
        let length = (size + header + pageSize - 1) / pageSize * pageSize
        // Invariant: a mapping is at least one page, so the header fits and the block is aligned.
        let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let base, base != MAP_FAILED {
            base.storeBytes(of: UInt64(length), as: UInt64.self)
            return base + header
        }
    }
    guard let base = malloc(size + header) else { return nil }
    base.storeBytes(of: 0, as: UInt64.self)
    return base + header
}

private func deallocate(_ pointer: UnsafeMutableRawPointer) {
    // Invariant: `pointer` came from `allocate`, so its header sits just before it.
    let base = pointer - PagedBufferAllocator.headerSize
    let length = Int(base.load(as: UInt64.self))
    if length > 0 {
        munmap(base, length)
    } else {
        free(base)
    }
}

private func reallocate(_ pointer: UnsafeMutableRawPointer?, _ oldSize: Int, _ newSize: Int) -> UnsafeMutableRawPointer? {
    guard let pointer else { return allocate(newSize) }
    let header = PagedBufferAllocator.headerSize
    let base = pointer - header
    if base.load(as: UInt64.self) == 0, newSize < PagedBufferAllocator.threshold {
        // Stays small: malloc's own realloc, header and all.
        guard let moved = realloc(base, newSize + header) else { return nil }
        return moved + header
    }
    guard let fresh = allocate(newSize) else { return nil }
    fresh.copyMemory(from: pointer, byteCount: min(oldSize, newSize))
    deallocate(pointer)
    return fresh
}

private func copy(_ destination: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, _ count: Int) {
    destination.copyMemory(from: source, byteCount: count)
}
