import Foundation
import NIOCore

/// A reconnect storm: `count` clients connect at once with full handshakes; their sessions are
/// kept, every connection is closed, and all reconnect at once offering those sessions.
struct StormBench {
    let fleet: TLSClientFleet
    let count: Int
    let ticketWait: Double
    /// Prefix of the BENCH names: `tls_storm` for the default (TLS 1.3), e.g. `tls12_storm` when pinned.
    let label: String

    init(options: Options, fleet: TLSClientFleet) {
        self.fleet = fleet
        self.count = options.int("count", default: 5_000)
        self.ticketWait = Double(options.int("ticket-wait-ms", default: 1_000)) / 1000
        self.label = options.string("label", default: "tls_storm")
    }

    struct Round {
        let connections: [FleetConnection]
        let failures: [String: Int]
        let seconds: Double
        var resumed: Int { connections.filter(\.handshake.resumed).count }
        var perSecond: Double { seconds > 0 ? Double(connections.count) / seconds : 0 }
    }

    func round(sessions: [TLSSession]?) -> Round {
        let start = NIODeadline.now()
        var connections: [FleetConnection] = []
        var failures: [String: Int] = [:]
        for result in fleet.connectAll(0..<count, sessions: sessions) {
            switch result {
            case .success(let connection): connections.append(connection)
            case .failure(let error): failures[String(describing: error), default: 0] += 1
            }
        }
        // Until the last handshake completed, not until the futures were collected.
        let last = connections.map(\.handshake.completedAt).max() ?? start
        let seconds = Double((last - start).nanoseconds) / 1e9
        return Round(connections: connections, failures: failures, seconds: seconds)
    }

    func run() {
        let full = round(sessions: nil)
        report("full", full)

        // TLS 1.3 tickets arrive after the handshake; give the clients time to read them.
        Thread.sleep(forTimeInterval: ticketWait)
        var sessions: [TLSSession] = []
        for connection in full.connections {
            let ssl = connection.handshake.ssl
            if let session = try? connection.channel.eventLoop.submit({ TLSSessionAccess.resumableSession(of: ssl) }).wait() {
                sessions.append(session)
            }
        }
        fleet.closeAll(full.connections)
        guard sessions.count == count else {
            print("# \(label): only \(sessions.count)/\(count) clients got a resumable session; no resumption round")
            sessions.forEach(TLSSessionAccess.release)
            return
        }

        let resumed = round(sessions: sessions)
        report("resumed", resumed)
        print("# \(label): resumption confirmed by the client (SSL_session_reused) on "
            + "\(resumed.resumed)/\(resumed.connections.count) connections"
            + (resumed.resumed == resumed.connections.count ? "" : " — the rest fell back to full handshakes"))
        fleet.closeAll(resumed.connections)
        sessions.forEach(TLSSessionAccess.release)
    }

    private func report(_ kind: String, _ round: Round) {
        print("BENCH \(label)_\(kind)_handshakes_per_s \(Int(round.perSecond.rounded())) per_s")
        print("BENCH \(label)_\(kind)_seconds \(String(format: "%.2f", round.seconds)) s")
        print("# \(label) \(kind): \(round.connections.count)/\(count) connected, "
            + "\(round.connections.first?.handshake.version ?? "-"), \(round.resumed) resumed")
        for (reason, number) in round.failures.sorted(by: { $0.value > $1.value }) {
            print("# \(label) \(kind): \(number) failed: \(reason)")
        }
    }
}
