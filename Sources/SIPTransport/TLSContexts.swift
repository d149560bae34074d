import NIOCore
import NIOSSL
import Synchronization

/// The TLS state of one listener: a context for new connections and the certificate chosen per SNI
/// name. `reload()` reads the PEM files again and swaps both; a connection keeps the context and
/// certificate it was accepted with, so established connections are not touched.
final class TLSServerContexts: Sendable {
    /// One loaded certificate: chain and key, ready to hand to a handshake.
    struct Loaded: Sendable {
        var chain: [NIOSSLCertificateSource]
        var key: NIOSSLPrivateKeySource
    }

    struct Table: Sendable {
        var context: NIOSSLContext
        var byName: [String: Loaded]
        var fallback: Loaded
    }

    let spec: TLSServerSpec
    private let table: Mutex<Table?>

    init(spec: TLSServerSpec) throws(TransportError) {
        self.spec = spec
        self.table = Mutex(nil)
        try reload()
    }

    /// The context for a new connection.
    var context: NIOSSLContext {
        table.withLock { $0! }.context
    }

    /// Reads every PEM file again and builds a new context. On any error the old state stays.
    func reload() throws(TransportError) {
        guard let first = spec.certificates.first else {
            throw TransportError(.tlsConfiguration, "a TLS listener needs at least one certificate")
        }
        var byName: [String: Loaded] = [:]
        var fallback: Loaded?
        for files in spec.certificates {
            let loaded = try Self.load(files)
            if files == first { fallback = loaded }
            for name in files.serverNames { byName[name.lowercased()] = loaded }
        }
        guard let fallback else { throw TransportError(.tlsConfiguration, "no default certificate") }

        var config = TLSConfiguration.makeServerConfiguration(certificateChain: fallback.chain,
                                                               privateKey: fallback.key)
        TLSServerContexts.apply(spec.cipherPolicy, to: &config)
        switch spec.clientCertificates {
        case .none:
            config.certificateVerification = .none
        case .optional:
            config.certificateVerification = .optionalVerification
        case .required:
            config.certificateVerification = .noHostnameVerification
        }
        if spec.clientCertificates != .none {
            guard let ca = spec.caBundlePath else {
                throw TransportError(.tlsConfiguration, "client certificates need caBundlePath")
            }
            do {
                config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw TransportError(.tlsConfiguration, "CA bundle \(ca): \(error)")
            }
            config.sendCANameList = true
        }
        // SNI: every hello picks its certificate from the current table. The table is read at
        // hello time, so a reload applies to the next handshake and never to a running one.
        config.sslContextCallback = { [weak self] values, promise in
            var override = NIOSSLContextConfigurationOverride()
            if let self {
                let chosen = self.certificate(forServerName: values.serverHostname)
                override.certificateChain = chosen.chain
                override.privateKey = chosen.key
            }
            promise.succeed(override)
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: config)
        } catch {
            throw TransportError(.tlsConfiguration, "\(error)")
        }
        let new = Table(context: context, byName: byName, fallback: fallback)
        table.withLock { $0 = new }
    }

    func certificate(forServerName name: String?) -> Loaded {
        table.withLock { t in
            let t = t!
            if let name, let hit = t.byName[name.lowercased()] { return hit }
            return t.fallback
        }
    }

    static func load(_ files: TLSCertificateFiles) throws(TransportError) -> Loaded {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.chainPath)
            guard !chain.isEmpty else { throw TransportError(.tlsConfiguration, "no certificate in \(files.chainPath)") }
            let key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
            return Loaded(chain: chain.map { .certificate($0) }, key: .privateKey(key))
        } catch let e as TransportError {
            throw e
        } catch {
            throw TransportError(.tlsConfiguration, "\(files.chainPath) / \(files.keyPath): \(error)")
        }
    }

    static func apply(_ policy: TLSCipherPolicy, to config: inout TLSConfiguration) {
        switch policy.minimumVersion {
        case .v1_2: config.minimumTLSVersion = .tlsv12
        case .v1_3: config.minimumTLSVersion = .tlsv13
        }
        config.maximumTLSVersion = .tlsv13
        config.cipherSuites = policy.tls12CipherSuites
        config.renegotiationSupport = .none
    }
}

