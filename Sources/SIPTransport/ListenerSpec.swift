/// One listener of a realm, as configuration describes it.
///
/// `advertised` is the address peers must use when the bound one is not reachable as such (1:1 NAT,
/// cloud instances): it is what `TransportLayer.via(…)`, `contact(…)` and `recordRoute(…)` report.
public struct ListenerSpec: Sendable, Hashable {
    public var realm: String
    public var transport: TransportKind
    public var bind: HostPort
    public var advertised: HostPort?
    /// Required when `transport` is `.tls`, ignored otherwise.
    public var tls: TLSServerSpec?

    public init(realm: String, transport: TransportKind, bind: HostPort, advertised: HostPort? = nil,
                tls: TLSServerSpec? = nil) {
        self.realm = realm
        self.transport = transport
        self.bind = bind
        self.advertised = advertised
        self.tls = tls
    }
}

/// Identifies a started listener: its position in the configured list plus what it is.
public struct ListenerID: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let realm: String
    public let transport: TransportKind

    public var description: String { "\(realm)/\(transport.rawValue)#\(index)" }
}

/// Whether a TLS listener asks connecting clients for a certificate.
public enum ClientCertificatePolicy: String, Sendable, Hashable {
    /// No certificate requested.
    case none
    /// Requested; if presented it must verify against the CA bundle.
    case optional
    /// Requested and required: a client without a verifiable certificate is refused.
    case required
}

/// The TLS versions Palisade allows at all (RFC 8996 retires 1.0 and 1.1).
public enum TLSProtocolVersion: String, Sendable, Hashable {
    case v1_2 = "1.2"
    case v1_3 = "1.3"
}

/// Versions and TLS 1.2 cipher suites. TLS 1.3 suites are fixed by BoringSSL (all AEAD).
public struct TLSCipherPolicy: Sendable, Hashable {
    public var minimumVersion: TLSProtocolVersion
    /// OpenSSL cipher-string syntax for TLS 1.2.
    public var tls12CipherSuites: String

    public init(minimumVersion: TLSProtocolVersion = .v1_2,
                tls12CipherSuites: String = TLSCipherPolicy.forwardSecrecyAEAD) {
        self.minimumVersion = minimumVersion
        self.tls12CipherSuites = tls12CipherSuites
    }

    /// ECDHE key exchange with AEAD ciphers only (Mozilla "intermediate" for TLS 1.2).
    public static let forwardSecrecyAEAD =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    public static let `default` = TLSCipherPolicy()
}

/// A certificate chain and its key, PEM files read at start and at every reload.
public struct TLSCertificateFiles: Sendable, Hashable {
    public var chainPath: String
    public var keyPath: String
    /// SNI names this certificate answers for (exact, case-insensitive). The first certificate of a
    /// listener is also the default for clients that send no SNI or an unknown name.
    public var serverNames: [String]

    public init(chainPath: String, keyPath: String, serverNames: [String] = []) {
        self.chainPath = chainPath
        self.keyPath = keyPath
        self.serverNames = serverNames
    }
}

/// The TLS side of a listener.
public struct TLSServerSpec: Sendable, Hashable {
    /// At least one; the first is the default.
    public var certificates: [TLSCertificateFiles]
    public var clientCertificates: ClientCertificatePolicy
    /// PEM bundle of CAs that client certificates must chain to; required unless policy is `.none`.
    public var caBundlePath: String?
    public var cipherPolicy: TLSCipherPolicy

    public init(certificates: [TLSCertificateFiles], clientCertificates: ClientCertificatePolicy = .none,
                caBundlePath: String? = nil, cipherPolicy: TLSCipherPolicy = .default) {
        self.certificates = certificates
        self.clientCertificates = clientCertificates
        self.caBundlePath = caBundlePath
        self.cipherPolicy = cipherPolicy
    }
}
