/// Admission control (issue 6 item 9): how many calls a realm carries at once, and how many of
/// them one source address (the caller's transport IP) may hold. A pure value: the shell asks
/// before a new INVITE allocates anything and releases the slots when the call ends, whichever
/// way it ends.
///
/// A call holds a slot in every realm it touches — the caller's and the one it is routed to,
/// once when they are the same — so `max_calls` of a realm bounds the calls it carries in both
/// directions (a trunk's capacity). The per-source limit applies in the caller's realm only: the
/// callee's address is not the one asking for resources.
public struct AdmissionControl: Sendable {
    public struct Limits: Sendable, Hashable {
        /// 0: unlimited.
        public var maxCalls: Int
        /// 0: unlimited.
        public var maxCallsPerSource: Int

        public init(maxCalls: Int = 0, maxCallsPerSource: Int = 0) {
            self.maxCalls = maxCalls
            self.maxCallsPerSource = maxCallsPerSource
        }

        public static let unlimited = Limits()
    }

    /// Why a call was refused: the label of `palisade_admission_rejections_total`.
    public enum Rejection: String, Sendable, Hashable, CaseIterable {
        case maxCalls = "max-calls"
        case maxCallsPerSource = "max-calls-per-source"
    }

    public enum Decision: Sendable, Hashable {
        case admitted(Slot)
        /// Refused because `realm` is at `limit` under `reason`.
        case rejected(realm: String, reason: Rejection, limit: Int)
    }

    /// What an admitted call holds, to give back with `release`.
    public struct Slot: Sendable, Hashable {
        public let callerRealm: String
        public let calleeRealm: String
        public let source: String
    }

    public struct SourceKey: Hashable, Sendable {
        public let realm: String
        public let source: String
    }

    private var limits: [String: Limits]
    /// Calls each realm carries now.
    public private(set) var active: [String: Int] = [:]
    /// Calls per caller realm and source now (only sources with a call are kept).
    public private(set) var perSource: [SourceKey: Int] = [:]

    public init(limits: [String: Limits]) {
        self.limits = limits
    }

    public func limits(of realm: String) -> Limits { limits[realm] ?? .unlimited }

    /// New limits (a configuration reload): the calls in progress keep their slots and count
    /// against them; new calls are judged by the new limits.
    public mutating func replaceLimits(_ new: [String: Limits]) {
        limits = new
    }

    /// Admits a new call from `source` in `callerRealm` routed to `calleeRealm`, or says which
    /// limit refuses it. An admitted call holds its slots until `release`.
    public mutating func admit(callerRealm: String, calleeRealm: String, source: String) -> Decision {
        let realms = callerRealm == calleeRealm ? [callerRealm] : [callerRealm, calleeRealm]
        for realm in realms {
            let limit = limits(of: realm).maxCalls
            if limit > 0, active[realm, default: 0] >= limit {
                return .rejected(realm: realm, reason: .maxCalls, limit: limit)
            }
        }
        let key = SourceKey(realm: callerRealm, source: source)
        let perSourceLimit = limits(of: callerRealm).maxCallsPerSource
        if perSourceLimit > 0, perSource[key, default: 0] >= perSourceLimit {
            return .rejected(realm: callerRealm, reason: .maxCallsPerSource, limit: perSourceLimit)
        }
        for realm in realms { active[realm, default: 0] += 1 }
        perSource[key, default: 0] += 1
        return .admitted(Slot(callerRealm: callerRealm, calleeRealm: calleeRealm, source: source))
    }

    /// Gives back what `slot` held. Releasing a slot twice is a bug of the caller; the counts
    /// never go below zero, so it cannot open room for more calls than configured.
    public mutating func release(_ slot: Slot) {
        let realms = slot.callerRealm == slot.calleeRealm ? [slot.callerRealm] : [slot.callerRealm, slot.calleeRealm]
        for realm in realms {
            let left = max(0, active[realm, default: 0] - 1)
            active[realm] = left == 0 ? nil : left
        }
        let key = SourceKey(realm: slot.callerRealm, source: slot.source)
        let left = max(0, perSource[key, default: 0] - 1)
        perSource[key] = left == 0 ? nil : left
    }
}
