import NIOCore
import SIPMessage
import SIPTransport
import Testing

@Suite("TCP listeners, framing, limits and keepalives", .timeLimit(.minutes(1)))
struct TCPTransportTests {
    static func tcp(_ host: String = "127.0.0.1", realm: String = "access") -> ListenerSpec {
        ListenerSpec(realm: realm, transport: .tcp, bind: HostPort(host, 0))
    }

    @Test("RFC 3261 §18.3: a message split at every byte is framed whole")
    func splitAtEveryByte() async throws {
        try await withTransport([Self.tcp()]) { layer, sink in
            let phone = try await StreamPeer.connect(to: layer.address(0))
            defer { Task { await phone.close() } }
            let text = options(via: "SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-t1;alias")
            for byte in Array(text.utf8) { try await phone.write([byte]) }
            let inbound = try await sink.message(0)
            #expect(inbound.message.callID == "c1@192.0.2.10")
            #expect(inbound.flow.transport == .tcp)
            #expect(inbound.flow.connection != nil)
            #expect(inbound.message.topVia?.received == "127.0.0.1")
            // The response goes back on the same connection.
            try await layer.sendResponse(ok(for: inbound.message), to: inbound.flow)
            #expect(await eventually { phone.text.hasPrefix("SIP/2.0 200 OK\r\n") })
        }
    }

    @Test("Pipelined messages and a keepalive in one write; RFC 5626 §4.4.1 CRLFCRLF answered with CRLF")
    func pipelining() async throws {
        try await withTransport([Self.tcp()]) { layer, sink in
            let phone = try await StreamPeer.connect(to: layer.address(0))
            defer { Task { await phone.close() } }
            let a = options(via: "SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-p1", callID: "p1")
            let b = options(via: "SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-p2", callID: "p2")
            try await phone.write(a + "\r\n\r\n" + b)
            #expect(try await sink.message(0).message.callID == "p1")
            #expect(try await sink.message(1).message.callID == "p2")
            #expect(await eventually { phone.received == [13, 10] })
            #expect(layer.counterSnapshot().keepalivesAnswered == 1)
            #expect(layer.counterSnapshot().openConnections[.tcp] == 1)
        }
    }

    @Test("An oversize message is refused and the connection closed")
    func oversize() async throws {
        var settings = TransportSettings()
        settings.limits.maxMessageSize = 1024
        try await withTransport([Self.tcp()], settings: settings) { layer, sink in
            let phone = try await StreamPeer.connect(to: layer.address(0))
            defer { Task { await phone.close() } }
            let big = options(via: "SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-o1",
                              extra: "X-Padding: \(String(repeating: "a", count: 2000))\r\n")
            try? await phone.write(big)
            #expect(await eventually { phone.isClosed })
            #expect(sink.all.isEmpty)
            let counters = layer.counterSnapshot()
            #expect(counters.parseErrors[SIPMessageError.Code.messageTooLarge.rawValue] == 1)
            #expect(counters.refusedConnections[.framingError] == 1)
            #expect(await eventually { layer.counterSnapshot().openConnections[.tcp, default: 0] == 0 })
        }
    }

    @Test("A request failing validation gets its 4xx on the connection, which stays open")
    func badRequestAnswered() async throws {
        try await withTransport([Self.tcp()]) { layer, sink in
            let phone = try await StreamPeer.connect(to: layer.address(0))
            defer { Task { await phone.close() } }
            let bad = "OPTIONS sip:sip.example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK-b2\r\n"
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\nMax-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n"
            try await phone.write(bad)
            #expect(await eventually { phone.text.hasPrefix("SIP/2.0 400 ") })
            try await phone.write(options(via: "SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK-b3"))
            _ = try await sink.message(0)
            #expect(!phone.isClosed)
        }
    }

    @Test("Idle connections are closed and counted as dead flows")
    func idleTimeout() async throws {
        var settings = TransportSettings()
        settings.idleTimeout = .milliseconds(200)
        try await withTransport([Self.tcp()], settings: settings) { layer, _ in
            let phone = try await StreamPeer.connect(to: layer.address(0))
            defer { Task { await phone.close() } }
            #expect(await eventually { phone.isClosed })
            #expect(layer.counterSnapshot().deadFlows[.idle] == 1)
        }
    }

