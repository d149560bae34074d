import SIPAuth
import Testing

/// The REGISTER fixtures were made by Fixtures/generate.py with this secret, time, salt and address.
private let secret = [UInt8](0..<32)
private let issued = AuthInstant(milliseconds: 1_000_000)
private let salt: UInt64 = 0x0123_4567_89ab_cdef
private let phone = Array("192.0.2.10".utf8)

@Suite("Digest verification for the embedded registrar")
struct DigestAuthenticatorTests {
    func authenticator(algorithms: [DigestAlgorithm] = DigestChallenge.defaultAlgorithms, replayCapacity: Int = 1024,
                       secret: [UInt8] = secret) throws -> DigestAuthenticator {
        let users = try UserTable(parsing: SIPAuthFixtures.bytes("users.txt"))
        return DigestAuthenticator(
            configuration: .init(realm: "example.com", algorithms: algorithms, replayTableCapacity: replayCapacity),
            users: users, nonceSecret: secret)
    }

    /// What a phone would send: credentials for `nonce` with the right response for `password`.
    func phoneCredentials(user: String = "alice", password: String = "wonderland", realm: String = "example.com",
                          algorithm: DigestAlgorithm = .sha256, nonce: [UInt8], nc: String = "00000001",
                          uri: String = "sip:example.com", method: String = "REGISTER") -> DigestCredentials {
        let ha1 = UserEntry(username: user, realm: realm, password: password, hash: algorithm.hash).ha1
        let cnonce = Array("c0ffee".utf8)
        let response = DigestResponse.compute(
            algorithm: algorithm, storedHA1: ha1, nonce: nonce, nonceCountText: Array(nc.utf8), cnonce: cnonce,
            qop: .auth, method: method.utf8, digestURI: uri.utf8)
        return DigestCredentials(username: Array(user.utf8), realm: Array(realm.utf8), nonce: nonce,
                                 uri: Array(uri.utf8), response: response, algorithm: algorithm, qop: .auth,
                                 nonceCountText: Array(nc.utf8), cnonce: cnonce)
    }

    func verify(_ auth: inout DigestAuthenticator, _ credentials: DigestCredentials, uri: String = "sip:example.com",
                address: [UInt8] = phone, at now: AuthInstant = issued.advanced(by: .seconds(1))) -> DigestVerdict {
        auth.verify(credentials, method: "REGISTER".utf8, requestURI: uri.utf8, clientAddress: address, now: now)
    }

    func nonce(_ auth: DigestAuthenticator, at now: AuthInstant = issued, salt: UInt64 = salt,
               address: [UInt8] = phone) -> [UInt8] {
        auth.challenges(now: now, salt: salt, clientAddress: address)[0].nonce
    }

    @Test("The challenge for the fixture's time, salt and address carries the fixture's nonce")
    func challengeMatchesFixture() throws {
        let auth = try authenticator()
        let request = try SIPAuthFixtures.request("register-sha256.sip")
        let sent = try DigestCredentials(parsing: request.authorization)
        let challenges = auth.challenges(now: issued, salt: salt, clientAddress: phone)
        #expect(challenges.map(\.algorithm) == [.sha256, .md5])
        #expect(challenges.allSatisfy { $0.nonce == sent.nonce && !$0.stale })
        #expect(sent.nonce.count == NonceAuthority.nonceLength)
    }

    @Test("SIP REGISTER with qop=auth is accepted", arguments: [
        ("register-sha256.sip", "alice", [DigestAlgorithm.sha256, .md5]),
        ("register-md5.sip", "bob", [.sha256, .md5]),
        ("register-sha256-sess.sip", "alice", [.sha256Session, .sha256, .md5]),
    ])
    func registerAccepted(file: String, user: String, algorithms: [DigestAlgorithm]) throws {
        var auth = try authenticator(algorithms: algorithms)
        let request = try SIPAuthFixtures.request(file)
        let verdict = auth.verify(headerValue: request.authorization, method: request.method,
                                  requestURI: request.requestURI, clientAddress: phone,
                                  now: issued.advanced(by: .seconds(2)))
        #expect(verdict == .accepted(username: Array(user.utf8)))
        #expect(auth.rememberedNonceCount == 1)
    }

