import Registration
import SIPAuth
import SIPMessage
import Testing

/// The registration relay between a phone (behind the NAT of `wire`) and a core registrar that is
/// the embedded `Registrar` itself, with its own user table and digest verification, reached from
/// Palisade's core face 10.0.0.1:5060. Nothing is faked: the core checks the relayed digest
/// against the Request-URI it receives.
struct RelayHarness {
    var relay = RegistrationRelay<String>(policy: .init(accessDefaultExpires: 60, accessMinimumExpires: 20,
                                                        accessMaximumExpires: 60, upstreamExpires: 3600))
    var core: Registrar<String>
    var now = AuthInstant.seconds(1000)
    var counter = 0
    /// The core side of Palisade as the core registrar sees it.
    let sbcAtCore = RegistrationSource(transport: "udp", host: "10.0.0.1", port: 5060, realm: "core")

    init() {
        var users = UserTable()
        for entry in UserEntry.entries(username: "alice", realm: "example.com", password: "wonderland") {
            try! users.add(entry)
        }
        let authenticator = DigestAuthenticator(configuration: .init(realm: "example.com", nonceLifetime: .seconds(300)),
                                                users: users, nonceSecret: Array(repeating: 9, count: 32))
        core = Registrar(policy: RegistrarPolicy(domain: "example.com", defaultExpires: 3600, minimumExpires: 60,
                                                 maximumExpires: 3600),
                         authenticator: authenticator)
    }

    var face: RegistrationRelay<String>.Face {
        .init(via: "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKrelay\(counter);rport", hostPort: "10.0.0.1:5060",
              transport: "udp")
    }

    /// The phone's REGISTER into the relay.
    mutating func phone(_ request: SIPMessage, flow: String = "flow-1",
                        source: RegistrationSource = wire) -> RelayDecision<String> {
        counter += 1
        return relay.handle(request, flow: flow, source: source, now: now,
                            fresh: .init(token: "tok\(counter)", callID: "up-call-\(counter)", fromTag: "up-tag-\(counter)"),
                            face: face, toTag: "pt\(counter)")
    }

    /// The upstream REGISTER to the core registrar, and the core's answer mapped back.
    mutating func atCore(_ upstream: SIPMessage, _ exchange: RelayExchange<String>,
                       phoneRequest: SIPMessage) -> (core: SIPMessage, phone: SIPMessage, RelayOutcome) {
        counter += 1
        let reparsed = try! SIPMessage(parsing: upstream.printed)
        let answer = core.handle(reparsed, flow: "sbc", source: sbcAtCore, now: now, salt: UInt64(counter),
                                 toTag: "ct\(counter)")
        let (mapped, outcome) = relay.answered(answer.response, exchange: exchange, phoneRequest: phoneRequest, now: now,
                                               toTag: "pt\(counter)")
        return (answer.response, mapped, outcome)
    }

    /// REGISTER, the core's 401 back to the phone, REGISTER with the phone's digest, the core's 200.
    /// Returns the two upstream REGISTERs and the final answer to the phone.
    mutating func register(_ phone: Phone = Phone(), expires: Int? = 3600, flow: String = "flow-1",
                           source: RegistrationSource = wire) throws -> (upstream: [SIPMessage], phone: SIPMessage) {
        var phone = phone
        let first = phone.register(expires: expires)
        guard case .forward(let up1, let exchange1) = self.phone(first, flow: flow, source: source) else {
            throw RelayTestError("the first REGISTER was not relayed")
        }
        let (_, challenge, outcome1) = atCore(up1, exchange1, phoneRequest: first)
        #expect(outcome1 == .challenged(status: 401))
        let header = try #require(challenge.headerValues("WWW-Authenticate").first { $0.contains("SHA-256") })
        phone.cseq += 1
        let second = phone.register(expires: expires, authorization: phone.authorization(for: header))
        guard case .forward(let up2, let exchange2) = self.phone(second, flow: flow, source: source) else {
            throw RelayTestError("the REGISTER with credentials was not relayed")
        }
        let (_, ok, _) = atCore(up2, exchange2, phoneRequest: second)
        return ([up1, up2], ok)
    }
}

