// `scripts/bench messages`: time per operation and allocations per message for the SIP layer and
// the media control codec. Prints `BENCH <name> <value> <unit>` lines only.
import MallocCounter
@_spi(FoundationCoder) import MediaControlProtocol
import SDP
import SIPMessage
#if canImport(Glibc)
import Glibc
#endif

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

let sdp = """
v=0\r
o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r
s=-\r
c=IN IP4 192.0.2.10\r
t=0 0\r
m=audio 49170 RTP/AVP 0 8 18 101\r
a=rtpmap:0 PCMU/8000\r
a=rtpmap:8 PCMA/8000\r
a=rtpmap:18 G729/8000\r
a=fmtp:18 annexb=no\r
a=rtpmap:101 telephone-event/8000\r
a=fmtp:101 0-16\r
a=ptime:20\r
a=sendrecv\r

"""

let invite = Array("""
INVITE sip:+15551234567@example.com;user=phone SIP/2.0\r
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r
Max-Forwards: 70\r
To: <sip:+15551234567@example.com;user=phone>\r
From: "Alice Liddell" <sip:alice@example.com>;tag=1928301774\r
Call-ID: a84b4c76e66710@pc33.example.com\r
CSeq: 314159 INVITE\r
Contact: <sip:alice@192.0.2.10:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"\r
Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, UPDATE, PRACK\r
Supported: replaces, timer, 100rel\r
Session-Expires: 1800\r
User-Agent: ExamplePhone/5.1 (model X)\r
P-Asserted-Identity: "Alice Liddell" <sip:alice@example.com>\r
Content-Type: application/sdp\r
Content-Length: \(sdp.utf8.count)\r
\r
\(sdp)
""".utf8)

let ok200 = Array("""
SIP/2.0 200 OK\r
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=198.51.100.7\r
To: <sip:+15551234567@example.com;user=phone>;tag=a6c85cf\r
From: "Alice Liddell" <sip:alice@example.com>;tag=1928301774\r
Call-ID: a84b4c76e66710@pc33.example.com\r
CSeq: 314159 INVITE\r
Contact: <sip:bob@203.0.113.5:5060>\r
Content-Length: 0\r
\r

""".utf8)

let newBody = Array(sdp.replacingAll("192.0.2.10", with: "203.0.113.1").utf8)