/// How an outbound TLS connection checks the server (RFC 5922 §7.3).
public struct TLSPeerPolicy: Sendable, Hashable {
    public enum Verification: String, Sendable, Hashable {
        /// Chain to the trust roots and the SIP domain in the certificate (the default).
        case rfc5922
        /// Chain only: for peers known by address whose certificate names something else.
        case chainOnly = "chain_only"
        /// No verification at all (lab use).
        case none
    }

    /// The SIP domain the server must prove (RFC 5922 §7.2); also sent as SNI when it is a name.
    public var sipDomain: String
    public var verification: Verification
    /// PEM bundle of trust roots; nil uses the system roots.
    public var caBundlePath: String?
    /// Our client certificate, for peers that ask for one.
    public var clientCertificate: TLSCertificateFiles?
    public var cipherPolicy: TLSCipherPolicy

    public init(sipDomain: String, verification: Verification = .rfc5922, caBundlePath: String? = nil,
                clientCertificate: TLSCertificateFiles? = nil, cipherPolicy: TLSCipherPolicy = .default) {
        self.sipDomain = sipDomain
        self.verification = verification
        self.caBundlePath = caBundlePath
        self.clientCertificate = clientCertificate
        self.cipherPolicy = cipherPolicy
    }

    func makeContext() throws(TransportError) -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        TLSServerContexts.apply(cipherPolicy, to: &config)
        switch verification {
        case .rfc5922, .chainOnly:
            // The domain check is RFC 5922's, done after the handshake (sip: URIs count too);
            // BoringSSL verifies the chain.
            config.certificateVerification = .noHostnameVerification
        case .none:
            config.certificateVerification = .none
        }
        do {
            if let ca = caBundlePath {
                config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            }
            if let files = clientCertificate {
                let loaded = try TLSServerContexts.load(files)
                config.certificateChain = loaded.chain
                config.privateKey = loaded.key
            }
            return try NIOSSLContext(configuration: config)
        } catch let e as TransportError {
            throw e
        } catch {
            throw TransportError(.tlsConfiguration, "\(error)")
        }
    }
}

/// Names in a certificate and the RFC 5922 match against a SIP domain.
enum CertificateIdentity {
    static func identity(of certificate: NIOSSLCertificate) -> TLSPeerIdentity {
        var dns: [String] = []
        var uris: [String] = []
        for san in certificate._subjectAlternativeNames() {
            let text = san.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
            switch san.nameType {
            case .dnsName: dns.append(text)
            case .uri: uris.append(text)
            default: break
            }
        }
        return TLSPeerIdentity(dnsNames: dns, uris: uris)
    }

    /// RFC 5922 §7.1–7.2: when the certificate has sip: URI names, the domain must be one of them;
    /// otherwise it must be a dNSName. Exact and case-insensitive: no wildcards (§7.2).
    static func matches(_ identity: TLSPeerIdentity, sipDomain: String) -> Bool {
        let domain = sipDomain.lowercased()
        let sipURIs = identity.uris.map { $0.lowercased() }.filter { $0.hasPrefix("sip:") }
        if !sipURIs.isEmpty {
            return sipURIs.contains { String($0.dropFirst(4)) == domain }
        }
        return identity.dnsNames.contains { $0.lowercased() == domain }
    }
}

/// Maps a handshake error to the reason it is counted under.
enum HandshakeFailure {
    static func classify(_ error: any Error) -> TLSHandshakeResult {
        let text = String(describing: error).uppercased()
        if text.contains("NO_SHARED_CIPHER") || text.contains("HANDSHAKE_FAILURE_ON_CLIENT_HELLO")
            || text.contains("NO_CIPHERS_AVAILABLE") || text.contains("ALERT_HANDSHAKE_FAILURE")
            || text.contains("WRONG_CURVE") || text.contains("NO_SHARED_GROUP")
            || text.contains("UNSUPPORTED_PROTOCOL") || text.contains("PROTOCOL_VERSION") {
            return .noSharedCipher
        }
        if text.contains("UNKNOWN_CA") || text.contains("UNABLE_TO_GET_ISSUER") || text.contains("SELF_SIGNED")
            || text.contains("SELF-SIGNED") || text.contains("LOCAL ISSUER") {
            return .unknownCA
        }
        if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || text.contains("CERTIFICATE_REQUIRED") {
            return .noPeerCertificate
        }
        if text.contains("CERTIFICATE") { return .badCertificate }
        return .other
    }
}
