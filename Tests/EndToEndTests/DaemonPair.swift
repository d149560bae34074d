import AdminProtocol
import Foundation
import Synchronization
import TestSupport

/// palisade-media and palisade-signal started on a configuration of their own: sockets in a
/// temporary directory, every SIP listener and /metrics on port 0 (the real ports come back in
/// `palisadectl status --json`), so pairs never collide with each other or with the host.
struct DaemonPair {
    let directory: TemporaryDirectory
    let config: String
    let media: Daemon
    let signal: Daemon
    var admin: String { directory.path + "/admin.sock" }
    var control: String { directory.path + "/media.sock" }
    /// `signal.call_records`: every pair records its calls here.
    var callRecordsPath: String { directory.path + "/calls.jsonl" }

    /// The call records, one JSON object per line, decoded — waiting up to 5 s for the first
    /// (a call's record follows the deletion of its media session, just after its last message).
    func callRecords() async throws -> [[String: Any]] {
        let text = await eventually(seconds: 5) {
            (try? String(contentsOfFile: callRecordsPath, encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
        } ?? ""
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// `accessListeners` are extra `[[realm.listener]]` tables for the access realm (a TLS one).
    /// `accessKeys` are extra keys of the access `[[realm]]` (`route_to`), `coreTables` extra
    /// tables of the core realm (`[[realm.target]]`); `mediaBase` the first media port of access
    /// (core takes the next thousand).
    /// `coreKeys`: keys of the core realm; by default its targets are not probed with OPTIONS
    /// (a probe would reach a sipp PBX that expects only the test's INVITE).
    static func start(accessListeners: String = "", accessKeys: String = "", coreTables: String = "",
                      mediaBase: Int = 30000, mediaKeys: String = "", corePolicy: String = "rtp-only",
                      coreKeys: String = "target_probe_interval_s = 0") throws -> DaemonPair {
        let directory = try TemporaryDirectory(prefix: "palisade-e2e")
        let config = try directory.file("palisade.toml", contents: """
            [log]
            level = "debug"

            [media]
            control_socket = "\(directory.path)/media.sock"
            \(mediaKeys)

            [signal]
            admin_socket = "\(directory.path)/admin.sock"
            call_records = "\(directory.path)/calls.jsonl"

            [metrics]
            listen = "127.0.0.1:0"

            [[realm]]
            name = "access"
            \(accessKeys)

            [[realm.listener]]
            transport = "udp"
            listen = "127.0.0.1:0"

            [[realm.listener]]
            transport = "tcp"
            listen = "127.0.0.1:0"
            \(accessListeners)

            [realm.media]
            address = "127.0.0.1"
            port_min = \(mediaBase)
            port_max = \(mediaBase + 999)

            [[realm]]
            name = "core"
            trust = "trusted"
            media_policy = "\(corePolicy)"
            \(coreKeys)

            [[realm.listener]]
            transport = "udp"
            listen = "127.0.0.1:0"

            [realm.media]
            address = "127.0.0.1"
            port_min = \(mediaBase + 1000)
            port_max = \(mediaBase + 1999)
            \(coreTables)

            """)
        let media = try Daemon("palisade-media", ["--config", config], logPath: directory.path + "/media.log")
        let signal = try Daemon("palisade-signal", ["--config", config], logPath: directory.path + "/signal.log")
        return DaemonPair(directory: directory, config: config, media: media, signal: signal)
    }

    func restartMedia() throws -> Daemon {
        try Daemon("palisade-media", ["--config", config], logPath: directory.path + "/media.log")
    }

    func status() async throws -> StatusReport? {
        let result = try await Command.run(try Products.path("palisadectl"), ["--socket", admin, "status", "--json"])
        guard result.status == 0 else { return nil }
        return try JSONDecoder().decode(StatusReport.self, from: Data(result.stdout.utf8))
    }

    /// The status once the media plane is connected (the daemons are fully up), or nil.
    func ready(seconds: Double = 15) async throws -> StatusReport? {
        try await eventually(seconds: seconds) { try await status().flatMap { $0.media.connected ? $0 : nil } }
    }

    func stop() async {
        await signal.stop()
        await media.stop()
    }

    var logs: String { "--- palisade-signal\n\(signal.log)\n--- palisade-media\n\(media.log)" }
}

extension StatusReport {
    /// The bound address of the realm's listener for a transport.
    func sip(_ realm: String, _ transport: String) -> String? {
        sipListeners.first { $0.realm == realm && $0.transport == transport }?.address
    }
}

/// Media port ranges for tests whose palisade-media creates sessions: 2,000 ports each (access,
/// then core) in 20000–29999 (below the kernel's ephemeral ports), one per running test. With all
/// five taken, ranges are shared: another palisade-media (or an engine test) holding a port only
/// makes the engine skip it.
enum MediaRanges {
    private static let taken = Mutex<[Int]>([])
    private static let bases = stride(from: 20_000, to: 30_000, by: 2_000).map { $0 }

    static func acquire() -> Int {
        taken.withLock { taken in
            let base = bases.first { !taken.contains($0) } ?? bases[taken.count % bases.count]
            taken.append(base)
            return base
        }
    }

    static func release(_ base: Int) {
        taken.withLock { taken in
            if let index = taken.firstIndex(of: base) { taken.remove(at: index) }
        }
    }
}