struct RelayTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension SIPMessage {
    func headerValues(_ name: String) -> [String] {
        fields.filter { String(decoding: self.name(of: $0), as: UTF8.self).lowercased() == name.lowercased() }
            .map { String(decoding: value(of: $0), as: UTF8.self) }
    }

    var text: String { String(decoding: printed, as: UTF8.self) }
}

@Suite("Registration relay: REGISTER to the core registrar, throttled, topology hidden")
struct RegistrationRelayTests {
    @Test("the core's 401 reaches the phone; the phone's digest, relayed on the phone's Request-URI, passes the core's check")
    func digestThroughTheRelay() throws {
        var harness = RelayHarness()
        let (upstream, ok) = try harness.register()
        #expect(ok.statusCode == 200, "\(ok.text)")
        // The phone sees its own Contact with the short access-side expiry, nothing of the core.
        #expect(ok.headerValues("Contact") == ["<sip:alice@198.51.100.7:5060>;expires=60"])
        #expect(!ok.text.contains("10.0.0.1") && !ok.text.contains("tok"))
        // The core holds Palisade's Contact for the binding, for the upstream expiry.
        let coreBinding = try #require(harness.core.lookup(aor: "sip:alice@example.com", now: harness.now).first)
        #expect(coreBinding.contact == "sip:tok1@10.0.0.1:5060")
        #expect(coreBinding.secondsLeft(at: harness.now) == 3600)
        let binding = try #require(harness.relay.binding(token: "tok1", now: harness.now))
        #expect(binding.flow == "flow-1")
        #expect(binding.contact == "sip:alice@198.51.100.7:5060")
        #expect(binding.routingURI == "sip:alice@203.0.113.9:40000;transport=udp")
        #expect(binding.accessSecondsLeft(at: harness.now) == 60)
        #expect(binding.upstreamSecondsLeft(at: harness.now) == 3600)
        // RFC 3261 §10.2: one Call-ID for the binding, CSeq up by one, Palisade's own tag.
        #expect(upstream.map(\.callID) == ["up-call-1", "up-call-1"])
        #expect(upstream.map { $0.cseq?.sequence } == [1, 2])
        #expect(upstream.allSatisfy { $0.from?.tag == "up-tag-1" })
        #expect(upstream[1].headerValues("Authorization").count == 1)
    }

    @Test("topology hiding: nothing of the phone's addresses, Via, Call-ID or tags reaches the core")
    func topologyHidden() throws {
        var harness = RelayHarness()
        let phone = Phone()
        let (upstream, _) = try harness.register(phone)
        for message in upstream {
            let text = message.text
            for secret in ["198.51.100.7", "203.0.113.9", phone.callID, "456248", ":40000"] {
                #expect(!text.contains(secret), "\(secret) leaked:\n\(text)")
            }
            #expect(message.headerValues("Via") == [message.headerValues("Via")[0]])
            #expect(message.headerValues("Via")[0].hasPrefix("SIP/2.0/UDP 10.0.0.1:5060"))
            #expect(message.requestURIBytes.map { String(decoding: $0, as: UTF8.self) } == "sip:example.com")
            #expect(message.headerValues("Expires") == ["3600"])
        }
    }

    @Test("throttling: a refresh from the same flow is answered from the table; the core sees nothing")
    func refreshFromCache() throws {
        var harness = RelayHarness()
        _ = try harness.register()
        harness.now = harness.now.advanced(by: .seconds(50))
        var phone = Phone()
        phone.cseq = 3
        guard case .answer(let ok, let outcome) = harness.phone(phone.register(expires: 3600)) else {
            Issue.record("a refresh within the upstream expiry went upstream")
            return
        }
        #expect(outcome == .cached(aor: "sip:alice@example.com"))
        #expect(ok.statusCode == 200)
        #expect(ok.headerValues("Contact") == ["<sip:alice@198.51.100.7:5060>;expires=60"])
        let binding = try #require(harness.relay.binding(token: "tok1", now: harness.now))
        #expect(binding.accessSecondsLeft(at: harness.now) == 60)
        #expect(binding.upstreamSecondsLeft(at: harness.now) == 3550)
    }

