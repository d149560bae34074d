import NIOCore
import Synchronization

/// Where a pooled or aliased connection leads: the same transport to the same address and port.
struct PoolKey: Sendable, Hashable {
    var realm: String
    var transport: TransportKind
    var host: String
    var port: Int
}

/// Every open TCP/TLS connection, the limits on them, and the pool of reusable ones.
///
/// One lock, taken per connection event (open, close, alias, pool lookup), never per message read.
final class ConnectionRegistry: Sendable {
    struct Entry: Sendable {
        var channel: any Channel
        var flow: Flow
        /// Set for inbound connections: the remote IP they count against.
        var inboundIP: String?
        var opened = ContinuousClock.now
    }

    struct State {
        var entries: [ConnectionID: Entry] = [:]
        var perIP: [String: Int] = [:]
        var pool: [PoolKey: ConnectionID] = [:]
    }

    private let state = Mutex(State())
    private let nextID = Atomic<UInt64>(1)
    let maxTotal: Int
    let maxPerAddress: Int

    init(maxTotal: Int, maxPerAddress: Int) {
        self.maxTotal = maxTotal
        self.maxPerAddress = maxPerAddress
    }

    func makeID() -> ConnectionID {
        ConnectionID(rawValue: nextID.add(1, ordering: .relaxed).oldValue)
    }

    /// Admits and registers a connection, or says which limit refuses it.
    func admit(_ entry: Entry) -> ConnectionRefusal? {
        guard let id = entry.flow.connection else { return nil }
        return state.withLock { s in
            if s.entries.count >= maxTotal { return .totalLimit }
            if let ip = entry.inboundIP {
                if s.perIP[ip, default: 0] >= maxPerAddress { return .perAddressLimit }
                s.perIP[ip, default: 0] += 1
            }
            s.entries[id] = entry
            return nil
        }
    }

    func remove(_ id: ConnectionID) {
        state.withLock { s in
            guard let entry = s.entries.removeValue(forKey: id) else { return }
            if let ip = entry.inboundIP {
                let n = s.perIP[ip, default: 1] - 1
                s.perIP[ip] = n > 0 ? n : nil
            }
            for (key, value) in s.pool where value == id { s.pool[key] = nil }
        }
    }

    func updateFlow(_ flow: Flow) {
        guard let id = flow.connection else { return }
        state.withLock { $0.entries[id]?.flow = flow }
    }

    func entry(_ id: ConnectionID) -> Entry? {
        state.withLock { $0.entries[id] }
    }

    /// RFC 5923 §5 and outbound pooling: later requests to `key` may use this connection.
    func pool(_ key: PoolKey, _ id: ConnectionID) {
        state.withLock { s in
            if s.entries[id] != nil { s.pool[key] = id }
        }
    }

    func pooled(_ key: PoolKey) -> Entry? {
        state.withLock { s in s.pool[key].flatMap { s.entries[$0] } }
    }

    func openByTransport() -> [TransportKind: Int] {
        state.withLock { s in
            var out: [TransportKind: Int] = [:]
            for e in s.entries.values { out[e.flow.transport, default: 0] += 1 }
            return out
        }
    }

    func allEntries() -> [Entry] {
        state.withLock { Array($0.entries.values) }
    }

    func allChannels() -> [any Channel] {
        state.withLock { $0.entries.values.map(\.channel) }
    }
}
