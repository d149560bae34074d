import AdminProtocol

/// The human form of `calls list` and `registrations list`: one row each, a line when empty.
enum ListTables {
    static func render(_ calls: [CallSummary]) -> String {
        guard !calls.isEmpty else { return "no calls in progress" }
        var rows = [["ID", "STATE", "FROM", "TO", "CALLER", "CALLEE", "CALLER FLOW", "AGE", "CALL-ID A", "CALL-ID B"]]
        for call in calls {
            rows.append([call.id, call.state, call.callerRealm, call.calleeRealm, call.caller ?? "-", call.callee ?? "-",
                         call.callerFlow, StatusTable.duration(call.ageSeconds), call.callIDA, call.callIDB])
        }
        return StatusTable.table(rows).joined(separator: "\n")
    }

    static func render(_ legs: [MediaLegSummary]) -> String {
        guard !legs.isEmpty else { return "no media streams" }
        var rows = [["SESSION", "STREAM", "LEG", "LATCHED", "WHY", "PACKETS", "LOST", "JITTER", "IDLE", "DROPS"]]
        for leg in legs {
            let drops = leg.drops.filter { $0.value > 0 }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            rows.append([leg.session, "\(leg.stream)", leg.leg, leg.latched ?? "-", leg.latchReason ?? "-",
                         "\(leg.packets)", "\(leg.lost)", "\(Double(Int(leg.jitterMilliseconds * 10)) / 10)ms",
                         leg.idleSeconds.map { StatusTable.duration($0) } ?? "-", drops.isEmpty ? "-" : drops])
        }
        return StatusTable.table(rows).joined(separator: "\n")
    }

    static func render(_ bindings: [RegistrationSummary]) -> String {
        guard !bindings.isEmpty else { return "no registrations" }
        // Relayed bindings (registrar.mode = "relay") add the Contact Palisade holds at the core.
        let relayed = bindings.contains { $0.relayedAs != nil }
        var rows = [["ADDRESS OF RECORD", "CONTACT", "REALM", "FLOW", "NAT", "EXPIRES IN"] + (relayed ? ["RELAYED AS"] : [])]
        for binding in bindings {
            rows.append([binding.aor, binding.contact, binding.realm, binding.flow, binding.behindNAT ? "yes" : "no",
                         StatusTable.duration(binding.expiresInSeconds)] + (relayed ? [binding.relayedAs ?? "-"] : []))
        }
        return StatusTable.table(rows).joined(separator: "\n")
    }
}
