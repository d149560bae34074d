/// The response computation of RFC 7616 §3.4.1-3.4.3 for qop=auth (and RFC 2617 §3.2.2.1's form
/// without qop, which this module refuses to accept but can compute, for tests and clients).
public enum DigestResponse {
    /// HA1 as stored in the user table: H(username ":" realm ":" password). Used to create entries;
    /// the verifier only ever sees the stored result.
    public static func ha1(hash: DigestAlgorithm.Hash, username: some Sequence<UInt8>, realm: some Sequence<UInt8>,
                           password: some Sequence<UInt8>) -> [UInt8] {
        var input = Array(username)
        input.append(UInt8(ascii: ":"))
        input.append(contentsOf: realm)
        input.append(UInt8(ascii: ":"))
        input.append(contentsOf: password)
        return hash.hexDigest(input)
    }

    /// The request-digest (hex) for stored hex HA1. RFC 7616 §3.4.2: for `-sess` algorithms the HA1
    /// used is H(stored HA1 ":" nonce ":" cnonce).
    public static func compute(algorithm: DigestAlgorithm, storedHA1: [UInt8], nonce: [UInt8], nonceCountText: [UInt8]?,
                               cnonce: [UInt8]?, qop: DigestCredentials.Qop?, method: some Sequence<UInt8>,
                               digestURI: some Sequence<UInt8>) -> [UInt8] {
        let hash = algorithm.hash
        var ha1 = storedHA1
        if algorithm.isSession {
            ha1 = hash.hexDigest(joined([storedHA1, nonce, cnonce ?? []]))
        }
        let ha2 = hash.hexDigest(joined([Array(method), Array(digestURI)]))
        switch qop {
        case .auth:
            return hash.hexDigest(joined([ha1, nonce, nonceCountText ?? [], cnonce ?? [], Array("auth".utf8), ha2]))
        case nil:
            return hash.hexDigest(joined([ha1, nonce, ha2]))
        }
    }

    private static func joined(_ parts: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ":")) }
            out.append(contentsOf: part)
        }
        return out
    }
}