    @Test("the REGISTER goes upstream again once the core's binding would end before the phone's next refresh")
    func refreshAtUpstreamExpiry() throws {
        var harness = RelayHarness()
        _ = try harness.register()
        // Keep the phone refreshing every 50 s until the core's binding has 60 s or less left.
        var phone = Phone()
        phone.cseq = 2
        var cached = 0
        while true {
            harness.now = harness.now.advanced(by: .seconds(50))
            phone.cseq += 1
            let request = phone.register(expires: 3600)
            switch harness.phone(request) {
            case .answer(_, let outcome):
                #expect(outcome == .cached(aor: "sip:alice@example.com"))
                cached += 1
                continue
            case .forward(let upstream, let exchange):
                #expect(upstream.callID == "up-call-1", "the binding's own Call-ID")
                #expect(upstream.cseq?.sequence == 3)
                let binding = try #require(harness.relay.binding(token: "tok1", now: harness.now))
                #expect(binding.upstreamSecondsLeft(at: harness.now) <= 60)
                // The core challenges (the phone sent no credentials); the binding stays meanwhile.
                let (_, mapped, outcome) = harness.atCore(upstream, exchange, phoneRequest: request)
                #expect(outcome == .challenged(status: 401) && mapped.statusCode == 401)
                #expect(harness.relay.binding(token: "tok1", now: harness.now) != nil)
            }
            break
        }
        #expect(cached == 70, "3600 s at the core, 50 s between refreshes: 70 answered here")
    }

    @Test("a REGISTER from another flow goes upstream; the binding's flow changes only with the core's 200")
    func newFlowNeedsTheCore() throws {
        var harness = RelayHarness()
        _ = try harness.register()
        let elsewhere = RegistrationSource(transport: "udp", host: "203.0.113.50", port: 41000, realm: "access")
        var phone = Phone()
        phone.cseq = 3
        let request = phone.register(expires: 3600)
        guard case .forward(let upstream, let exchange) = harness.phone(request, flow: "flow-2", source: elsewhere) else {
            Issue.record("a REGISTER from a new flow was answered from the table")
            return
        }
        #expect(exchange.kind == .refresh)
        #expect(harness.relay.binding(token: "tok1", now: harness.now)?.flow == "flow-1")
        let (_, mapped, _) = harness.atCore(upstream, exchange, phoneRequest: request)
        #expect(mapped.statusCode == 401)
        #expect(harness.relay.binding(token: "tok1", now: harness.now)?.flow == "flow-1", "a challenge moves nothing")
        // With the phone's credentials the core accepts, and the binding follows the new flow.
        phone.cseq += 1
        let header = try #require(mapped.headerValues("WWW-Authenticate").first { $0.contains("SHA-256") })
        let second = phone.register(expires: 3600, authorization: phone.authorization(for: header))
        guard case .forward(let up2, let exchange2) = harness.phone(second, flow: "flow-2", source: elsewhere) else {
            Issue.record("not relayed")
            return
        }
        let (_, ok, outcome) = harness.atCore(up2, exchange2, phoneRequest: second)
        #expect(ok.statusCode == 200 && outcome == .registered(aor: "sip:alice@example.com", token: "tok1"))
        #expect(harness.relay.binding(token: "tok1", now: harness.now)?.flow == "flow-2")
        #expect(harness.relay.count == 1)
    }

