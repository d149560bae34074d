import SRTP
import Testing

/// One leg's media profile: plain RTP, or SRTP with a suite.
enum LegProfile: CustomTestStringConvertible, Sendable {
    case rtp
    case srtp(SRTPSuite)

    static let all: [LegProfile] = [.rtp] + SRTPSuite.allCases.map { .srtp($0) }

    var testDescription: String {
        switch self {
        case .rtp: "RTP"
        case .srtp(let suite): suite.sdesName
        }
    }
}

/// Two legs through a relay, each with its own fresh keys, as the media plane holds them:
/// phone A → [inbound A | outbound B] → phone B. No key crosses from one leg to the other.
private struct Call {
    let legA: LegProfile
    let legB: LegProfile
    let keyA: SRTPMasterKey?
    let keyB: SRTPMasterKey?
    let phoneA: SRTPContext?        // phone A sends with key A
    let relayInbound: SRTPContext?  // the relay verifies with key A
    let relayOutbound: SRTPContext? // and re-protects with key B
    let phoneB: SRTPContext?        // phone B verifies with key B

    init(_ legA: LegProfile, _ legB: LegProfile) throws {
        self.legA = legA
        self.legB = legB
        if case .srtp(let suite) = legA {
            let key = SRTPMasterKey.random(for: suite)
            keyA = key
            phoneA = try SRTPContext(key: key, direction: .outbound)
            relayInbound = try SRTPContext(key: key, direction: .inbound)
        } else {
            keyA = nil
            phoneA = nil
            relayInbound = nil
        }
        if case .srtp(let suite) = legB {
            let key = SRTPMasterKey.random(for: suite)
            keyB = key
            relayOutbound = try SRTPContext(key: key, direction: .outbound)
            phoneB = try SRTPContext(key: key, direction: .inbound)
        } else {
            keyB = nil
            relayOutbound = nil
            phoneB = nil
        }
    }

    /// What phone A puts on the wire for `plain`.
    func send(_ plain: [UInt8], rtcp: Bool = false) throws -> PacketBuffer {
        var packet = PacketBuffer(plain)
        if let phoneA { try rtcp ? packet.protectRTCP(phoneA) : packet.protectRTP(phoneA) }
        return packet
    }

    /// The relay's work on one packet, in place in one buffer: unprotect with leg A's context,
    /// then protect with leg B's.
    func relay(_ packet: inout PacketBuffer, rtcp: Bool = false) throws {
        if let relayInbound { try rtcp ? packet.unprotectRTCP(relayInbound) : packet.unprotectRTP(relayInbound) }
        if let relayOutbound { try rtcp ? packet.protectRTCP(relayOutbound) : packet.protectRTP(relayOutbound) }
    }

    /// What phone B reads from the wire.
    func receive(_ packet: PacketBuffer, rtcp: Bool = false) throws -> [UInt8] {
        var copy = packet
        if let phoneB { try rtcp ? copy.unprotectRTCP(phoneB) : copy.unprotectRTP(phoneB) }
        return copy.bytes
    }
}

@Suite("Relay re-keying")
struct SRTPRelayTests {
    @Test("Every leg profile against every other (and plain RTP): A's packets reach B re-keyed, intact", arguments: LegProfile.all, LegProfile.all)
    func matrix(legA: LegProfile, legB: LegProfile) throws {
        let call = try Call(legA, legB)
        for seq in UInt16(65530)...65535 {
            try relayOne(call, seq: seq)
        }
        for seq in UInt16(0)..<10 {
            try relayOne(call, seq: seq)
        }
        for count in UInt32(1)...3 {
            let plain = TestPacket.senderReport(packets: count)
            var packet = try call.send(plain, rtcp: true)
            try call.relay(&packet, rtcp: true)
            #expect(try call.receive(packet, rtcp: true) == plain, "RTCP \(count)")
        }
    }

    private func relayOne(_ call: Call, seq: UInt16) throws {
        let plain = TestPacket.rtp(seq: seq, timestamp: UInt32(seq) &* 160, payload: TestPacket.payload(seq))
        var packet = try call.send(plain)
        let onLegA = packet.bytes
        try call.relay(&packet)
        if case .srtp(let suite) = call.legB {
            #expect(packet.length == Int32(plain.count + suite.rtpOverhead))
            #expect(Array(packet.bytes[12..<plain.count]) != Array(plain[12...]), "leg B's payload is encrypted")
        } else {
            #expect(packet.bytes == plain, "leg B is plain RTP")
        }
        if case .srtp = call.legA, case .srtp = call.legB {
            #expect(packet.bytes != onLegA, "no packet passes from leg A to leg B unchanged")
        }
        #expect(try call.receive(packet) == plain, "seq \(seq)")
    }

