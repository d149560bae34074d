import ControlFraming
#if canImport(Glibc)
import Glibc
#endif

/// A blocking request/reply client over a Unix stream socket speaking `ControlFraming` frames.
/// For command-line tools and tests; the daemons use their event loops instead.
public final class FrameClient {
    public let path: String
    private let fd: Int32
    private var decoder = FrameDecoder()

    /// Connects with a receive/send timeout applied to every later exchange.
    public init(path: String, timeoutSeconds: Int = 5) throws(UnixSocketError) {
        self.path = path
        fd = try UnixSocket.connect(path: path)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends one frame and waits for one frame back.
    public func exchange(_ payload: [UInt8]) throws(UnixSocketError) -> [UInt8] {
        try send(payload)
        return try receive()
    }

    public func send(_ payload: [UInt8]) throws(UnixSocketError) {
        let frame = Frame.encode(payload)
        var offset = 0
        while offset < frame.count {
            let n = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("send")
            }
            offset += n
        }
    }

    public func receive() throws(UnixSocketError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            do {
                if let payload = try decoder.next() { return payload }
            } catch {
                throw UnixSocketError(.protocolError, path: path, "\(path): \(error)")
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("receive")
            }
            guard n > 0 else {
                throw UnixSocketError(.closed, path: path, "\(path): the daemon closed the connection")
            }
            decoder.append(chunk[0..<n])
        }
    }

    private func failure(_ what: String) -> UnixSocketError {
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK {
            return UnixSocketError(.timedOut, path: path, "\(path): no answer in time")
        }
        return UnixSocketError(.systemCall, path: path, "\(what) on \(path): \(UnixSocket.describe(code))")
    }
}
