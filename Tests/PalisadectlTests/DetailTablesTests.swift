import AdminProtocol
@testable import palisadectl
import Testing

@Suite("palisadectl tables")
struct DetailTablesTests {
    static let call = CallSummary(id: "c1", state: "confirmed", callerRealm: "access", calleeRealm: "core",
                                  caller: "1000", callee: "2000", callIDA: "a@phone", callIDB: "b@palisade",
                                  callerFlow: "udp 192.0.2.7:5060", ageSeconds: 75)

    static let detail = CallDetail(
        call: call,
        legs: [CallLegDetail(leg: "a", realm: "access", callID: "a@phone", localTag: "t1", remoteTag: "p1",
                             remoteTarget: "sip:1000@192.0.2.7:5060", flow: "udp 192.0.2.7:5060", dialogState: "confirmed",
                             sdp: [SDPStreamSummary(stream: 0, media: "10.0.0.7:4000", profile: "RTP/SAVP",
                                                    cryptoSuite: "AES_CM_128_HMAC_SHA1_80", direction: "sendrecv",
                                                    rtcpMux: true)]),
               CallLegDetail(leg: "b", realm: "core", callID: "b@palisade", localTag: "t2", remoteTag: "q2",
                             remoteTarget: "sip:2000@198.51.100.9", flow: "udp 198.51.100.9:5060",
                             dialogState: "confirmed",
                             sdp: [SDPStreamSummary(stream: 0, media: "198.51.100.9:20000", profile: "RTP/AVP",
                                                    cryptoSuite: nil, direction: "sendrecv", rtcpMux: false)])],
        streams: [MediaLegSummary(session: "c1", stream: 0, leg: "a", latched: "192.0.2.7:4000",
                                  latchReason: "first authenticated packet", packets: 50, bytes: 8600, lost: 1,
                                  jitterMilliseconds: 0.54, drops: ["auth-failure": 2, "replay": 0], idleSeconds: 0.02,
                                  advertised: "10.0.0.7:4000"),
                  MediaLegSummary(session: "c1", stream: 0, leg: "b", latched: nil, latchReason: nil, packets: 0,
                                  bytes: 0, lost: 0, jitterMilliseconds: 0, drops: [:], idleSeconds: nil,
                                  advertised: "198.51.100.9:20000")],
        mediaError: nil)

