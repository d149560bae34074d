import Glibc
import NIOCore

/// A UDP listener's socket. It is opened and bound here, then handed to NIO, which reads from it
/// and closes it with its channel. Writes from the channel's own loop go straight to `sendto`
/// (`TransportLayer.sendDatagramNow`): NIO's write path — pipeline, envelope, a ByteBuffer copy,
/// the pending-writes queue, a future — cost palisade-signal about 5 % of its CPU, a third as much
/// as the system call itself.
struct DatagramSocket: Sendable {
    let descriptor: CInt

    /// A non-blocking UDP socket bound to `address`. No SO_REUSEADDR (see `bindUDP`).
    static func bound(to address: SocketAddress) throws -> DatagramSocket {
        let descriptor = Glibc.socket(address.protocol.rawValue,
                                      CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue)
                                          | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        let result = address.withSockAddr { pointer, length in Glibc.bind(descriptor, pointer, socklen_t(length)) }
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw IOError(errnoCode: code, reason: "bind(\(address))")
        }
        return DatagramSocket(descriptor: descriptor)
    }

    enum SendOutcome {
        case sent
        /// The socket's send buffer is full (EAGAIN): nothing was sent.
        case wouldBlock
        case failed(IOError)
    }

    /// One datagram to `remote`. The caller makes sure the socket is still open: it runs on the
    /// loop that would close it, and checks its channel first.
    func send(_ bytes: [UInt8], to remote: SocketAddress) -> SendOutcome {
        while true {
            let sent = bytes.withUnsafeBytes { buffer in
                remote.withSockAddr { address, length in
                    Glibc.sendto(descriptor, buffer.baseAddress, buffer.count, CInt(MSG_NOSIGNAL), address,
                                 socklen_t(length))
                }
            }
            if sent >= 0 { return .sent }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(IOError(errnoCode: code, reason: "sendto(\(remote))"))
            }
        }
    }
}
