import MediaControlProtocol
import MediaEngine
import SRTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A UDP socket on 127.0.0.1 for the session tests; every wait bounded.
final class UDPPeer {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr = in_addr(s_addr: IPv4Endpoint.loopback.bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        if !bound { close(fd) }
        try #require(bound)
        self.fd = fd
        self.port = Int(UInt16(bigEndian: sin.sin_port))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8], to port: Int) {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr = in_addr(s_addr: IPv4Endpoint.loopback.bigEndian)
        sin.sin_port = UInt16(port).bigEndian
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    func receive(within milliseconds: Int32 = 1000) -> [UInt8]? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return count >= 0 ? Array(buffer.prefix(count)) : nil
    }
}

func rtpPacket(sequence: UInt16, ssrc: UInt32 = 0x0102_0304, payload: String) -> [UInt8] {
    [0x80, 0, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0, 0,
     UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)] + Array(payload.utf8)
}


@Suite("Session table with SRTP")
struct SessionTableSRTPTests {
    @Test("SRTP ↔ RTP through the control protocol: a generated key comes back, re-sending keeps it, a new remote key re-keys without loss")
    func srtpSession() throws {
        try SessionTableTests.withPlane(base: 13_600) { plane in
            let client = try ControlClient(path: plane.path, hello: MediaControlServerTests.signal)
            let phone = try UDPPeer()
            let far = try UDPPeer()
            let suite = SRTPSuite.aeadAES128GCM
            var phoneKey = SRTPMasterKey.random(for: suite)
            func spec(remoteKey: SRTPMasterKey) -> SessionSpec {
                SessionSpec(session: "secure", streams: [MediaControlProtocol.StreamSpec(
                    index: 0,
                    a: MediaControlProtocol.LegSpec(interface: "access", rtcpMux: true, remote: nil, profile: .srtp(
                        suite: suite.sdesName, localKey: nil, remoteKey: remoteKey.sdesInlineKeySalt)),
                    b: MediaControlProtocol.LegSpec(interface: "core", rtcpMux: true,
                                                    remote: Endpoint(address: "127.0.0.1", port: far.port),
                                                    profile: .rtp))])
            }
            guard case .success(.created(let allocation)) = try client.request(.createSession(spec(remoteKey: phoneKey)))
            else {
                Issue.record("SRTP session refused")
                return
            }
            let legA = allocation.streams[0].a
            #expect(legA.suite == suite.sdesName)
            #expect(allocation.streams[0].b.suite == nil && allocation.streams[0].b.localKey == nil)
            let palisadeKey = try SRTPMasterKey(suite: suite, sdesInlineKeySalt: try #require(legA.localKey))
            let phoneSends = try SRTPContext(key: phoneKey, direction: .outbound)
            let phoneReceives = try SRTPContext(key: palisadeKey, direction: .inbound)

            var sequence: UInt16 = 0
            func both() throws {
                sequence += 1
                let up = rtpPacket(sequence: sequence, payload: "up \(sequence)")
                phone.send(try phoneSends.protected(up), to: legA.rtpPort)
                #expect(far.receive() == up)
                let down = rtpPacket(sequence: sequence, ssrc: 9, payload: "down \(sequence)")
                far.send(down, to: allocation.streams[0].b.rtpPort)
                #expect(phoneReceives.unprotected(try #require(phone.receive())) == down)
            }
            for _ in 0..<3 { try both() }

            // The same spec again (localKey still absent) keeps Palisade's key.
            guard case .success(.updated(let same)) = try client.request(.updateSession(spec(remoteKey: phoneKey))) else {
                Issue.record("update refused")
                return
            }
            #expect(same.streams[0].a.localKey == legA.localKey)

            // The phone re-keys (a re-INVITE with a new a=crypto): no packet lost across it.
            phoneKey = SRTPMasterKey.random(for: suite)
            try phoneSends.update(key: phoneKey)
            guard case .success(.updated(let rekeyed)) = try client.request(.updateSession(spec(remoteKey: phoneKey)))
            else {
                Issue.record("re-key refused")
                return
            }
            #expect(rekeyed.streams[0].a == legA)
            for _ in 0..<3 { try both() }

            // A forged packet shows in query-session as an auth-failure drop.
            var forged = try phoneSends.protected(rtpPacket(sequence: 99, payload: "forged"))
            forged[forged.count - 1] ^= 1
            phone.send(forged, to: legA.rtpPort)
            #expect(far.receive(within: 150) == nil)
            guard case .success(.queried(let figures)) = try client.request(.querySession(SessionReference(session: "secure")))
            else {
                Issue.record("query not answered")
                return
            }
            #expect(figures.streams[0].a.drops["auth-failure"] == 1)
            #expect(figures.streams[0].a.packets == 6)
            #expect(figures.streams[0].a.latched?.port == phone.port)
        }
    }
}
