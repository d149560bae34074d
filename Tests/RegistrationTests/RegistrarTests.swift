import Registration
import SIPAuth
import SIPMessage
import Testing

/// A phone at 198.51.100.7:5060 behind a NAT that shows it as 203.0.113.9:40000, registering
/// `sip:alice@example.com` with real REGISTER bytes; the shell's flow is a plain string here.
struct Phone {
    var user = "alice"
    var password = "wonderland"
    var contact = "<sip:alice@198.51.100.7:5060>"
    var callID = "a84b4c76e66710@198.51.100.7"
    var cseq = 1
    var requestURI = "sip:example.com"
    var toURI = "sip:alice@example.com"

    func register(expires: Int? = nil, contacts: [String]? = nil, extra: [String] = [],
                  authorization: String? = nil) -> SIPMessage {
        var lines = [
            "REGISTER \(requestURI) SIP/2.0",
            "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK\(cseq)x\(callID.hashValue & 0xffff);rport",
            "Max-Forwards: 70",
            "To: <\(toURI)>",
            "From: <\(toURI)>;tag=456248",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) REGISTER",
        ]
        for value in contacts ?? [contact] { lines.append("Contact: \(value)") }
        if let expires { lines.append("Expires: \(expires)") }
        lines.append(contentsOf: extra)
        if let authorization { lines.append("Authorization: \(authorization)") }
        lines.append("Content-Length: 0")
        let text = lines.joined(separator: "\r\n") + "\r\n\r\n"
        return try! SIPMessage(parsing: Array(text.utf8))
    }

    /// The Authorization a phone computes for a challenge (RFC 7616 §3.4.1, qop=auth).
    func authorization(for challenge: String, algorithm: DigestAlgorithm = .sha256, nc: String = "00000001",
                       username: String? = nil, password: String? = nil, uri: String? = nil) -> String {
        let nonce = Self.parameter("nonce", in: challenge)
        let realm = Self.parameter("realm", in: challenge)
        let name = username ?? user
        let digestURI = uri ?? requestURI
        let ha1 = DigestResponse.ha1(hash: algorithm.hash, username: name.utf8, realm: realm.utf8,
                                     password: (password ?? self.password).utf8)
        let response = DigestResponse.compute(algorithm: algorithm, storedHA1: ha1, nonce: Array(nonce.utf8),
                                              nonceCountText: Array(nc.utf8), cnonce: Array("0a4f113b".utf8),
                                              qop: .auth, method: "REGISTER".utf8, digestURI: digestURI.utf8)
        return "Digest username=\"\(name)\", realm=\"\(realm)\", nonce=\"\(nonce)\", uri=\"\(digestURI)\", "
            + "response=\"\(String(decoding: response, as: UTF8.self))\", algorithm=\(algorithm.token), "
            + "qop=auth, nc=\(nc), cnonce=\"0a4f113b\""
    }

    static func parameter(_ name: String, in header: String) -> String {
        let bytes = Array(header.utf8), needle = Array((name + "=\"").utf8)
        guard bytes.count >= needle.count,
              let start = (0...(bytes.count - needle.count)).first(where: { bytes[$0..<($0 + needle.count)].elementsEqual(needle) })
        else { return "" }
        let rest = bytes[(start + needle.count)...]
        return String(decoding: rest.prefix { $0 != UInt8(ascii: "\"") }, as: UTF8.self)
    }
}

let wire = RegistrationSource(transport: "udp", host: "203.0.113.9", port: 40000, realm: "access")

struct Harness {
    var registrar: Registrar<String>
    var now = AuthInstant.seconds(1000)
    var salt: UInt64 = 1

