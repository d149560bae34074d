import BoringSSLSessions
import NIOSSL

/// A BoringSSL `SSL*` owned by a live `NIOSSLHandler`; only touched on that channel's event loop.
struct SSLPointer: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// A BoringSSL `SSL_SESSION*` with one reference owned by this value's holder (see `release`).
struct TLSSession: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// Client-side session resumption that swift-nio-ssl 2.37.6 does not offer: its handler keeps the
/// `SSL*` in a private property. This file is the one place that reaches past that.
enum TLSSessionAccess {
    /// The `SSL*` of a client handler, found by reflection: `NIOSSLHandler.connection` is an
    /// `SSLConnection` whose `ssl` is the pointer. Nil if a swift-nio-ssl update renamed either,
    /// so the benchmark then says it cannot resume instead of crashing.
    static func ssl(of handler: NIOSSLHandler) -> SSLPointer? {
        var mirror: Mirror? = Mirror(reflecting: handler)
        while let current = mirror {
            if let connection = current.children.first(where: { $0.label == "connection" })?.value,
               let ssl = Mirror(reflecting: connection).children.first(where: { $0.label == "ssl" })?.value
                as? OpaquePointer
            {
                return SSLPointer(raw: UnsafeMutableRawPointer(ssl))
            }
            mirror = current.superclassMirror
        }
        return nil
    }

    /// Makes every client of `context` keep the session tickets it receives. Reaches the `SSL_CTX*`
    /// the same way: `NIOSSLContext.sslContext`. False if that is not found.
    static func keepClientSessions(_ context: NIOSSLContext) -> Bool {
        guard let ctx = Mirror(reflecting: context).children.first(where: { $0.label == "sslContext" })?.value
            as? OpaquePointer
        else { return false }
        return palisade_keep_client_sessions(UnsafeMutableRawPointer(ctx)) == 0
    }

    /// Offers `session` in the coming handshake. Must run before the handshake starts, i.e. before
    /// the channel becomes active: the ClientHello is written on channelActive.
    static func offer(_ session: TLSSession, on ssl: SSLPointer) -> Bool {
        CNIOBoringSSL_SSL_set_session(ssl.raw, session.raw) == 1
    }

    /// The newest resumable session the connection received. With TLS 1.3 that exists only once
    /// the server's NewSessionTicket has been read, which is after the handshake completes.
    static func resumableSession(of ssl: SSLPointer) -> TLSSession? {
        palisade_take_ticket_session(ssl.raw).map(TLSSession.init(raw:))
    }

    static func release(_ session: TLSSession) {
        CNIOBoringSSL_SSL_SESSION_free(session.raw)
    }

    static func wasResumed(_ ssl: SSLPointer) -> Bool {
        CNIOBoringSSL_SSL_session_reused(ssl.raw) == 1
    }

    static func version(_ ssl: SSLPointer) -> String {
        CNIOBoringSSL_SSL_get_version(ssl.raw).map { String(cString: $0) } ?? "?"
    }
}
