import CBoringSSLShims
import NIOSSL

/// The `SSL*` of one connection's `NIOSSLHandler`, for the few BoringSSL calls swift-nio-ssl does
/// not offer (see CBoringSSLShims.h). Only used on that connection's event loop, while the handler
/// is in the pipeline (it owns the `SSL`).
struct BoringSSLConnection {
    private let ssl: UnsafeMutableRawPointer

    /// Found by reflection, once per connection: `NIOSSLHandler.connection` is an `SSLConnection`
    /// whose `ssl` is the pointer (swift-nio-ssl 2.37.6, pinned exactly). Nil if an update renamed
    /// either; then tickets wait for the first write again and the TLS tests of resumption fail,
    /// which is where such an update must be noticed.
    init?(_ handler: NIOSSLHandler) {
        var mirror: Mirror? = Mirror(reflecting: handler)
        while let current = mirror {
            if let connection = current.children.first(where: { $0.label == "connection" })?.value,
               let ssl = Mirror(reflecting: connection).children.first(where: { $0.label == "ssl" })?.value
                as? OpaquePointer
            {
                self.ssl = UnsafeMutableRawPointer(ssl)
                return
            }
            mirror = current.superclassMirror
        }
        return nil
    }

    /// Moves deferred handshake messages (TLS 1.3 NewSessionTicket) into the BIO; the caller then
    /// flushes the channel so the NIOSSLHandler writes them out.
    func flushHandshakeData() -> Bool {
        palisade_tls_flush_handshake_data(ssl) >= 0
    }

    /// The completed handshake resumed a session.
    var sessionReused: Bool { palisade_tls_session_reused(ssl) == 1 }

    /// X509_V_OK (0) or the X.509 error that failed the peer's chain.
    var verifyResult: Int { palisade_tls_verify_result(ssl) }

    /// Frees certificate, key and list copies once the handshake is done. Set before it starts.
    func shedConfigurationAfterHandshake() {
        palisade_tls_shed_handshake_config(ssl)
    }
}

/// Distinguished names of a certificate, which swift-nio-ssl does not expose, read by BoringSSL
/// from the certificate's DER (for `palisadectl tls certificates`).
enum BoringSSLCertificateNames {
    /// The subject or issuer in one line (`/CN=sbc.example.com/O=Example`), "?" when unreadable.
    static func oneLine(_ certificate: NIOSSLCertificate, issuer: Bool) -> String {
        guard let der = try? certificate.toDERBytes() else { return "?" }
        var buffer = [CChar](repeating: 0, count: 512)
        // Both buffers outlive the call; the shim writes at most `out.count` bytes, NUL included.
        let written = der.withUnsafeBufferPointer { bytes in
            buffer.withUnsafeMutableBufferPointer { out in
                palisade_x509_name(bytes.baseAddress, bytes.count, issuer ? 1 : 0, out.baseAddress, out.count)
            }
        }
        guard written > 0 else { return "?" }
        return String(decoding: buffer.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