    init(throttle: AuthFailureThrottle<String>.Policy = .init(), policy: RegistrarPolicy? = nil) {
        var users = UserTable()
        for entry in UserEntry.entries(username: "alice", realm: "example.com", password: "wonderland")
            + UserEntry.entries(username: "bob", realm: "example.com", password: "builder") {
            try! users.add(entry)
        }
        let authenticator = DigestAuthenticator(configuration: .init(realm: "example.com", nonceLifetime: .seconds(30)),
                                                users: users, nonceSecret: Array(repeating: 7, count: 32))
        registrar = Registrar(policy: policy ?? RegistrarPolicy(domain: "example.com", servedHosts: ["192.0.2.1"],
                                                                 defaultExpires: 60, minimumExpires: 20,
                                                                 maximumExpires: 300),
                              authenticator: authenticator, throttle: throttle)
    }

    mutating func send(_ request: SIPMessage, from source: RegistrationSource = wire,
                       flow: String = "flow-1") -> RegistrarAnswer {
        salt &+= 1
        return registrar.handle(request, flow: flow, source: source, now: now, salt: salt, toTag: "t\(salt)")
    }

    /// REGISTER without credentials, then with the answer to the first challenge.
    mutating func register(_ phone: Phone, expires: Int? = nil, contacts: [String]? = nil,
                           algorithm: DigestAlgorithm = .sha256, from source: RegistrationSource = wire,
                           flow: String = "flow-1") -> RegistrarAnswer {
        var phone = phone
        let challenge = send(phone.register(expires: expires, contacts: contacts), from: source, flow: flow)
        let header = challenge.response.fields.filter { $0.name == .wwwAuthenticate }
            .map { String(decoding: challenge.response.value(of: $0), as: UTF8.self) }
            .first { $0.contains("algorithm=\(algorithm.token)") } ?? ""
        phone.cseq += 1
        return send(phone.register(expires: expires, contacts: contacts,
                                   authorization: phone.authorization(for: header, algorithm: algorithm)),
                    from: source, flow: flow)
    }
}

extension RegistrarAnswer {
    var status: Int { response.statusCode ?? 0 }
    func headers(_ name: String) -> [String] {
        response.fields.filter { String(decoding: response.name(of: $0), as: UTF8.self).lowercased() == name.lowercased() }
            .map { String(decoding: response.value(of: $0), as: UTF8.self) }
    }
}

@Suite("Embedded registrar: RFC 3261 §10.3 with digest authentication")
struct RegistrarTests {
    @Test("RFC 7616/8760: the first REGISTER gets 401 with SHA-256 then MD5 challenges sharing one nonce, qop=auth")
    func challenge() {
        var harness = Harness()
        let answer = harness.send(Phone().register())
        #expect(answer.status == 401)
        #expect(answer.outcome == .challenged(stale: false))
        let challenges = answer.headers("WWW-Authenticate")
        #expect(challenges.count == 2)
        #expect(challenges[0].contains("algorithm=SHA-256") && challenges[1].contains("algorithm=MD5"))
        #expect(challenges.allSatisfy { $0.contains("qop=\"auth\"") && $0.contains("realm=\"example.com\"") })
        #expect(Phone.parameter("nonce", in: challenges[0]) == Phone.parameter("nonce", in: challenges[1]))
        #expect(answer.response.to?.tag != nil)
        #expect(harness.registrar.bindings.count == 0)
    }

    @Test("SHA-256 and MD5 credentials both register; 200 lists the binding with its granted expiry",
          arguments: [DigestAlgorithm.sha256, .md5])
    func register(algorithm: DigestAlgorithm) throws {
        var harness = Harness()
        let answer = harness.register(Phone(), expires: 120, algorithm: algorithm)
        #expect(answer.status == 200, "\(String(decoding: answer.response.printed, as: UTF8.self))")
        #expect(answer.outcome == .registered(aor: "sip:alice@example.com", bindings: 1))
        #expect(answer.headers("Contact") == ["<sip:alice@198.51.100.7:5060>;expires=120"])
        let binding = try #require(harness.registrar.lookup(aor: "sip:alice@example.com", now: harness.now).first)
        #expect(binding.flow == "flow-1")
        #expect(binding.contact == "sip:alice@198.51.100.7:5060")
        #expect(binding.source == wire)
    }

