import SIPAuth

/// The registrar's bindings by address-of-record. Bounded: at most `capacity` bindings in all.
/// Expired bindings stay until `removeExpired(now:)` (the shell calls it every second), and
/// `lookup(aor:now:)` never returns one.
public struct BindingTable<Flow: Hashable & Sendable>: Sendable {
    public let capacity: Int
    private var byAOR: [String: [Binding<Flow>]] = [:]
    public private(set) var count = 0

    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// The addresses-of-record with at least one binding.
    public var addressesOfRecord: [String] { byAOR.keys.sorted() }

    /// Every binding of `aor` (canonical form, see `Registrar.canonicalAOR`), expired ones included
    /// until the next clean-up.
    public func lookup(aor: String) -> [Binding<Flow>] { byAOR[aor] ?? [] }

    /// The bindings of `aor` still alive at `now`.
    public func lookup(aor: String, now: AuthInstant) -> [Binding<Flow>] {
        lookup(aor: aor).filter { $0.expiresAt > now }
    }

    /// Every binding, by AOR then registration order.
    public var all: [Binding<Flow>] { addressesOfRecord.flatMap { byAOR[$0] ?? [] } }

    /// The flows a keepalive sweep visits at `now`: each distinct flow of a live binding that
    /// `needsKeepalive` accepts (the shell passes "is UDP": stream flows have their own pings),
    /// once however many contacts or AORs registered on it, in AOR then registration order.
    public func keepaliveFlows(now: AuthInstant, where needsKeepalive: (Flow) -> Bool) -> [Flow] {
        var seen = Set<Flow>()
        var flows: [Flow] = []
        for aor in addressesOfRecord {
            for binding in byAOR[aor] ?? [] where binding.expiresAt > now && needsKeepalive(binding.flow) {
                if seen.insert(binding.flow).inserted { flows.append(binding.flow) }
            }
        }
        return flows
    }

    /// Replaces the bindings of one AOR (the registrar commits a REGISTER all at once, §10.3).
    mutating func replace(aor: String, with bindings: [Binding<Flow>]) {
        count -= byAOR[aor]?.count ?? 0
        count += bindings.count
        byAOR[aor] = bindings.isEmpty ? nil : bindings
    }

    /// Removes and returns the bindings expired at `now`.
    public mutating func removeExpired(now: AuthInstant) -> [Binding<Flow>] {
        var removed: [Binding<Flow>] = []
        for (aor, bindings) in byAOR where bindings.contains(where: { $0.expiresAt <= now }) {
            let (dead, alive) = (bindings.filter { $0.expiresAt <= now }, bindings.filter { $0.expiresAt > now })
            removed.append(contentsOf: dead)
            replace(aor: aor, with: alive)
        }
        return removed
    }

    /// Removes every binding that registered on `flow` (its connection closed for good).
    public mutating func removeBindings(on flow: Flow) -> [Binding<Flow>] {
        var removed: [Binding<Flow>] = []
        for (aor, bindings) in byAOR where bindings.contains(where: { $0.flow == flow }) {
            removed.append(contentsOf: bindings.filter { $0.flow == flow })
            replace(aor: aor, with: bindings.filter { $0.flow != flow })
        }
        return removed
    }
}