extension String {
    func replacingAll(_ a: String, with b: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: a) {
            out += rest[..<r.lowerBound]
            out += b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

/// CPU time of this thread in ns. Wall time on a shared 2-core machine measures the neighbours;
/// thread CPU time counts only the cycles this benchmark was given.
func threadCPUTimeNs() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
}

/// Runs `body` in 20 rounds of `iterations / 10`; returns the best round's ns per op and the
/// allocations per op (counted over 1000 more runs).
func measure(_ iterations: Int, _ body: () -> Void) -> (ns: Double, allocs: Double) {
    for _ in 0..<(iterations / 10) { body() }
    let round = iterations / 10
    var best = Double.infinity
    for _ in 0..<20 {
        let start = threadCPUTimeNs()
        for _ in 0..<round { body() }
        best = min(best, (threadCPUTimeNs() - start) / Double(round))
    }
    let a0 = malloc_counter_allocations()
    for _ in 0..<1000 { body() }
    let allocs = Double(malloc_counter_allocations() - a0) / 1000
    return (best, allocs)
}

func report(_ name: String, _ r: (ns: Double, allocs: Double)) {
    let allocs = Int(r.allocs)
    print("BENCH \(name)_ns \(Int(r.ns + 0.5)) ns")
    print("BENCH \(name)_allocs \(Double(allocs) < r.allocs ? allocs + 1 : allocs) count")
}

let iterations = 200_000

// `MESSAGE_BENCH_LOOP=N` runs only N INVITE parses, for counting instructions with `perf stat`.
if let loop = Int(environment("MESSAGE_BENCH_LOOP") ?? "") {
    let input = environment("MESSAGE_BENCH_INPUT") == "ok200" ? ok200 : invite
    for _ in 0..<loop { blackHole(try! SIPMessage(parsing: input).validate()) }
    exit(0)
}

precondition((try? SIPMessage(parsing: invite).validate()) != nil, "benchmark INVITE must be valid")
print("BENCH invite_size \(invite.count) bytes")

report("invite_parse", measure(iterations) {
    do {
        let m = try SIPMessage(parsing: invite)
        try m.validate()
        blackHole(m)
    } catch {
        fatalError("\(error)")
    }
})

report("ok200_parse", measure(iterations) {
    do {
        let m = try SIPMessage(parsing: ok200)
        try m.validate()
        blackHole(m)
    } catch {
        fatalError("\(error)")
    }
})

// Edit (new Via, new Contact, new body) and print into a reused, caller-owned buffer.
let parsed = try! SIPMessage(parsing: invite)
var out: [UInt8] = []
out.reserveCapacity(4096)
let contactField = parsed.field(.contact)!

report("invite_edit_print", measure(iterations) {
    var m = parsed
    m.prependHeader("Via", "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKpal1se7a")
    m.replaceValue(of: contactField, with: "<sip:gw@203.0.113.1:5060>")
    m.setBody(newBody)
    out.removeAll(keepingCapacity: true)
    m.print(into: &out)
    blackHole(out)
})

var edited = parsed
edited.prependHeader("Via", "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKpal1se7a")
edited.replaceValue(of: contactField, with: "<sip:gw@203.0.113.1:5060>")
edited.setBody(newBody)
report("invite_print", measure(iterations) {
    out.removeAll(keepingCapacity: true)
    edited.print(into: &out)
    blackHole(out)
})

let sdpBytes = Array(sdp.utf8)
report("sdp_parse", measure(iterations / 4) {
    do {
        let s = try SessionDescription(parsing: sdpBytes)
        blackHole(s)
    } catch {
        fatalError("\(error)")
    }
})

// The media control messages of every call, through the hand-written codec and, side by side in the
// same run, through the Foundation coder it replaced (JSONEncoder with sorted keys, JSONDecoder).
let createSession = ControlMessage.request(ControlRequest(id: 20, .createSession(SessionSpec(session: "c-1", streams: [
    StreamSpec(index: 0,
               a: LegSpec(interface: "access", rtcpMux: true, remote: Endpoint(address: "203.0.113.7", port: 40000),
                          profile: .srtp(suite: "AES_CM_128_HMAC_SHA1_80", localKey: nil,
                                         remoteKey: "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz")),
               b: LegSpec(interface: "core", rtcpMux: false, remote: Endpoint(address: "198.51.100.20", port: 20000),
                          remoteRTCP: Endpoint(address: "198.51.100.20", port: 20001), profile: .rtp,
                          strictSource: true)),
]))))
let createReply = ControlCodec.encode(.reply(.success(id: 20, .created(SessionAllocation(session: "c-1", streams: [
    StreamAllocation(index: 0,
                     a: LegAllocation(interface: "access", address: "192.0.2.10", rtpPort: 30000, rtcpPort: 30000,
                                      suite: "AES_CM_128_HMAC_SHA1_80",
                                      localKey: "d0RmdmcmVCNJVkFfM2Q4JE5FTzJtRyZ2Zzh0dGRN"),
                     b: LegAllocation(interface: "core", address: "198.51.100.1", rtpPort: 31000, rtcpPort: 31001)),
])))))
precondition(ControlCodec.encode(createSession) == ControlCodec.foundationEncode(createSession),
             "the two coders must write the same bytes")
precondition((try? ControlCodec.decode(createReply)) == (try? ControlCodec.foundationDecode(createReply)),
             "the two coders must read the same value")

func reportControl(_ name: String, _ r: (ns: Double, allocs: Double)) {
    print("BENCH \(name) \(Int(r.ns + 0.5)) ns")
    print("BENCH \(name)_allocs \(Int(r.allocs.rounded(.up))) count")
}

var controlOut: [UInt8] = []
controlOut.reserveCapacity(2048)
reportControl("control_encode_create_session", measure(iterations / 4) {
    controlOut.removeAll(keepingCapacity: true)
    ControlCodec.encode(createSession, into: &controlOut)
    blackHole(controlOut)
})
reportControl("control_encode_create_session_foundation", measure(iterations / 20) {
    blackHole(ControlCodec.foundationEncode(createSession))
})
reportControl("control_decode_create_session_reply", measure(iterations / 4) {
    blackHole(try? ControlCodec.decode(createReply))
})
reportControl("control_decode_create_session_reply_foundation", measure(iterations / 20) {
    blackHole(try? ControlCodec.foundationDecode(createReply))
})
