import MediaControlProtocol
import Signalling
import Testing

@Suite("Media plane link state")
struct MediaPlaneLinkStateTests {
    let media = Hello(software: "0.1.0", pid: 99, role: "palisade-media")

    @Test("down is reported once per change, not once per failed retry")
    func downOnce() {
        var state = MediaPlaneLinkState(now: 100)
        #expect(state.phase == .starting)
        #expect(state.failed("refused", now: 101) == .down(reason: "refused"))
        #expect(state.failed("refused", now: 102) == nil)
        #expect(state.failed("missing", now: 103) == nil)
        #expect(state.since == 101)
        #expect(state.lastError == "missing")
        #expect(!state.isConnected)
    }

    @Test("up after down is a reconnect; since follows each change")
    func reconnect() {
        var state = MediaPlaneLinkState(now: 0)
        #expect(state.connected(peer: media, now: 1) == .up(peer: media, reconnect: false))
        #expect(state.since == 1 && state.isConnected && state.lastError == nil)
        #expect(state.failed("closed", now: 5) == .down(reason: "closed"))
        #expect(state.peer == nil)
        #expect(state.connected(peer: media, now: 6) == .up(peer: media, reconnect: true))
        #expect(state.connections == 2 && state.reconnects == 1 && state.since == 6)
    }

    @Test("backoff starts at the minimum, doubles per failure and stops at the maximum")
    func backoff() {
        var state = MediaPlaneLinkState(now: 0)
        var delays: [Int] = []
        for second in 1...7 {
            _ = state.failed("refused", now: Double(second))
            delays.append(state.retryDelayMilliseconds(minimum: 50, maximum: 1000))
        }
        #expect(delays == [50, 100, 200, 400, 800, 1000, 1000])
        _ = state.connected(peer: media, now: 8)
        _ = state.failed("closed", now: 9)
        #expect(state.retryDelayMilliseconds(minimum: 50, maximum: 1000) == 50)
    }
}
