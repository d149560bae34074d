import Foundation
import NIOCore
import SIPMessage
import SIPTransport
import Testing

/// TLS over loopback with certificates made by `openssl` at test time, `openssl s_client` as a
/// real peer where the check is about what a foreign stack sees.
@Suite("TLS listeners, client certificates, RFC 5922 verification, resumption, reload",
       .timeLimit(.minutes(2)))
struct TLSTransportTests {
    static let pki = TestPKI.shared

    init() async throws { try await TestPKI.made() }

    static func listener(realm: String = "access", host: String = "127.0.0.1", certificates: [TLSCertificateFiles],
                         client: ClientCertificatePolicy = .none) -> ListenerSpec {
        ListenerSpec(realm: realm, transport: .tls, bind: HostPort(host, 0),
                     tls: TLSServerSpec(certificates: certificates, clientCertificates: client,
                                        caBundlePath: client == .none ? nil : pki.caCert))
    }

    static func files(_ name: String, _ names: [String]) -> TLSCertificateFiles {
        TLSCertificateFiles(chainPath: pki.cert(name), keyPath: pki.key(name), serverNames: names)
    }

    static let sni = [files("server", ["sip.example.com"]), files("other", ["other.example.com"])]

    static func sClient(_ address: SocketAddress, _ extra: [String], input: String = "") async throws -> String {
        try await run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(address.port!)",
                                           "-CAfile", pki.caCert] + extra, input: input).output
    }

    @Test("SNI selects the certificate; no SNI gets the default; a message arrives over s_client")
    func sniSelection() async throws {
        try await withTransport([Self.listener(certificates: Self.sni)]) { layer, sink in
            let other = try await Self.sClient(layer.address(0), ["-servername", "other.example.com"])
            #expect(other.contains("CN = other.example.com"))
            #expect(other.contains("Verify return code: 0 (ok)"))
            let fallback = try await Self.sClient(layer.address(0), ["-noservername"],
                                                  input: options(via: "SIP/2.0/TLS 192.0.2.10;branch=z9hG4bK-s1"))
            #expect(fallback.contains("CN = sip.example.com"))
            let inbound = try await sink.message(0)
            #expect(inbound.flow.transport == .tls)
            #expect(inbound.flow.peerIdentity == nil)
            #expect(await eventually { layer.counterSnapshot().tlsHandshakes[.success] == 2 })
            #expect(layer.counterSnapshot().tlsHandshakes[.resumed] == nil)
        }
    }

    @Test("Client certificates required: refused without one, identity on the flow with one")
    func clientCertificateRequired() async throws {
        try await withTransport([Self.listener(certificates: Self.sni, client: .required)]) { layer, sink in
            _ = try await Self.sClient(layer.address(0), ["-servername", "sip.example.com"],
                                       input: options(via: "SIP/2.0/TLS 192.0.2.10;branch=z9hG4bK-n1"))
            #expect(await eventually { layer.counterSnapshot().tlsHandshakes[.noPeerCertificate] == 1 })
            #expect(sink.all.isEmpty)

            _ = try await Self.sClient(layer.address(0), ["-servername", "sip.example.com",
                                                          "-cert", Self.pki.cert("client"), "-key", Self.pki.key("client")],
                                       input: options(via: "SIP/2.0/TLS 192.0.2.10;branch=z9hG4bK-c1"))
            let inbound = try await sink.message(0)
            let identity = try #require(inbound.flow.peerIdentity)
            #expect(identity.uris == ["sip:alice@example.com"])
            #expect(identity.dnsNames == ["phone1.example.com"])
        }
    }

    @Test("Client certificates refused by reason: from an unknown CA, for the wrong purpose")
    func clientCertificateRejected() async throws {
        try await withTransport([Self.listener(certificates: Self.sni, client: .required)]) { layer, sink in
            // TLS 1.2: the server's verdict arrives before s_client's Finished, so it surely ran.
            _ = try await Self.sClient(layer.address(0), ["-tls1_2", "-cert", Self.pki.cert("rogue"),
                                                          "-key", Self.pki.key("rogue")])
            #expect(await eventually { layer.counterSnapshot().tlsHandshakes[.unknownCA] == 1 })
            // other.example.com's certificate is for servers only (extendedKeyUsage serverAuth).
            _ = try await Self.sClient(layer.address(0), ["-tls1_2", "-cert", Self.pki.cert("other"),
                                                          "-key", Self.pki.key("other")])
            #expect(await eventually { layer.counterSnapshot().tlsHandshakes[.badCertificate] == 1 })
            #expect(layer.counterSnapshot().tlsHandshakes[.success] == nil)
            #expect(sink.all.isEmpty)
        }
    }

    @Test("Client certificates optional: accepted without one, identity with one, resumption with one")
    func clientCertificateOptional() async throws {
        try await withTransport([Self.listener(certificates: Self.sni, client: .optional)]) { layer, sink in
            _ = try await Self.sClient(layer.address(0), ["-servername", "sip.example.com"],
                                       input: options(via: "SIP/2.0/TLS 192.0.2.10;branch=z9hG4bK-o1"))
            #expect(try await sink.message(0).flow.peerIdentity == nil)
            let session = NSTemporaryDirectory() + "palisade-sess-\(UUID().uuidString).pem"
            let withCert = ["-servername", "sip.example.com", "-tls1_2",
                            "-cert", Self.pki.cert("client"), "-key", Self.pki.key("client")]
            _ = try await Self.sClient(layer.address(0), withCert + ["-sess_out", session],
                                       input: options(via: "SIP/2.0/TLS 192.0.2.10;branch=z9hG4bK-o2"))
            #expect(try await sink.message(1).flow.peerIdentity?.dnsNames == ["phone1.example.com"])
            let again = try await Self.sClient(layer.address(0), withCert + ["-sess_in", session])
            #expect(again.contains("Reused, TLSv1.2"))
        }
    }

    @Test("Handshake failures are counted by reason: no shared cipher, unknown CA, timeout")
    func failureReasons() async throws {
        var settings = TransportSettings()
        // The silent peer waits this out; the s_client handshakes before it must finish within it.
        settings.handshakeTimeout = .seconds(1)
        try await withTransport([Self.listener(certificates: Self.sni)], settings: settings) { layer, _ in
            // Only RSA key exchange offered to an ECDSA certificate: nothing in common.
            _ = try await Self.sClient(layer.address(0), ["-tls1_2", "-cipher", "AES128-SHA"])
            #expect(await eventually { layer.counterSnapshot().tlsHandshakes[.noSharedCipher] == 1 })
            _ = try await Self.sClient(layer.address(0), ["-tls1_1"])
            #expect(await eventually { layer.counterSnapshot().tlsHandshakes[.noSharedCipher] == 2 })

            // A peer that does not trust our CA says so with an unknown_ca alert (RFC 5246 §7.2.2);
            // over TLS 1.2 it arrives before any key change, so it is readable.
            _ = try await run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(layer.address(0).port!)",
                                                   "-CAfile", Self.pki.cert("rogue-ca"), "-verify_return_error",
                                                   "-tls1_2"])
            #expect(await eventually { layer.counterSnapshot().tlsHandshakes[.unknownCA] == 1 })

            let silent = try await StreamPeer.connect(to: layer.address(0))
            #expect(await eventually { silent.isClosed })
            #expect(layer.counterSnapshot().tlsHandshakes[.timeout] == 1)
        }
    }

    @Test("RFC 5922 outbound: the wrong domain fails, the right one passes, a per-peer switch relaxes it")
    func outboundVerification() async throws {
        let right = Self.listener(realm: "core", certificates: [Self.files("server", [])])
        let wrong = Self.listener(realm: "core", certificates: [Self.files("wrong", [])])
        let rogue = Self.listener(realm: "core", certificates: [Self.files("rogue", [])])
        // A valid chain whose leaf may only authenticate clients (extendedKeyUsage clientAuth).
        let clientOnly = Self.listener(realm: "core", certificates: [Self.files("client", [])])
        try await withTransport([right, wrong, rogue, clientOnly]) { peers, peerSink in
            try await withTransport([Self.listener(realm: "core", certificates: [Self.files("server", [])])]) { sbc, _ in
                func dest(_ i: Int, _ v: TLSPeerPolicy.Verification) -> OutboundDestination {
                    OutboundDestination(realm: "core", transport: .tls, address: HostPort("127.0.0.1", peers.address(i).port!),
                                        tls: TLSPeerPolicy(sipDomain: "sip.example.com", verification: v,
                                                           caBundlePath: Self.pki.caCert))
                }
                let msg = Array(options(via: "SIP/2.0/TLS 203.0.113.5;branch=z9hG4bK-v1", callID: "v1").utf8)

                let ok = try await sbc.send(msg, to: dest(0, .rfc5922))
                #expect(ok.peerIdentity?.uris == ["sip:sip.example.com"])
                #expect(try await peerSink.message(0).message.callID == "v1")

                await #expect(throws: TransportError(.handshakeFailed)) { try await sbc.send(msg, to: dest(1, .rfc5922)) }
                #expect(sbc.counterSnapshot().tlsHandshakes[.domainMismatch] == 1)

                // A chain to a CA we do not trust: BoringSSL says only "verify failed"; the X.509
                // result says why.
                await #expect(throws: TransportError(.handshakeFailed)) { try await sbc.send(msg, to: dest(2, .rfc5922)) }
                #expect(sbc.counterSnapshot().tlsHandshakes[.unknownCA] == 1)
                await #expect(throws: TransportError(.handshakeFailed)) { try await sbc.send(msg, to: dest(3, .rfc5922)) }
                #expect(sbc.counterSnapshot().tlsHandshakes[.badCertificate] == 1)

                _ = try await sbc.send(msg, to: dest(1, .chainOnly))
                _ = try await peerSink.message(1)
            }
        }
    }

    /// A full handshake by s_client saving its session, then a reconnect offering it. The first
    /// client sends nothing, stays half a second and closes first: the server never writes
    /// application data and never closes, so the TLS 1.3 tickets must leave on their own (BoringSSL
    /// would hold them until the server's first write or close_notify).
    static func reconnect(_ layer: TransportLayer, version: String, name: String,
                          session: String) async throws -> (full: String, again: String) {
        let first = "sleep 0.5 | /usr/bin/openssl s_client -connect 127.0.0.1:\(layer.address(0).port!) -CAfile \(pki.caCert) "
            + "\(version) -servername \(name) -sess_out \(session) 2>&1"
        let full = try await run("/bin/sh", ["-c", first]).output
        let again = try await Self.sClient(layer.address(0), [version, "-servername", name, "-sess_in", session])
        return (full, again)
    }

    @Test("realm.tls_peers: full RFC 5922 verification by default; a rule relaxes it for its peer only")
    func perPeerVerification() async throws {
        // One server for wrong.example.net, dual-stack on loopback, reached by two names: 127.0.0.1
        // (no rule of its own: the realm's "*" rule, full verification) and localhost (chain only).
        let wrong = Self.listener(realm: "core", host: "::", certificates: [Self.files("wrong", [])])
        try await withTransport([wrong]) { peer, peerSink in
            var settings = TransportSettings()
            settings.tlsPeers = [TLSPeerRule(realm: "core", host: "LOCALHOST", verification: .chainOnly, caBundlePath: Self.pki.caCert),
                                 TLSPeerRule(realm: "core", host: "*", caBundlePath: Self.pki.caCert)]
            try await withTransport([Self.listener(realm: "core", certificates: [Self.files("server", [])])],
                                    settings: settings) { sbc, _ in
                let port = peer.address(0).port!
                let msg = Array(options(via: "SIP/2.0/TLS 203.0.113.5;branch=z9hG4bK-pp", callID: "pp").utf8)
                #expect(sbc.tlsPolicy(realm: "core", host: "127.0.0.1").verification == .rfc5922)
                #expect(sbc.tlsPolicy(realm: "core", host: "localhost").verification == .chainOnly)
                #expect(sbc.tlsPolicy(realm: "access", host: "localhost").verification == .rfc5922)

                await #expect(throws: TransportError(.handshakeFailed)) {
                    try await sbc.send(msg, to: OutboundDestination(realm: "core", transport: .tls,
                                                                    address: HostPort("127.0.0.1", port)))
                }
                #expect(sbc.counterSnapshot().tlsHandshakes[.domainMismatch] == 1)

                let relaxed = try await sbc.send(msg, to: OutboundDestination(realm: "core", transport: .tls,
                                                                              address: HostPort("localhost", port)))
                #expect(relaxed.peerIdentity?.dnsNames == ["wrong.example.net"])
                #expect(try await peerSink.message(0).message.callID == "pp")
            }
        }
    }

    @Test("Session resumption: TLS 1.2 and 1.3 reconnects resume, for every SNI certificate, and after a reload")
    func resumption() async throws {
        let live = try Self.pki.copy("server", as: "live")
        let certificates = [TLSCertificateFiles(chainPath: live.chain, keyPath: live.key, serverNames: ["sip.example.com"]),
                            Self.files("other", ["other.example.com"])]
        try await withTransport([Self.listener(certificates: certificates)]) { layer, _ in
            let dir = NSTemporaryDirectory() + "palisade-sess-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var resumed = 0
            for version in ["-tls1_2", "-tls1_3"] {
                for name in ["sip.example.com", "other.example.com"] {
                    let run = try await Self.reconnect(layer, version: version, name: name,
                                                       session: "\(dir)/\(version)-\(name).pem")
                    #expect(run.full.contains("New, TLSv1"), "\(version) \(name) first")
                    #expect(run.again.contains("Reused, TLSv1"), "\(version) \(name) reconnect: \(run.again)")
                    resumed += 1
                    #expect(await eventually { layer.counterSnapshot().tlsHandshakes[.resumed] == resumed })
                }
            }
            #expect(layer.counterSnapshot().tlsHandshakes[.success] == 4)

            // Sessions saved before a certificate reload resume after it: the ticket keys stay.
            var saved: [String: String] = [:]
            for version in ["-tls1_2", "-tls1_3"] {
                let session = "\(dir)/before-reload\(version).pem"
                _ = try await Self.reconnect(layer, version: version, name: "sip.example.com", session: session)
                saved[version] = session
            }
            try Self.pki.replace(live, with: "other")
            try layer.reloadCertificates()
            let reloaded = try await Self.sClient(layer.address(0), ["-servername", "sip.example.com"])
            #expect(reloaded.contains("CN = other.example.com"))
            for version in ["-tls1_2", "-tls1_3"] {
                let again = try await Self.sClient(layer.address(0), [version, "-servername", "sip.example.com",
                                                                      "-sess_in", saved[version]!])
                #expect(again.contains("Reused, TLSv1"), "\(version) after reload: \(again)")
            }
        }
    }

    @Test("Reload swaps the certificate for new connections; an established one keeps working")
    func reload() async throws {
        let files = try Self.pki.copy("server", as: "live")
        let spec = Self.listener(realm: "core", certificates: [TLSCertificateFiles(chainPath: files.chain, keyPath: files.key)])
        try await withTransport([spec]) { server, serverSink in
            try await withTransport([Self.listener(realm: "core", certificates: [Self.files("server", [])])]) { sbc, _ in
                let dest = OutboundDestination(realm: "core", transport: .tls,
                                               address: HostPort("127.0.0.1", server.address(0).port!),
                                               tls: TLSPeerPolicy(sipDomain: "sip.example.com", caBundlePath: Self.pki.caCert))
                let before = try await sbc.send(Array(options(via: "SIP/2.0/TLS 203.0.113.5;branch=z9hG4bK-1", callID: "before").utf8), to: dest)
                _ = try await serverSink.message(0)

                try Self.pki.replace(files, with: "other")
                try server.reloadCertificates()

                let fresh = try await Self.sClient(server.address(0), ["-servername", "sip.example.com"])
                #expect(fresh.contains("CN = other.example.com"))
                let after = try await sbc.send(Array(options(via: "SIP/2.0/TLS 203.0.113.5;branch=z9hG4bK-2", callID: "after").utf8), to: dest)
                #expect(after.connection == before.connection)
                #expect(try await serverSink.message(1).message.callID == "after")
                #expect(server.counterSnapshot().openConnections[.tls] == 1)
            }
        }
    }

    @Test("RFC 5626 §4.4.1 over TLS: an outbound connection is pinged and stays while the peer answers")
    func pingsOverTLS() async throws {
        var settings = TransportSettings()
        settings.pingInterval = .milliseconds(300)
        settings.pongTimeout = .seconds(1)
        try await withTransport([Self.listener(realm: "core", certificates: [Self.files("server", [])])]) { server, serverSink in
            try await withTransport([Self.listener(realm: "core", certificates: [Self.files("server", [])])],
                                    settings: settings) { sbc, _ in
                let dest = OutboundDestination(realm: "core", transport: .tls,
                                               address: HostPort("127.0.0.1", server.address(0).port!),
                                               tls: TLSPeerPolicy(sipDomain: "sip.example.com", caBundlePath: Self.pki.caCert))
                let flow = try await sbc.send(Array(options(via: "SIP/2.0/TLS 203.0.113.5;branch=z9hG4bK-t1", callID: "t1").utf8), to: dest)
                _ = try await serverSink.message(0)
                #expect(await eventually { server.counterSnapshot().keepalivesAnswered >= 3 })
                #expect(sbc.counterSnapshot().deadFlows.isEmpty)
                let again = try await sbc.send(Array(options(via: "SIP/2.0/TLS 203.0.113.5;branch=z9hG4bK-t2", callID: "t2").utf8), to: dest)
                #expect(again.connection == flow.connection)
            }
        }
    }
}