    @Test("NAT: the Contact is kept for display, the binding routes to the address seen on the wire")
    func nat() throws {
        var harness = Harness()
        _ = harness.register(Phone(contact: "<sip:alice@192.168.1.20:5060;transport=udp>"), expires: 60)
        let binding = try #require(harness.registrar.lookup(aor: "sip:alice@192.0.2.1", now: harness.now).first)
        #expect(binding.isBehindNAT)
        #expect(binding.nat == [.contactAddressDiffers, .contactPortDiffers, .privateContactAddress])
        #expect(binding.contact == "sip:alice@192.168.1.20:5060;transport=udp")
        #expect(binding.routingURI == "sip:alice@203.0.113.9:40000;transport=udp")

        // A phone whose Contact is what the wire shows is reached directly.
        var direct = Harness()
        let source = RegistrationSource(transport: "udp", host: "198.51.100.7", port: 5060, realm: "access")
        _ = direct.register(Phone(), from: source)
        let plain = try #require(direct.registrar.lookup(aor: "sip:alice@example.com", now: direct.now).first)
        #expect(!plain.isBehindNAT && plain.routingURI == "sip:alice@198.51.100.7:5060")
    }

    @Test("Expires: the contact parameter wins over the header; none gives the default; above the maximum is shortened")
    func expiryChoice() {
        var harness = Harness()
        let answer = harness.register(Phone(), expires: 3600,
                                      contacts: ["<sip:alice@198.51.100.7:5060>;expires=90",
                                                 "<sip:alice@198.51.100.7:5070>"])
        #expect(answer.headers("Contact") == ["<sip:alice@198.51.100.7:5060>;expires=90",
                                             "<sip:alice@198.51.100.7:5070>;expires=300"])
        var fresh = Harness()
        let plain = fresh.register(Phone())
        #expect(plain.headers("Contact") == ["<sip:alice@198.51.100.7:5060>;expires=60"])
    }

    @Test("RFC 3261 §10.3 step 7: an interval below the minimum gets 423 with Min-Expires and changes nothing")
    func tooBrief() {
        var harness = Harness()
        let answer = harness.register(Phone(), expires: 5)
        #expect(answer.status == 423)
        #expect(answer.headers("Min-Expires") == ["20"])
        #expect(harness.registrar.bindings.count == 0)
    }

    @Test("Expires: 0 removes the binding; Contact * with Expires 0 removes them all")
    func unregister() {
        var harness = Harness()
        _ = harness.register(Phone(), contacts: ["<sip:alice@198.51.100.7:5060>", "<sip:alice@198.51.100.7:5070>"])
        #expect(harness.registrar.bindings.count == 2)
        var phone = Phone()
        phone.cseq = 10
        let one = harness.register(phone, expires: 0, contacts: ["<sip:alice@198.51.100.7:5070>"])
        #expect(one.status == 200)
        #expect(one.outcome == .unregistered(aor: "sip:alice@example.com", bindings: 1))
        #expect(one.headers("Contact") == ["<sip:alice@198.51.100.7:5060>;expires=60"])
        phone.cseq = 20
        let all = harness.register(phone, expires: 0, contacts: ["*"])
        #expect(all.status == 200 && all.headers("Contact").isEmpty)
        #expect(harness.registrar.bindings.count == 0)
    }

    @Test("operator removal: one contact, then the rest; an unknown AOR or contact removes nothing")
    func operatorRemoval() throws {
        var harness = Harness()
        _ = harness.register(Phone(), contacts: ["<sip:alice@198.51.100.7:5060>", "<sip:alice@198.51.100.7:5070>"])
        let contacts = harness.registrar.lookup(aor: "sip:alice@example.com", now: harness.now).map(\.contact)
        #expect(contacts == ["sip:alice@198.51.100.7:5060", "sip:alice@198.51.100.7:5070"])
        #expect(harness.registrar.remove(aor: "sip:alice@example.com", contact: "sip:alice@198.51.100.7:9999").isEmpty)
        #expect(harness.registrar.remove(aor: "sip:carol@example.com").isEmpty)
        let one = harness.registrar.remove(aor: "sip:alice@192.0.2.1", contact: "sip:alice@198.51.100.7:5070")
        #expect(one.map(\.contact) == ["sip:alice@198.51.100.7:5070"], "a served host names the same AOR")
        #expect(harness.registrar.bindings.count == 1)
        let rest = harness.registrar.remove(aor: "sip:alice@example.com")
        #expect(rest.map(\.contact) == ["sip:alice@198.51.100.7:5060"] && harness.registrar.bindings.count == 0)
        #expect(harness.registrar.lookup(aor: "sip:alice@example.com", now: harness.now).isEmpty)
    }

    @Test("a binding keeps the REGISTER's User-Agent")
    func userAgent() throws {
        var harness = Harness()
        var phone = Phone()
        let challenge = harness.send(phone.register(extra: ["User-Agent: Yealink SIP-T46U 108.86.0.20"]))
        let header = challenge.headers("WWW-Authenticate").first { $0.contains("SHA-256") } ?? ""
        phone.cseq += 1
        let answer = harness.send(phone.register(extra: ["User-Agent: Yealink SIP-T46U 108.86.0.20"],
                                                 authorization: phone.authorization(for: header)))
        #expect(answer.status == 200)
        let binding = try #require(harness.registrar.lookup(aor: "sip:alice@example.com", now: harness.now).first)
        #expect(binding.userAgent == "Yealink SIP-T46U 108.86.0.20")
        _ = harness.register(Phone(), contacts: ["<sip:alice@198.51.100.7:5080>"])
        #expect(harness.registrar.lookup(aor: "sip:alice@example.com", now: harness.now)
            .first { $0.contact.hasSuffix(":5080") }?.userAgent == nil, "no User-Agent, none kept")
    }

    @Test("RFC 3261 §10.3 step 6: Contact * with a non-zero Expires, or beside another contact, is 400")
    func wildcardMisuse() {
        var harness = Harness()
        #expect(harness.register(Phone(), expires: 60, contacts: ["*"]).status == 400)
        #expect(harness.register(Phone(), expires: 0, contacts: ["*", "<sip:alice@198.51.100.7>"]).status == 400)
    }

    @Test("RFC 3261 §10.3 step 7: the same Call-ID with a CSeq not above the binding's is refused; another Call-ID replaces")
    func ordering() {
        var harness = Harness()
        var phone = Phone()
        phone.cseq = 50
        #expect(harness.register(phone).status == 200)   // binding holds CSeq 51
        phone.cseq = 40
        let stale = harness.register(phone)              // CSeq 41 < 51
        #expect(stale.status == 400)
        phone.callID = "other-call-id@198.51.100.7"
        phone.cseq = 1
        #expect(harness.register(phone).status == 200)
        #expect(harness.registrar.bindings.count == 1)
        #expect(harness.registrar.lookup(aor: "sip:alice@example.com", now: harness.now).first?.callID
            == "other-call-id@198.51.100.7")
    }

    @Test("No Contact: the bindings are listed and nothing changes")
    func query() {
        var harness = Harness()
        _ = harness.register(Phone())
        let answer = harness.register(Phone(), contacts: [])
        #expect(answer.status == 200 && answer.outcome == .queried(aor: "sip:alice@example.com"))
        #expect(answer.headers("Contact") == ["<sip:alice@198.51.100.7:5060>;expires=60"])
    }

    @Test("Expiry: bindings live their granted time; clean-up removes them at the injected now")
    func expiry() {
        var harness = Harness()
        _ = harness.register(Phone(), expires: 30)
        harness.now = harness.now.advanced(by: .seconds(29))
        #expect(harness.registrar.removeExpired(now: harness.now).isEmpty)
        #expect(harness.registrar.lookup(aor: "sip:alice@example.com", now: harness.now).count == 1)
        harness.now = harness.now.advanced(by: .seconds(1))
        #expect(harness.registrar.lookup(aor: "sip:alice@example.com", now: harness.now).isEmpty)
        #expect(harness.registrar.removeExpired(now: harness.now).count == 1)
        #expect(harness.registrar.bindings.count == 0)
    }

    @Test("403 for a user authenticating for someone else's AOR")
    func foreignAOR() {
        var harness = Harness()
        var phone = Phone(user: "bob", password: "builder")
        phone.toURI = "sip:alice@example.com"
        let answer = harness.register(phone)
        #expect(answer.status == 403)
        #expect(answer.outcome == .authenticationFailed(.foreignAOR))
        #expect(harness.registrar.bindings.count == 0)
    }

    @Test("a wrong password gets a fresh 401, never 200; unknown user looks the same")
    func wrongPassword() {
        var harness = Harness()
        let wrong = harness.register(Phone(password: "guess"))
        #expect(wrong.status == 401 && wrong.outcome == .authenticationFailed(.wrongResponse))
        #expect(wrong.headers("WWW-Authenticate").count == 2)
        let unknown = harness.register(Phone(user: "mallory", toURI: "sip:mallory@example.com"))
        #expect(unknown.status == 401 && unknown.outcome == .authenticationFailed(.unknownUser))
    }

    @Test("RFC 7616 §3.3: an expired nonce with the right password gets 401 stale=true, not a failure")
    func staleNonce() {
        var harness = Harness()
        var phone = Phone()
        let challenge = harness.send(phone.register())
        let header = challenge.headers("WWW-Authenticate")[0]
        harness.now = harness.now.advanced(by: .seconds(31))
        phone.cseq = 2
        let answer = harness.send(phone.register(authorization: phone.authorization(for: header)))
        #expect(answer.status == 401 && answer.outcome == .challenged(stale: true))
        #expect(answer.headers("WWW-Authenticate").allSatisfy { $0.contains("stale=true") })
        #expect(harness.registrar.throttle.trackedSourceCount == 0)
    }

    @Test("replay protection: the same nonce count again is refused; a higher one is accepted")
    func replay() {
        var harness = Harness()
        var phone = Phone()
        let header = harness.send(phone.register()).headers("WWW-Authenticate")[0]
        phone.cseq = 2
        #expect(harness.send(phone.register(authorization: phone.authorization(for: header))).status == 200)
        phone.cseq = 3
        let replayed = harness.send(phone.register(authorization: phone.authorization(for: header)))
        #expect(replayed.status == 401 && replayed.outcome == .authenticationFailed(.replayedNonceCount))
        phone.cseq = 4
        let next = harness.send(phone.register(authorization: phone.authorization(for: header, nc: "00000002")))
        #expect(next.status == 200)
    }

    @Test("throttle: failures from one address are delayed, then refused with 503 and Retry-After, then forgotten")
    func throttle() {
        var harness = Harness(throttle: .init(delayAfterFailures: 2, refuseAfterFailures: 4, window: .seconds(60),
                                              baseDelay: .seconds(1), maximumDelay: .seconds(4), coolOff: .seconds(120)))
        let bad = Phone(password: "guess")
        #expect(harness.register(bad).delay == nil)
        #expect(harness.register(bad).delay == .seconds(1))
        #expect(harness.register(bad).delay == .seconds(2))
        let refused = harness.register(bad)
        #expect(refused.status == 503 && refused.headers("Retry-After") == ["120"])
        // While refused, even the right password is not looked at.
        let good = harness.register(Phone())
        #expect(good.status == 503 && good.outcome == .throttled)
        // Another address is not affected.
        let other = RegistrationSource(transport: "udp", host: "203.0.113.50", port: 5060, realm: "access")
        #expect(harness.register(Phone(), from: other).status == 200)
        harness.now = harness.now.advanced(by: .seconds(121))
        #expect(harness.register(Phone()).status == 200)
    }

    @Test("Request-URI or To outside the served domains: 404; Require: 420 with Unsupported")
    func refusals() {
        var harness = Harness()
        var phone = Phone()
        phone.requestURI = "sip:elsewhere.example.org"
        #expect(harness.send(phone.register()).status == 404)
        phone = Phone(toURI: "sip:alice@elsewhere.example.org")
        #expect(harness.send(phone.register()).status == 404)
        let answer = harness.send(Phone().register(extra: ["Require: path, gruu"]))
        #expect(answer.status == 420 && answer.headers("Unsupported") == ["path, gruu"])
    }

    @Test("a malformed Contact is 400; too many contacts for one AOR is 403")
    func badContacts() {
        var harness = Harness()
        #expect(harness.register(Phone(), contacts: ["<mailto:alice@example.com>"]).status == 400)
        let many = (0..<11).map { "<sip:alice@198.51.100.7:\(5060 + $0)>" }
        #expect(harness.register(Phone(), contacts: many).status == 403)
        #expect(harness.registrar.bindings.count == 0)
    }

    @Test("TCP: the binding keeps the connection's flow; a closed flow's bindings can be dropped")
    func streamFlow() throws {
        var harness = Harness()
        let tcp = RegistrationSource(transport: "tcp", host: "198.51.100.7", port: 51234, realm: "access")
        _ = harness.register(Phone(contact: "<sip:alice@198.51.100.7:5060;transport=tcp>"), from: tcp, flow: "conn-9")
        let binding = try #require(harness.registrar.bindings.all.first)
        #expect(binding.flow == "conn-9" && binding.nat == .contactPortDiffers)
        #expect(binding.routingURI == "sip:alice@198.51.100.7:51234;transport=tcp")
    }

    @Test("UDP keepalives: one per distinct flow of a live UDP binding; stream and expired bindings get none")
    func keepaliveFlows() {
        var harness = Harness()
        // alice: two contacts on one UDP flow; bob on another UDP flow and, later, on TCP.
        _ = harness.register(Phone(), expires: 60,
                             contacts: ["<sip:alice@198.51.100.7:5060>", "<sip:alice@198.51.100.7:5062>"],
                             flow: "udp-1")
        _ = harness.register(Phone(user: "bob", password: "builder", contact: "<sip:bob@198.51.100.8:5060>",
                                   callID: "b1@198.51.100.8", toURI: "sip:bob@example.com"),
                             expires: 30, flow: "udp-2")
        let tcp = RegistrationSource(transport: "tcp", host: "198.51.100.9", port: 51234, realm: "access")
        _ = harness.register(Phone(user: "bob", password: "builder", contact: "<sip:bob@198.51.100.9:5060;transport=tcp>",
                                   callID: "b2@198.51.100.9", toURI: "sip:bob@example.com"),
                             from: tcp, flow: "tcp-1")
        #expect(harness.registrar.bindings.count == 4)
        let isUDP: (String) -> Bool = { $0.hasPrefix("udp") }
        #expect(harness.registrar.bindings.keepaliveFlows(now: harness.now, where: isUDP) == ["udp-1", "udp-2"])
        // bob's UDP binding expires (not yet swept): no keepalive for it; alice's flow still gets one.
        harness.now = harness.now.advanced(by: .seconds(30))
        #expect(harness.registrar.bindings.keepaliveFlows(now: harness.now, where: isUDP) == ["udp-1"])
        harness.now = harness.now.advanced(by: .seconds(30))
        #expect(harness.registrar.bindings.keepaliveFlows(now: harness.now, where: isUDP).isEmpty)
    }
}
