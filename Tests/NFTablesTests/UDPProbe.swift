import CLibNFTNL
import Foundation
import TestSupport

/// UDP sockets created inside a test namespace (a socket keeps the namespace it was made in), to
/// check that the rules really pass and drop packets. Loopback only: 127.0.0.1 or ::1.
struct UDPProbe {
    let family: Int32
    let fds: [Int32]

    /// Creates one socket per port, bound to loopback in `namespace`, each with that port.
    init(namespace: NetworkNamespace, family: Int32, ports: [UInt16]) throws {
        self.family = family
        let created = ResultBox()
        let done = DispatchSemaphore(value: 0)
        // Only this short-lived thread changes namespace; the sockets outlive it.
        let thread = Thread {
            created.result = Self.makeSockets(path: namespace.path, family: family, ports: ports)
            done.signal()
        }
        thread.start()
        done.wait()
        fds = try created.result.get()
    }

    func close() { fds.forEach { _ = Glibc.close($0) } }

    /// Sends one datagram from socket `from` to the port of socket `to`; true if it arrived.
    /// An accepted datagram is waited for up to `wait` ms (loopback delivers within the send in
    /// practice; the margin is for a loaded machine); a dropped one costs the whole wait.
    func delivers(from: Int, to: Int, ports: [UInt16], wait: Int32 = 1000) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        while recv(fds[to], &buffer, buffer.count, Int32(MSG_DONTWAIT)) >= 0 {}  // nothing stale
        var payload: UInt8 = 0x2a
        let sent = Self.withAddress(family: family, port: ports[to]) { address, length in
            sendto(fds[from], &payload, 1, 0, address, length)
        }
        guard sent == 1 else { return false }
        var descriptor = pollfd(fd: fds[to], events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, wait) == 1 else { return false }
        return recv(fds[to], &buffer, buffer.count, 0) == 1
    }

    /// True if a datagram from `from` to `to` does not arrive within 250 ms.
    func drops(from: Int, to: Int, ports: [UInt16]) -> Bool {
        !delivers(from: from, to: to, ports: ports, wait: 250)
    }

    /// Written by the namespace thread before it signals, read by the creator after the wait.
    private final class ResultBox: @unchecked Sendable {
        var result: Result<[Int32], ProbeError> = .failure(ProbeError(step: "thread", errno: 0))
    }

    struct ProbeError: Error {
        var step: String
        var errno: Int32
    }

    private static func makeSockets(path: String, family: Int32, ports: [UInt16]) -> Result<[Int32], ProbeError> {
        let namespace = open(path, O_RDONLY | O_CLOEXEC)
        guard namespace >= 0 else { return .failure(ProbeError(step: "open \(path)", errno: errno)) }
        defer { _ = Glibc.close(namespace) }
        guard palisade_setns_net(namespace) == 0 else { return .failure(ProbeError(step: "setns", errno: errno)) }
        var fds: [Int32] = []
        for port in ports {
            let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return .failure(ProbeError(step: "socket", errno: errno)) }
            fds.append(fd)
            let bound = withAddress(family: family, port: port) { bind(fd, $0, $1) }
            guard bound == 0 else {
                fds.forEach { _ = Glibc.close($0) }
                return .failure(ProbeError(step: "bind \(port)", errno: errno))
            }
        }
        return .success(fds)
    }

    private static func withAddress<T>(family: Int32, port: UInt16,
                                       _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }
}
