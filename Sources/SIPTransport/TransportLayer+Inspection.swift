import NIOCore
import NIOSSL

/// An open TCP or TLS connection, for `palisadectl flows list`.
public struct ConnectionSnapshot: Sendable {
    public var flow: Flow
    public var ageSeconds: Double
}

/// One configured certificate of a TLS listener, for `palisadectl tls certificates`.
public struct CertificateSnapshot: Sendable {
    public var listener: BoundListener
    public var files: TLSCertificateFiles
    /// One-line distinguished names (`/CN=sbc.example.com/O=Example`).
    public var subject: String
    public var issuer: String
    /// DNS names, URIs and IP addresses, each with its kind (`DNS:sbc.example.com`).
    public var subjectAlternativeNames: [String]
    /// Unix seconds.
    public var notAfter: Double
}

extension TransportLayer {
    /// Every open connection, oldest first.
    public func connections() -> [ConnectionSnapshot] {
        let now = ContinuousClock.now
        return registry.allEntries().sorted { $0.opened < $1.opened }.map { entry in
            let age = now - entry.opened
            return ConnectionSnapshot(flow: entry.flow, ageSeconds: Double(age.components.seconds)
                + Double(age.components.attoseconds) / 1e18)
        }
    }

    /// The certificates of every TLS listener, as last loaded (at start or by a reload).
    public func certificates() -> [CertificateSnapshot] {
        let (listeners, tls) = started.withLock { ($0?.listeners ?? [], $0?.tls ?? [:]) }
        return listeners.flatMap { listener -> [CertificateSnapshot] in
            guard let contexts = tls[listener.id] else { return [] }
            return contexts.leaves.map { files, certificate in
                CertificateSnapshot(listener: listener, files: files, subject: BoringSSLCertificateNames.oneLine(certificate, issuer: false),
                                    issuer: BoringSSLCertificateNames.oneLine(certificate, issuer: true),
                                    subjectAlternativeNames: Self.alternativeNames(certificate),
                                    notAfter: Double(certificate.notValidAfter))
            }
        }
    }

    static func alternativeNames(_ certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { san in
            let bytes = san.contents.withUnsafeBufferPointer { Array($0) }
            switch san.nameType {
            case .dnsName: return "DNS:" + String(decoding: bytes, as: UTF8.self)
            case .uri: return "URI:" + String(decoding: bytes, as: UTF8.self)
            case .email: return "email:" + String(decoding: bytes, as: UTF8.self)
            case .ipAddress where bytes.count == 4: return "IP:" + bytes.map { "\($0)" }.joined(separator: ".")
            case .ipAddress where bytes.count == 16:
                return "IP:" + stride(from: 0, to: 16, by: 2).map {
                    String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
                }.joined(separator: ":")
            default: return nil
            }
        }
    }
}