    @Test("Re-key round trip: the far side verifies with key B only, never with key A", arguments: SRTPSuite.allCases)
    func farSideNeedsKeyB(suite: SRTPSuite) throws {
        let call = try Call(.srtp(suite), .srtp(suite))
        let keyA = try #require(call.keyA)
        // Someone on leg B holding leg A's key (and suite) learns nothing.
        let eavesdropper = try SRTPContext(key: keyA, direction: .inbound)
        for seq in UInt16(1)...20 {
            let plain = TestPacket.rtp(seq: seq, payload: TestPacket.payload(seq))
            var packet = try call.send(plain)
            try call.relay(&packet)
            var stolen = packet
            #expect(throws: SRTPError.authFail) { try stolen.unprotectRTP(eavesdropper) }
            #expect(try call.receive(packet) == plain)
        }
        // And the reverse: a packet protected with key A sent straight to B is refused by B.
        var direct = try call.send(TestPacket.rtp(seq: 21, payload: TestPacket.payload(21)))
        #expect(throws: SRTPError.authFail) { try direct.unprotectRTP(try #require(call.phoneB)) }
    }

    @Test("The relay drops what leg A did not authenticate: nothing is re-protected for B")
    func forgedOnLegA() throws {
        let call = try Call(.srtp(.aesCM128HmacSHA1_80), .srtp(.aeadAES128GCM))
        var forged = try call.send(TestPacket.rtp(seq: 5, payload: TestPacket.payload(5)))
        forged.storage[30] ^= 0xFF
        #expect(throws: SRTPError.authFail) { try call.relay(&forged) }
    }
}

@Suite("Key update mid-stream")
struct SRTPKeyUpdateTests {
    /// Sender and receiver switch from `first` to `second` at seq `switchAt`; the stream goes on
    /// through a rollover, and every packet arrives.
    private func run(from first: SRTPMasterKey, to second: SRTPMasterKey, start: UInt16, switchAt: UInt16, count: Int) throws {
        let sender = try SRTPContext(key: first, direction: .outbound)
        let receiver = try SRTPContext(key: first, direction: .inbound)
        var seq = start
        for _ in 0..<count {
            if seq == switchAt {
                try sender.update(key: second)
                try receiver.update(key: second)
            }
            let plain = TestPacket.rtp(seq: seq, timestamp: UInt32(seq) &* 160, payload: TestPacket.payload(seq))
            var packet = PacketBuffer(plain)
            try packet.protectRTP(sender)
            try packet.unprotectRTP(receiver)
            #expect(packet.bytes == plain, "seq \(seq)")
            seq &+= 1
        }
    }

    @Test("RFC 3711 §3.3.1 key update keeps the rollover counter: re-key before the wrap, decrypt after it", arguments: SRTPSuite.allCases)
    func updateAcrossWrap(suite: SRTPSuite) throws {
        try run(from: .random(for: suite), to: .random(for: suite), start: 65000, switchAt: 65500, count: 1000)
    }

    @Test("Key update may change the suite (a re-INVITE choosing another crypto line)", arguments: SRTPSuite.allCases, SRTPSuite.allCases)
    func updateChangesSuite(from: SRTPSuite, to: SRTPSuite) throws {
        try run(from: .random(for: from), to: .random(for: to), start: 100, switchAt: 120, count: 40)
    }

    @Test("After a key update libsrtp2 encrypts with the new key and the carried ROC (checked against the reference)")
    func updateMatchesReference() throws {
        let second = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
        let sender = try SRTPContext(key: .random(for: .aesCM128HmacSHA1_80), direction: .outbound)
        for seq in UInt16(65530)...65535 {
            var packet = PacketBuffer(TestPacket.rtp(seq: seq, payload: TestPacket.payload(seq)))
            try packet.protectRTP(sender)
        }
        try sender.update(key: second)
        let plain = TestPacket.rtp(seq: 2, payload: TestPacket.payload(2))
        var packet = PacketBuffer(plain)
        try packet.protectRTP(sender)
        let expected = ReferenceSRTP.protectRTP(plain, keys: ReferenceSRTP.sessionKeys(second), suite: second.suite, roc: 1)
        #expect(packet.bytes == expected)
    }

    @Test("After a key update, packets under the old key fail authentication; SRTCP follows the new key")
    func oldKeyRefusedAfterUpdate() throws {
        let first = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
        let second = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
        let oldSender = try SRTPContext(key: first, direction: .outbound)
        let newSender = try SRTPContext(key: first, direction: .outbound)
        let receiver = try SRTPContext(key: first, direction: .inbound)
        for seq in UInt16(1)...10 {
            var packet = PacketBuffer(TestPacket.rtp(seq: seq, payload: TestPacket.payload(seq)))
            try packet.protectRTP(newSender)
            try packet.unprotectRTP(receiver)
        }
        try newSender.update(key: second)
        try receiver.update(key: second)
        var stale = PacketBuffer(TestPacket.rtp(seq: 11, payload: TestPacket.payload(11)))
        try stale.protectRTP(oldSender)
        #expect(throws: SRTPError.authFail) { try stale.unprotectRTP(receiver) }
        var fresh = PacketBuffer(TestPacket.rtp(seq: 11, payload: TestPacket.payload(11)))
        try fresh.protectRTP(newSender)
        try fresh.unprotectRTP(receiver)
        var report = PacketBuffer(TestPacket.senderReport())
        try report.protectRTCP(newSender)
        try report.unprotectRTCP(receiver)
        #expect(report.bytes == TestPacket.senderReport())
    }
}