    @Test("Wrong password is rejected (and does not touch the replay table)")
    func wrongPassword() throws {
        var auth = try authenticator()
        let request = try SIPAuthFixtures.request("register-md5-wrong-password.sip")
        let verdict = auth.verify(headerValue: request.authorization, method: request.method,
                                  requestURI: request.requestURI, clientAddress: phone, now: issued)
        #expect(verdict == .rejected(.wrongResponse))
        #expect(auth.rememberedNonceCount == 0)
    }

    @Test("Wrong realm, wrong digest-uri, wrong method, unknown user")
    func mismatches() throws {
        var auth = try authenticator()
        let nonce = nonce(auth)
        #expect(verify(&auth, phoneCredentials(realm: "example.org", nonce: nonce)) == .rejected(.realmMismatch))
        #expect(verify(&auth, phoneCredentials(nonce: nonce), uri: "sip:example.com;transport=tcp")
            == .rejected(.uriMismatch))
        #expect(verify(&auth, phoneCredentials(nonce: nonce, method: "INVITE")) == .rejected(.wrongResponse))
        #expect(verify(&auth, phoneCredentials(user: "carol", nonce: nonce)) == .rejected(.unknownUser))
        // MD5 credentials need an MD5 line for the user: alice has one, but not with this password.
        #expect(verify(&auth, phoneCredentials(password: "x", algorithm: .md5, nonce: nonce)) == .rejected(.wrongResponse))
    }

    @Test("An expired nonce with the right response is stale; with a wrong one, rejected")
    func expiredNonce() throws {
        var auth = try authenticator()
        let nonce = nonce(auth)
        let lastValid = issued.advanced(by: .seconds(300))
        let expired = issued.advanced(by: .milliseconds(300_001))
        #expect(verify(&auth, phoneCredentials(nonce: nonce, nc: "00000001"), at: lastValid)
            == .accepted(username: Array("alice".utf8)))
        #expect(verify(&auth, phoneCredentials(nonce: nonce, nc: "00000002"), at: expired) == .stale)
        #expect(verify(&auth, phoneCredentials(password: "guess", nonce: nonce, nc: "00000003"), at: expired)
            == .rejected(.wrongResponse))
    }

    @Test("Forged nonces: a flipped character, another process's secret, another address, the future")
    func forgedNonces() throws {
        var auth = try authenticator()
        var flipped = nonce(auth)
        flipped[flipped.count - 1] = flipped.last == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        #expect(verify(&auth, phoneCredentials(nonce: flipped)) == .rejected(.invalidNonce))

        let restarted = try authenticator(secret: [UInt8](repeating: 7, count: 32))
        #expect(verify(&auth, phoneCredentials(nonce: nonce(restarted))) == .rejected(.invalidNonce))

        let elsewhere = nonce(auth, address: Array("198.51.100.7".utf8))
        #expect(verify(&auth, phoneCredentials(nonce: elsewhere)) == .rejected(.invalidNonce))

        let future = nonce(auth, at: issued.advanced(by: .seconds(60)))
        #expect(verify(&auth, phoneCredentials(nonce: future), at: issued) == .rejected(.invalidNonce))

        #expect(verify(&auth, phoneCredentials(nonce: Array("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".utf8)))
            == .rejected(.invalidNonce))
        let uppercased = nonce(auth).map { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) ? $0 - 0x20 : $0 }
        #expect(verify(&auth, phoneCredentials(nonce: uppercased)) == .rejected(.invalidNonce))
    }

    @Test("The same nc twice is refused; a higher nc on the same nonce is accepted; nc 0 never")
    func replayedNonceCount() throws {
        var auth = try authenticator()
        let nonce = nonce(auth)
        let alice = DigestVerdict.accepted(username: Array("alice".utf8))
        #expect(verify(&auth, phoneCredentials(nonce: nonce, nc: "00000001")) == alice)
        #expect(verify(&auth, phoneCredentials(nonce: nonce, nc: "00000001")) == .rejected(.replayedNonceCount))
        #expect(verify(&auth, phoneCredentials(nonce: nonce, nc: "00000003")) == alice)
        #expect(verify(&auth, phoneCredentials(nonce: nonce, nc: "00000002")) == .rejected(.replayedNonceCount))
        let other = self.nonce(auth, salt: 99)
        #expect(verify(&auth, phoneCredentials(nonce: other, nc: "00000000")) == .rejected(.replayedNonceCount))
    }

    @Test("A replayed REGISTER fixture is refused the second time")
    func replayedFixture() throws {
        var auth = try authenticator()
        let request = try SIPAuthFixtures.request("register-sha256.sip")
        for expected in [DigestVerdict.accepted(username: Array("alice".utf8)), .rejected(.replayedNonceCount)] {
            #expect(auth.verify(headerValue: request.authorization, method: request.method,
                                requestURI: request.requestURI, clientAddress: phone, now: issued) == expected)
        }
    }

    @Test("qop=auth-int, no qop, and algorithms not offered are refused cleanly")
    func refusedForms() throws {
        var auth = try authenticator()
        let nonce = nonce(auth)
        let authInt = #"Digest username="alice", realm="example.com", nonce="\#(nonce.text)", uri="sip:example.com", "#
            + #"response="00", qop=auth-int, nc=00000001, cnonce="x""#
        #expect(auth.verify(headerValue: Array(authInt.utf8), method: "REGISTER".utf8, requestURI: "sip:example.com".utf8,
                            clientAddress: phone, now: issued) == .rejected(.malformed(.unsupportedQop)))
        var noQop = phoneCredentials(nonce: nonce)
        noQop.qop = nil
        #expect(verify(&auth, noQop) == .rejected(.qopRequired))
        #expect(verify(&auth, phoneCredentials(algorithm: .md5Session, nonce: nonce)) == .rejected(.algorithmNotOffered))
        var strict = try authenticator(algorithms: [.sha256])
        #expect(verify(&strict, phoneCredentials(algorithm: .md5, nonce: nonce)) == .rejected(.algorithmNotOffered))
    }

    @Test("An upper-case response is the same response")
    func upperCaseResponse() throws {
        var auth = try authenticator()
        var credentials = phoneCredentials(nonce: nonce(auth))
        credentials.response = credentials.response.map { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) ? $0 - 0x20 : $0 }
        #expect(verify(&auth, credentials) == .accepted(username: Array("alice".utf8)))
    }

    @Test("A nonce evicted from a full replay table is answered stale, never accepted again")
    func evictionIsStale() throws {
        var auth = try authenticator(replayCapacity: 2)
        let alice = DigestVerdict.accepted(username: Array("alice".utf8))
        let nonces = (0..<3).map { nonce(auth, at: issued.advanced(by: .seconds(Int64($0))), salt: UInt64($0)) }
        let later = issued.advanced(by: .seconds(10))
        for nonce in nonces {
            #expect(verify(&auth, phoneCredentials(nonce: nonce), at: later) == alice)
        }
        #expect(auth.rememberedNonceCount == 2)
        #expect(verify(&auth, phoneCredentials(nonce: nonces[0], nc: "00000001"), at: later) == .stale)
        #expect(verify(&auth, phoneCredentials(nonce: nonces[0], nc: "00000002"), at: later) == .stale)
        #expect(verify(&auth, phoneCredentials(nonce: nonces[2], nc: "00000002"), at: later) == alice)
        let fresh = nonce(auth, at: later, salt: 42)
        #expect(verify(&auth, phoneCredentials(nonce: fresh), at: later) == alice)
    }

    @Test("Expired nonces leave the replay table as time passes")
    func expiredEntriesLeave() throws {
        var auth = try authenticator()
        for index in 0..<5 {
            let nonce = nonce(auth, salt: UInt64(index))
            _ = verify(&auth, phoneCredentials(nonce: nonce), at: issued)
        }
        #expect(auth.rememberedNonceCount == 5)
        let muchLater = issued.advanced(by: .seconds(1000))
        let nonce = nonce(auth, at: muchLater, salt: 77)
        #expect(verify(&auth, phoneCredentials(nonce: nonce), at: muchLater) == .accepted(username: Array("alice".utf8)))
        #expect(auth.rememberedNonceCount == 1)
    }
}
