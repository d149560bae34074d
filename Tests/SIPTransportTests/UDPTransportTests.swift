import NIOCore
import NIOPosix
import SIPMessage
import SIPTransport
import Testing

@Suite("UDP listeners and flows", .timeLimit(.minutes(1)))
struct UDPTransportTests {
    static let v4 = ListenerSpec(realm: "access", transport: .udp, bind: HostPort("127.0.0.1", 0),
                                 advertised: HostPort("203.0.113.5", 5060))
    static let v6 = ListenerSpec(realm: "access", transport: .udp, bind: HostPort("::1", 0))

    @Test("a UDP port another listener holds is refused, never shared (no SO_REUSEADDR)")
    func portInUse() async throws {
        try await withTransport([Self.v4]) { layer, _ in
            let port = try #require(layer.address(0).port)
            let second = TransportLayer(listeners: [ListenerSpec(realm: "access", transport: .udp,
                                                                 bind: HostPort("127.0.0.1", port))],
                                        group: MultiThreadedEventLoopGroup.singleton)
            await #expect(throws: (any Error).self) { try await second.start() }
            await second.shutdown()
        }
    }

    @Test("RFC 3581 §4: received and rport stamped; the response returns to the source port")
    func rportRoundTrip() async throws {
        try await withTransport([Self.v4]) { layer, sink in
            let phone = try await DatagramPeer.bind("127.0.0.1")
            defer { Task { await phone.close() } }
            // The phone claims a private address and port 5060; the packet comes from elsewhere.
            try await phone.send(options(via: "SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bK-u1;rport"),
                                 to: layer.address(0))
            let inbound = try await sink.message(0)
            #expect(inbound.flow.transport == .udp)
            #expect(inbound.flow.realm == "access")
            #expect(inbound.flow.remote.port == phone.port)
            #expect(inbound.flow.connection == nil)
            let via = try #require(inbound.message.topVia)
            #expect(via.received == "127.0.0.1")
            #expect(via.rport == .value(phone.port))
            #expect(via.branch == "z9hG4bK-u1")

            try await layer.sendResponse(ok(for: inbound.message), to: inbound.flow)
            #expect(await eventually { phone.datagrams.count == 1 })
            let reply = try SIPMessage(parsing: phone.datagrams[0].1)
            #expect(reply.statusCode == 200)
            #expect(reply.topVia?.rport == .value(phone.port))
            #expect(layer.counterSnapshot().messagesIn[TrafficKey(realm: "access", transport: .udp)] == 1)
            #expect(layer.counterSnapshot().messagesOut[TrafficKey(realm: "access", transport: .udp)] == 1)
        }
    }

    @Test("RFC 3261 §18.2.1: received added when sent-by differs, nothing when it matches")
    func receivedOnlyWhenNeeded() async throws {
        try await withTransport([Self.v4]) { layer, sink in
            let phone = try await DatagramPeer.bind("127.0.0.1")
            defer { Task { await phone.close() } }
            try await phone.send(options(via: "SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bK-u2"),
                                 to: layer.address(0))
            try await phone.send(options(via: "SIP/2.0/UDP phone.example.com:\(phone.port);branch=z9hG4bK-u3", cseq: 2),
                                 to: layer.address(0))
            let same = try await sink.message(0)
            let named = try await sink.message(1)
            #expect(same.message.topVia?.received == nil)
            #expect(named.message.topVia?.received == "127.0.0.1")
            #expect(named.message.topVia?.rport == .absent)
            // Without rport the response goes to received and the sent-by port: here the phone's own.
            try await layer.sendResponse(ok(for: named.message), to: named.flow)
            #expect(await eventually { phone.datagrams.count == 1 })
        }
    }

