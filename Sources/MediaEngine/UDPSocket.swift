#if canImport(Glibc)
import Glibc
#endif

/// Opening and closing the non-blocking UDP sockets a worker will own. Runs on the control
/// thread, so bind errors come back to the caller synchronously.
enum UDPSocket {
    struct Failure: Error {
        let errno: Int32
        var text: String { String(cString: strerror(errno)) }
    }

    static func bind(address: UInt32, port: UInt16, bufferBytes: Int32?) -> Result<Int32, Failure> {
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { return .failure(Failure(errno: errno)) }
        if var size = bufferBytes {
            // The FORCE variants pass net.core.rmem_max / wmem_max with CAP_NET_ADMIN, which
            // palisade-media holds for nftables; without it the kernel caps the plain ones there.
            let length = socklen_t(MemoryLayout<Int32>.size)
            if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, length) != 0 {
                _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, length)
            }
            if setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, length) != 0 {
                _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, length)
            }
        }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr = in_addr(s_addr: address.bigEndian)
        // The sockaddr_in lives on this frame for the duration of the call.
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let failure = Failure(errno: errno)
            Glibc.close(fd)
            return .failure(failure)
        }
        return .success(fd)
    }

    static func close(_ fd: Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }
    }
}
