/// One configured next hop of a realm: where Palisade sends requests that route into that realm.
/// Priority and weight follow DNS SRV (RFC 2782): lower priority first; among equal priorities,
/// a weighted random order, so load spreads in proportion to weight.
public struct RouteTarget: Sendable, Hashable, CustomStringConvertible {
    public enum Transport: String, Sendable, CaseIterable { case udp, tcp, tls }

    /// The realm the target is in (whose listeners Palisade sends from).
    public var realm: String
    public var host: String
    public var port: Int
    public var transport: Transport
    public var priority: Int
    public var weight: Int

    public init(realm: String, host: String, port: Int, transport: Transport = .udp, priority: Int = 1, weight: Int = 1) {
        self.realm = realm
        self.host = host
        self.port = port
        self.transport = transport
        self.priority = priority
        self.weight = weight
    }

    /// The host as written in a URI (IPv6 in brackets).
    public var uriHost: String { host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host }

    /// A Request-URI for `user` at this target (RFC 3261 §19.1.1): sip: with transport=tcp on TCP, sips: on TLS.
    public func requestURI(user: String?) -> String {
        let scheme = transport == .tls ? "sips" : "sip"
        let userPart = user.map { $0 + "@" } ?? ""
        // RFC 5630 §3.2: transport=tls is deprecated; the sips: scheme alone says TLS over TCP.
        let parameter = transport == .tcp ? ";transport=tcp" : ""
        return "\(scheme):\(userPart)\(uriHost):\(port)\(parameter)"
    }

    public var description: String { "\(transport.rawValue):\(uriHost):\(port)" }
}

/// The routing decision for a new request from one realm (issue 6, item 3): the realm it goes to
/// and the targets to try in order, failing over on a timeout (Timer B/F), a transport error or a
/// 503 to the next (RFC 3263 §4.3 style). Pure: the shell supplies the random draws.
public struct RoutePlan: Sendable, Equatable {
    /// The realm requests go to.
    public var realm: String
    /// Targets in the order to try.
    public var targets: [RouteTarget]

    public init(realm: String, targets: [RouteTarget]) {
        self.realm = realm
        self.targets = targets
    }

    /// Orders `targets` by priority, and within a priority by RFC 2782's weighted selection:
    /// `draw(total)` returns a number in 0...total (the shell's randomness), and the first target
    /// whose running weight sum reaches it is taken next. Weight 0 targets come last in their group.
    public static func order(_ targets: [RouteTarget], draw: (Int) -> Int) -> [RouteTarget] {
        let priorities = Set(targets.map(\.priority)).sorted()
        var ordered: [RouteTarget] = []
        for priority in priorities {
            var group = targets.filter { $0.priority == priority }
            // RFC 2782: zero-weight entries first in the list, so they are picked only when drawn 0.
            group.sort { ($0.weight == 0 ? 0 : 1) < ($1.weight == 0 ? 0 : 1) }
            while !group.isEmpty {
                let total = group.reduce(0) { $0 + max($1.weight, 0) }
                let pick = total == 0 ? 0 : min(max(draw(total), 0), total)
                var running = 0
                var chosen = group.count - 1
                for (index, target) in group.enumerated() {
                    running += max(target.weight, 0)
                    if running >= pick, !(target.weight == 0 && pick > 0) {
                        chosen = index
                        break
                    }
                }
                ordered.append(group.remove(at: chosen))
            }
        }
        return ordered
    }

    /// Whether a final response from a target means "try the next one": 503 (RFC 3263 §4.3) and
    /// the 408 Palisade's own client transaction reports on Timer B/F.
    public static func failsOver(status: Int) -> Bool { status == 503 || status == 408 }
}
