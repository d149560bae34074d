import Foundation
import NIOCore

/// N idle TLS connections held open against the server: its resident memory per connection.
/// A few connections are opened and closed first, so one-time costs (contexts, pools, code pages)
/// are in the baseline, not in the per-connection figure.
struct IdleBench {
    let fleet: TLSClientFleet
    let serverPID: String
    let count: Int
    let batch: Int
    let settle: Double

    init(options: Options, fleet: TLSClientFleet) throws {
        self.fleet = fleet
        self.serverPID = try options.string("pid")
        self.count = options.int("count", default: 10_000)
        self.batch = options.int("batch", default: 500)
        self.settle = Double(options.int("settle-ms", default: 2_000)) / 1000
    }

    func run() throws {
        let warmUp = fleet.connectAll(0..<min(100, count)).compactMap { try? $0.get() }
        fleet.closeAll(warmUp)
        Thread.sleep(forTimeInterval: settle)
        guard let before = ProcessMemory.residentBytes(pid: serverPID),
              let clientBefore = ProcessMemory.residentBytes(pid: "self")
        else { throw HandshakeFailure(description: "cannot read /proc/\(serverPID)/status") }

        // Batches bound the connections in flight: this measures holding connections, not a storm.
        let start = Date()
        var open: [FleetConnection] = []
        var failures: [String: Int] = [:]
        for first in stride(from: 0, to: count, by: batch) {
            for result in fleet.connectAll(first..<min(first + batch, count)) {
                switch result {
                case .success(let connection): open.append(connection)
                case .failure(let error): failures[String(describing: error), default: 0] += 1
                }
            }
        }
        let connectSeconds = Date().timeIntervalSince(start)
        Thread.sleep(forTimeInterval: settle)
        let after = ProcessMemory.residentBytes(pid: serverPID) ?? before
        let clientAfter = ProcessMemory.residentBytes(pid: "self") ?? clientBefore
        let alive = open.filter { $0.channel.isActive }.count

        let perConnection = open.isEmpty ? 0 : (after - before) / open.count
        print("BENCH tls_idle_rss_per_connection \(perConnection) bytes")
        print("# idle: \(open.count)/\(count) connected in \(String(format: "%.1f", connectSeconds)) s, "
            + "\(alive) still open after \(settle) s; \(open.first?.handshake.version ?? "-")")
        print("# idle: palisade-signal RSS \(before / 1024) kB before, \(after / 1024) kB with \(open.count) connections")
        if !open.isEmpty {
            print("# idle: load client RSS per connection \((clientAfter - clientBefore) / open.count) bytes (for comparison)")
        }
        for (reason, number) in failures.sorted(by: { $0.value > $1.value }) {
            print("# idle: \(number) failed: \(reason)")
        }
        fleet.closeAll(open)
    }
}
