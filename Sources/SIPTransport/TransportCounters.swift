import SIPMessage
import Synchronization

/// Outcome of one TLS handshake, as counted (issue 4 item 3, item 7).
public enum TLSHandshakeResult: String, Sendable, Hashable, CaseIterable {
    /// A full handshake.
    case success
    /// An abbreviated handshake resuming an earlier session (ticket or session ID).
    case resumed
    case noSharedCipher = "no_shared_cipher"
    case badCertificate = "bad_certificate"
    case unknownCA = "unknown_ca"
    /// The client offered no certificate where one is required.
    case noPeerCertificate = "no_peer_certificate"
    /// RFC 5922: the server's certificate does not name the SIP domain.
    case domainMismatch = "domain_mismatch"
    case timeout
    case other
}

/// Why a stream flow ended other than by an orderly close.
public enum DeadFlowReason: String, Sendable, Hashable, CaseIterable {
    /// Nothing received within the idle timeout (no message, no keepalive).
    case idle
    /// A keepalive ping got no pong in time (RFC 5626 §4.4.1).
    case noPong = "no_pong"
    /// Reset or I/O error.
    case error
    /// A keepalive ping could not be written.
    case writeFailed = "write_failed"
}

/// Why a connection was refused or closed by Palisade's own limits.
public enum ConnectionRefusal: String, Sendable, Hashable, CaseIterable {
    case totalLimit = "total_limit"
    case perAddressLimit = "per_address_limit"
    /// The stream framer gave up (oversize, too many headers, no Content-Length).
    case framingError = "framing_error"
}

/// Traffic counters per (realm, transport), as the metrics layer reads them.
public struct TrafficKey: Sendable, Hashable {
    public var realm: String
    public var transport: TransportKind

    public init(realm: String, transport: TransportKind) {
        self.realm = realm
        self.transport = transport
    }
}

/// A snapshot of every transport counter: plain values, read when someone asks.
public struct TransportCounters: Sendable, Equatable {
    public var messagesIn: [TrafficKey: Int] = [:]
    public var messagesOut: [TrafficKey: Int] = [:]
    public var openConnections: [TransportKind: Int] = [:]
    public var tlsHandshakes: [TLSHandshakeResult: Int] = [:]
    /// By `SIPMessageError.Code` raw value.
    public var parseErrors: [String: Int] = [:]
    /// Faulty responses dropped (RFC 3261 §18.1.2).
    public var droppedResponses = 0
    public var deadFlows: [DeadFlowReason: Int] = [:]
    public var refusedConnections: [ConnectionRefusal: Int] = [:]
    /// Keepalive pings answered.
    public var keepalivesAnswered = 0
    /// Messages dropped because the consumer's buffer was full.
    public var deliveryDrops = 0
}

/// Per (realm, transport) message counts, one pair of atomics each, so the per-message path takes
/// no lock. Rare events (errors, handshakes, connections) go through `CounterStore`'s lock.
final class TrafficCells: Sendable {
    let messagesIn = Atomic<Int>(0)
    let messagesOut = Atomic<Int>(0)
}

final class CounterStore: Sendable {
    private let traffic: [TrafficKey: TrafficCells]
    private let rare = Mutex(TransportCounters())

    init(realms: Set<String>) {
        var t: [TrafficKey: TrafficCells] = [:]
        for realm in realms {
            for transport in TransportKind.allCases { t[TrafficKey(realm: realm, transport: transport)] = TrafficCells() }
        }
        traffic = t
    }

    func messageIn(_ realm: String, _ transport: TransportKind) {
        traffic[TrafficKey(realm: realm, transport: transport)]?.messagesIn.add(1, ordering: .relaxed)
    }

    func messageOut(_ realm: String, _ transport: TransportKind) {
        traffic[TrafficKey(realm: realm, transport: transport)]?.messagesOut.add(1, ordering: .relaxed)
    }

    func update(_ body: (inout TransportCounters) -> Void) {
        rare.withLock { body(&$0) }
    }

    func parseError(_ code: SIPMessageError.Code) { update { $0.parseErrors[code.rawValue, default: 0] += 1 } }
    func handshake(_ result: TLSHandshakeResult) { update { $0.tlsHandshakes[result, default: 0] += 1 } }
    func deadFlow(_ reason: DeadFlowReason) { update { $0.deadFlows[reason, default: 0] += 1 } }
    func refused(_ reason: ConnectionRefusal) { update { $0.refusedConnections[reason, default: 0] += 1 } }

    func snapshot() -> TransportCounters {
        var s = rare.withLock { $0 }
        for (key, cells) in traffic {
            let i = cells.messagesIn.load(ordering: .relaxed)
            let o = cells.messagesOut.load(ordering: .relaxed)
            if i > 0 { s.messagesIn[key] = i }
            if o > 0 { s.messagesOut[key] = o }
        }
        return s
    }
}
