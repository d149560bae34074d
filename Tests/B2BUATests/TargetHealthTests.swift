import B2BUA
import Testing

@Suite("Target health: OPTIONS probes mark core targets down and up (issue 6 item 3)")
struct TargetHealthTests {
    static let first = RouteTarget(realm: "core", host: "192.0.2.10", port: 5060, priority: 1)
    static let second = RouteTarget(realm: "core", host: "192.0.2.11", port: 5060, priority: 2)

    @Test("a target is up until a probe fails")
    func upByDefault() {
        let health = TargetHealth()
        #expect(health.isUp(Self.first))
        #expect(health.usable([Self.first, Self.second]) == [Self.first, Self.second])
    }

    /// Marks `first` down with `status`: one 503, or `timeoutsBeforeDown` timeouts in a row.
    static func markDown(_ health: inout TargetHealth, status: Int) -> TargetHealth.Change? {
        let probes = status == 408 ? TargetHealth.timeoutsBeforeDown : 1
        for _ in 1..<probes { #expect(health.probed(first, status: status) == nil, "one timeout is not down") }
        return health.probed(first, status: status)
    }

    @Test("RFC 3263 §4.3: a 503, or timed-out probes (408) in a row, mark the target down once; calls skip it",
          arguments: [503, 408])
    func failureMarksDown(status: Int) {
        var health = TargetHealth()
        #expect(Self.markDown(&health, status: status) == .down(status: status))
        #expect(health.probed(Self.first, status: status) == nil, "the change is reported once")
        #expect(!health.isUp(Self.first))
        #expect(health.isUp(Self.second))
        #expect(health.usable([Self.first, Self.second]) == [Self.second])
    }

    @Test("RFC 3261 §11: any other final answer proves the target alive and brings it back up",
          arguments: [200, 404, 405, 483, 500, 603])
    func otherAnswersMeanAlive(status: Int) {
        var health = TargetHealth()
        #expect(health.probed(Self.first, status: status) == nil, "already up: no change")
        _ = health.probed(Self.first, status: 503)
        #expect(health.probed(Self.first, status: status) == .up(status: status))
        #expect(health.probed(Self.first, status: status) == nil)
        #expect(health.isUp(Self.first))
    }

    @Test("a single unanswered probe keeps the target up; an answer in between starts the count again")
    func oneTimeoutIsNotDown() {
        var health = TargetHealth()
        for _ in 1..<TargetHealth.timeoutsBeforeDown { #expect(health.probed(Self.first, status: 408) == nil) }
        #expect(health.isUp(Self.first))
        #expect(health.probed(Self.first, status: 200) == nil)
        for _ in 1..<TargetHealth.timeoutsBeforeDown { #expect(health.probed(Self.first, status: 408) == nil) }
        #expect(health.isUp(Self.first), "the answer reset the count")
        #expect(health.probed(Self.first, status: 408) == .down(status: 408))
        #expect(health.probed(Self.first, status: 408) == nil, "already down")
    }

    @Test("provisional responses say nothing about health")
    func provisionalIgnored() {
        var health = TargetHealth()
        _ = health.probed(Self.first, status: 503)
        #expect(health.probed(Self.first, status: 100) == nil)
        #expect(!health.isUp(Self.first))
    }

    @Test("every target down: the call tries them all, in order, rather than being refused")
    func allDownTriesAll() {
        var health = TargetHealth()
        _ = health.probed(Self.first, status: 503)
        _ = health.probed(Self.second, status: 503)
        #expect(health.usable([Self.second, Self.first]) == [Self.second, Self.first])
        #expect(health.usable([]) == [])
    }

    @Test("targets are told apart by transport and port, not only host")
    func identity() {
        var health = TargetHealth()
        var tcp = Self.first
        tcp.transport = .tcp
        _ = health.probed(Self.first, status: 503)
        #expect(health.isUp(tcp))
        #expect(health.isUp(RouteTarget(realm: "core", host: "192.0.2.10", port: 5070, priority: 1)))
    }
}
