import Testing
@testable import SDP

@Suite("RFC 8866 session descriptions")
struct SessionDescriptionTests {
    @Test("Every fixture prints byte-identical when untouched", arguments: try SDPFixtures.names(withSuffix: ".sdp"))
    func untouchedRoundTrip(_ name: String) throws {
        let bytes = try SDPFixtures.bytes(name)
        let sdp = try SessionDescription(parsing: bytes)
        try sdp.validate()
        #expect(sdp.printed == bytes)
        // parse → print → parse gives the same description.
        #expect(try SessionDescription(parsing: sdp.printed) == sdp)
    }

    @Test("RFC 3711 §12, RFC 5124, RFC 5764: which profiles are secure RTP")
    func secureProfiles() {
        func media(_ proto: String) -> SDPMedia {
            SDPMedia(type: "audio", port: 4000, portCount: nil, proto: proto, formats: ["0"])
        }
        for proto in ["RTP/SAVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF"] {
            #expect(media(proto).isSRTP, "\(proto)")
        }
        for proto in ["RTP/AVP", "RTP/AVPF", "udp", "RTP/SAVPX", "SAVP"] {
            #expect(!media(proto).isSRTP, "\(proto)")
        }
    }

    @Test("RFC 8866 §5.2, §5.7, §5.14 typed o=, c= and m=")
    func typedLines() throws {
        let sdp = try SessionDescription(parsing: SDPFixtures.bytes("audio-basic.sdp"))
        #expect(sdp.origin == SDPOrigin(username: "alice", sessionID: "2890844526", sessionVersion: 2890844526, addressType: "IP4", address: "192.0.2.10"))
        #expect(sdp.connection?.address == "192.0.2.10")
        #expect(sdp.media.count == 1)
        let audio = sdp.media[0].media
        #expect(audio.type == "audio")
        #expect(audio.port == 49170)
        #expect(audio.proto == "RTP/AVP")
        #expect(audio.formats == ["0", "8", "101"])
        #expect(!audio.isSRTP)
        let attributes = try sdp.media[0].attributes()
        #expect(attributes == [
            .rtpmap(payloadType: 0, encoding: "PCMU", clockRate: 8000, channels: nil),
            .rtpmap(payloadType: 8, encoding: "PCMA", clockRate: 8000, channels: nil),
            .rtpmap(payloadType: 101, encoding: "telephone-event", clockRate: 8000, channels: nil),
            .fmtp(format: "101", parameters: "0-15"),
            .ptime(20),
            .direction(.sendrecv),
        ])
    }

    @Test("ICE (RFC 8839), DTLS fingerprint and setup (RFC 8122, RFC 4145), IPv6, unknown attributes in order")
    func iceAndDTLS() throws {
        let sdp = try SessionDescription(parsing: SDPFixtures.bytes("ice-dtls-ipv6.sdp"))
        #expect(try sdp.attributes() == [.other(name: "group", value: "BUNDLE 0 1")])
        let audio = try sdp.media[0].attributes()
        #expect(audio.contains(.iceUfrag("F7gI")))
        #expect(audio.contains(.icePwd("x9cml/YzichV2+XlhiMu8g")))
        #expect(audio.contains(.setup("actpass")))
        #expect(audio.contains(.rtcpMux))
        #expect(audio.contains(.rtpmap(payloadType: 111, encoding: "opus", clockRate: 48000, channels: 2)))
        let candidates = audio.compactMap { if case .candidate(let c) = $0 { c } else { nil } }
        #expect(candidates.count == 2)
        #expect(candidates[0].address == "2001:db8::5")
        #expect(candidates[0].type == "host")
        #expect(candidates[1].type == "srflx")
        #expect(candidates[1].relatedAddress == "192.0.2.5")
        #expect(candidates[1].relatedPort == 54400)
        #expect(candidates[1].priority == 1694498815)
        #expect(candidates[1].description == "2 1 UDP 1694498815 203.0.113.77 54401 typ srflx raddr 192.0.2.5 rport 54400")
        #expect(throws: SDPError(.badAttribute)) { try SDPCandidate("1 1 UDP notanumber 192.0.2.1 5000 typ host") }
        #expect(audio.contains { if case .fingerprint("sha-256", let v) = $0 { v.hasPrefix("D1:2C") } else { false } })
        #expect(audio.last == .other(name: "mid", value: "0"))
        #expect(sdp.media[0].connection?.addressType == "IP6")
        #expect(sdp.media[1].direction == .inactive)
        #expect(sdp.media[0].direction == .sendrecv)
    }

    @Test("RFC 3605 a=rtcp with and without an address")
    func rtcp() throws {
        #expect(try SDPAttribute(ArraySlice("rtcp:53020".utf8)) == .rtcp(port: 53020, connection: nil))
        #expect(try SDPAttribute(ArraySlice("rtcp:53020 IN IP6 2001:db8::1".utf8)) == .rtcp(port: 53020, connection: SDPConnection(addressType: "IP6", address: "2001:db8::1")))
        #expect(throws: SDPError(.badAttribute)) { try SDPAttribute(ArraySlice("rtcp:70000".utf8)) }
    }

    @Test("isAttribute names an a= line's attribute exactly, as SDPAttribute reads it")
    func attributeNames() {
        #expect(SDPLine(type: "a", value: "rtcp:53020").isAttribute("rtcp"))
        #expect(!SDPLine(type: "a", value: "rtcp-mux").isAttribute("rtcp"))
        #expect(SDPLine(type: "a", value: "rtcp-mux").isAttribute("rtcp-mux"))
        #expect(SDPLine(type: "a", value: "sendonly").isAttribute("sendonly"))
        #expect(!SDPLine(type: "a", value: "SENDONLY").isAttribute("sendonly"))
        #expect(!SDPLine(type: "b", value: "crypto:1").isAttribute("crypto"))
        #expect(SDPLine(type: "a", value: "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x").isAttribute("crypto"))
    }

    @Test("An SBC rewrite changes only the lines it names")
    func rewrite() throws {
        let original = try SDPFixtures.bytes("srtp-sdes.sdp")
        var sdp = try SessionDescription(parsing: original)
        sdp.setConnection(SDPConnection(addressType: "IP4", address: "203.0.113.1"))
        sdp.media[0].setPort(40000)
        sdp.media[0].removeAttributes(named: "crypto")
        let key = SDPCryptoKey(keySalt: Array(0..<30), lifetime: .powerOfTwo(31))
        sdp.media[0].appendAttribute(.crypto(SDPCrypto(tag: 1, suite: .aesCM128HMACSHA1_80, keys: [key])))
        let text = String(decoding: sdp.printed, as: UTF8.self)
        #expect(text.contains("c=IN IP4 203.0.113.1\r\n"))
        #expect(text.contains("m=audio 40000 RTP/SAVP 0 101\r\n"))
        #expect(text.contains("a=x-session-level:kept\r\na=x-unknown-media") == false)
        #expect(text.contains("a=x-unknown-media:value with spaces\r\na=sendonly\r\n"))
        #expect(text.hasSuffix("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^31\r\n"))
        let reparsed = try SessionDescription(parsing: sdp.printed)
        #expect(try reparsed.media[0].cryptos().count == 1)
        #expect(reparsed.media[0].direction == .sendonly)
    }

    @Test("Malformed descriptions name the line", arguments: [
        ("v=1\r\n", SDPError.Code.badVersion), ("o=x\r\nv=0\r\n", .badVersion), ("v=0\r\nnot a line\r\n", .badLine),
        ("v=0\r\nm=audio notaport RTP/AVP 0\r\n", .badMedia), ("v=0\r\nm=audio 5004\r\n", .badMedia), ("", .badVersion),
    ])
    func malformed(_ text: String, _ code: SDPError.Code) {
        #expect(throws: SDPError(code)) { try SessionDescription(parsing: text) }
    }

    @Test("Typed faults are found by validate()", arguments: [
        ("v=0\r\no=a b c\r\n", SDPError.Code.badOrigin), ("v=0\r\nc=IN IP4\r\n", .badConnection),
        ("v=0\r\nm=audio 1 RTP/AVP 0\r\na=rtpmap:x PCMU/8000\r\n", .badAttribute), ("v=0\r\na=ptime:-1\r\n", .badAttribute),
        ("v=0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:short\r\n", .badCrypto),
    ])
    func typedFaults(_ text: String, _ code: SDPError.Code) throws {
        let sdp = try SessionDescription(parsing: text)
        #expect(throws: SDPError(code)) { try sdp.validate() }
    }
}
