import NIOSSL

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

/// How the TLS servers of one realm are verified when Palisade connects to them, per peer
/// (`realm.tls_peers`): the rule naming the peer's host, else the realm's "*" rule, else full
/// RFC 5922 verification against the system's trust roots. A relaxed rule relaxes that peer only.
public struct TLSPeerRule: Sendable, Hashable {
    public var realm: String
    /// A DNS name or IP literal as the next hop is addressed (compared case-insensitively), or "*".
    public var host: String
    public var verification: TLSPeerPolicy.Verification
    /// PEM bundle of trust roots; nil uses the system roots.
    public var caBundlePath: String?

    public init(realm: String, host: String, verification: TLSPeerPolicy.Verification = .rfc5922,
                caBundlePath: String? = nil) {
        self.realm = realm
        self.host = host
        self.verification = verification
        self.caBundlePath = caBundlePath
    }

    /// The policy for a server of `realm` reached as `host`: it must prove `host` as its SIP
    /// domain (RFC 5922 §7.3: the domain the request was routed to) unless its rule relaxes that.
    static func policy(for host: String, realm: String, in rules: [TLSPeerRule]) -> TLSPeerPolicy {
        let name = host.lowercased()
        let rule = rules.first { $0.realm == realm && $0.host.lowercased() == name }
            ?? rules.first { $0.realm == realm && $0.host == "*" }
        return TLSPeerPolicy(sipDomain: host, verification: rule?.verification ?? .rfc5922,
                             caBundlePath: rule?.caBundlePath)
    }
}
