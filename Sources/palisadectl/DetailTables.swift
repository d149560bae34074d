import AdminProtocol

/// The human form of `calls show`, `registrations show|remove`, `flows list`, `media sessions` and
/// `tls certificates`.
enum DetailTables {
    static func render(_ detail: CallDetail) -> String {
        let call = detail.call
        var lines = ["call \(call.id)  \(call.state)  age \(StatusTable.duration(call.ageSeconds))",
                     "  caller \(call.caller ?? "-") (\(call.callerRealm)) → callee \(call.callee ?? "-") (\(call.calleeRealm))",
                     ""]
        var legs = [["LEG", "REALM", "DIALOG", "CALL-ID", "LOCAL TAG", "REMOTE TAG", "FLOW", "REMOTE TARGET"]]
        for leg in detail.legs {
            legs.append([leg.leg, leg.realm, leg.dialogState, leg.callID, leg.localTag, leg.remoteTag ?? "-",
                         leg.flow ?? "-", leg.remoteTarget])
        }
        lines += StatusTable.table(legs)
        let sdp = detail.legs.flatMap { leg in leg.sdp.map { (leg.leg, $0) } }
        lines.append("")
        if sdp.isEmpty {
            lines.append("no SDP yet")
        } else {
            var rows = [["LEG", "STREAM", "MEDIA", "PROFILE", "CRYPTO", "DIRECTION", "RTCP-MUX"]]
            for (leg, stream) in sdp {
                rows.append([leg, "\(stream.stream)", stream.media ?? "-", stream.profile, stream.cryptoSuite ?? "-",
                             stream.direction, stream.rtcpMux ? "yes" : "no"])
            }
            lines += StatusTable.table(rows)
        }
        lines.append("")
        if let error = detail.mediaError {
            lines.append("media: \(error)")
        } else if detail.streams.isEmpty {
            lines.append("no media streams")
        } else {
            var rows = [["STREAM", "LEG", "ADVERTISED", "LATCHED", "WHY", "PACKETS", "LOST", "JITTER", "IDLE", "DROPS"]]
            for leg in detail.streams {
                rows.append(["\(leg.stream)", leg.leg, leg.advertised ?? "-", leg.latched ?? "-", leg.latchReason ?? "-",
                             "\(leg.packets)", "\(leg.lost)", "\(Double(Int(leg.jitterMilliseconds * 10)) / 10)ms",
                             leg.idleSeconds.map { StatusTable.duration($0) } ?? "-", drops(leg.drops)])
            }
            lines += StatusTable.table(rows)
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ detail: RegistrationDetail) -> String {
        guard !detail.bindings.isEmpty else { return "no bindings of \(detail.aor)" }
        var lines = detail.removed ? ["removed \(detail.bindings.count) binding(s) of \(detail.aor)"] : []
        // Relayed bindings add the Contact at the core and the core's binding's time left.
        let relayed = detail.bindings.contains { $0.relayedAs != nil }
        var rows = [["CONTACT", "REALM", "TRANSPORT", "SOURCE", "FLOW", "NAT", "EXPIRES IN", "USER AGENT"]
            + (relayed ? ["RELAYED AS", "UPSTREAM EXPIRES IN"] : [])]
        for binding in detail.bindings {
            rows.append([binding.contact, binding.realm, binding.transport, binding.source, binding.flow,
                         binding.behindNAT ? binding.nat : "no",
                         detail.removed ? "-" : StatusTable.duration(binding.expiresInSeconds), binding.userAgent ?? "-"]
                + (relayed ? [binding.relayedAs ?? "-",
                              binding.upstreamExpiresInSeconds.map { StatusTable.duration($0) } ?? "-"] : []))
        }
        lines += StatusTable.table(rows)
        return lines.joined(separator: "\n")
    }

    static func render(_ flows: [FlowSummary]) -> String {
        guard !flows.isEmpty else { return "no connections and no UDP flows in use" }
        var rows = [["ID", "TRANSPORT", "REALM", "PEER", "LOCAL", "TLS PEER", "AGE", "REGISTRATIONS", "CALLS"]]
        for flow in flows {
            let identity = flow.tlsPeerIdentity.map { $0.isEmpty ? "(no names)" : $0.joined(separator: ",") } ?? "-"
            rows.append([flow.id ?? "-", flow.transport, flow.realm, flow.peer, flow.local, identity,
                         flow.ageSeconds.map { StatusTable.duration($0) } ?? "-", "\(flow.registrations)", "\(flow.calls)"])
        }
        return StatusTable.table(rows).joined(separator: "\n")
    }

    static func render(_ sessions: [MediaSessionSummary]) -> String {
        guard !sessions.isEmpty else { return "no media sessions" }
        var rows = [["SESSION", "STREAMS", "AGE", "PACKETS", "BYTES", "DROPS", "WORKER", "PORTS"]]
        for session in sessions {
            rows.append([session.session, "\(session.streams)", StatusTable.duration(session.ageSeconds),
                         "\(session.packets)", "\(session.bytes)", "\(session.drops)",
                         session.workers.isEmpty ? "-" : session.workers.map(String.init).joined(separator: ","),
                         session.ports.isEmpty ? "-" : session.ports.joined(separator: "; ")])
        }
        return StatusTable.table(rows).joined(separator: "\n")
    }

    static func render(_ certificates: [TLSCertificateReport]) -> String {
        guard !certificates.isEmpty else { return "no TLS listeners" }
        var rows = [["REALM", "LISTENER", "SUBJECT", "SANS", "ISSUER", "NOT AFTER", "DAYS LEFT", "SNI", "FILE"]]
        for certificate in certificates {
            let days = certificate.daysLeft < 0 ? "EXPIRED" : certificate.daysLeft < 30
                ? "\(certificate.daysLeft) (renew)" : "\(certificate.daysLeft)"
            rows.append([certificate.realm, certificate.listener, certificate.subject,
                         certificate.subjectAlternativeNames.joined(separator: ","), certificate.issuer,
                         StatusTable.utc(certificate.notAfter), days,
                         certificate.serverNames.isEmpty ? "-" : certificate.serverNames.joined(separator: ","),
                         certificate.file])
        }
        return StatusTable.table(rows).joined(separator: "\n")
    }

    static func drops(_ drops: [String: UInt64]) -> String {
        let text = drops.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: " ")
        return text.isEmpty ? "-" : text
    }
}