    @Test("sendDatagramNow on the listener's loop: sent from the listener's port; a failing send reported, nil elsewhere")
    func sendNowOnLoop() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let layer = TransportLayer(listeners: [Self.v4], group: MultiThreadedEventLoopGroup.singleton, datagramLoop: loop)
        try await layer.start()
        let sink = MessageSink(layer)
        let phone = try await DatagramPeer.bind("127.0.0.1")
        do {
            try await phone.send(options(via: "SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bK-n1;rport"),
                                 to: layer.address(0))
            let flow = try await sink.message(0).flow
            let bytes = Array("OPTIONS sip:phone SIP/2.0\r\n\r\n".utf8)
            // From another thread: nothing sent, the caller takes the async path.
            #expect(layer.sendDatagramNow(bytes, on: flow) == nil)
            let sent = try await loop.submit { layer.sendDatagramNow(bytes, on: flow) }.get()
            guard case .sent? = sent else {
                Issue.record("expected .sent, got \(String(describing: sent))")
                return
            }
            #expect(await eventually { phone.datagrams.count == 1 })
            #expect(phone.datagrams.first?.0.port == layer.address(0).port)
            #expect(phone.datagrams.first?.1 == bytes)
            #expect(layer.counterSnapshot().messagesOut[TrafficKey(realm: "access", transport: .udp)] == 1)
            // An IPv4 socket cannot send to an IPv6 address: the errno comes back, nothing is counted.
            var v6 = flow
            v6.remote = try SocketAddress(ipAddress: "::1", port: phone.port)
            let toV6 = v6
            let refused = try await loop.submit { layer.sendDatagramNow(bytes, on: toV6) }.get()
            guard case .failed? = refused else {
                Issue.record("expected .failed, got \(String(describing: refused))")
                return
            }
            #expect(layer.counterSnapshot().messagesOut[TrafficKey(realm: "access", transport: .udp)] == 1)
        } catch {
            Issue.record(error)
        }
        await phone.close()
        await layer.shutdown()
    }

    @Test("IPv6 listener on ::1 with rport")
    func ipv6() async throws {
        try await withTransport([Self.v6]) { layer, sink in
            let phone = try await DatagramPeer.bind("::1")
            defer { Task { await phone.close() } }
            try await phone.send(options(via: "SIP/2.0/UDP [2001:db8::7]:5060;branch=z9hG4bK-u6;rport"),
                                 to: layer.address(0))
            let inbound = try await sink.message(0)
            #expect(inbound.message.topVia?.received == "::1")
            #expect(inbound.message.topVia?.rport == .value(phone.port))
            try await layer.sendResponse(ok(for: inbound.message), to: inbound.flow)
            #expect(await eventually { phone.datagrams.count == 1 })
            #expect(layer.via(realm: "access", transport: .udp, branch: "z9hG4bKx")?.hasPrefix("SIP/2.0/UDP [::1]:") == true)
        }
    }

    @Test("A request failing validation is answered 400 on its flow; a bad response is dropped and counted")
    func badMessages() async throws {
        try await withTransport([Self.v4]) { layer, sink in
            let phone = try await DatagramPeer.bind("127.0.0.1")
            defer { Task { await phone.close() } }
            // No CSeq: the validator refuses it.
            let bad = "OPTIONS sip:sip.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bK-b1\r\n"
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\nMax-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n"
            try await phone.send(bad, to: layer.address(0))
            #expect(await eventually { phone.datagrams.count == 1 })
            let answer = try SIPMessage(parsing: phone.datagrams[0].1)
            #expect(answer.statusCode == 400)
            #expect(answer.topVia?.branch == "z9hG4bK-b1")
            #expect(answer.to?.tag != nil)

            try await phone.send("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", to: layer.address(0))
            #expect(await eventually { layer.counterSnapshot().droppedResponses == 1 })
            #expect(sink.all.isEmpty)
            #expect(layer.counterSnapshot().parseErrors.values.reduce(0, +) == 2)
        }
    }

    @Test("The advertised address is what Via, Contact and Record-Route report")
    func advertised() async throws {
        try await withTransport([Self.v4]) { layer, _ in
            #expect(layer.advertised(realm: "access", transport: .udp) == HostPort("203.0.113.5", 5060))
            #expect(layer.via(realm: "access", transport: .udp, branch: "z9hG4bK1")
                == "SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK1;rport")
            #expect(layer.uri(realm: "access", transport: .udp, user: "b2bua") == "sip:b2bua@203.0.113.5:5060")
            #expect(layer.advertised(realm: "core", transport: .udp) == nil)
        }
    }
}
