import AdminProtocol
import Foundation
import Testing
import TestSupport

/// palisade-signal as a phone fleet sees it after an outage: openssl s_client connects over TLS,
/// sends nothing, keeps the session it was given, and reconnects offering it.
@Suite("End to end: TLS session resumption", .serialized, .timeLimit(.minutes(2)))
struct TLSResumptionEndToEndTests {
    @Test("an idle TLS 1.3 and 1.2 client gets a ticket and resumes, also after SIGHUP reloads the certificate")
    func resumption() async throws {
        let openssl = try #require(Command.which("openssl"))
        let files = try TemporaryDirectory(prefix: "palisade-tls-resume")
        let cert = files.path + "/sip.example.com.pem", key = files.path + "/sip.example.com.key"
        func makeCertificate(_ subject: String) async throws {
            try await SelfSigned.make(openssl: openssl, cert: cert, key: key, subject: subject,
                                      names: "DNS:sip.example.com")
        }
        try await makeCertificate("/CN=sip.example.com")
        let pair = try DaemonPair.start(accessListeners: """

            [[realm.listener]]
            transport = "tls"
            listen = "127.0.0.1:0"
            certificates = [{ cert = "\(cert)", key = "\(key)", server_names = ["sip.example.com"] }]

            """)
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "tls"))

        // The client writes nothing and stays a second: whatever the server sends unasked (the
        // TLS 1.3 tickets) arrives in that second; -sess_out keeps the newest session.
        func connect(_ version: String, _ session: String, offering: Bool) async throws -> String {
            let option = offering ? "-sess_in" : "-sess_out"
            let script = "sleep 1 | \(openssl) s_client -connect \(target) -servername sip.example.com "
                + "\(version) \(option) \(session) 2>&1"
            return try await Command.run("/bin/sh", ["-c", script], timeoutSeconds: 20).stdout
        }
        for version in ["-tls1_3", "-tls1_2"] {
            let session = files.path + "/session\(version).pem"
            let first = try await connect(version, session, offering: false)
            #expect(first.contains("New, TLSv1"), "\(version): \(first)")
            let again = try await connect(version, session, offering: true)
            #expect(again.contains("Reused, TLSv1"), "\(version) reconnect: \(again)\n\(pair.logs)")
        }

        // A renewed certificate on disk, SIGHUP: new handshakes get it, saved sessions still resume.
        try await makeCertificate("/O=Renewed/CN=sip.example.com")
        pair.signal.send(SIGHUP)
        let reloaded = try await eventually(seconds: 5) {
            try Command.run("/bin/sh", ["-c", "echo | \(openssl) s_client -connect \(target) -servername sip.example.com "
                + "2>/dev/null | \(openssl) x509 -noout -subject"], timeoutSeconds: 20).stdout.contains("O = Renewed") ? true : nil
        }
        #expect(reloaded == true, "\(pair.logs)")
        for version in ["-tls1_3", "-tls1_2"] {
            let again = try await connect(version, files.path + "/session\(version).pem", offering: true)
            #expect(again.contains("Reused, TLSv1"), "\(version) after reload: \(again)\n\(pair.logs)")
        }

        let metricsAddress = try #require(status.metricsAddress)
        let scrape = try HTTPGet.fetch(metricsAddress, path: "/metrics")
        #expect(scrape.body.contains("palisade_tls_handshakes_total{result=\"resumed\"} 4"), "\(scrape.body)")
    }
}