    @Test("Expires 0 unregisters at the core with the phone's credentials, then locally")
    func unregister() throws {
        var harness = RelayHarness()
        _ = try harness.register()
        var phone = Phone()
        phone.cseq = 3
        let request = phone.register(expires: 0)
        guard case .forward(let upstream, let exchange) = harness.phone(request) else {
            Issue.record("the unregister was not relayed")
            return
        }
        #expect(exchange.kind == .unregister)
        #expect(upstream.headerValues("Contact") == ["<sip:tok1@10.0.0.1:5060>"])
        #expect(upstream.headerValues("Expires") == ["0"])
        let (_, challenge, _) = harness.atCore(upstream, exchange, phoneRequest: request)
        #expect(challenge.statusCode == 401)
        #expect(harness.relay.binding(token: "tok1", now: harness.now) != nil, "still registered until the core agrees")
        phone.cseq += 1
        let header = try #require(challenge.headerValues("WWW-Authenticate").first { $0.contains("SHA-256") })
        let second = phone.register(expires: 0, authorization: phone.authorization(for: header))
        guard case .forward(let up2, let exchange2) = harness.phone(second) else {
            Issue.record("not relayed")
            return
        }
        let (_, ok, outcome) = harness.atCore(up2, exchange2, phoneRequest: second)
        #expect(ok.statusCode == 200 && outcome == .unregistered(aor: "sip:alice@example.com"))
        #expect(ok.headerValues("Contact").isEmpty)
        #expect(harness.relay.count == 0)
        #expect(harness.core.lookup(aor: "sip:alice@example.com", now: harness.now).isEmpty)
    }

    @Test("Contact * with Expires 0 unregisters every relayed binding of the AOR in one REGISTER")
    func wildcard() throws {
        var harness = RelayHarness()
        _ = try harness.register()
        var phone = Phone()
        phone.cseq = 3
        let request = phone.register(expires: 0, contacts: ["*"])
        guard case .forward(let upstream, let exchange) = harness.phone(request) else {
            Issue.record("the wildcard was not relayed")
            return
        }
        #expect(exchange.tokens == ["tok1"])
        #expect(upstream.headerValues("Contact") == ["<sip:tok1@10.0.0.1:5060>"])
        #expect(!upstream.text.contains("Contact: *"), "the core's other bindings of the AOR are not Palisade's to remove")
    }

    @Test("a phone that stops refreshing: its binding is dropped and Palisade unregisters it upstream with the last credentials")
    func accessExpiry() throws {
        var harness = RelayHarness()
        _ = try harness.register()
        harness.now = harness.now.advanced(by: .seconds(59))
        #expect(harness.relay.removeExpired(now: harness.now).isEmpty)
        harness.now = harness.now.advanced(by: .seconds(1))
        let expired = harness.relay.removeExpired(now: harness.now)
        let binding = try #require(expired.first)
        #expect(expired.count == 1 && binding.isRegisteredUpstream(at: harness.now))
        #expect(harness.relay.binding(token: "tok1", now: harness.now) == nil)
        let unregister = RegistrationRelay<String>.unregisterRequest(for: binding, face: harness.face)
        #expect(unregister.callID == "up-call-1" && unregister.cseq?.sequence == 3)
        #expect(unregister.headerValues("Expires") == ["0"])
        #expect(unregister.headerValues("Contact") == ["<sip:tok1@10.0.0.1:5060>"])
        #expect(unregister.headerValues("Authorization").count == 1)
        // The core answers it: the digest's nonce count was used, so it challenges (best effort);
        // its binding then lives until its own expiry.
        let answer = harness.core.handle(try SIPMessage(parsing: unregister.printed), flow: "sbc", source: harness.sbcAtCore,
                                         now: harness.now, salt: 99, toTag: "x")
        #expect(answer.response.statusCode == 401)
    }

