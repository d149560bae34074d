import SIPAuth
import Testing

@Suite("Parsing Authorization / Proxy-Authorization credentials")
struct DigestCredentialsParsingTests {
    func parse(_ text: String) throws(DigestParseError) -> DigestCredentials {
        try DigestCredentials(parsing: Array(text.utf8))
    }

    func parseError(_ text: String) -> DigestParseError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    static let base = #"username="bob", realm="example.com", nonce="abc", uri="sip:example.com", response="0123""#

    @Test("RFC 7616 §3.9.1: the folded SHA-256 example parses field by field")
    func rfcExample() throws {
        let credentials = try DigestCredentials(parsing: SIPAuthFixtures.bytes("rfc7616-3.9.1-sha256.authorization"))
        #expect(credentials.username.text == "Mufasa")
        #expect(credentials.realm.text == "http-auth@example.org")
        #expect(credentials.uri.text == "/dir/index.html")
        #expect(credentials.algorithm == .sha256)
        #expect(credentials.nonce.text == "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v")
        #expect(credentials.nonceCountText?.text == "00000001")
        #expect(credentials.nonceCount == 1)
        #expect(credentials.cnonce?.text == "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
        #expect(credentials.qop == .auth)
        #expect(credentials.response.text == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
        #expect(credentials.opaque?.text == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
    }

    @Test("Quoted strings unescape quoted-pairs; unquoted tokens; case-insensitive scheme and names")
    func quotingAndCase() throws {
        let credentials = try parse(
            #"dIgEsT  USERNAME="b\"o\\b" ,Realm="example.com",nonce="n",uri="sip:x",response="r",ALGORITHM=sha-256-SESS,"#
                + #" qop="auth", NC=0000000a, cnonce=c1, future-param="ignored, really""#)
        #expect(credentials.username.text == #"b"o\b"#)
        #expect(credentials.algorithm == .sha256Session)
        #expect(credentials.qop == .auth)
        #expect(credentials.nonceCount == 10)
        #expect(credentials.cnonce?.text == "c1")
    }

    @Test("Without algorithm the default is MD5 (RFC 7616 §3.4); all four algorithms are known")
    func algorithms() throws {
        #expect(try parse("Digest " + Self.base).algorithm == .md5)
        for algorithm in DigestAlgorithm.allCases {
            #expect(try parse("Digest " + Self.base + ", algorithm=" + algorithm.token).algorithm == algorithm)
        }
    }

    @Test("Refusals name their code, offset and parameter")
    func refusals() {
        #expect(parseError(#"Basic dXNlcjpwYXNz"#)?.code == .notDigestScheme)
        #expect(parseError("Digest")?.code == .notDigestScheme)
        #expect(parseError("Digest " + Self.base + ", qop=auth-int, nc=00000001, cnonce=\"x\"")?.code == .unsupportedQop)
        #expect(parseError("Digest " + Self.base + ", qop=auth-int, nc=00000001, cnonce=\"x\"")?.parameter == "qop")
        #expect(parseError("Digest " + Self.base + ", algorithm=SHA-512-256")?.code == .unsupportedAlgorithm)
        #expect(parseError("Digest " + Self.base + #", response="again""#)?.code == .duplicateParameter)
        #expect(parseError("Digest " + Self.base + ", qop=auth")?.code == .qopWithoutNonceCount)
        #expect(parseError("Digest " + Self.base + ", qop=auth, nc=1, cnonce=x")?.code == .invalidNonceCount)
        #expect(parseError(#"Digest username="bob, realm="x""#)?.code == .malformedParameter)
        #expect(parseError(#"Digest username="bob"#)?.code == .unterminatedQuotedString)
        #expect(parseError(#"Digest username="bob\"#)?.code == .unterminatedQuotedString)
        #expect(parseError(#"Digest username "bob""#)?.code == .malformedParameter)
        #expect(parseError(#"Digest username="bob" realm="x""#)?.code == .malformedParameter)
        #expect(parseError(#"Digest username=, realm="x""#)?.code == .malformedParameter)
        let missing = parseError(#"Digest username="bob", realm="example.com", nonce="n", uri="sip:x""#)
        #expect(missing?.code == .missingParameter)
        #expect(missing?.parameter == "response")
        #expect(parseError(#"Digest username="bob", realm="x" ; nonce="n""#)?.offset == 33)
    }

    @Test("Empty list elements are skipped (RFC 3261 §7.3.1 #rule)")
    func emptyElements() throws {
        #expect(try parse("Digest ,," + Self.base + ",, ").username.text == "bob")
    }

    @Test("Known gap: RFC 7616 §3.4.4 username* (extended notation) and userhash are not supported")
    func extendedUsername() {
        // Palisade never offers userhash, and no SIP phone we know sends username*; until one does,
        // such credentials fail as if the username were missing. This case fails on purpose so the
        // gap cannot disappear silently.
        withKnownIssue("username* is ignored, so the credentials lack a username") {
            let credentials = try parse(
                #"Digest username*=UTF-8''J%C3%A4s%C3%B8n, realm="example.com", nonce="n", uri="sip:x", response="r""#)
            #expect(credentials.username.text == "Jäsøn")
        }
    }
}
