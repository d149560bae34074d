import Foundation
import Synchronization

public enum HTTPGet {
    /// A plain HTTP/1.0 GET to a loopback "host:port"; returns status code and body.
    public static func fetch(_ address: String, path: String) throws -> (status: Int, body: String) {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw TestSupportError("bad address \(address)")
        }
        let host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &sin.sin_addr)
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSupportError("connect \(address): \(String(cString: strerror(errno)))") }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(address)\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            response += chunk[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestSupportError("no HTTP response from \(address)") }
        let statusLine = text[..<split.lowerBound].split(separator: "\r\n").first ?? ""
        let code = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (code, String(text[split.upperBound...]))
    }
}

public enum LoopbackPort {
    /// Ports for peers the tests start (sipp as a PBX or phone, Prometheus): handed out once each
    /// per test process, in order, from 15000-19999 — below every range a socket bound to port 0
    /// can get (the kernel's ephemeral range) and below the media ranges the tests give the
    /// daemons. "Bind port 0, read it, close, let the peer bind it" raced with the daemons' own
    /// port-0 listeners: a daemon of another test took the port, and a PBX's INVITEs reached the
    /// wrong SBC. A port that is busy now (another program) is skipped.
    public static func reserved() throws -> UInt16 {
        for _ in 0..<span {
            let port = next.withLock { next -> UInt16 in
                defer { next = next == base + span - 1 ? base : next + 1 }
                return next
            }
            if isFree(port) { return port }
        }
        throw TestSupportError("no free port in \(base)-\(base + span - 1)")
    }

    private static let base: UInt16 = 15000
    private static let span: UInt16 = 5000
    private static let next = Mutex<UInt16>(base + UInt16(getpid() % 1000) * 5)

    /// Whether both a UDP and a TCP socket can bind 127.0.0.1:`port` right now.
    private static func isFree(_ port: UInt16) -> Bool {
        [Int32(SOCK_DGRAM.rawValue), Int32(SOCK_STREAM.rawValue)].allSatisfy { type in
            let fd = socket(AF_INET, type, 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }
    }

}
