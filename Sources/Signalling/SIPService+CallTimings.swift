import MediaControlProtocol
import MetricsExposition
import Synchronization

/// Call setup time (INVITE in → final response out to the caller) and post-dial delay (INVITE in
/// → first 180/183 out), measured where every response to the caller's INVITE leaves: `respond`.
public struct CallTimings: Sendable {
    public struct SetupKey: Hashable, Sendable {
        public let realm: String
        /// "answered" (2xx) or "failed".
        public let outcome: String
    }

    public var setup: [SetupKey: Histogram] = [:]
    /// By the caller's realm.
    public var postDialDelay: [String: Histogram] = [:]
    /// Per finished call, stream and leg with packets, by the leg's realm: jitter (s) and loss
    /// ratio of what that leg's peer sent, from the deleted session's final statistics.
    public var jitter: [String: Histogram] = [:]
    public var loss: [String: Histogram] = [:]
}

extension SIPService {
    public nonisolated var callTimingSnapshot: CallTimings { callTimings.withLock { $0 } }

    /// Notes a response on the caller's INVITE server transaction: the first 180/183 and the final
    /// response, once each per call.
    func timeCallerResponse(_ id: String, _ status: Int) {
        guard let record = callTable.records[id] else { return }
        let ringing = status == 180 || status == 183
        guard ringing && !record.rangTimed || status >= 200 && !record.setupTimed else { return }
        let elapsed = ContinuousClock.now - record.started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let realm = record.aFlow.realm
        callTimings.withLock { timings in
            if ringing {
                timings.postDialDelay[realm, default: Histogram(bounds: Histogram.callSetupBounds)].observe(seconds)
            } else {
                let key = CallTimings.SetupKey(realm: realm, outcome: status < 300 ? "answered" : "failed")
                timings.setup[key, default: Histogram(bounds: Histogram.callSetupBounds)].observe(seconds)
            }
        }
        if ringing { record.rangTimed = true } else { record.setupTimed = true }
    }

    /// The media quality of a finished call: each leg that carried packets, into its realm's
    /// jitter and loss distributions.
    func recordMediaQuality(_ statistics: SessionStatistics?, callerRealm: String, calleeRealm: String) {
        guard let statistics else { return }
        callTimings.withLock { timings in
            for stream in statistics.streams {
                for (realm, leg) in [(callerRealm, stream.a), (calleeRealm, stream.b)] where leg.packets > 0 {
                    timings.jitter[realm, default: Histogram(bounds: Histogram.jitterBounds)]
                        .observe(leg.jitterMilliseconds / 1000)
                    let expected = Double(leg.packets) + Double(leg.lost)
                    timings.loss[realm, default: Histogram(bounds: Histogram.lossRatioBounds)]
                        .observe(Double(leg.lost) / expected)
                }
            }
        }
    }
}
