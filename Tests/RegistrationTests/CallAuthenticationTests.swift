import Registration
import SIPAuth
import SIPMessage
import Testing

/// A phone on an untrusted realm places a call: INVITE bytes as a phone sends them, the 407 it
/// gets, and the Proxy-Authorization it computes (RFC 3261 §22.3, RFC 7616 §3.4 with method INVITE).
struct Caller {
    var from = "alice"
    var requestURI = "sip:2000@192.0.2.1:5060"

    func invite(cseq: Int = 1, proxyAuthorization: String? = nil) -> SIPMessage {
        var lines = [
            "INVITE \(requestURI) SIP/2.0",
            "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-call-\(cseq);rport",
            "Max-Forwards: 70",
            "From: <sip:\(from)@example.com>;tag=caller-1",
            "To: <sip:2000@example.com>",
            "Call-ID: call-1@198.51.100.7",
            "CSeq: \(cseq) INVITE",
            "Contact: <sip:\(from)@198.51.100.7:5060>",
        ]
        if let proxyAuthorization { lines.append("Proxy-Authorization: \(proxyAuthorization)") }
        lines.append("Content-Length: 0")
        return try! SIPMessage(parsing: Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8))
    }

    func credentials(for challenge: String, user: String, password: String, algorithm: DigestAlgorithm = .sha256,
                     nc: String = "00000001") -> String {
        let nonce = Phone.parameter("nonce", in: challenge)
        let realm = Phone.parameter("realm", in: challenge)
        let ha1 = DigestResponse.ha1(hash: algorithm.hash, username: user.utf8, realm: realm.utf8, password: password.utf8)
        let response = DigestResponse.compute(algorithm: algorithm, storedHA1: ha1, nonce: Array(nonce.utf8),
                                              nonceCountText: Array(nc.utf8), cnonce: Array("0a4f113b".utf8),
                                              qop: .auth, method: "INVITE".utf8, digestURI: requestURI.utf8)
        return "Digest username=\"\(user)\", realm=\"\(realm)\", nonce=\"\(nonce)\", uri=\"\(requestURI)\", "
            + "response=\"\(String(decoding: response, as: UTF8.self))\", algorithm=\(algorithm.token), "
            + "qop=auth, nc=\(nc), cnonce=\"0a4f113b\""
    }
}

extension Harness {
    mutating func call(_ request: SIPMessage, from source: RegistrationSource = wire) -> CallAuthenticationAnswer {
        salt &+= 1
        return registrar.authenticateCall(request, source: source, now: now, salt: salt, toTag: "t\(salt)")
    }

    /// The SHA-256 Proxy-Authenticate of a 407 answer.
    func challenge(in answer: CallAuthenticationAnswer) -> String? {
        guard case .answer(let response, _, _) = answer, response.statusCode == 407 else { return nil }
        return response.fields.filter { $0.name == .proxyAuthenticate }
            .map { String(decoding: response.value(of: $0), as: UTF8.self) }.first { $0.contains("algorithm=SHA-256") }
    }
}

extension CallAuthenticationAnswer {
    var status: Int? {
        if case .answer(let response, _, _) = self { return response.statusCode }
        return nil
    }

    var outcome: CallAuthenticationOutcome {
        switch self {
        case .authenticated: .authenticated
        case .answer(_, _, let outcome): outcome
        }
    }

    var delay: Duration? {
        if case .answer(_, let delay, _) = self { return delay }
        return nil
    }
}

@Suite("Proxy authentication of calls from untrusted realms (RFC 3261 §22.3)")
struct CallAuthenticationTests {
    @Test("an INVITE without credentials gets 407 with Proxy-Authenticate, SHA-256 then MD5, qop=auth")
    func challenged() throws {
        var harness = Harness()
        let answer = harness.call(Caller().invite())
        #expect(answer.status == 407)
        #expect(answer.outcome == .challenged(stale: false))
        guard case .answer(let response, _, _) = answer else { return }
        let challenges = response.fields.filter { $0.name == .proxyAuthenticate }
            .map { String(decoding: response.value(of: $0), as: UTF8.self) }
        #expect(challenges.count == 2 && challenges[0].contains("algorithm=SHA-256") && challenges[1].contains("algorithm=MD5"))
        #expect(challenges.allSatisfy { $0.contains("qop=\"auth\"") })
        #expect(response.field(.wwwAuthenticate) == nil)
    }

