import SIPAuth
import Testing

@Suite("Digest responses and challenges")
struct DigestResponseTests {
    /// RFC 7616 §3.9.1: user Mufasa, password "Circle of Life", GET /dir/index.html.
    @Test("RFC 7616 §3.9.1 example: SHA-256 and MD5 responses", arguments: [
        ("rfc7616-3.9.1-sha256.authorization", DigestAlgorithm.Hash.sha256),
        ("rfc7616-3.9.1-md5.authorization", DigestAlgorithm.Hash.md5),
    ])
    func rfc7616Example(file: String, hash: DigestAlgorithm.Hash) throws {
        let credentials = try DigestCredentials(parsing: SIPAuthFixtures.bytes(file))
        let entry = UserEntry(username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life", hash: hash)
        let response = DigestResponse.compute(
            algorithm: credentials.algorithm, storedHA1: entry.ha1, nonce: credentials.nonce,
            nonceCountText: credentials.nonceCountText, cnonce: credentials.cnonce, qop: credentials.qop,
            method: "GET".utf8, digestURI: credentials.uri)
        #expect(response == credentials.response)
        #expect(response.text == (hash == .sha256
            ? "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
            : "8ca523f5e9506fed4657c9700eebdbec"))
    }

    @Test("RFC 2617 §3.5 example (MD5, qop=auth)")
    func rfc2617Example() {
        let entry = UserEntry(username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life", hash: .md5)
        let response = DigestResponse.compute(
            algorithm: .md5, storedHA1: entry.ha1, nonce: Array("dcd98b7102dd2f0e8b11d0f600bfb0c093".utf8),
            nonceCountText: Array("00000001".utf8), cnonce: Array("0a4f113b".utf8), qop: .auth, method: "GET".utf8,
            digestURI: "/dir/index.html".utf8)
        #expect(response.text == "6629fae49393a05397450978507c4ef1")
    }

    @Test("A 401 offers SHA-256 first, then MD5, sharing one nonce, with qop=auth")
    func challengeOrder() {
        let challenges = DigestChallenge.challenges(realm: Array("example.com".utf8), nonce: Array("n1".utf8))
        #expect(challenges.map(\.headerValue.text) == [
            #"Digest realm="example.com", nonce="n1", algorithm=SHA-256, qop="auth""#,
            #"Digest realm="example.com", nonce="n1", algorithm=MD5, qop="auth""#,
        ])
    }

    @Test("stale=true, opaque, and a realm with a quote escaped")
    func challengeStale() {
        let challenge = DigestChallenge(realm: Array(#"a"b"#.utf8), nonce: Array("n".utf8), algorithm: .md5,
                                        opaque: Array("o".utf8), stale: true)
        #expect(challenge.headerValue.text == #"Digest realm="a\"b", nonce="n", opaque="o", stale=true, algorithm=MD5, qop="auth""#)
    }

    @Test("Role names the status code and header pair (RFC 3261 §22.2, §22.3)")
    func roles() {
        #expect(DigestChallengeRole.server.statusCode == 401)
        #expect(DigestChallengeRole.server.challengeHeaderName == "WWW-Authenticate")
        #expect(DigestChallengeRole.proxy.statusCode == 407)
        #expect(DigestChallengeRole.proxy.credentialsHeaderName == "Proxy-Authorization")
    }
}