    @Test("Connections beyond the per-address limit are refused; closing one frees a slot")
    func connectionLimit() async throws {
        var settings = TransportSettings()
        settings.maxConnectionsPerAddress = 2
        try await withTransport([Self.tcp()], settings: settings) { layer, _ in
            let a = try await StreamPeer.connect(to: layer.address(0))
            let b = try await StreamPeer.connect(to: layer.address(0))
            #expect(await eventually { layer.counterSnapshot().openConnections[.tcp] == 2 })
            let c = try await StreamPeer.connect(to: layer.address(0))
            #expect(await eventually { c.isClosed })
            #expect(layer.counterSnapshot().refusedConnections[.perAddressLimit] == 1)
            #expect(!a.isClosed && !b.isClosed)
            await a.close()
            #expect(await eventually { layer.counterSnapshot().openConnections[.tcp] == 1 })
            let d = try await StreamPeer.connect(to: layer.address(0))
            try await Task.sleep(for: .milliseconds(100))
            #expect(!d.isClosed)
            for p in [b, c, d] { await p.close() }
        }
    }

    @Test("Total connection limit")
    func totalLimit() async throws {
        var settings = TransportSettings()
        settings.maxConnections = 1
        try await withTransport([Self.tcp()], settings: settings) { layer, _ in
            let a = try await StreamPeer.connect(to: layer.address(0))
            #expect(await eventually { layer.counterSnapshot().openConnections[.tcp] == 1 })
            let b = try await StreamPeer.connect(to: layer.address(0))
            #expect(await eventually { b.isClosed })
            #expect(layer.counterSnapshot().refusedConnections[.totalLimit] == 1)
            await a.close()
        }
    }

    @Test("Outbound connections are pooled per destination; the peer's requests come back on the same flow")
    func pooledOutbound() async throws {
        try await withTransport([Self.tcp("::1", realm: "core")]) { server, serverSink in
            try await withTransport([Self.tcp(realm: "access"), Self.tcp("::1", realm: "core")]) { sbc, sbcSink in
                let port = server.address(0).port!
                let dest = OutboundDestination(realm: "core", transport: .tcp, address: HostPort("::1", port))
                let f1 = try await sbc.send(Array(options(via: "SIP/2.0/TCP [::1]:5060;branch=z9hG4bK-o1", callID: "o1").utf8), to: dest)
                let f2 = try await sbc.send(Array(options(via: "SIP/2.0/TCP [::1]:5060;branch=z9hG4bK-o2", callID: "o2").utf8), to: dest)
                #expect(f1.connection == f2.connection)
                #expect(f1.listener == nil)
                let r1 = try await serverSink.message(0)
                let r2 = try await serverSink.message(1)
                #expect(r1.flow.connection == r2.flow.connection)
                // The server sends a request back through the flow it received on.
                try await server.send(Array(options(via: "SIP/2.0/TCP [::1]:5060;branch=z9hG4bK-back", callID: "back").utf8),
                                      on: r1.flow)
                let back = try await sbcSink.message(0)
                #expect(back.message.callID == "back")
                #expect(back.flow.connection == f1.connection)
                #expect(sbc.counterSnapshot().messagesOut[TrafficKey(realm: "core", transport: .tcp)] == 2)
            }
        }
    }

    @Test("Concurrent sends to a new destination share one connection")
    func concurrentConnect() async throws {
        try await withTransport([Self.tcp(realm: "core")]) { server, serverSink in
            try await withTransport([Self.tcp(realm: "core")]) { sbc, _ in
                let dest = OutboundDestination(realm: "core", transport: .tcp,
                                               address: HostPort("127.0.0.1", server.address(0).port!))
                let flows = try await withThrowingTaskGroup(of: Flow.self) { group in
                    for i in 0..<8 {
                        group.addTask {
                            try await sbc.send(Array(options(via: "SIP/2.0/TCP 203.0.113.5;branch=z9hG4bK-c\(i)",
                                                             callID: "c\(i)").utf8), to: dest)
                        }
                    }
                    return try await group.reduce(into: [Flow]()) { $0.append($1) }
                }
                #expect(Set(flows.compactMap(\.connection)).count == 1)
                _ = try await serverSink.message(7)
                #expect(server.counterSnapshot().openConnections[.tcp] == 1)
            }
        }
    }

