import Foundation

public enum UDPExchange {
    /// A datagram that came back, and how long after the send.
    public struct Received: Sendable {
        public let text: String
        public let after: Duration
    }

    /// Sends one datagram from an ephemeral loopback port to "127.0.0.1:port" and returns the
    /// first final SIP response that comes back, skipping provisional ones (100 Trying); the last
    /// datagram received, or "", when none is final within `timeoutSeconds`.
    public static func send(_ text: String, to address: String, timeoutSeconds: Int = 5) throws -> String {
        try responses(text, to: address, timeoutSeconds: timeoutSeconds).last?.text ?? ""
    }

    /// `send`, with every datagram received up to and including the first final response (at
    /// most 16), each with its arrival time.
    public static func responses(_ text: String, to address: String, timeoutSeconds: Int = 5) throws -> [Received] {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw TestSupportError("bad address \(address)")
        }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, String(address[..<colon]), &sin.sin_addr)
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &sin) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                bytes.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == bytes.count else { throw TestSupportError("sendto \(address): \(errno)") }
        let start = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 65536)
        var received: [Received] = []
        for _ in 0..<16 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            let text = String(decoding: buffer[0..<n], as: UTF8.self)
            received.append(Received(text: text, after: ContinuousClock.now - start))
            if !text.hasPrefix("SIP/2.0 1") { break }
        }
        return received
    }
}
