import B2BUA
import Testing

@Suite("Admission control: calls per realm and per source (issue 6 item 9)")
struct AdmissionControlTests {
    static let phone = "203.0.113.9", other = "198.51.100.7"

    @Test("max_calls: the call beyond the limit is refused until one ends; 0 is unlimited")
    func realmLimit() throws {
        var admission = AdmissionControl(limits: ["access": .init(maxCalls: 2)])
        guard case .admitted(let first) = admission.admit(callerRealm: "access", calleeRealm: "core", source: Self.phone),
              case .admitted = admission.admit(callerRealm: "access", calleeRealm: "core", source: Self.other) else {
            Issue.record("the first two calls are admitted")
            return
        }
        #expect(admission.admit(callerRealm: "access", calleeRealm: "core", source: "192.0.2.5")
            == .rejected(realm: "access", reason: .maxCalls, limit: 2))
        #expect(admission.active == ["access": 2, "core": 2])
        admission.release(first)
        #expect(admission.active == ["access": 1, "core": 1])
        guard case .admitted = admission.admit(callerRealm: "access", calleeRealm: "core", source: "192.0.2.5") else {
            Issue.record("a freed slot admits a new call")
            return
        }
        // The core realm has no limit.
        for _ in 0..<100 {
            guard case .admitted = admission.admit(callerRealm: "core", calleeRealm: "core", source: "192.0.2.9") else {
                Issue.record("unlimited realm refused a call")
                return
            }
        }
    }

    @Test("a realm's max_calls also counts calls routed into it")
    func calleeRealmLimit() {
        var admission = AdmissionControl(limits: ["core": .init(maxCalls: 1)])
        guard case .admitted = admission.admit(callerRealm: "access", calleeRealm: "core", source: Self.phone) else {
            Issue.record("first call admitted")
            return
        }
        #expect(admission.admit(callerRealm: "access", calleeRealm: "core", source: Self.other)
            == .rejected(realm: "core", reason: .maxCalls, limit: 1))
        // Refused calls hold nothing.
        #expect(admission.active == ["access": 1, "core": 1])
    }

    @Test("max_calls_per_source: one source at its limit is refused while others still call")
    func perSource() {
        var admission = AdmissionControl(limits: ["access": .init(maxCallsPerSource: 1)])
        guard case .admitted(let slot) = admission.admit(callerRealm: "access", calleeRealm: "access", source: Self.phone)
        else {
            Issue.record("first call admitted")
            return
        }
        #expect(admission.admit(callerRealm: "access", calleeRealm: "access", source: Self.phone)
            == .rejected(realm: "access", reason: .maxCallsPerSource, limit: 1))
        guard case .admitted(let otherSlot) = admission.admit(callerRealm: "access", calleeRealm: "access",
                                                              source: Self.other) else {
            Issue.record("another source is admitted")
            return
        }
        // A call within one realm holds one slot of it, not two.
        #expect(admission.active == ["access": 2])
        admission.release(slot)
        admission.release(otherSlot)
        #expect(admission.active.isEmpty && admission.perSource.isEmpty)
        // A double release never makes room beyond the limit.
        admission.release(slot)
        #expect(admission.active.isEmpty)
        guard case .admitted = admission.admit(callerRealm: "access", calleeRealm: "access", source: Self.phone) else {
            Issue.record("admitted after release")
            return
        }
        #expect(admission.admit(callerRealm: "access", calleeRealm: "access", source: Self.phone)
            == .rejected(realm: "access", reason: .maxCallsPerSource, limit: 1))
    }
}