    @Test("the right credentials for the From user pass, with either algorithm; a replayed nc is refused")
    func accepted() throws {
        for algorithm in [DigestAlgorithm.sha256, .md5] {
            var harness = Harness()
            let first = harness.call(Caller().invite())
            guard case .answer(let response, _, _) = first else { Issue.record("no 407"); return }
            let challenge = try #require(response.fields.filter { $0.name == .proxyAuthenticate }
                .map { String(decoding: response.value(of: $0), as: UTF8.self) }
                .first { $0.contains("algorithm=\(algorithm.token)") })
            let credentials = Caller().credentials(for: challenge, user: "alice", password: "wonderland",
                                                   algorithm: algorithm)
            let answer = harness.call(Caller().invite(cseq: 2, proxyAuthorization: credentials))
            guard case .authenticated(let user) = answer else { Issue.record("\(answer)"); continue }
            #expect(user == "alice")
            // RFC 7616 §3.3 replay protection: the same nonce count again is a failure, not a call.
            let replay = harness.call(Caller().invite(cseq: 3, proxyAuthorization: credentials))
            #expect(replay.status == 407 && replay.outcome == .failed(.replayedNonceCount))
        }
    }

    @Test("a wrong password gets a fresh 407; repeated failures are delayed, then refused with 503 and Retry-After")
    func wrongPasswordThrottled() throws {
        var harness = Harness(throttle: .init(delayAfterFailures: 2, refuseAfterFailures: 4, coolOff: .seconds(60)))
        var answers: [CallAuthenticationAnswer] = []
        for attempt in 1...5 {
            let challenge = try #require(harness.challenge(in: harness.call(Caller().invite())))
            answers.append(harness.call(Caller().invite(cseq: attempt + 1, proxyAuthorization: Caller().credentials(
                for: challenge, user: "alice", password: "guess-\(attempt)"))))
            if answers.last?.status == 503 { break }
        }
        #expect(answers.map(\.status) == [407, 407, 407, 503])
        #expect(answers[0].delay == nil && answers[1].delay == .seconds(1) && answers[2].delay == .seconds(2))
        #expect(answers.allSatisfy { $0.outcome == .failed(.wrongResponse) })
        // While refused, even an INVITE without credentials is refused, nothing checked.
        let refused = harness.call(Caller().invite())
        #expect(refused.status == 503 && refused.outcome == .throttled)
        guard case .answer(let response, _, _) = refused else { return }
        #expect(response.field(named: "Retry-After") != nil)
    }

    @Test("the throttle is shared with REGISTER: failures of one method count for the other")
    func sharedThrottle() throws {
        var harness = Harness(throttle: .init(delayAfterFailures: 1, refuseAfterFailures: 2, coolOff: .seconds(60)))
        var phone = Phone()
        let registerChallenge = harness.send(phone.register()).headers("WWW-Authenticate").first ?? ""
        phone.cseq += 1
        let failed = harness.send(phone.register(authorization: phone.authorization(for: registerChallenge,
                                                                                     password: "nope")))
        #expect(failed.outcome == .authenticationFailed(.wrongResponse))
        let challenge = try #require(harness.challenge(in: harness.call(Caller().invite())))
        let second = harness.call(Caller().invite(cseq: 2, proxyAuthorization: Caller().credentials(
            for: challenge, user: "alice", password: "nope")))
        #expect(second.status == 503)
    }

    @Test("authenticated as bob, calling From alice: 403, counted as a failure")
    func foreignCaller() throws {
        var harness = Harness()
        let challenge = try #require(harness.challenge(in: harness.call(Caller().invite())))
        let answer = harness.call(Caller(from: "alice").invite(cseq: 2, proxyAuthorization: Caller().credentials(
            for: challenge, user: "bob", password: "builder")))
        #expect(answer.status == 403)
        #expect(answer.outcome == .failed(.foreignAOR) && answer.outcome.result == "foreign-caller")
        #expect(harness.registrar.throttle.trackedSourceCount == 1)
    }

    @Test("credentials for another realm (the core's proxy) are not ours: challenged, not failed")
    func otherRealm() {
        var harness = Harness()
        let foreign = "Digest username=\"alice\", realm=\"core.example.net\", nonce=\"abc\", uri=\"sip:2000@192.0.2.1:5060\", "
            + "response=\"00\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"x\""
        let answer = harness.call(Caller().invite(proxyAuthorization: foreign))
        #expect(answer.status == 407 && answer.outcome == .challenged(stale: false))
    }
}
