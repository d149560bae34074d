import Foundation
import NFTables
import NFTRules
import Testing
import TestSupport

/// A bounded micro-measure, not an assertion: elements per second through the kernel for one batch
/// of 1,000 elements and for one element per batch. Prints a `MEASURE` line; a shared VM is noisy.
@Suite("nftables micro-measure", .enabled(if: NetworkNamespace.isAvailable))
struct NFTablesMeasure {
    @Test("Elements per second: one batch of 1,000, and 1,000 batches of one")
    func elementsPerSecond() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let connection = try NFTablesConnection(networkNamespace: namespace.path)
            try connection.apply(NFTRules(mediaPorts: 20000...39999).setupBatch())
            let ports = (0..<1000).map { UInt16(20000 + 2 * $0) }
            let clock = ContinuousClock()

            // Five rounds of open-all then close-all, 1,000 elements per batch; the best round counts.
            var state = NFTPinholeState()
            var bestBatch = Duration.seconds(1000)
            for _ in 0..<5 {
                for changes in [ports.map { NFTChange.openPinhole(localPort: $0) },
                                ports.map { NFTChange.closePinhole(localPort: $0) }] {
                    let plan = state.plan(changes)
                    let elapsed = try clock.measure { try connection.apply(plan.batch) }
                    state = plan.state
                    bestBatch = min(bestBatch, elapsed)
                }
            }

            // 1,000 single-element batches (open), then 1,000 more (close).
            var single = Duration.zero
            for changes in [ports.map { NFTChange.openPinhole(localPort: $0) },
                            ports.map { NFTChange.closePinhole(localPort: $0) }] {
                let plans = changes.map { change -> NFTPlan in
                    let plan = state.plan([change])
                    state = plan.state
                    return plan
                }
                single += try clock.measure { for plan in plans { try connection.apply(plan.batch) } }
            }
            let perBatch = Double(1000) / seconds(bestBatch)
            let perSingle = Double(2000) / seconds(single)
            print("MEASURE nftables batch-of-1000: \(Int(perBatch)) elements/s (\(format(bestBatch)) per batch); "
                + "one-per-batch: \(Int(perSingle)) elements/s (\(format(single / 2000)) per batch)")
            #expect(try namespace.elements(of: "media_open").isEmpty)
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func format(_ duration: Duration) -> String {
        "\(Int(seconds(duration) * 1e6)) µs"
    }
}