    @Test("a first registration the core refuses leaves nothing; its status reaches the phone")
    func refusedUpstream() throws {
        var harness = RelayHarness()
        var phone = Phone()
        phone.user = "mallory"
        phone.toURI = "sip:mallory@example.com"
        let first = phone.register(expires: 3600)
        guard case .forward(_, let exchange) = harness.phone(first) else {
            Issue.record("not relayed")
            return
        }
        let forbidden = SIPMessage.response(403, reason: "Forbidden", headers: [
            ("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKrelay1"), ("From", "<sip:mallory@example.com>;tag=up-tag-1"),
            ("To", "<sip:mallory@example.com>;tag=c1"), ("Call-ID", "up-call-1"), ("CSeq", "1 REGISTER")])
        let (mapped, outcome) = harness.relay.answered(forbidden, exchange: exchange, phoneRequest: first,
                                                        now: harness.now, toTag: "p")
        #expect(mapped.statusCode == 403 && outcome == .failed(status: 403))
        #expect(mapped.callID == phone.callID, "the phone's own transaction")
        #expect(harness.relay.count == 0)
        // A 423 from the core is Palisade's interval, not the phone's: 500 with a Warning.
        guard case .forward(_, let again) = harness.phone(first) else { return }
        let brief = SIPMessage.response(423, reason: "Interval Too Brief", headers: [
            ("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKrelay2"), ("From", "<sip:mallory@example.com>;tag=up-tag-3"),
            ("To", "<sip:mallory@example.com>;tag=c2"), ("Call-ID", "up-call-3"), ("CSeq", "1 REGISTER"),
            ("Min-Expires", "7200")])
        let (mapped423, _) = harness.relay.answered(brief, exchange: again, phoneRequest: first, now: harness.now, toTag: "p")
        #expect(mapped423.statusCode == 500)
        #expect(mapped423.headerValues("Warning").first?.contains("7200") == true)
    }

    @Test("refused here: several Contacts, a misused *, an interval below the minimum, Require")
    func localRefusals() {
        var harness = RelayHarness()
        let phone = Phone()
        let cases: [(SIPMessage, Int)] = [
            (phone.register(expires: 60, contacts: ["<sip:alice@198.51.100.7:5060>", "<sip:alice@198.51.100.7:5070>"]), 400),
            (phone.register(expires: 60, contacts: ["*"]), 400),
            (phone.register(expires: 5), 423),
            (phone.register(expires: 60, extra: ["Require: gruu"]), 420),
        ]
        for (request, status) in cases {
            guard case .answer(let response, let outcome) = harness.phone(request) else {
                Issue.record("relayed: \(request.text)")
                continue
            }
            #expect(response.statusCode == status)
            if case .refused = outcome {} else { Issue.record("outcome \(outcome)") }
        }
        #expect(harness.relay.count == 0)
    }

    @Test("a query (no Contact) goes upstream with a one-off identity; the 200 lists only the phone's own Contacts")
    func query() throws {
        var harness = RelayHarness()
        _ = try harness.register()
        let request = Phone().register(contacts: [])
        guard case .forward(let upstream, let exchange) = harness.phone(request) else {
            Issue.record("the query was not relayed")
            return
        }
        #expect(exchange.kind == .query && upstream.headerValues("Contact").isEmpty)
        #expect(upstream.callID != "up-call-1")
        let ok = SIPMessage.response(200, reason: "OK", headers: [
            ("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKq"), ("From", "<sip:alice@example.com>;tag=q"),
            ("To", "<sip:alice@example.com>;tag=c"), ("Call-ID", upstream.callID ?? ""), ("CSeq", "1 REGISTER"),
            ("Contact", "<sip:tok1@10.0.0.1:5060>;expires=3000"), ("Contact", "<sip:alice@10.9.9.9:5060>;expires=100")])
        let (mapped, outcome) = harness.relay.answered(ok, exchange: exchange, phoneRequest: request, now: harness.now,
                                                        toTag: "p")
        #expect(outcome == .queried(aor: "sip:alice@example.com"))
        #expect(mapped.headerValues("Contact") == ["<sip:alice@198.51.100.7:5060>;expires=60"])
    }
}