    @Test("RFC 5923: a Via alias lets requests to the phone's sent-by port reuse its connection")
    func aliasReuse() async throws {
        try await withTransport([Self.tcp()]) { layer, sink in
            let phone = try await StreamPeer.connect(to: layer.address(0))
            defer { Task { await phone.close() } }
            try await phone.write(options(via: "SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK-al;alias"))
            let inbound = try await sink.message(0)
            // Nothing listens on 5099: only the aliased connection can carry this.
            let flow = try await layer.send(Array(options(via: "SIP/2.0/TCP 203.0.113.5;branch=z9hG4bK-x", callID: "x").utf8),
                                            to: OutboundDestination(realm: "access", transport: .tcp,
                                                                    address: HostPort("127.0.0.1", 5099)))
            #expect(flow.connection == inbound.flow.connection)
            #expect(await eventually { phone.text.contains("Call-ID: x\r\n") })
        }
    }

    @Test("RFC 5626 §4.4.1: a ping without a pong marks the flow dead")
    func pongTimeout() async throws {
        var settings = TransportSettings()
        // Long enough for a 2-core machine loaded by the whole suite to answer the first ping in time.
        settings.pongTimeout = .seconds(3)
        try await withTransport([Self.tcp()], settings: settings) { layer, sink in
            let phone = try await StreamPeer.connect(to: layer.address(0))
            defer { Task { await phone.close() } }
            try await phone.write(options(via: "SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK-k1"))
            let flow = try await sink.message(0).flow
            try await layer.keepalive(flow)
            #expect(await eventually { phone.received == Array("\r\n\r\n".utf8) })
            try await phone.write("\r\n")
            try await Task.sleep(for: .milliseconds(3200))
            #expect(!phone.isClosed)
            #expect(layer.counterSnapshot().deadFlows[.noPong] == nil)
            try await layer.keepalive(flow)
            #expect(await eventually(.seconds(10)) { phone.isClosed })
            #expect(layer.counterSnapshot().deadFlows[.noPong] == 1)
        }
    }

    @Test("RFC 5626 §4.4.1: connections Palisade opened are pinged; answered pings keep them, a silent peer is dead")
    func periodicPings() async throws {
        var settings = TransportSettings()
        settings.pingInterval = .milliseconds(300)
        // A pong is a CRLF from a peer on this machine, but the whole suite can hold the peer's
        // event loop for more than a second while it starts.
        settings.pongTimeout = .seconds(3)
        try await withTransport([Self.tcp(realm: "core")]) { server, serverSink in
            try await withTransport([Self.tcp(realm: "core")], settings: settings) { sbc, _ in
                let dest = OutboundDestination(realm: "core", transport: .tcp,
                                               address: HostPort("127.0.0.1", server.address(0).port!))
                let flow = try await sbc.send(Array(options(via: "SIP/2.0/TCP 203.0.113.5;branch=z9hG4bK-p1", callID: "p1").utf8), to: dest)
                _ = try await serverSink.message(0)
                // The peer (a Palisade transport: it answers CRLFCRLF with CRLF) answers every ping.
                #expect(await eventually { server.counterSnapshot().keepalivesAnswered >= 3 })
                #expect(sbc.counterSnapshot().deadFlows.isEmpty)
                let again = try await sbc.send(Array(options(via: "SIP/2.0/TCP 203.0.113.5;branch=z9hG4bK-p2", callID: "p2").utf8), to: dest)
                #expect(again.connection == flow.connection)
            }
        }

        // A peer that reads but never answers a ping: the flow is closed and counted once.
        let silent = try await SilentServer.start()
        try await withTransport([Self.tcp(realm: "core")], settings: settings) { sbc, _ in
            let dest = OutboundDestination(realm: "core", transport: .tcp, address: HostPort("127.0.0.1", silent.port))
            _ = try await sbc.send(Array(options(via: "SIP/2.0/TCP 203.0.113.5;branch=z9hG4bK-s1", callID: "s1").utf8), to: dest)
            #expect(await eventually { silent.received.contains("\r\n\r\n") })
            #expect(await eventually(.seconds(10)) { sbc.counterSnapshot().deadFlows[.noPong] == 1 })
            #expect(await eventually { sbc.counterSnapshot().openConnections[.tcp, default: 0] == 0 })
        }
        await silent.close()
    }
}
