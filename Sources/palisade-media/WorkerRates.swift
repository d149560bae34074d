import MediaControlProtocol
import MediaEngine
import Synchronization

/// The per-worker part of the status reply: totals from the engine's per-worker counters, and the
/// relay rate since the previous status request (any client), or since start for the first one.
/// Control thread only; the mutex is there because the responder closure must be Sendable.
final class WorkerRates: Sendable {
    private struct Sample {
        var time: Double
        var relayed: [UInt64]
    }

    private let last: Mutex<Sample?> = Mutex(nil)
    private let startTime: Double

    init(startTime: Double) {
        self.startTime = startTime
    }

    func report(_ totals: [WorkerTotals], now: Double) -> [WorkerPackets] {
        last.withLock { last in
            let previous = last.flatMap { $0.relayed.count == totals.count ? $0 : nil }
            let since = previous?.time ?? startTime
            let interval = max(0, now - since)
            let packets = totals.enumerated().map { index, t in
                let before = previous?.relayed[index] ?? 0
                let delta = t.relayedPackets >= before ? t.relayedPackets - before : t.relayedPackets
                return WorkerPackets(worker: t.worker, streams: Int(t.streams), receivedPackets: t.receivedPackets,
                                     relayedPackets: t.relayedPackets, droppedPackets: t.drops.total,
                                     relayedPerSecond: interval > 0 ? Double(delta) / interval : 0,
                                     rateIntervalSeconds: interval)
            }
            last = Sample(time: now, relayed: totals.map(\.relayedPackets))
            return packets
        }
    }
}
