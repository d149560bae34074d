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

    static func render(_ bindings: [RegistrationSummary]) -> String {
        guard !bindings.isEmpty else { return "no registrations" }
        var rows = [["ADDRESS OF RECORD", "CONTACT", "REALM", "FLOW", "NAT", "EXPIRES IN"]]
        for binding in bindings {
            rows.append([binding.aor, binding.contact, binding.realm, binding.flow, binding.behindNAT ? "yes" : "no",
                         StatusTable.duration(binding.expiresInSeconds)])
        }
        return StatusTable.table(rows).joined(separator: "\n")
    }
}
