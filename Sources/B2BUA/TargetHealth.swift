/// Whether each configured target is up, as OPTIONS probes tell (issue 6, item 3: targets
/// "probed with OPTIONS, failed over on timeout or 503"). Pure: the shell sends the probes and
/// reports each final answer here; the value says which state changes to log and which targets
/// new calls may try.
///
/// A target is up until a probe fails, and up again on its first good answer. It goes down at
/// once on a 503 (the target says it is overloaded, or the transport reported an error — an ICMP
/// unreachable, a refused connection), and after `timeoutsBeforeDown` probes in a row got no
/// answer (Timer F, which the client transaction reports as 408). One lost probe — a busy target,
/// a loaded SBC, a dropped datagram and its retransmissions — does not flap a live target down.
/// Any other final response, 404 and 405 included, proves the target alive: RFC 3261 §11 lets a
/// server refuse OPTIONS and still be there.
public struct TargetHealth: Sendable, Equatable {
    /// A state change to log and count.
    public enum Change: Sendable, Equatable {
        case down(status: Int)
        case up(status: Int)
    }

    /// Probes in a row without an answer that mark a target down.
    public static let timeoutsBeforeDown = 2

    private var down: Set<RouteTarget> = []
    /// Unanswered probes in a row, per target still up.
    private var timeouts: [RouteTarget: Int] = [:]

    public init() {}

    /// Whether `target` may be tried: true until a probe fails.
    public func isUp(_ target: RouteTarget) -> Bool { !down.contains(target) }

    /// Records the final response (or the 408/503 the client transaction reports for a timeout
    /// or transport error) to a probe of `target`; returns the state change, if any.
    public mutating func probed(_ target: RouteTarget, status: Int) -> Change? {
        guard status >= 200 else { return nil }
        guard Self.probeFails(status: status) else {
            timeouts[target] = nil
            return down.remove(target) != nil ? .up(status: status) : nil
        }
        if status == 408, !down.contains(target) {
            let count = timeouts[target, default: 0] + 1
            guard count >= Self.timeoutsBeforeDown else {
                timeouts[target] = count
                return nil
            }
        }
        timeouts[target] = nil
        return down.insert(target).inserted ? .down(status: status) : nil
    }

    /// The targets of a call, in the order given, without those that are down; all of them when
    /// every one is down (an operator would rather the call try than be refused unasked).
    public func usable(_ ordered: [RouteTarget]) -> [RouteTarget] {
        let up = ordered.filter(isUp)
        return up.isEmpty ? ordered : up
    }

    /// A probe fails on 503 (RFC 3263 §4.3) and on the 408 of a timed-out client transaction.
    public static func probeFails(status: Int) -> Bool { RoutePlan.failsOver(status: status) }
}
