import FoundationEssentials

/// JSON over `ControlFraming` frames. Request: `{"id":1,"command":"status"}`. Reply:
/// `{"id":1,"ok":true,"command":"status","result":{…}}` or `{"id":1,"ok":false,"error":{…}}`.
public enum AdminCodec {
    public static func encode(_ request: AdminRequest) -> [UInt8] { encodeValue(request) }

    public static func encode(_ reply: AdminReply) -> [UInt8] { encodeValue(ReplyEnvelope(reply)) }

    /// A request, or the failure to answer with (and the id to answer to, when readable).
    public static func decodeRequest(_ bytes: [UInt8]) -> (id: UInt64, result: Result<AdminRequest, AdminFailure>) {
        struct Header: Decodable { var id: UInt64?; var command: String?; var arguments: [String]? }
        let header = try? JSONDecoder().decode(Header.self, from: Data(bytes))
        let id = header?.id ?? 0
        guard let name = header?.command else {
            return (id, .failure(AdminFailure(.malformed, "not an admin request (need 'id' and 'command')")))
        }
        guard let command = AdminCommand(rawValue: name) else {
            return (id, .failure(AdminFailure(.unknownCommand, "unknown command '\(name)'")))
        }
        return (id, .success(AdminRequest(id: id, command: command, arguments: header?.arguments ?? [])))
    }

    public static func decodeReply(_ bytes: [UInt8]) throws(AdminFailure) -> AdminReply {
        do {
            return try JSONDecoder().decode(ReplyEnvelope.self, from: Data(bytes)).reply
        } catch {
            throw AdminFailure(.malformed, "unreadable reply from palisade-signal: \(error)")
        }
    }

    /// The reply's result alone, pretty-printed with sorted keys: what `palisadectl --json` prints.
    public static func resultJSON(_ body: AdminReply.Body) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data: Data? = switch body {
        case .status(let status): try? encoder.encode(status)
        case .logLevel(let report): try? encoder.encode(report)
        case .reload(let report): try? encoder.encode(report)
        case .traffic(let report): try? encoder.encode(report)
        case .calls(let calls): try? encoder.encode(calls)
        case .hungUp(let call): try? encoder.encode(call)
        case .registrations(let bindings): try? encoder.encode(bindings)
        case .mediaStreams(let legs): try? encoder.encode(legs)
        case .callDetail(let call): try? encoder.encode(call)
        case .registration(let detail): try? encoder.encode(detail)
        case .flows(let flows): try? encoder.encode(flows)
        case .mediaSessions(let sessions): try? encoder.encode(sessions)
        case .certificates(let certificates): try? encoder.encode(certificates)
        }
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    private static func encodeValue(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { preconditionFailure("admin message not encodable") }
        return Array(data)
    }
}

private struct ReplyEnvelope: Codable {
    var reply: AdminReply

    init(_ reply: AdminReply) { self.reply = reply }

    private enum Key: String, CodingKey { case id, ok, command, result, error }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let id = try c.decode(UInt64.self, forKey: .id)
        if try c.decode(Bool.self, forKey: .ok) {
            let body: AdminReply.Body = switch try c.decode(AdminCommand.self, forKey: .command) {
            case .status: .status(try c.decode(StatusReport.self, forKey: .result))
            case .logLevel: .logLevel(try c.decode(LogLevelReport.self, forKey: .result))
            case .configReload: .reload(try c.decode(ReloadReport.self, forKey: .result))
            case .drain, .undrain: .traffic(try c.decode(TrafficReport.self, forKey: .result))
            case .callsList: .calls(try c.decode([CallSummary].self, forKey: .result))
            case .callsHangup: .hungUp(try c.decode(CallSummary.self, forKey: .result))
            case .registrationsList: .registrations(try c.decode([RegistrationSummary].self, forKey: .result))
            case .mediaStreams: .mediaStreams(try c.decode([MediaLegSummary].self, forKey: .result))
            case .callsShow: .callDetail(try c.decode(CallDetail.self, forKey: .result))
            case .registrationsShow, .registrationsRemove:
                .registration(try c.decode(RegistrationDetail.self, forKey: .result))
            case .flowsList: .flows(try c.decode([FlowSummary].self, forKey: .result))
            case .mediaSessions: .mediaSessions(try c.decode([MediaSessionSummary].self, forKey: .result))
            case .tlsCertificates: .certificates(try c.decode([TLSCertificateReport].self, forKey: .result))
            }
            reply = AdminReply(id: id, .success(body))
        } else {
            reply = AdminReply(id: id, .failure(try c.decode(AdminFailure.self, forKey: .error)))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(reply.id, forKey: .id)
        switch reply.result {
        case .success(let body):
            try c.encode(true, forKey: .ok)
            switch body {
            case .status(let status):
                try c.encode(AdminCommand.status, forKey: .command)
                try c.encode(status, forKey: .result)
            case .logLevel(let report):
                try c.encode(AdminCommand.logLevel, forKey: .command)
                try c.encode(report, forKey: .result)
            case .reload(let report):
                try c.encode(AdminCommand.configReload, forKey: .command)
                try c.encode(report, forKey: .result)
            case .traffic(let report):
                try c.encode(report.draining ? AdminCommand.drain : AdminCommand.undrain, forKey: .command)
                try c.encode(report, forKey: .result)
            case .calls(let calls):
                try c.encode(AdminCommand.callsList, forKey: .command)
                try c.encode(calls, forKey: .result)
            case .hungUp(let call):
                try c.encode(AdminCommand.callsHangup, forKey: .command)
                try c.encode(call, forKey: .result)
            case .registrations(let bindings):
                try c.encode(AdminCommand.registrationsList, forKey: .command)
                try c.encode(bindings, forKey: .result)
            case .mediaStreams(let legs):
                try c.encode(AdminCommand.mediaStreams, forKey: .command)
                try c.encode(legs, forKey: .result)
            case .callDetail(let call):
                try c.encode(AdminCommand.callsShow, forKey: .command)
                try c.encode(call, forKey: .result)
            case .registration(let detail):
                try c.encode(detail.removed ? AdminCommand.registrationsRemove : AdminCommand.registrationsShow,
                             forKey: .command)
                try c.encode(detail, forKey: .result)
            case .flows(let flows):
                try c.encode(AdminCommand.flowsList, forKey: .command)
                try c.encode(flows, forKey: .result)
            case .mediaSessions(let sessions):
                try c.encode(AdminCommand.mediaSessions, forKey: .command)
                try c.encode(sessions, forKey: .result)
            case .certificates(let certificates):
                try c.encode(AdminCommand.tlsCertificates, forKey: .command)
                try c.encode(certificates, forKey: .result)
            }
        case .failure(let failure):
            try c.encode(false, forKey: .ok)
            try c.encode(failure, forKey: .error)
        }
    }
}