    @Test("calls show: header, legs, SDP per leg, streams with advertised beside latched; never a key")
    func callDetail() {
        let lines = DetailTables.render(Self.detail).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "call c1  confirmed  age 1m15s")
        #expect(lines[1] == "  caller 1000 (access) → callee 2000 (core)")
        #expect(lines[3].hasPrefix("LEG  REALM   DIALOG     CALL-ID"))
        #expect(lines.contains { $0.hasPrefix("a    0       10.0.0.7:4000       RTP/SAVP  AES_CM_128_HMAC_SHA1_80") },
                "\(lines)")
        let streamRows = lines.drop { !$0.hasPrefix("STREAM") }
        #expect(streamRows.first?.hasPrefix("STREAM  LEG  ADVERTISED          LATCHED") == true, "\(lines)")
        #expect(streamRows.dropFirst().first?.hasSuffix("auth-failure=2") == true, "zero drops left out: \(lines)")
        #expect(streamRows.dropFirst(2).first?.contains("198.51.100.9:20000  -") == true, "\(lines)")
    }

    @Test("calls show without media says why")
    func callWithoutMedia() {
        var detail = Self.detail
        detail.streams = []
        detail.mediaError = "palisade-media is not connected"
        #expect(DetailTables.render(detail).hasSuffix("\nmedia: palisade-media is not connected"))
        detail.legs = detail.legs.map { var leg = $0; leg.sdp = []; return leg }
        detail.mediaError = nil
        #expect(DetailTables.render(detail).hasSuffix("\nno SDP yet\n\nno media streams"))
    }

    @Test("registrations show and remove; an empty address of record says so")
    func registrations() {
        let binding = BindingDetail(aor: "sip:alice@example.com", contact: "sip:alice@10.0.0.2:5060", flow: "udp 192.0.2.7:41000",
                                    transport: "udp", source: "192.0.2.7:41000", realm: "access", behindNAT: true,
                                    nat: "contact-address-differs", expiresInSeconds: 59.5, userAgent: nil, callID: "r1",
                                    cseq: 2)
        #expect(DetailTables.render(RegistrationDetail(aor: "sip:alice@example.com", removed: false, bindings: [binding]))
            == """
            CONTACT                  REALM   TRANSPORT  SOURCE           FLOW                 NAT                      EXPIRES IN  USER AGENT
            sip:alice@10.0.0.2:5060  access  udp        192.0.2.7:41000  udp 192.0.2.7:41000  contact-address-differs  59s         -
            """)
        #expect(DetailTables.render(RegistrationDetail(aor: "sip:alice@example.com", removed: true, bindings: [binding]))
            .hasPrefix("removed 1 binding(s) of sip:alice@example.com\nCONTACT"))
        #expect(DetailTables.render(RegistrationDetail(aor: "sip:bob@example.com", removed: false, bindings: []))
            == "no bindings of sip:bob@example.com")
    }

    @Test("flows list, media sessions and tls certificates, and their empty forms")
    func lists() {
        let flows = DetailTables.render([
            FlowSummary(id: "c3", transport: "tls", realm: "core", peer: "198.51.100.9:5061", local: "192.0.2.1:5061",
                        tlsPeerIdentity: ["pbx.example.com", "sip:pbx.example.com"], ageSeconds: 3700, registrations: 0,
                        calls: 2),
            FlowSummary(id: nil, transport: "udp", realm: "access", peer: "203.0.113.5:41234", local: "192.0.2.1:5060",
                        tlsPeerIdentity: nil, ageSeconds: nil, registrations: 1, calls: 0)])
        #expect(flows == """
            ID  TRANSPORT  REALM   PEER               LOCAL           TLS PEER                             AGE    REGISTRATIONS  CALLS
            c3  tls        core    198.51.100.9:5061  192.0.2.1:5061  pbx.example.com,sip:pbx.example.com  1h01m  0              2
            -   udp        access  203.0.113.5:41234  192.0.2.1:5060  -                                    -      1              0
            """)
        #expect(DetailTables.render([FlowSummary]()) == "no connections and no UDP flows in use")
        #expect(DetailTables.render([MediaSessionSummary(session: "c1", ageSeconds: 5, streams: 1, packets: 100, bytes: 17200,
                                                         drops: 2, ports: ["0: a 192.0.2.1:30000, b 198.51.100.1:31000"],
                                                         workers: [1])])
            == """
            SESSION  STREAMS  AGE  PACKETS  BYTES  DROPS  WORKER  PORTS
            c1       1        5s   100      17200  2      1       0: a 192.0.2.1:30000, b 198.51.100.1:31000
            """)
        #expect(DetailTables.render([MediaSessionSummary]()) == "no media sessions")
        let certificate = TLSCertificateReport(realm: "access", listener: "192.0.2.1:5061", file: "/etc/palisade/sbc.pem",
                                               serverNames: ["sbc.example.com"], subject: "/CN=sbc.example.com",
                                               issuer: "/CN=Example CA", subjectAlternativeNames: ["DNS:sbc.example.com"],
                                               notAfter: 1_800_000_000, daysLeft: 12)
        let text = DetailTables.render([certificate])
        #expect(text.contains("2027-01-15 08:00:00Z  12 (renew)  sbc.example.com  /etc/palisade/sbc.pem"), "\(text)")
        var expired = certificate
        expired.daysLeft = -1
        #expect(DetailTables.render([expired]).contains("  EXPIRED  "))
        #expect(DetailTables.render([TLSCertificateReport]()) == "no TLS listeners")
    }

    @Test("calls list options reach the daemon as arguments; other commands refuse them")
    func options() throws {
        let invocation = try Palisadectl.parse(["calls", "list", "--realm", "core", "--json", "--min-age=30"])
        #expect(invocation.json && invocation.words == ["calls", "list", "--realm", "core", "--min-age=30"])
        let resolved = try #require(CtlCommand.resolve(invocation.words))
        #expect(resolved.0 == .callsList && resolved.1 == ["--realm", "core", "--min-age=30"])
        #expect(throws: Palisadectl.UsageError.self) { try Palisadectl.parse(["calls", "list", "--user"]) }
        #expect(CtlCommand.resolve(["calls", "show", "c1"])?.1 == ["c1"])
        #expect(CtlCommand.resolve(["registrations", "remove", "sip:a@b", "sip:a@10.0.0.2"])?.0 == .registrationsRemove)
        for command in CtlCommand.allCases where command.adminCommand != nil {
            #expect(command.usage.hasPrefix(command.rawValue) && !command.summary.isEmpty, "\(command)")
        }
    }
}
