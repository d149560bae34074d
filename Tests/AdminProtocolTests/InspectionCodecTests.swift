import AdminProtocol
import Testing

@Suite("Admin protocol: inspection commands")
struct InspectionCodecTests {
    static let call = CallSummary(id: "c1", state: "confirmed", callerRealm: "access", calleeRealm: "core",
                                  caller: "1000", callee: "2000", callIDA: "a@phone", callIDB: "b@palisade",
                                  callerFlow: "udp 192.0.2.7:5060", ageSeconds: 12.5)

    static let detail = CallDetail(
        call: call,
        legs: [CallLegDetail(leg: "a", realm: "access", callID: "a@phone", localTag: "t1", remoteTag: "p1",
                             remoteTarget: "sip:1000@192.0.2.7:5060", flow: "udp 192.0.2.7:5060",
                             dialogState: "confirmed",
                             sdp: [SDPStreamSummary(stream: 0, media: "192.0.2.7:4000", profile: "RTP/SAVP",
                                                    cryptoSuite: "AES_CM_128_HMAC_SHA1_80", direction: "sendrecv",
                                                    rtcpMux: false)]),
               CallLegDetail(leg: "b", realm: "core", callID: "b@palisade", localTag: "t2", remoteTag: nil,
                             remoteTarget: "sip:2000@198.51.100.9", flow: nil, dialogState: "early", sdp: [])],
        streams: [MediaLegSummary(session: "c1", stream: 0, leg: "a", latched: "192.0.2.7:4000",
                                  latchReason: "first-packet", packets: 50, bytes: 8600, lost: 1,
                                  jitterMilliseconds: 0.5, drops: ["auth-failure": 2], idleSeconds: 0.02,
                                  advertised: "192.0.2.7:4000")],
        mediaError: nil)

    static let binding = BindingDetail(aor: "sip:alice@example.com", contact: "sip:alice@10.0.0.2:5060",
                                       flow: "udp 192.0.2.7:41000", transport: "udp", source: "192.0.2.7:41000",
                                       realm: "access", behindNAT: true, nat: "contact-address-differs",
                                       expiresInSeconds: 59.5, userAgent: "sipp", callID: "r1@phone", cseq: 2)

    @Test("every inspection reply round-trips and names its command")
    func roundTrips() throws {
        let replies: [(AdminReply, String)] = [
            (AdminReply(id: 1, .success(.callDetail(Self.detail))), "calls show"),
            (AdminReply(id: 2, .success(.registration(RegistrationDetail(aor: "sip:alice@example.com", removed: false,
                                                                          bindings: [Self.binding])))),
             "registrations show"),
            (AdminReply(id: 3, .success(.registration(RegistrationDetail(aor: "sip:alice@example.com", removed: true,
                                                                          bindings: [Self.binding])))),
             "registrations remove"),
            (AdminReply(id: 4, .success(.flows([
                FlowSummary(id: "c3", transport: "tls", realm: "core", peer: "198.51.100.9:5061", local: "127.0.0.1:5061",
                            tlsPeerIdentity: ["pbx.example.com"], ageSeconds: 30, registrations: 0, calls: 1),
                FlowSummary(id: nil, transport: "udp", realm: "access", peer: "192.0.2.7:41000", local: "127.0.0.1:5060",
                            tlsPeerIdentity: nil, ageSeconds: nil, registrations: 1, calls: 0)]))), "flows list"),
            (AdminReply(id: 5, .success(.mediaSessions([MediaSessionSummary(
                session: "c1", ageSeconds: 3, streams: 1, packets: 100, bytes: 17200, drops: 2,
                ports: ["0: a 192.0.2.1:30000, b 198.51.100.1:30002"], workers: [0])]))), "media sessions"),
            (AdminReply(id: 6, .success(.certificates([TLSCertificateReport(
                realm: "core", listener: "127.0.0.1:5061", file: "/etc/palisade/sbc.pem", serverNames: [],
                subject: "/CN=sbc.example.com", issuer: "/CN=Example CA", subjectAlternativeNames: ["DNS:sbc.example.com"],
                notAfter: 1_800_000_000, daysLeft: 365)]))), "tls certificates"),
        ]
        for (reply, command) in replies {
            let bytes = AdminCodec.encode(reply)
            #expect(String(decoding: bytes, as: UTF8.self).contains(#""command":"\#(command)""#))
            #expect(try AdminCodec.decodeReply(bytes) == reply)
        }
    }

    @Test("media streams rows keep their old encoding: the advertised address appears only when set")
    func advertisedOptional() {
        var leg = Self.detail.streams[0]
        #expect(AdminCodec.resultJSON(.mediaStreams([leg])).contains("advertised"))
        leg.advertised = nil
        #expect(!AdminCodec.resultJSON(.mediaStreams([leg])).contains("advertised"))
    }

    @Test("calls list filters: realm on either side, user as caller or callee, minimum age")
    func filters() throws {
        #expect(try CallFilter(arguments: []).matches(Self.call))
        #expect(try CallFilter(arguments: ["--realm", "core"]).matches(Self.call))
        #expect(try !CallFilter(arguments: ["--realm=trunk"]).matches(Self.call))
        #expect(try CallFilter(arguments: ["--user", "2000"]).matches(Self.call))
        #expect(try CallFilter(arguments: ["--user", "1000", "--min-age", "12"]).matches(Self.call))
        #expect(try !CallFilter(arguments: ["--min-age", "13"]).matches(Self.call))
        #expect(try !CallFilter(arguments: ["--user", "3000"]).matches(Self.call))
        let all = CallFilter(realm: "core", user: "2000", minimumAgeSeconds: 1.5)
        #expect(try CallFilter(arguments: all.arguments) == all)
    }

    @Test("bad filters are refused with what was wrong", arguments: [
        (["--realm"], "--realm needs a value"),
        (["--min-age", "soon"], "--min-age takes seconds"),
        (["--min-age", "-3"], "--min-age takes seconds"),
        (["--colour", "red"], "got '--colour'"),
    ])
    func badFilters(arguments: [String], message: String) {
        #expect {
            try CallFilter(arguments: arguments)
        } throws: { error in
            let failure = error as? AdminFailure
            return failure?.code == .badArgument && failure?.message.contains(message) == true
        }
    }

    @Test("the new commands are named on the wire as on the command line")
    func commandNames() {
        for (command, name) in [(AdminCommand.callsShow, "calls show"), (.registrationsShow, "registrations show"),
                                (.registrationsRemove, "registrations remove"), (.flowsList, "flows list"),
                                (.mediaSessions, "media sessions"), (.tlsCertificates, "tls certificates")] {
            let bytes = AdminCodec.encode(AdminRequest(id: 1, command: command, arguments: ["x"]))
            #expect(AdminCodec.decodeRequest(bytes).result == .success(AdminRequest(id: 1, command: command,
                                                                                    arguments: ["x"])))
            #expect(command.rawValue == name && !command.summary.isEmpty)
        }
    }
}
