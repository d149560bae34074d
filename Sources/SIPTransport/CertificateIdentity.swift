import NIOSSL

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

    /// BoringSSL fails a chain it rejected with CERTIFICATE_VERIFY_FAILED alone; the X.509 result
    /// of the handshake says whether no trusted CA issued it (unknown CA) or it is bad otherwise
    /// (expired, wrong purpose, bad signature, ...).
    static func classify(_ error: any Error, verifyResult: Int?) -> TLSHandshakeResult {
        let reason = classify(error)
        guard let code = verifyResult, code != 0 else { return reason }
        switch reason {
        case .badCertificate, .unknownCA, .other:
            switch code {
            // UNABLE_TO_GET_ISSUER_CERT, DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN,
            // UNABLE_TO_GET_ISSUER_CERT_LOCALLY, UNABLE_TO_VERIFY_LEAF_SIGNATURE (x509.h).
            case 2, 18, 19, 20, 21: return .unknownCA
            default: return .badCertificate
            }
        case .success, .resumed, .noSharedCipher, .noPeerCertificate, .domainMismatch, .timeout:
            return reason
        }
    }
}
